//! SQS redelivers a message its consumer still runs once the visibility timeout passes; AWS
//! asks for at least six times the function timeout on a Lambda event source.

use crate::stack::{consumer_of, seconds, template};

#[test]
fn every_queue_hides_a_message_for_six_times_its_consumer_timeout() {
    let template = template();
    let mut too_short = Vec::new();
    let mut n_checked = 0;

    for queue in template.logical_ids_of_type("AWS::SQS::Queue") {
        let Some(function) = consumer_of(&template, &queue) else {
            continue;
        };
        let visibility = seconds(&template, &queue, "VisibilityTimeout");
        let function_timeout = seconds(&template, &function, "Timeout");
        n_checked += 1;
        if visibility < 6 * function_timeout {
            too_short.push(format!(
                "{queue}: VisibilityTimeout {visibility} < 6 x {function} Timeout {function_timeout}"
            ));
        }
    }

    assert!(too_short.is_empty(), "{too_short:#?}");
    assert!(n_checked >= 9, "only {n_checked} consumed queues found");
}

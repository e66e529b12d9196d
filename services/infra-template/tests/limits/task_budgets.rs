//! A Task's clocks start when its message is sent, so they must cover the queue wait, the
//! consumer's init phase and its whole `Timeout`: otherwise a slow stage outlives its token
//! and Step Functions runs it again in parallel (review 2.2, 2.3).

use crate::stack::{
    INIT_SECONDS, QUEUE_WAIT_SECONDS, queue_tasks, seconds, state_seconds, template,
};

#[test]
fn no_function_runs_longer_than_the_task_that_waits_for_it() {
    let template = template();
    let mut too_short = Vec::new();

    for task in queue_tasks(&template) {
        let function_timeout = seconds(&template, &task.function_logical_id, "Timeout");
        let task_timeout = state_seconds(&task, "TimeoutSeconds");
        let needed = QUEUE_WAIT_SECONDS + INIT_SECONDS + function_timeout;
        if task_timeout < needed {
            too_short.push(format!(
                "{}.{}: TimeoutSeconds {task_timeout} < {needed} ({} Timeout {function_timeout} + queue wait {QUEUE_WAIT_SECONDS} + init {INIT_SECONDS})",
                task.machine, task.state_name, task.function_logical_id
            ));
        }
    }

    assert!(too_short.is_empty(), "{too_short:#?}");
}

#[test]
fn the_first_heartbeat_can_arrive_after_the_queue_wait() {
    // The consumer heartbeats on receipt and then every 20 s (`lambda::sqs_event_handler`), so
    // the heartbeat clock must outlast the queue wait plus the init phase, with a few seconds
    // for the heartbeat call itself, and stay below TimeoutSeconds (Step Functions requires it).
    const HEARTBEAT_CALL_SECONDS: u64 = 5;
    const HEARTBEAT_INTERVAL_SECONDS: u64 = 20;
    let template = template();
    let mut wrong = Vec::new();

    for task in queue_tasks(&template) {
        let heartbeat = state_seconds(&task, "HeartbeatSeconds");
        let timeout = state_seconds(&task, "TimeoutSeconds");
        let needed = (QUEUE_WAIT_SECONDS + INIT_SECONDS).max(HEARTBEAT_INTERVAL_SECONDS)
            + HEARTBEAT_CALL_SECONDS;
        if heartbeat < needed || heartbeat >= timeout {
            wrong.push(format!(
                "{}.{}: HeartbeatSeconds {heartbeat} not in [{needed}, TimeoutSeconds {timeout})",
                task.machine, task.state_name
            ));
        }
    }

    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn every_queue_task_has_a_consumer_function() {
    let template = template();

    let tasks = queue_tasks(&template);

    assert!(
        tasks
            .iter()
            .any(|t| t.function_logical_id == "ClassifyFunction")
    );
    assert!(
        tasks
            .iter()
            .any(|t| t.function_logical_id == "IngestFunction")
    );
    assert!(tasks.iter().all(|t| !t.queue_logical_id.is_empty()));
}

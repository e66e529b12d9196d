//! Questions answered end to end by the real pipeline and demo data.

use serde_json::json;

use crate::analyst_server::AnalystServer;

/// Rows of `restaurant` in `data/demo/restaurants/restaurants.sql`.
const N_DEMO_RESTAURANTS: u64 = 11;

#[tokio::test]
async fn a_count_question_is_answered_with_the_real_count() {
    let server = AnalystServer::start().await;

    let job_view = server
        .ask("How many restaurants are there?", "restaurants")
        .await;

    assert_eq!(job_view["status"], "succeeded", "job: {job_view}");
    assert_eq!(job_view["result"]["rows"], json!([[N_DEMO_RESTAURANTS]]));
    assert!(job_view["sql"].as_str().is_some_and(|sql| !sql.is_empty()));
    assert!(
        job_view["answer"]
            .as_str()
            .is_some_and(|answer| !answer.is_empty())
    );
    assert!(
        job_view["timings"]
            .as_array()
            .is_some_and(|timings| !timings.is_empty())
    );
}

#[tokio::test]
async fn a_greeting_gets_a_chat_answer_without_sql() {
    let server = AnalystServer::start().await;

    let job_view = server.ask("Hello!", "restaurants").await;

    assert_eq!(job_view["status"], "succeeded", "job: {job_view}");
    assert_eq!(job_view["intent"], "chat");
    assert!(job_view["sql"].is_null());
    assert!(
        job_view["answer"]
            .as_str()
            .is_some_and(|answer| !answer.is_empty())
    );
}

#[tokio::test]
async fn a_grouped_question_returns_one_row_per_group_and_a_chart() {
    let server = AnalystServer::start().await;

    let job_view = server
        .ask(
            "How many restaurants are there in each city?",
            "restaurants",
        )
        .await;

    assert_eq!(job_view["status"], "succeeded", "job: {job_view}");
    let mut rows: Vec<(String, u64)> = job_view["result"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            (
                row[0].as_str().expect("city").to_owned(),
                row[1].as_u64().expect("count"),
            )
        })
        .collect();
    rows.sort();
    let expected = [
        ("Los Angeles", 3),
        ("Miami", 2),
        ("New York", 3),
        ("San Francisco", 3),
    ];
    assert_eq!(rows, expected.map(|(city, n)| (city.to_owned(), n)));
    assert_eq!(job_view["chart"]["mark"]["type"], "bar");
    assert_eq!(job_view["result"]["truncated"], false);
}

#[tokio::test]
async fn a_question_the_data_cannot_answer_fails_with_a_plain_reason() {
    let server = AnalystServer::start().await;

    let job_view = server
        .ask("Why do people prefer Italian restaurants?", "restaurants")
        .await;

    assert_eq!(job_view["status"], "failed", "job: {job_view}");
    assert_eq!(job_view["error"]["kind"], "invalid_input");
    assert!(
        job_view["error"]["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty())
    );
    assert!(job_view["sql"].is_null());
}

//! The row and byte limits while reading result pages.

use serde_json::json;

use ports::sql_engine::{QueryLimits, SqlEngine};

use crate::fake_athena::{FakeAthena, answer, query_state, results_page};

fn script_succeeded_query(fake: &FakeAthena) {
    fake.script(
        "StartQueryExecution",
        vec![answer(json!({ "QueryExecutionId": "q-1" }))],
    );
    fake.script("GetQueryExecution", vec![query_state("SUCCEEDED")]);
}

fn limits(max_rows: usize, max_bytes: usize) -> QueryLimits {
    QueryLimits {
        max_rows,
        max_bytes,
        ..QueryLimits::default()
    }
}

#[tokio::test]
async fn more_rows_than_the_cap_truncate_the_result_and_no_further_page_is_requested() {
    let fake = FakeAthena::start().await;
    script_succeeded_query(&fake);
    fake.script(
        "GetQueryResults",
        vec![
            results_page(
                &[("n", "integer")],
                &[
                    vec![Some("n")],
                    vec![Some("1")],
                    vec![Some("2")],
                    vec![Some("3")],
                ],
                Some("page-2"),
            ),
            results_page(&[("n", "integer")], &[vec![Some("4")]], None),
        ],
    );

    let result_set = fake
        .engine()
        .execute("SELECT n FROM numbers", &limits(2, 1024))
        .await
        .unwrap();

    assert_eq!(result_set.rows, vec![vec![json!(1)], vec![json!(2)]]);
    assert!(result_set.truncated);
    assert_eq!(result_set.total_rows, None);
    let page_requests = fake.requests("GetQueryResults");
    assert_eq!(page_requests.len(), 1);
    // Two kept rows, one to detect truncation, and the header row.
    assert_eq!(page_requests[0]["MaxResults"], 4);
}

#[tokio::test]
async fn exactly_the_cap_of_rows_is_not_truncated_once_the_next_page_is_empty() {
    let fake = FakeAthena::start().await;
    script_succeeded_query(&fake);
    fake.script(
        "GetQueryResults",
        vec![
            results_page(
                &[("n", "integer")],
                &[vec![Some("n")], vec![Some("1")], vec![Some("2")]],
                Some("page-2"),
            ),
            results_page(&[("n", "integer")], &[], None),
        ],
    );

    let result_set = fake
        .engine()
        .execute("SELECT n FROM numbers", &limits(2, 1024))
        .await
        .unwrap();

    assert_eq!(result_set.rows.len(), 2);
    assert!(!result_set.truncated);
    assert_eq!(result_set.total_rows, Some(2));
    let page_requests = fake.requests("GetQueryResults");
    assert_eq!(page_requests.len(), 2);
    assert_eq!(page_requests[1]["MaxResults"], 1);
    assert_eq!(page_requests[1]["NextToken"], "page-2");
}

#[tokio::test]
async fn rows_past_the_byte_cap_are_dropped_and_the_result_is_truncated() {
    let fake = FakeAthena::start().await;
    script_succeeded_query(&fake);
    let long_text = "x".repeat(40);
    fake.script(
        "GetQueryResults",
        vec![results_page(
            &[("note", "varchar")],
            &[
                vec![Some("note")],
                vec![Some(&long_text)],
                vec![Some(&long_text)],
                vec![Some(&long_text)],
            ],
            None,
        )],
    );

    let result_set = fake
        .engine()
        .execute("SELECT note FROM notes", &limits(100, 100))
        .await
        .unwrap();

    // Each row encodes as 46 bytes (`["xxx…"]`), so two fit in 100 bytes.
    assert_eq!(result_set.rows.len(), 2);
    assert!(result_set.truncated);
    assert_eq!(result_set.total_rows, None);
}

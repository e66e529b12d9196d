//! Jobs, times and result rows shared by the job checks.
//!
//! Invariant: every job gets a fresh random id and datasource; every time is a whole second.

use chrono::{DateTime, TimeZone, Utc};
use contracts::result::{ColumnType, ResultColumn, ResultSet};
use serde_json::json;
use uuid::Uuid;

use crate::job_store::NewJob;

/// A fresh job submitted at `submitted_at`, with a random id and datasource.
pub(super) fn new_job_submitted_at(submitted_at: DateTime<Utc>) -> NewJob {
    let job_id = Uuid::new_v4();
    NewJob {
        job_id,
        correlation_id: format!("req-{}", job_id.simple()),
        question: "How many restaurants are there?".into(),
        datasource: format!("contract_{}", job_id.simple()),
        conversation_id: Some(format!("conv-{}", job_id.simple())),
        provided_sql: None,
        owner_key_id: Some(format!("key_{}", job_id.simple())),
        idempotency_key: None,
        submitted_at,
    }
}

/// A whole-second time shortly after a fixed instant (whole seconds survive every store).
pub(super) fn at_second(second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, second)
        .single()
        .expect("a valid fixed time")
}

/// Rows with one column of every type, including NULL and a 64-bit integer.
pub(super) fn sample_result_set() -> ResultSet {
    let column = |name: &str, column_type| ResultColumn {
        name: name.into(),
        column_type,
    };
    ResultSet {
        columns: vec![
            column("big_count", ColumnType::Integer),
            column("average", ColumnType::Float),
            column("name", ColumnType::Text),
            column("open", ColumnType::Boolean),
            column("opened_on", ColumnType::Date),
            column("inspected_at", ColumnType::Timestamp),
            column("extra", ColumnType::Other),
        ],
        rows: vec![
            vec![
                json!(i64::MAX),
                json!(2.5),
                json!("Café \"Zoë\" — naïve"),
                json!(true),
                json!("2024-02-29"),
                json!("2024-02-29T23:59:59Z"),
                json!("{1,2}"),
            ],
            vec![
                json!(-7),
                json!(1234.75),
                json!(null),
                json!(false),
                json!(null),
                json!(null),
                json!(null),
            ],
        ],
        truncated: true,
        total_rows: Some(5000),
    }
}

//! The schema, few-shot examples and result rows every wire-protocol test asks about.
//!
//! Invariant: fixtures are plain data; no test mutates them.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use contracts::result::{ColumnType, ResultColumn, ResultSet};
use contracts::stages::RepairContext;
use llm_providers::{ChatSettings, RetryPolicy};
use ports::memory_store::{ScoredPair, VerifiedPair};
use ports::schema::{ColumnSchema, SchemaSnapshot, TableSchema};
use serde_json::json;

/// Chat settings with quick retries, so throttling tests take milliseconds.
pub(crate) fn quick_chat_settings() -> ChatSettings {
    ChatSettings {
        retry: RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(5),
        },
        request_timeout: Duration::from_secs(5),
        ..ChatSettings::default()
    }
}

fn column(
    name: &str,
    data_type: &str,
    description: Option<&str>,
    samples: &[&str],
) -> ColumnSchema {
    ColumnSchema {
        name: name.into(),
        data_type: data_type.into(),
        description: description.map(str::to_owned),
        sample_values: samples.iter().map(|value| (*value).to_owned()).collect(),
    }
}

/// A shop: customers, orders and a table no question here needs.
pub(crate) fn shop_schema() -> SchemaSnapshot {
    SchemaSnapshot::new(
        "shop",
        vec![
            TableSchema {
                name: "customers".into(),
                description: Some("People who bought at least once".into()),
                columns: vec![
                    column("id", "BIGINT", Some("primary key"), &[]),
                    column(
                        "region",
                        "VARCHAR",
                        Some("Sales region"),
                        &["north", "south"],
                    ),
                ],
                n_rows: Some(1200),
            },
            TableSchema {
                name: "orders".into(),
                description: Some("Orders placed online".into()),
                columns: vec![
                    column("id", "BIGINT", Some("primary key"), &[]),
                    column(
                        "customer_id",
                        "BIGINT",
                        Some("references customers.id"),
                        &[],
                    ),
                    column("amount", "DECIMAL(10,2)", Some("Order total in euros"), &[]),
                    column("status", "VARCHAR", None, &["open", "shipped"]),
                ],
                n_rows: Some(54000),
            },
            TableSchema {
                name: "warehouse_shifts".into(),
                description: Some("Staff rota of the warehouse".into()),
                columns: vec![column("shift_id", "BIGINT", None, &[])],
                n_rows: None,
            },
        ],
    )
}

/// One verified example.
pub(crate) fn examples() -> Vec<ScoredPair> {
    vec![ScoredPair {
        pair: VerifiedPair {
            entry_id: "e1".into(),
            datasource: "shop".into(),
            schema_version: "v".into(),
            question: "How many open orders are there?".into(),
            sql: "SELECT COUNT(*) AS open_orders FROM orders WHERE status = 'open'".into(),
            embedding: vec![1.0],
            embedding_model: "m".into(),
            approved_by: "analyst@example.com".into(),
            approved_at: Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap(),
            source_job_id: None,
        },
        similarity: 0.91,
    }]
}

/// A failed attempt and the database's complaint.
pub(crate) fn failed_attempt() -> RepairContext {
    RepairContext {
        attempt: 1,
        failed_sql: "SELECT SUM(total) FROM orders".into(),
        error: "Binder Error: Referenced column \"total\" not found in FROM clause".into(),
    }
}

/// Revenue per region, five rows.
pub(crate) fn revenue_by_region() -> ResultSet {
    let regions = ["north", "south", "east", "west", "centre"];
    ResultSet {
        columns: vec![
            ResultColumn {
                name: "region".into(),
                column_type: ColumnType::Text,
            },
            ResultColumn {
                name: "revenue".into(),
                column_type: ColumnType::Float,
            },
        ],
        rows: regions
            .iter()
            .enumerate()
            .map(|(row_idx, region)| vec![json!(region), json!(1000.5 * (row_idx + 1) as f64)])
            .collect(),
        truncated: false,
        total_rows: Some(5),
    }
}

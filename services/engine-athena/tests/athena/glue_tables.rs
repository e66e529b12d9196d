//! Schema extraction from the Glue Data Catalog, against moto.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_glue::types::{Column, DatabaseInput, StorageDescriptor, TableInput};

use ports::schema::{ColumnSchema, TableSchema};
use ports::sql_engine::SqlEngine;

use crate::fake_athena::{engine_with, test_sdk_config};
use crate::moto_server::MotoServer;

fn column(name: &str, data_type: &str, comment: Option<&str>) -> Column {
    Column::builder()
        .name(name)
        .r#type(data_type)
        .set_comment(comment.map(str::to_owned))
        .build()
        .unwrap()
}

fn expected_column(name: &str, data_type: &str, description: Option<&str>) -> ColumnSchema {
    ColumnSchema {
        name: name.to_owned(),
        data_type: data_type.to_owned(),
        description: description.map(str::to_owned),
        sample_values: Vec::new(),
    }
}

/// A database name no other test run uses, for a shared moto server.
fn unique_database_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("sales_{}_{nanos}", std::process::id())
}

#[tokio::test]
async fn extract_tables_reads_glue_columns_comments_and_partition_keys() {
    let moto = MotoServer::start().await;
    let database = unique_database_name();
    let glue = aws_sdk_glue::Client::from_conf(
        aws_sdk_glue::config::Builder::from(&test_sdk_config())
            .endpoint_url(moto.endpoint_url())
            .build(),
    );
    glue.create_database()
        .database_input(DatabaseInput::builder().name(&database).build().unwrap())
        .send()
        .await
        .unwrap();
    glue.create_table()
        .database_name(&database)
        .table_input(
            TableInput::builder()
                .name("orders")
                .description("One row per order.")
                .storage_descriptor(
                    StorageDescriptor::builder()
                        .columns(column("order_id", "bigint", Some("Order number.")))
                        .columns(column("amount", "decimal(10,2)", Some("Total in USD.")))
                        .columns(column("region", "string", None))
                        .build(),
                )
                .partition_keys(column(
                    "order_date",
                    "date",
                    Some("Day the order was placed."),
                ))
                .parameters("recordCount", "1200")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    glue.create_table()
        .database_name(&database)
        .table_input(
            TableInput::builder()
                .name("customers")
                .storage_descriptor(
                    StorageDescriptor::builder()
                        .columns(column("customer_id", "bigint", None))
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let engine = engine_with(engine_athena::AthenaSettings {
        endpoint_url: Some(moto.endpoint_url().to_owned()),
        sample_values: false,
        ..engine_athena::AthenaSettings::new("us-east-1", "analyst-wg", &database)
    });

    let tables = engine.extract_tables().await.unwrap();

    assert_eq!(
        tables,
        vec![
            TableSchema {
                name: "customers".to_owned(),
                description: None,
                columns: vec![expected_column("customer_id", "bigint", None)],
                n_rows: None,
            },
            TableSchema {
                name: "orders".to_owned(),
                description: Some("One row per order.".to_owned()),
                columns: vec![
                    expected_column("order_id", "bigint", Some("Order number.")),
                    expected_column("amount", "decimal(10,2)", Some("Total in USD.")),
                    expected_column("region", "string", None),
                    expected_column("order_date", "date", Some("Day the order was placed.")),
                ],
                n_rows: Some(1200),
            },
        ]
    );
}

#[tokio::test]
async fn extract_tables_of_a_missing_database_is_unavailable() {
    let moto = MotoServer::start().await;
    let engine = engine_with(engine_athena::AthenaSettings {
        endpoint_url: Some(moto.endpoint_url().to_owned()),
        ..engine_athena::AthenaSettings::new("us-east-1", "analyst-wg", unique_database_name())
    });

    let err = engine.extract_tables().await.unwrap_err();

    assert!(
        matches!(err, ports::sql_engine::EngineError::Unavailable(ref message) if message.contains("EntityNotFoundException")),
        "{err:?}"
    );
}

//! The Glue tables of a datasource: one database per datasource (`<prefix><datasource>`), one
//! external Parquet table per ingested table, with Hive types mapped from the inferred
//! `ColumnType`s, each column's original CSV header as its comment and the source folder and
//! files as the table's description; switched to a new upload all or nothing.
//!
//! Invariant: when switching fails part-way, every table already switched is put back (a
//! created table is deleted, an updated one gets its previous definition) before the error is
//! returned.

use std::collections::HashMap;

use aws_sdk_glue::error::ProvideErrorMetadata;
use aws_sdk_glue::types::{Column, DatabaseInput, SerDeInfo, StorageDescriptor, Table, TableInput};
use ingest::{ColumnType, TablePlan};
use uuid::Uuid;

use crate::data_objects::TableDataLocation;
use crate::ingestion_error::{IngestionError, service_error_text};

/// Table parameter naming the upload whose data a table points at.
pub(crate) const UPLOAD_ID_PARAMETER: &str = "analyst_upload_id";

/// The Hive type Glue and Athena use for an inferred column type.
pub(crate) fn glue_type(column_type: ColumnType) -> &'static str {
    match column_type {
        ColumnType::Boolean => "boolean",
        ColumnType::BigInt => "bigint",
        ColumnType::Double => "double",
        ColumnType::Date => "date",
        ColumnType::Timestamp => "timestamp",
        ColumnType::Text => "string",
    }
}

/// The Glue definition of `table` whose Parquet data is at `location`.
pub(crate) fn parquet_table_input(
    table: &TablePlan,
    location: &TableDataLocation,
    archive_key: &str,
    upload_id: Uuid,
) -> Result<TableInput, IngestionError> {
    let invalid = |err: aws_sdk_glue::error::BuildError| IngestionError::Catalog {
        operation: "TableInput",
        message: err.to_string(),
    };
    let columns = table
        .columns
        .iter()
        .map(|column| {
            Column::builder()
                .name(&column.name)
                .r#type(glue_type(column.column_type))
                .comment(&column.original_name)
                .build()
                .map_err(invalid)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let storage_descriptor = StorageDescriptor::builder()
        .set_columns(Some(columns))
        .location(location.uri())
        .input_format("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat")
        .output_format("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat")
        .serde_info(
            SerDeInfo::builder()
                .serialization_library(
                    "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                )
                .build(),
        )
        .build();
    TableInput::builder()
        .name(&table.name)
        .description(format!(
            "Ingested from {} ({}) of {archive_key}",
            table.source,
            table.source_entries.join(", ")
        ))
        .table_type("EXTERNAL_TABLE")
        .parameters("classification", "parquet")
        .parameters(UPLOAD_ID_PARAMETER, upload_id.to_string())
        .storage_descriptor(storage_descriptor)
        .build()
        .map_err(invalid)
}

/// Creates `database` unless it exists.
pub(crate) async fn ensure_database(
    glue: &aws_sdk_glue::Client,
    database: &str,
    datasource: &str,
) -> Result<(), IngestionError> {
    let database_input = DatabaseInput::builder()
        .name(database)
        .description(format!("Tables of the uploaded datasource {datasource}"))
        .build()
        .map_err(|err| IngestionError::Catalog {
            operation: "DatabaseInput",
            message: err.to_string(),
        })?;
    match glue
        .create_database()
        .database_input(database_input)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(sdk_error) => {
            let service_error = sdk_error.into_service_error();
            if service_error.code() == Some("AlreadyExistsException") {
                Ok(())
            } else {
                Err(IngestionError::Catalog {
                    operation: "CreateDatabase",
                    message: service_error_text(&service_error),
                })
            }
        }
    }
}

/// The current definitions of those of `names` that exist in `database`.
pub(crate) async fn existing_tables(
    glue: &aws_sdk_glue::Client,
    database: &str,
    names: &[&str],
) -> Result<HashMap<String, Table>, IngestionError> {
    let mut existing = HashMap::new();
    for name in names {
        match glue
            .get_table()
            .database_name(database)
            .name(*name)
            .send()
            .await
        {
            Ok(output) => {
                if let Some(table) = output.table {
                    existing.insert((*name).to_owned(), table);
                }
            }
            Err(sdk_error) => {
                let service_error = sdk_error.into_service_error();
                if service_error.code() != Some("EntityNotFoundException") {
                    return Err(IngestionError::Catalog {
                        operation: "GetTable",
                        message: service_error_text(&service_error),
                    });
                }
            }
        }
    }
    Ok(existing)
}

/// Points every table of `table_inputs` at its new data: `UpdateTable` for those in
/// `previous`, `CreateTable` for the others; all or nothing.
pub(crate) async fn switch_tables(
    glue: &aws_sdk_glue::Client,
    database: &str,
    table_inputs: Vec<TableInput>,
    previous: &HashMap<String, Table>,
) -> Result<(), IngestionError> {
    let mut switched: Vec<String> = Vec::new();
    for table_input in table_inputs {
        let name = table_input.name().to_owned();
        let outcome = if previous.contains_key(&name) {
            glue.update_table()
                .database_name(database)
                .table_input(table_input)
                .send()
                .await
                .map(|_| ())
                .map_err(|sdk_error| IngestionError::Catalog {
                    operation: "UpdateTable",
                    message: service_error_text(&sdk_error.into_service_error()),
                })
        } else {
            glue.create_table()
                .database_name(database)
                .table_input(table_input)
                .send()
                .await
                .map(|_| ())
                .map_err(|sdk_error| IngestionError::Catalog {
                    operation: "CreateTable",
                    message: service_error_text(&sdk_error.into_service_error()),
                })
        };
        if let Err(switch_error) = outcome {
            restore_tables(glue, database, &switched, previous).await;
            return Err(switch_error);
        }
        switched.push(name);
    }
    Ok(())
}

/// Puts `switched` back as `previous` describes them (deleting those that did not exist).
async fn restore_tables(
    glue: &aws_sdk_glue::Client,
    database: &str,
    switched: &[String],
    previous: &HashMap<String, Table>,
) {
    for name in switched.iter().rev() {
        let restored = match previous.get(name) {
            Some(table) => match restorable_input(table) {
                Ok(table_input) => glue
                    .update_table()
                    .database_name(database)
                    .table_input(table_input)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|sdk_error| service_error_text(&sdk_error.into_service_error())),
                Err(build_error) => Err(build_error.to_string()),
            },
            None => glue
                .delete_table()
                .database_name(database)
                .name(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|sdk_error| service_error_text(&sdk_error.into_service_error())),
        };
        if let Err(message) = restored {
            tracing::error!(database, table = %name, error.message = %message, "could not restore a table after a failed switch");
        }
    }
}

/// The input that recreates `table`'s definition.
fn restorable_input(table: &Table) -> Result<TableInput, aws_sdk_glue::error::BuildError> {
    TableInput::builder()
        .name(table.name())
        .set_description(table.description().map(str::to_owned))
        .set_owner(table.owner().map(str::to_owned))
        .retention(table.retention())
        .set_storage_descriptor(table.storage_descriptor().cloned())
        .set_partition_keys(table.partition_keys.clone())
        .set_table_type(table.table_type().map(str::to_owned))
        .set_parameters(table.parameters().cloned())
        .build()
}

#[cfg(test)]
mod tests {
    use ingest::ColumnPlan;

    use super::*;
    use crate::moto_test_server::MotoServer;

    fn one_column_table(name: &str) -> TablePlan {
        TablePlan {
            name: name.to_owned(),
            source: format!("{name}/"),
            source_entries: vec![format!("{name}/{name}.csv")],
            columns: vec![ColumnPlan {
                name: "id".to_owned(),
                original_name: "ID".to_owned(),
                column_type: ColumnType::BigInt,
            }],
            csv_files: Vec::new(),
            n_rows: 1,
        }
    }

    async fn location_of(
        glue: &aws_sdk_glue::Client,
        database: &str,
        name: &str,
    ) -> Option<String> {
        let table = glue
            .get_table()
            .database_name(database)
            .name(name)
            .send()
            .await
            .ok()?;
        table
            .table
            .and_then(|table| table.storage_descriptor)
            .and_then(|descriptor| descriptor.location)
    }

    #[tokio::test]
    async fn a_failed_switch_puts_back_every_table_already_switched() {
        let moto = MotoServer::start().await;
        let glue = moto.glue();
        let database = format!("analyst_t{}", Uuid::new_v4().simple());
        ensure_database(&glue, &database, "t").await.unwrap();
        let old_upload = Uuid::new_v4();
        let new_upload = Uuid::new_v4();
        let input_for = |name: &str, upload_id: Uuid| {
            let location = TableDataLocation::new("b", "data/", "t", name, upload_id);
            parquet_table_input(
                &one_column_table(name),
                &location,
                "uploads/t/x.zip",
                upload_id,
            )
            .unwrap()
        };
        glue.create_table()
            .database_name(&database)
            .table_input(input_for("orders", old_upload))
            .send()
            .await
            .unwrap();
        let mut previous = existing_tables(&glue, &database, &["customers", "orders"])
            .await
            .unwrap();
        // A table the catalog lost after it was looked up: its UpdateTable fails.
        previous.insert(
            "vanished".to_owned(),
            Table::builder().name("vanished").build().unwrap(),
        );

        let switched = switch_tables(
            &glue,
            &database,
            vec![
                input_for("customers", new_upload),
                input_for("orders", new_upload),
                input_for("vanished", new_upload),
            ],
            &previous,
        )
        .await;

        assert!(
            matches!(
                switched,
                Err(IngestionError::Catalog {
                    operation: "UpdateTable",
                    ..
                })
            ),
            "{switched:?}"
        );
        assert_eq!(location_of(&glue, &database, "customers").await, None);
        assert_eq!(
            location_of(&glue, &database, "orders").await,
            Some(format!("s3://b/data/t/orders/{old_upload}/"))
        );
    }

    #[test]
    fn a_table_input_carries_types_comments_location_and_source() {
        let table = TablePlan {
            name: "orders".to_owned(),
            source: "orders/".to_owned(),
            source_entries: vec!["orders/orders.csv".to_owned()],
            columns: vec![
                ColumnPlan {
                    name: "order_id".to_owned(),
                    original_name: "Order ID".to_owned(),
                    column_type: ColumnType::BigInt,
                },
                ColumnPlan {
                    name: "order_date".to_owned(),
                    original_name: "Order Date".to_owned(),
                    column_type: ColumnType::Date,
                },
            ],
            csv_files: Vec::new(),
            n_rows: 5,
        };
        let location = TableDataLocation::new("b", "data/", "shop", "orders", Uuid::nil());

        let table_input =
            parquet_table_input(&table, &location, "uploads/shop/x.zip", Uuid::nil()).unwrap();

        let columns: Vec<(&str, Option<&str>, Option<&str>)> = table_input
            .storage_descriptor()
            .unwrap()
            .columns()
            .iter()
            .map(|column| (column.name(), column.r#type(), column.comment()))
            .collect();
        assert_eq!(
            columns,
            [
                ("order_id", Some("bigint"), Some("Order ID")),
                ("order_date", Some("date"), Some("Order Date")),
            ]
        );
        assert_eq!(
            table_input.storage_descriptor().unwrap().location(),
            Some(location.uri().as_str())
        );
        assert_eq!(
            table_input.description(),
            Some("Ingested from orders/ (orders/orders.csv) of uploads/shop/x.zip")
        );
    }
}

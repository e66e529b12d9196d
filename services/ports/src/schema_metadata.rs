//! Descriptions and metric definitions imported for a datasource (from a CSV, XLSX or YAML
//! file), and [`apply_metadata`], which attaches them to an extracted schema snapshot.
//!
//! Invariant: applying metadata never drops a table or column of the snapshot and never drops
//! an entry of the metadata silently: entries naming something the snapshot lacks come back as
//! [`MetadataWarning`]s.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::schema::{MetricDefinition, SchemaSnapshot, TableSchema};

/// Everything imported for one datasource; tables and metrics in name order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasourceMetadata {
    /// Table and column descriptions.
    #[serde(default)]
    pub tables: Vec<TableMetadata>,
    /// Metric definitions.
    #[serde(default)]
    pub metrics: Vec<MetricDefinition>,
}

/// Descriptions of one table and of its columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableMetadata {
    /// Table name as the snapshot lists it (matched case-insensitively).
    pub name: String,
    /// Description of the table; `None` when only its columns are described.
    #[serde(default)]
    pub description: Option<String>,
    /// Column descriptions, in name order.
    #[serde(default)]
    pub columns: Vec<ColumnMetadata>,
}

/// Description of one column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMetadata {
    /// Column name (matched case-insensitively).
    pub name: String,
    /// What the column holds.
    pub description: String,
}

/// An entry of the metadata that names something the snapshot does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataWarning {
    /// A described table is not in the snapshot.
    UnknownTable {
        /// The table name of the metadata.
        table: String,
    },
    /// A described column is not in its (known) table.
    UnknownColumn {
        /// The table.
        table: String,
        /// The column name of the metadata.
        column: String,
    },
    /// A metric belongs to a table the snapshot does not have; the metric is kept.
    UnknownMetricTable {
        /// The metric.
        metric: String,
        /// The table name of the metric.
        table: String,
    },
}

impl fmt::Display for MetadataWarning {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetadataWarning::UnknownTable { table } => {
                write!(
                    formatter,
                    "table `{table}` is not in the schema; its descriptions are unused"
                )
            }
            MetadataWarning::UnknownColumn { table, column } => write!(
                formatter,
                "column `{column}` is not in table `{table}`; its description is unused"
            ),
            MetadataWarning::UnknownMetricTable { metric, table } => write!(
                formatter,
                "metric `{metric}` names table `{table}`, which is not in the schema"
            ),
        }
    }
}

/// The snapshot with the metadata's descriptions (which override the engine's comments) and
/// its metric definitions (which replace any the snapshot had), re-versioned; plus a warning
/// for each entry naming a table or column the snapshot lacks.
pub fn apply_metadata(
    snapshot: &SchemaSnapshot,
    metadata: &DatasourceMetadata,
) -> (SchemaSnapshot, Vec<MetadataWarning>) {
    let mut tables = snapshot.tables.clone();
    let mut warnings = Vec::new();
    for table_metadata in &metadata.tables {
        let Some(table) = find_table(&mut tables, &table_metadata.name) else {
            warnings.push(MetadataWarning::UnknownTable {
                table: table_metadata.name.clone(),
            });
            continue;
        };
        if let Some(description) = &table_metadata.description {
            table.description = Some(description.clone());
        }
        for column_metadata in &table_metadata.columns {
            let column = table
                .columns
                .iter_mut()
                .find(|column| column.name.eq_ignore_ascii_case(&column_metadata.name));
            match column {
                Some(column) => column.description = Some(column_metadata.description.clone()),
                None => warnings.push(MetadataWarning::UnknownColumn {
                    table: table.name.clone(),
                    column: column_metadata.name.clone(),
                }),
            }
        }
    }
    for metric in &metadata.metrics {
        if let Some(table) = &metric.table
            && snapshot.table(table).is_none()
        {
            warnings.push(MetadataWarning::UnknownMetricTable {
                metric: metric.name.clone(),
                table: table.clone(),
            });
        }
    }
    let merged = SchemaSnapshot::with_metrics(
        snapshot.datasource.clone(),
        tables,
        metadata.metrics.clone(),
    );
    (merged, warnings)
}

fn find_table<'t>(tables: &'t mut [TableSchema], name: &str) -> Option<&'t mut TableSchema> {
    tables
        .iter_mut()
        .find(|table| table.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ColumnSchema;

    fn column(name: &str, description: Option<&str>) -> ColumnSchema {
        ColumnSchema {
            name: name.into(),
            data_type: "VARCHAR".into(),
            description: description.map(str::to_owned),
            sample_values: vec![],
        }
    }

    fn extracted() -> SchemaSnapshot {
        SchemaSnapshot::new(
            "shop",
            vec![TableSchema {
                name: "orders".into(),
                description: Some("engine comment".into()),
                columns: vec![
                    column("id", Some("original header: ID")),
                    column("amount", None),
                ],
                n_rows: Some(10),
            }],
        )
    }

    fn revenue(table: &str) -> MetricDefinition {
        MetricDefinition {
            name: "revenue".into(),
            description: "Money received".into(),
            sql: Some("SUM(amount)".into()),
            table: Some(table.into()),
        }
    }

    #[test]
    fn metadata_descriptions_override_engine_comments_and_metrics_are_attached() {
        let metadata = DatasourceMetadata {
            tables: vec![TableMetadata {
                name: "ORDERS".into(),
                description: Some("One row per order".into()),
                columns: vec![ColumnMetadata {
                    name: "amount".into(),
                    description: "Order total in euros".into(),
                }],
            }],
            metrics: vec![revenue("orders")],
        };

        let (merged, warnings) = apply_metadata(&extracted(), &metadata);

        assert_eq!(warnings, vec![]);
        let orders = merged.table("orders").unwrap();
        assert_eq!(orders.description.as_deref(), Some("One row per order"));
        assert_eq!(
            orders.columns[0].description.as_deref(),
            Some("original header: ID"),
            "columns the metadata does not describe keep the engine's comment"
        );
        assert_eq!(
            orders.columns[1].description.as_deref(),
            Some("Order total in euros")
        );
        assert_eq!(merged.metrics, vec![revenue("orders")]);
        assert_ne!(merged.version, extracted().version);
    }

    #[test]
    fn unknown_tables_columns_and_metric_tables_are_reported() {
        let metadata = DatasourceMetadata {
            tables: vec![
                TableMetadata {
                    name: "orders".into(),
                    description: None,
                    columns: vec![ColumnMetadata {
                        name: "discount".into(),
                        description: "Discount granted".into(),
                    }],
                },
                TableMetadata {
                    name: "refunds".into(),
                    description: Some("Money sent back".into()),
                    columns: vec![],
                },
            ],
            metrics: vec![revenue("payments")],
        };

        let (merged, warnings) = apply_metadata(&extracted(), &metadata);

        assert_eq!(
            warnings,
            vec![
                MetadataWarning::UnknownColumn {
                    table: "orders".into(),
                    column: "discount".into()
                },
                MetadataWarning::UnknownTable {
                    table: "refunds".into()
                },
                MetadataWarning::UnknownMetricTable {
                    metric: "revenue".into(),
                    table: "payments".into()
                },
            ]
        );
        assert_eq!(
            merged.tables,
            extracted().tables,
            "nothing described, nothing changed"
        );
        assert_eq!(merged.metrics.len(), 1, "the metric is kept");
    }

    #[test]
    fn applying_the_same_metadata_twice_gives_the_same_version() {
        let metadata = DatasourceMetadata {
            tables: vec![],
            metrics: vec![revenue("orders")],
        };

        let (once, _) = apply_metadata(&extracted(), &metadata);
        let (twice, _) = apply_metadata(&once, &metadata);

        assert_eq!(once.version, twice.version);
    }
}

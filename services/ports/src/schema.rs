//! The schema of a datasource as the generator sees it, and the store of its versions and of
//! the metadata imported for it.
//!
//! Invariant: a snapshot's `version` depends only on its tables, columns, types, descriptions,
//! sampled values and metric definitions (never on row counts), so identical schemas always
//! get the same version.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::schema_metadata::DatasourceMetadata;
use crate::store_error::StoreError;

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSchema {
    /// Column name.
    pub name: String,
    /// Engine type name (`BIGINT`, `VARCHAR`, `DATE`, ...).
    pub data_type: String,
    /// Business description, from metadata.
    #[serde(default)]
    pub description: Option<String>,
    /// Distinct values of a low-cardinality text column (empty when sampling is off).
    #[serde(default)]
    pub sample_values: Vec<String>,
}

/// One table of a datasource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableSchema {
    /// Table name as queries refer to it.
    pub name: String,
    /// Business description, from metadata.
    #[serde(default)]
    pub description: Option<String>,
    /// Columns in table order.
    pub columns: Vec<ColumnSchema>,
    /// Number of rows when known.
    #[serde(default)]
    pub n_rows: Option<u64>,
}

/// A named business measure and how to compute it, from imported metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricDefinition {
    /// Metric name (`revenue`, `active_customers`).
    pub name: String,
    /// What the metric means.
    pub description: String,
    /// SQL expression or definition computing it (`SUM(amount) FILTER (WHERE ...)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// Table the metric is computed from, when it belongs to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
}

/// A versioned picture of one datasource's tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaSnapshot {
    /// Datasource name.
    pub datasource: String,
    /// Content hash of the tables and metrics (hex, 16 characters).
    pub version: String,
    /// Tables in name order.
    pub tables: Vec<TableSchema>,
    /// Metric definitions in name order (empty unless metadata defines some).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricDefinition>,
}

impl SchemaSnapshot {
    /// Builds a snapshot without metrics and computes its version from the content.
    pub fn new(datasource: impl Into<String>, tables: Vec<TableSchema>) -> Self {
        SchemaSnapshot::with_metrics(datasource, tables, Vec::new())
    }

    /// Builds a snapshot with metric definitions and computes its version from the content.
    pub fn with_metrics(
        datasource: impl Into<String>,
        mut tables: Vec<TableSchema>,
        mut metrics: Vec<MetricDefinition>,
    ) -> Self {
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        metrics.sort_by(|a, b| a.name.cmp(&b.name));
        // Row counts change without the schema changing, so they are left out of the version:
        // a refresh of a live datasource must not retire its cache entries at every insert.
        let versioned_tables: Vec<TableSchema> = tables
            .iter()
            .map(|table| TableSchema {
                n_rows: None,
                ..table.clone()
            })
            .collect();
        // Without metrics the hashed text is the tables alone, as before metrics existed, so
        // stored versions stay valid.
        let canonical = if metrics.is_empty() {
            serde_json::to_vec(&versioned_tables)
        } else {
            serde_json::to_vec(&(&versioned_tables, &metrics))
        }
        .expect("schema types always serialize");
        let version = hex::encode(&Sha256::digest(&canonical)[..8]);
        SchemaSnapshot {
            datasource: datasource.into(),
            version,
            tables,
            metrics,
        }
    }

    /// The table with this name (case-insensitive).
    pub fn table(&self, name: &str) -> Option<&TableSchema> {
        self.tables
            .iter()
            .find(|table| table.name.eq_ignore_ascii_case(name))
    }
}

/// Store of schema snapshots, one current version per datasource.
#[async_trait]
pub trait SchemaStore: Send + Sync {
    /// Saves the snapshot when its version differs from the current one; returns `true` if saved.
    async fn save_snapshot(&self, snapshot: &SchemaSnapshot) -> Result<bool, StoreError>;

    /// The current snapshot of a datasource.
    async fn latest_snapshot(&self, datasource: &str)
    -> Result<Option<SchemaSnapshot>, StoreError>;

    /// Stores the metadata imported for a datasource, replacing what was stored before.
    async fn save_metadata(
        &self,
        datasource: &str,
        metadata: &DatasourceMetadata,
    ) -> Result<(), StoreError>;

    /// The metadata imported for a datasource; `None` when none was ever imported.
    async fn load_metadata(
        &self,
        datasource: &str,
    ) -> Result<Option<DatasourceMetadata>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orders_table() -> TableSchema {
        TableSchema {
            name: "orders".into(),
            description: Some("One row per order".into()),
            columns: vec![ColumnSchema {
                name: "amount".into(),
                data_type: "DOUBLE".into(),
                description: None,
                sample_values: vec![],
            }],
            n_rows: Some(3),
        }
    }

    #[test]
    fn a_snapshot_without_metrics_is_versioned_as_its_tables_without_row_counts() {
        let snapshot = SchemaSnapshot::new("shop", vec![orders_table()]);

        let stored_json = serde_json::to_value(&snapshot).unwrap();

        // The version the same tables got, without a row count, before metric definitions
        // existed: the first 8 bytes of the SHA-256 of the tables' JSON.
        assert_eq!(snapshot.version, "fc4422418ea7832e");
        assert_eq!(stored_json["tables"][0]["n_rows"], 3, "the count is stored");
        assert!(stored_json.get("metrics").is_none(), "{stored_json}");
    }

    #[test]
    fn row_counts_do_not_change_the_version() {
        let table = |n_rows| TableSchema {
            name: "orders".into(),
            description: None,
            columns: vec![ColumnSchema {
                name: "id".into(),
                data_type: "BIGINT".into(),
                description: None,
                sample_values: Vec::new(),
            }],
            n_rows,
        };

        let before = SchemaSnapshot::new("shop", vec![table(Some(10))]);
        let after = SchemaSnapshot::new("shop", vec![table(Some(11))]);

        assert_eq!(before.version, after.version);
        assert_eq!(after.tables[0].n_rows, Some(11), "the count is still kept");
    }

    #[test]
    fn metrics_change_the_version_and_round_trip() {
        let plain = SchemaSnapshot::new("shop", vec![orders_table()]);
        let revenue = MetricDefinition {
            name: "revenue".into(),
            description: "Money received".into(),
            sql: Some("SUM(amount)".into()),
            table: Some("orders".into()),
        };

        let with_metric =
            SchemaSnapshot::with_metrics("shop", vec![orders_table()], vec![revenue.clone()]);
        let round_tripped: SchemaSnapshot =
            serde_json::from_str(&serde_json::to_string(&with_metric).unwrap()).unwrap();

        assert_ne!(plain.version, with_metric.version);
        assert_eq!(round_tripped, with_metric);
        assert_eq!(round_tripped.metrics, vec![revenue]);
    }
}

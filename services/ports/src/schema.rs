//! The schema of a datasource as the generator sees it, and the store of its versions.
//!
//! Invariant: a snapshot's `version` depends only on its tables, columns, types and
//! descriptions, so identical schemas always get the same version.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

/// A versioned picture of one datasource's tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaSnapshot {
    /// Datasource name.
    pub datasource: String,
    /// Content hash of the tables (hex, 16 characters).
    pub version: String,
    /// Tables in name order.
    pub tables: Vec<TableSchema>,
}

impl SchemaSnapshot {
    /// Builds a snapshot and computes its version from the content.
    pub fn new(datasource: impl Into<String>, mut tables: Vec<TableSchema>) -> Self {
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        let canonical = serde_json::to_vec(&tables).expect("schema types always serialize");
        let version = hex::encode(&Sha256::digest(&canonical)[..8]);
        SchemaSnapshot {
            datasource: datasource.into(),
            version,
            tables,
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
}

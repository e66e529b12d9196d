//! Typed query results as stored and as returned by the API.
//!
//! Invariant: values keep their type: numbers stay JSON numbers, NULL stays `null`, dates and
//! timestamps are ISO-8601 strings whose column type says so.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Logical type of a result column, independent of the engine that produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// Whole numbers (JSON number).
    Integer,
    /// Floating point or decimal numbers (JSON number).
    Float,
    /// Text (JSON string).
    Text,
    /// `true` / `false`.
    Boolean,
    /// Calendar date, `YYYY-MM-DD`.
    Date,
    /// Date and time, ISO-8601.
    Timestamp,
    /// Anything else, rendered as text.
    Other,
}

/// Name and type of one result column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResultColumn {
    /// Column name as the query labelled it.
    pub name: String,
    /// Logical type of the column's values.
    pub column_type: ColumnType,
}

/// Rows produced by one executed query, capped by the row limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResultSet {
    /// Columns in output order.
    pub columns: Vec<ResultColumn>,
    /// Rows, each with one value per column.
    pub rows: Vec<Vec<serde_json::Value>>,
    /// `true` when the query produced more rows than were kept.
    pub truncated: bool,
    /// Total number of rows the query produced, when known cheaply.
    #[serde(default)]
    pub total_rows: Option<u64>,
}

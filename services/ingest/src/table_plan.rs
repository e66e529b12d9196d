//! The result of preparing an upload: validated tables with typed, described columns and
//! their normalised CSV files, ready for any loader (DuckDB locally, Parquet + Glue on AWS).
//!
//! Invariant: a plan only exists for files that passed every check; its CSV files live as
//! long as the [`PreparedUpload`] that owns them.

use std::path::PathBuf;

use crate::column_types::ColumnType;
use crate::staging_dir::StagingDir;

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnPlan {
    /// `snake_case` identifier.
    pub name: String,
    /// Header text as written in the CSV file; becomes the column's description.
    pub original_name: String,
    /// Type inferred over every cell of every file of the table.
    pub column_type: ColumnType,
}

/// One table: a folder of the archive (or a top-level CSV file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TablePlan {
    /// `snake_case` table name.
    pub name: String,
    /// The folder (`sales/`) or file it comes from.
    pub source: String,
    /// Archive entries the rows come from, in load order.
    pub source_entries: Vec<String>,
    /// Columns in file order.
    pub columns: Vec<ColumnPlan>,
    /// Normalised files: UTF-8, `,`-separated, `"`-quoted, `\n`-terminated, one header line
    /// of the column names; an empty cell is a null.
    pub csv_files: Vec<PathBuf>,
    /// Data rows over all files.
    pub n_rows: u64,
}

/// A validated upload whose normalised files are staged on disk until it is dropped.
#[derive(Debug)]
pub struct PreparedUpload {
    /// Tables in name order.
    pub tables: Vec<TablePlan>,
    /// Archive entries that are not CSV files and were not loaded.
    pub skipped_entries: Vec<String>,
    /// Uncompressed CSV bytes read.
    pub n_bytes: u64,
    staging_dir: StagingDir,
}

impl PreparedUpload {
    pub(crate) fn new(
        tables: Vec<TablePlan>,
        skipped_entries: Vec<String>,
        n_bytes: u64,
        staging_dir: StagingDir,
    ) -> Self {
        PreparedUpload {
            tables,
            skipped_entries,
            n_bytes,
            staging_dir,
        }
    }

    /// The staging directory holding the normalised files.
    pub fn staging_dir(&self) -> &StagingDir {
        &self.staging_dir
    }
}

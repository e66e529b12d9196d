//! Writing a validated table plan (from the `ingest` crate) as one typed Parquet file, for
//! loaders whose query engine reads files rather than a DuckDB database (Athena over S3).
//!
//! Invariant: the file holds exactly the rows validation counted, with the inferred column
//! types; a failed or short export leaves no file behind.

use std::path::Path;

use contracts::error::ErrorKind;
use duckdb::Connection;
use ingest::TablePlan;

use crate::csv_load::{quote_literal, typed_csv_select};

/// A Parquet export failed; no file was left behind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParquetExportError {
    /// DuckDB could not read the table's files or write the Parquet file.
    #[error("table `{table}` could not be written as Parquet: {message}")]
    ExportFailed {
        /// Table name.
        table: String,
        /// DuckDB's message.
        message: String,
    },
    /// The Parquet file holds another number of rows than validation counted.
    #[error("table `{table}`: {n_written} rows written as Parquet but {n_expected} validated")]
    RowCountMismatch {
        /// Table name.
        table: String,
        /// Rows validation counted.
        n_expected: u64,
        /// Rows in the file.
        n_written: u64,
    },
}

impl ParquetExportError {
    /// Retry class: a full disk or a DuckDB failure on validated files is not the upload's
    /// fault, and running it again is unlikely to help.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ParquetExportError::ExportFailed { .. }
            | ParquetExportError::RowCountMismatch { .. } => ErrorKind::Fatal,
        }
    }
}

/// Writes `table`'s rows, typed, to the Parquet file `parquet_path` (Snappy-compressed) and
/// returns the number of rows written. Blocks the thread.
pub fn write_parquet(table: &TablePlan, parquet_path: &Path) -> Result<u64, ParquetExportError> {
    let export_failed = |err: duckdb::Error| ParquetExportError::ExportFailed {
        table: table.name.clone(),
        message: err.to_string(),
    };
    let outcome = Connection::open_in_memory()
        .map_err(export_failed)
        .and_then(|connection| {
            let target = quote_literal(&parquet_path.display().to_string());
            connection
                .execute_batch(&format!(
                    "COPY ({}) TO {target} (FORMAT PARQUET, COMPRESSION SNAPPY)",
                    typed_csv_select(table)
                ))
                .map_err(export_failed)?;
            let n_written: i64 = connection
                .query_row(
                    &format!("SELECT count(*) FROM read_parquet({target})"),
                    [],
                    |row| row.get(0),
                )
                .map_err(export_failed)?;
            Ok(u64::try_from(n_written).unwrap_or_default())
        })
        .and_then(|n_written| {
            if n_written == table.n_rows {
                Ok(n_written)
            } else {
                Err(ParquetExportError::RowCountMismatch {
                    table: table.name.clone(),
                    n_expected: table.n_rows,
                    n_written,
                })
            }
        });
    if outcome.is_err() {
        let _ = std::fs::remove_file(parquet_path);
    }
    outcome
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use ingest::{IngestOptions, PreparedUpload, prepare_upload};

    use super::*;

    fn prepared(staging_parent: &Path, entries: &[(&str, &str)]) -> PreparedUpload {
        let mut buffer = Cursor::new(Vec::new());
        let mut writer = zip::ZipWriter::new(&mut buffer);
        for (name, content) in entries {
            writer
                .start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            writer.write_all(content.as_bytes()).unwrap();
        }
        writer.finish().unwrap();
        buffer.set_position(0);
        prepare_upload(
            buffer,
            staging_parent,
            &IngestOptions::default(),
            &mut |_| {},
        )
        .unwrap()
    }

    #[test]
    fn a_table_of_two_files_becomes_one_typed_parquet_file() {
        let dir = tempfile::tempdir().unwrap();
        let upload = prepared(
            dir.path(),
            &[
                (
                    "sales/a.csv",
                    "Sale ID,Sold On,Amount,Note\n1,2024-01-02,2.5,x\n",
                ),
                (
                    "sales/b.csv",
                    "Sale ID,Sold On,Amount,Note\n2,2024-02-03,4,\n",
                ),
            ],
        );
        let parquet_path = dir.path().join("sales.parquet");

        let n_written = write_parquet(&upload.tables[0], &parquet_path).unwrap();

        assert_eq!(n_written, 2);
        let connection = Connection::open_in_memory().unwrap();
        let described: Vec<(String, String)> = connection
            .prepare(&format!(
                "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{}')",
                parquet_path.display()
            ))
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let expected = [
            ("sale_id", "BIGINT"),
            ("sold_on", "DATE"),
            ("amount", "DOUBLE"),
            ("note", "VARCHAR"),
        ]
        .map(|(name, data_type)| (name.to_owned(), data_type.to_owned()));
        assert_eq!(described, expected);
        let n_null_notes: i64 = connection
            .query_row(
                &format!(
                    "SELECT count(*) FROM '{}' WHERE note IS NULL",
                    parquet_path.display()
                ),
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(n_null_notes, 1);
    }

    #[test]
    fn an_unwritable_target_fails_and_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let upload = prepared(dir.path(), &[("t/t.csv", "a\n1\n")]);
        let parquet_path = dir.path().join("missing-dir").join("t.parquet");

        let exported = write_parquet(&upload.tables[0], &parquet_path);

        assert!(matches!(
            exported,
            Err(ParquetExportError::ExportFailed { ref table, .. }) if table == "t"
        ));
        assert!(!parquet_path.exists());
    }
}

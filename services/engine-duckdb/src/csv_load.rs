//! Loading validated table plans (from the `ingest` crate) into a DuckDB database file: every
//! table is created, filled from its normalised CSV files with explicit column types, and
//! described (`COMMENT ON`) inside one transaction.
//!
//! Invariant: all or nothing: a failure rolls every table back, and a database file that this
//! call created is removed again.

use std::path::Path;

use contracts::error::ErrorKind;
use duckdb::Connection;
use ingest::TablePlan;

/// What to do when a planned table already exists in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExistingTables {
    /// Refuse the whole load, naming the tables (the default).
    #[default]
    Refuse,
    /// Replace them, in the same transaction as everything else.
    Replace,
}

/// One table as loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedTable {
    /// Table name.
    pub name: String,
    /// Rows in the table after the load.
    pub n_rows: u64,
    /// `(column, DuckDB type)` in table order.
    pub columns: Vec<(String, String)>,
    /// Header texts of the columns in the CSV files, in table order.
    pub original_names: Vec<String>,
    /// `true` when an existing table was replaced.
    pub replaced: bool,
}

/// A load failed and was rolled back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// Tables of the upload exist and replacing was not asked for.
    #[error(
        "tables already exist: {names}; pass --replace (replace=true in an upload) to replace them"
    )]
    TablesExist {
        /// Comma-separated names.
        names: String,
    },
    /// DuckDB refused to read a table's files.
    #[error("table `{table}` did not load: {message}")]
    TableFailed {
        /// Table name.
        table: String,
        /// DuckDB's message.
        message: String,
    },
    /// DuckDB loaded another number of rows than validation counted.
    #[error("table `{table}`: {n_loaded} rows loaded but {n_expected} validated")]
    RowCountMismatch {
        /// Table name.
        table: String,
        /// Rows validation counted.
        n_expected: u64,
        /// Rows DuckDB loaded.
        n_loaded: u64,
    },
    /// The database file could not be opened or the transaction not committed.
    #[error("database {path}: {message}")]
    Database {
        /// The file.
        path: String,
        /// DuckDB's message.
        message: String,
    },
}

impl LoadError {
    /// Retry class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            LoadError::TablesExist { .. } => ErrorKind::InvalidInput,
            LoadError::TableFailed { .. } | LoadError::RowCountMismatch { .. } => ErrorKind::Fatal,
            LoadError::Database { .. } => ErrorKind::Transient,
        }
    }
}

/// Creates (or, with [`ExistingTables::Replace`], replaces) every planned table in the DuckDB
/// file at `database_path` in one transaction; creates the file when missing. Blocks the
/// thread.
pub fn load_tables(
    database_path: &Path,
    tables: &[TablePlan],
    existing: ExistingTables,
) -> Result<Vec<LoadedTable>, LoadError> {
    let existed = database_path.exists();
    let outcome = Connection::open(database_path)
        .map_err(|err| database_error(database_path, &err))
        .and_then(|connection| load_in_transaction(&connection, database_path, tables, existing));
    if outcome.is_err() && !existed {
        // The file was created by this call and holds nothing worth keeping.
        let _ = std::fs::remove_file(database_path);
        let _ = std::fs::remove_file(wal_path(database_path));
    }
    outcome
}

fn load_in_transaction(
    connection: &Connection,
    database_path: &Path,
    tables: &[TablePlan],
    existing: ExistingTables,
) -> Result<Vec<LoadedTable>, LoadError> {
    connection
        .execute_batch("BEGIN TRANSACTION")
        .map_err(|err| database_error(database_path, &err))?;
    match load_tables_in(connection, database_path, tables, existing) {
        Ok(loaded) => {
            connection
                .execute_batch("COMMIT")
                .map_err(|err| database_error(database_path, &err))?;
            Ok(loaded)
        }
        Err(err) => {
            // A failed statement may already have aborted the transaction; either way it ends.
            let _ = connection.execute_batch("ROLLBACK");
            Err(err)
        }
    }
}

fn load_tables_in(
    connection: &Connection,
    database_path: &Path,
    tables: &[TablePlan],
    existing: ExistingTables,
) -> Result<Vec<LoadedTable>, LoadError> {
    let existing_names = existing_table_names(connection, database_path)?;
    let clashes: Vec<&str> = tables
        .iter()
        .map(|table| table.name.as_str())
        .filter(|name| existing_names.iter().any(|existing| existing == name))
        .collect();
    if existing == ExistingTables::Refuse && !clashes.is_empty() {
        return Err(LoadError::TablesExist {
            names: clashes.join(", "),
        });
    }
    let mut loaded = Vec::with_capacity(tables.len());
    for table in tables {
        let table_failed = |err: duckdb::Error| LoadError::TableFailed {
            table: table.name.clone(),
            message: err.to_string(),
        };
        connection
            .execute_batch(&load_statements(table))
            .map_err(table_failed)?;
        let n_loaded: i64 = connection
            .query_row(
                &format!("SELECT count(*) FROM {}", quote_identifier(&table.name)),
                [],
                |row| row.get(0),
            )
            .map_err(table_failed)?;
        let n_loaded = u64::try_from(n_loaded).unwrap_or_default();
        if n_loaded != table.n_rows {
            return Err(LoadError::RowCountMismatch {
                table: table.name.clone(),
                n_expected: table.n_rows,
                n_loaded,
            });
        }
        loaded.push(LoadedTable {
            name: table.name.clone(),
            n_rows: n_loaded,
            columns: table
                .columns
                .iter()
                .map(|column| {
                    (
                        column.name.clone(),
                        column.column_type.sql_name().to_owned(),
                    )
                })
                .collect(),
            original_names: table
                .columns
                .iter()
                .map(|column| column.original_name.clone())
                .collect(),
            replaced: clashes.contains(&table.name.as_str()),
        });
    }
    Ok(loaded)
}

/// `CREATE OR REPLACE TABLE`, the typed `read_csv` insert and the comments of one table.
fn load_statements(table: &TablePlan) -> String {
    let table_name = quote_identifier(&table.name);
    let column_definitions: Vec<String> = table
        .columns
        .iter()
        .map(|column| {
            format!(
                "{} {}",
                quote_identifier(&column.name),
                column.column_type.sql_name()
            )
        })
        .collect();
    let mut statements = format!(
        "CREATE OR REPLACE TABLE {table_name} ({});\n\
         INSERT INTO {table_name} {};\n",
        column_definitions.join(", "),
        typed_csv_select(table),
    );
    statements.push_str(&format!(
        "COMMENT ON TABLE {table_name} IS {};\n",
        quote_literal(&format!(
            "Ingested from {} ({})",
            table.source,
            table.source_entries.join(", ")
        ))
    ));
    for column in &table.columns {
        statements.push_str(&format!(
            "COMMENT ON COLUMN {table_name}.{} IS {};\n",
            quote_identifier(&column.name),
            quote_literal(&column.original_name)
        ));
    }
    statements
}

/// `SELECT * FROM read_csv(...)` over a table's normalised files with its inferred column
/// types and no auto-detection, so DuckDB reads exactly what validation checked.
pub(crate) fn typed_csv_select(table: &TablePlan) -> String {
    let column_types: Vec<String> = table
        .columns
        .iter()
        .map(|column| {
            format!(
                "{}: '{}'",
                quote_literal(&column.name),
                column.column_type.sql_name()
            )
        })
        .collect();
    let files: Vec<String> = table
        .csv_files
        .iter()
        .map(|path| quote_literal(&path.display().to_string()))
        .collect();
    format!(
        "SELECT * FROM read_csv([{}], header = true, auto_detect = false, delim = ',', \
         quote = '\"', escape = '\"', new_line = '\\n', nullstr = '', max_line_size = {}, \
         columns = {{{}}})",
        files.join(", "),
        MAX_LINE_BYTES,
        column_types.join(", "),
    )
}

/// Longest line DuckDB's CSV reader accepts here, in bytes; above the ingest crate's default
/// row limit (32 MiB), so every validated row fits.
const MAX_LINE_BYTES: u64 = 64 << 20;

fn existing_table_names(
    connection: &Connection,
    database_path: &Path,
) -> Result<Vec<String>, LoadError> {
    let database_failed = |err: duckdb::Error| database_error(database_path, &err);
    let mut statement = connection
        .prepare(
            "SELECT table_name FROM duckdb_tables() \
             WHERE database_name = current_database() AND schema_name = 'main'",
        )
        .map_err(database_failed)?;
    let names = statement
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(database_failed)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(database_failed)?;
    Ok(names)
}

pub(crate) fn wal_path(database_path: &Path) -> std::path::PathBuf {
    let mut wal = database_path.as_os_str().to_owned();
    wal.push(".wal");
    wal.into()
}

fn database_error(database_path: &Path, err: &duckdb::Error) -> LoadError {
    LoadError::Database {
        path: database_path.display().to_string(),
        message: err.to_string(),
    }
}

fn quote_identifier(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

pub(crate) fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_uploads::prepare;

    fn table_names(database_path: &Path) -> Vec<String> {
        let connection = Connection::open(database_path).unwrap();
        existing_table_names(&connection, database_path).unwrap()
    }

    #[test]
    fn tables_load_with_their_types_rows_and_comments() {
        let dir = tempfile::tempdir().unwrap();
        let upload = prepare(
            &[
                (
                    "shop/customers/c.csv",
                    "Customer ID,Customer Name,Joined\n1,Ann,2024-01-02\n2,\"O'Brien, B\",\n",
                ),
                ("shop/sales/2023.csv", "id;amount\n1;2.5\n"),
                ("shop/sales/2024.csv", "id;amount\n2;3\n"),
            ],
            dir.path(),
        );
        let database_path = dir.path().join("shop.duckdb");

        let loaded = load_tables(&database_path, &upload.tables, ExistingTables::Refuse).unwrap();

        assert_eq!(loaded[0].name, "customers");
        assert_eq!(loaded[0].n_rows, 2);
        assert_eq!(
            loaded[0].columns,
            [
                ("customer_id".to_owned(), "BIGINT".to_owned()),
                ("customer_name".to_owned(), "VARCHAR".to_owned()),
                ("joined".to_owned(), "DATE".to_owned()),
            ]
        );
        assert_eq!(loaded[1].n_rows, 2);
        let connection = Connection::open(&database_path).unwrap();
        let (name, joined_is_null): (String, bool) = connection
            .query_row(
                "SELECT customer_name, joined IS NULL FROM customers WHERE customer_id = 2",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!((name.as_str(), joined_is_null), ("O'Brien, B", true));
        let comment: String = connection
            .query_row(
                "SELECT comment FROM duckdb_columns() WHERE column_name = 'customer_name'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(comment, "Customer Name");
        let total: f64 = connection
            .query_row("SELECT sum(amount) FROM sales", [], |row| row.get(0))
            .unwrap();
        assert_eq!(total, 5.5);
    }

    #[test]
    fn existing_tables_are_refused_unless_replacing() {
        let dir = tempfile::tempdir().unwrap();
        let database_path = dir.path().join("d.duckdb");
        let first = prepare(&[("t/a.csv", "x\n1\n")], dir.path());
        load_tables(&database_path, &first.tables, ExistingTables::Refuse).unwrap();
        let second = prepare(
            &[("t/a.csv", "y\nhello\n"), ("u/a.csv", "z\n1\n")],
            dir.path(),
        );

        let refused = load_tables(&database_path, &second.tables, ExistingTables::Refuse);
        let replaced = load_tables(&database_path, &second.tables, ExistingTables::Replace);

        assert_eq!(
            refused,
            Err(LoadError::TablesExist {
                names: "t".to_owned()
            })
        );
        let replaced = replaced.unwrap();
        assert!(replaced[0].replaced);
        assert_eq!(
            replaced[0].columns,
            [("y".to_owned(), "VARCHAR".to_owned())]
        );
        assert_eq!(table_names(&database_path).len(), 2);
    }

    #[test]
    fn a_failing_table_rolls_back_every_table_and_removes_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut upload = prepare(&[("a/a.csv", "x\n1\n"), ("b/b.csv", "y\n2\n")], dir.path());
        std::fs::remove_file(&upload.tables[1].csv_files[0]).unwrap();
        upload.tables[1].n_rows = 1;
        let database_path = dir.path().join("new.duckdb");

        let err = load_tables(&database_path, &upload.tables, ExistingTables::Refuse).unwrap_err();

        assert!(
            matches!(err, LoadError::TableFailed { ref table, .. } if table == "b"),
            "{err}"
        );
        assert!(!database_path.exists());
    }

    #[test]
    fn a_failing_load_into_an_existing_file_keeps_its_old_tables_only() {
        let dir = tempfile::tempdir().unwrap();
        let database_path = dir.path().join("old.duckdb");
        let first = prepare(&[("old/a.csv", "x\n1\n")], dir.path());
        load_tables(&database_path, &first.tables, ExistingTables::Refuse).unwrap();
        let mut second = prepare(
            &[("a/a.csv", "x\n1\n"), ("old/b.csv", "y\n2\n")],
            dir.path(),
        );
        second.tables[1].n_rows = 5;

        let err = load_tables(&database_path, &second.tables, ExistingTables::Replace).unwrap_err();

        assert!(matches!(err, LoadError::RowCountMismatch { .. }), "{err}");
        assert_eq!(table_names(&database_path), ["old"]);
        let connection = Connection::open(&database_path).unwrap();
        let x: i64 = connection
            .query_row("SELECT x FROM old", [], |row| row.get(0))
            .unwrap();
        assert_eq!(x, 1);
    }
}

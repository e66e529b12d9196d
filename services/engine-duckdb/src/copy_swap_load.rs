//! [`load_tables_by_swap`]: loading an upload into a copy of a datasource's DuckDB file and
//! renaming the copy over the original once the load committed.
//!
//! Invariant: the file at the datasource's path is always a complete, checkpointed database:
//! the old one until the rename, the new one after it. A process that opened the old file
//! (a running server) keeps reading it undisturbed until it opens the new one.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ingest::TablePlan;

use crate::csv_load::{ExistingTables, LoadError, LoadedTable, load_tables, wal_path};

/// Numbers the working copies of one process, so two loads never share one.
static NEXT_COPY: AtomicU64 = AtomicU64::new(0);

/// Marker in the names of working copies, so leftovers of a killed process can be found.
pub const WORKING_COPY_MARKER: &str = ".loading-";

/// Loads `tables` like [`load_tables`], but into a copy of `database_path` (or a new file),
/// then renames the copy over `database_path`. On failure the copy is removed and the
/// original is untouched. Blocks the thread.
pub fn load_tables_by_swap(
    database_path: &Path,
    tables: &[TablePlan],
    existing: ExistingTables,
) -> Result<Vec<LoadedTable>, LoadError> {
    let database_error = |message: String| LoadError::Database {
        path: database_path.display().to_string(),
        message,
    };
    if wal_path(database_path).exists() {
        return Err(database_error(
            "the database has an unfinished write-ahead log; open it once with DuckDB to recover it".into(),
        ));
    }
    let working_copy = working_copy_path(database_path);
    if database_path.exists() {
        std::fs::copy(database_path, &working_copy)
            .map_err(|err| database_error(format!("copy to {}: {err}", working_copy.display())))?;
    }
    let outcome = load_tables(&working_copy, tables, existing).and_then(|loaded| {
        // The connection closed with a checkpoint; a write-ahead log left behind would hold
        // rows the renamed file lacks.
        if wal_path(&working_copy).exists() {
            return Err(database_error(
                "the load left a write-ahead log behind".into(),
            ));
        }
        std::fs::rename(&working_copy, database_path)
            .map_err(|err| database_error(format!("rename {}: {err}", working_copy.display())))?;
        Ok(loaded)
    });
    if outcome.is_err() {
        let _ = std::fs::remove_file(&working_copy);
        let _ = std::fs::remove_file(wal_path(&working_copy));
    }
    outcome
}

/// Removes working copies (and their logs) left in `dir` by a process that was killed
/// mid-load; returns how many files were removed.
pub fn remove_abandoned_working_copies(dir: &Path) -> usize {
    let Ok(dir_entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    dir_entries
        .filter_map(|dir_entry| dir_entry.ok().map(|dir_entry| dir_entry.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.contains(WORKING_COPY_MARKER))
        })
        .filter(|path| std::fs::remove_file(path).is_ok())
        .count()
}

fn working_copy_path(database_path: &Path) -> PathBuf {
    let mut name = database_path.as_os_str().to_owned();
    name.push(format!(
        "{WORKING_COPY_MARKER}{}-{}",
        std::process::id(),
        NEXT_COPY.fetch_add(1, Ordering::Relaxed)
    ));
    name.into()
}

#[cfg(test)]
mod tests {
    use ports::sql_engine::{QueryLimits, SqlEngine};

    use super::*;
    use crate::engine::DuckDbEngine;
    use crate::test_uploads::prepare;

    fn file_names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|dir_entry| {
                dir_entry
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name.ends_with("duckdb") || name.contains(WORKING_COPY_MARKER))
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn an_open_reader_keeps_the_old_tables_while_a_new_open_sees_the_swap() {
        let dir = tempfile::tempdir().unwrap();
        let database_path = dir.path().join("shop.duckdb");
        let first = prepare(&[("orders/a.csv", "id\n1\n2\n")], dir.path());
        load_tables_by_swap(&database_path, &first.tables, ExistingTables::Refuse).unwrap();
        let old_reader = DuckDbEngine::open(&database_path).unwrap();
        let second = prepare(&[("customers/c.csv", "name\nAnn\n")], dir.path());

        let loaded =
            load_tables_by_swap(&database_path, &second.tables, ExistingTables::Refuse).unwrap();

        assert_eq!(loaded[0].name, "customers");
        let limits = QueryLimits::default();
        let old_count = old_reader
            .execute("SELECT count(*) FROM orders", &limits)
            .await
            .unwrap();
        assert_eq!(old_count.rows[0][0], serde_json::json!(2));
        assert!(
            old_reader
                .execute("SELECT * FROM customers", &limits)
                .await
                .is_err(),
            "the old reader does not see the new table"
        );
        let new_reader = DuckDbEngine::open(&database_path).unwrap();
        let joined = new_reader
            .execute(
                "SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM customers)",
                &limits,
            )
            .await
            .unwrap();
        assert_eq!(joined.rows[0][0], serde_json::json!(3));
        assert_eq!(file_names(dir.path()), ["shop.duckdb"]);
    }

    #[test]
    fn a_failed_swap_leaves_the_original_and_no_working_copy() {
        let dir = tempfile::tempdir().unwrap();
        let database_path = dir.path().join("shop.duckdb");
        let first = prepare(&[("orders/a.csv", "id\n1\n")], dir.path());
        load_tables_by_swap(&database_path, &first.tables, ExistingTables::Refuse).unwrap();
        let original = std::fs::read(&database_path).unwrap();
        let clash = prepare(&[("orders/b.csv", "id\n7\n")], dir.path());

        let err =
            load_tables_by_swap(&database_path, &clash.tables, ExistingTables::Refuse).unwrap_err();

        assert!(matches!(err, LoadError::TablesExist { .. }), "{err}");
        assert_eq!(std::fs::read(&database_path).unwrap(), original);
        assert_eq!(file_names(dir.path()), ["shop.duckdb"]);
    }

    #[test]
    fn abandoned_working_copies_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("shop.duckdb"), b"kept").unwrap();
        std::fs::write(
            dir.path()
                .join(format!("shop.duckdb{WORKING_COPY_MARKER}1-0")),
            b"left",
        )
        .unwrap();

        assert_eq!(remove_abandoned_working_copies(dir.path()), 1);
        assert_eq!(file_names(dir.path()), ["shop.duckdb"]);
    }
}

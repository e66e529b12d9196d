//! Turning a demo database's dump into a DuckDB file, once: the dump is loaded into a
//! temporary file in the same directory, which is renamed into place only when complete.
//!
//! Invariant: `<data_dir>/<name>.duckdb` either does not exist or holds the whole dump; a
//! failed or interrupted load leaves no file behind.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::Utc;
use duckdb::{Config, Connection};

use crate::demo::DemoError;
use crate::demo::dump_translation::translate_dump;

/// Longest statement excerpt quoted in a load error, in characters.
const STATEMENT_EXCERPT_CHARS: usize = 120;

/// Postgres's `to_char` for the date formats the dumps use, as a macro over DuckDB's
/// `strftime`; it lives only while the dump loads and is not stored in the file.
const TO_CHAR_MACRO: &str = "CREATE TEMP MACRO to_char(value, fmt) AS strftime(value, \
    replace(replace(replace(replace(replace(replace(replace(replace(replace(fmt, \
    'Month', '%B'), 'YYYY', '%Y'), 'HH24', '%H'), 'MI', '%M'), 'SS', '%S'), 'MM', '%m'), 'DD', '%d'), \
    '%i', '%M'), '%s', '%S'))";

/// Path of the materialized database, loading `dump_sql` into it first when it does not exist
/// yet; blocks the thread.
pub(crate) fn materialize(
    data_dir: &Path,
    name: &str,
    dump_sql: &str,
) -> Result<PathBuf, DemoError> {
    let database_path = data_dir.join(format!("{name}.duckdb"));
    if database_path.is_file() {
        return Ok(database_path);
    }
    fs::create_dir_all(data_dir).map_err(|err| DemoError::DataDirectory {
        path: data_dir.to_owned(),
        message: err.to_string(),
    })?;

    let temporary_path = data_dir.join(format!(
        ".{name}.duckdb.{}.tmp",
        uuid::Uuid::new_v4().simple()
    ));
    let loaded = load_dump(&temporary_path, dump_sql)
        .map_err(|message| DemoError::LoadFailed {
            name: name.to_owned(),
            message,
        })
        .and_then(|()| {
            fs::rename(&temporary_path, &database_path).map_err(|err| DemoError::DataDirectory {
                path: data_dir.to_owned(),
                message: err.to_string(),
            })
        });
    if loaded.is_err() {
        remove_database_files(&temporary_path);
    }
    loaded.map(|()| database_path)
}

/// Creates a DuckDB file at `path` holding the dump, checkpointed and closed.
fn load_dump(path: &Path, dump_sql: &str) -> Result<(), String> {
    let config = Config::default()
        .enable_external_access(false)
        .map_err(|err| err.to_string())?;
    let connection = Connection::open_with_flags(path, config)
        .map_err(|err| format!("create {}: {err}", path.display()))?;
    connection
        .execute_batch(TO_CHAR_MACRO)
        .map_err(|err| err.to_string())?;
    connection
        .execute_batch("BEGIN TRANSACTION")
        .map_err(|err| err.to_string())?;
    for statement in translate_dump(dump_sql, Utc::now()) {
        connection.execute_batch(&statement).map_err(|err| {
            let excerpt: String = statement.chars().take(STATEMENT_EXCERPT_CHARS).collect();
            format!("{err} (in statement `{excerpt}`)")
        })?;
    }
    connection
        .execute_batch("COMMIT")
        .map_err(|err| err.to_string())?;
    connection
        .execute_batch("CHECKPOINT")
        .map_err(|err| err.to_string())?;
    connection.close().map_err(|(_, err)| err.to_string())
}

/// Removes a database file and its write-ahead log.
///
/// Removal is best effort: a leftover temporary file is harmless because the real database
/// only ever appears by rename, and errors here would hide the load error being reported.
fn remove_database_files(path: &Path) {
    let mut wal_path = path.as_os_str().to_owned();
    wal_path.push(".wal");
    for file in [path.to_owned(), PathBuf::from(wal_path)] {
        let _ignored = fs::remove_file(&file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_dir(label: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "engine-duckdb-{label}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        fs::create_dir_all(&dir).expect("the temp dir is writable");
        dir
    }

    #[test]
    fn a_failed_load_leaves_no_file_behind() {
        let data_dir = scratch_dir("failed-load");
        let dump = "CREATE TABLE t (n INTEGER);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES ('not a number');";

        let outcome = materialize(&data_dir, "broken", dump);

        assert!(
            matches!(outcome, Err(DemoError::LoadFailed { .. })),
            "{outcome:?}"
        );
        let leftovers: Vec<_> = fs::read_dir(&data_dir).expect("the dir exists").collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        fs::remove_dir_all(&data_dir).expect("the scratch dir can be removed");
    }

    #[test]
    fn a_loaded_dump_is_renamed_into_place_and_reused() {
        let data_dir = scratch_dir("reuse");

        let first = materialize(
            &data_dir,
            "tiny",
            "CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1);",
        )
        .expect("the dump loads");
        let modified = fs::metadata(&first)
            .and_then(|metadata| metadata.modified())
            .expect("the file exists");
        let second = materialize(&data_dir, "tiny", "this dump is not read again")
            .expect("the file is reused");

        assert_eq!(first, second);
        assert_eq!(
            fs::metadata(&second)
                .and_then(|metadata| metadata.modified())
                .expect("the file exists"),
            modified
        );
        let names: Vec<_> = fs::read_dir(&data_dir)
            .expect("the dir exists")
            .map(|entry| entry.expect("entries are readable").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("tiny.duckdb")]);
        fs::remove_dir_all(&data_dir).expect("the scratch dir can be removed");
    }
}

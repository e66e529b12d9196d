//! Versioned schema migrations, embedded from `migrations/NNNN_name.sql` and recorded in the
//! `schema_migrations` table.
//!
//! Invariant: a migration runs at most once per database, inside one transaction with its
//! `schema_migrations` row, and migrations run in version order.

use chrono::Utc;
use rusqlite::{Connection, TransactionBehavior};

use crate::sqlite_error::SqliteError;
use crate::timestamp_text::timestamp_to_text;

/// One numbered SQL script.
struct Migration {
    /// Version number, equal to the file's numeric prefix.
    version: i64,
    /// Name, equal to the rest of the file name.
    name: &'static str,
    /// The SQL script.
    sql: &'static str,
}

/// Every migration in version order, numbered from 1 without gaps.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "jobs",
        sql: include_str!("../migrations/0001_jobs.sql"),
    },
    Migration {
        version: 2,
        name: "api_keys",
        sql: include_str!("../migrations/0002_api_keys.sql"),
    },
    Migration {
        version: 3,
        name: "schema_snapshots",
        sql: include_str!("../migrations/0003_schema_snapshots.sql"),
    },
    Migration {
        version: 4,
        name: "verified_pairs",
        sql: include_str!("../migrations/0004_verified_pairs.sql"),
    },
    Migration {
        version: 5,
        name: "feedback_and_model_calls",
        sql: include_str!("../migrations/0005_feedback_and_model_calls.sql"),
    },
    Migration {
        version: 6,
        name: "uploads",
        sql: include_str!("../migrations/0006_uploads.sql"),
    },
];

/// Applies every migration newer than the database's version; returns how many ran.
///
/// Fails when the database was migrated by a newer build than this one.
pub(crate) fn apply_migrations(connection: &mut Connection) -> Result<usize, SqliteError> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    transaction.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )?;
    let current_version: i64 = transaction.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |row| row.get(0),
    )?;
    let latest_known = MIGRATIONS.last().map_or(0, |migration| migration.version);
    if current_version > latest_known {
        return Err(SqliteError::Rejected(format!(
            "database schema version {current_version} is newer than this build's {latest_known}"
        )));
    }
    let mut n_applied = 0;
    for migration in MIGRATIONS
        .iter()
        .filter(|migration| migration.version > current_version)
    {
        transaction.execute_batch(migration.sql)?;
        transaction.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            (
                migration.version,
                migration.name,
                timestamp_to_text(Utc::now()),
            ),
        )?;
        n_applied += 1;
    }
    transaction.commit()?;
    Ok(n_applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_from_one_without_gaps() {
        let versions: Vec<i64> = MIGRATIONS
            .iter()
            .map(|migration| migration.version)
            .collect();

        let expected: Vec<i64> = (1..=MIGRATIONS.len() as i64).collect();
        assert_eq!(versions, expected);
    }

    #[test]
    fn a_fresh_database_gets_every_migration_once() {
        let mut connection = Connection::open_in_memory().unwrap();

        let first_run = apply_migrations(&mut connection).unwrap();
        let second_run = apply_migrations(&mut connection).unwrap();

        assert_eq!(first_run, MIGRATIONS.len());
        assert_eq!(second_run, 0);
        let n_recorded: i64 = connection
            .query_row("SELECT COUNT(*) FROM schema_migrations", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(n_recorded, MIGRATIONS.len() as i64);
    }

    #[test]
    fn a_database_from_a_newer_build_is_refused() {
        let mut connection = Connection::open_in_memory().unwrap();
        apply_migrations(&mut connection).unwrap();
        connection
            .execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'now')", [])
            .unwrap();

        let outcome = apply_migrations(&mut connection);

        assert!(matches!(outcome, Err(SqliteError::Rejected(_))));
    }
}

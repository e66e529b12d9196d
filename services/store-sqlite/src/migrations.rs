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

/// Every migration in increasing version order. Version 6 is reserved for a change made in
/// parallel; a gap is allowed because each migration runs when its own version is missing from
/// `schema_migrations`, not only when it is above the highest one applied.
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
    Migration {
        version: 7,
        name: "datasource_metadata",
        sql: include_str!("../migrations/0007_datasource_metadata.sql"),
    },
    Migration {
        version: 8,
        name: "job_owners",
        sql: include_str!("../migrations/0008_job_owners.sql"),
    },
    Migration {
        version: 9,
        name: "job_interruptions",
        sql: include_str!("../migrations/0009_job_interruptions.sql"),
    },
    Migration {
        version: 10,
        name: "result_retention",
        sql: include_str!("../migrations/0010_result_retention.sql"),
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
    let applied_versions: Vec<i64> = transaction
        .prepare("SELECT version FROM schema_migrations")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    if let Some(unknown_version) = applied_versions.iter().find(|version| {
        !MIGRATIONS
            .iter()
            .any(|migration| migration.version == **version)
    }) {
        let latest_known = MIGRATIONS.last().map_or(0, |migration| migration.version);
        return Err(SqliteError::Rejected(format!(
            "database schema version {unknown_version} is unknown to this build (latest {latest_known}); it was migrated by a newer build"
        )));
    }
    let mut n_applied = 0;
    for migration in MIGRATIONS
        .iter()
        .filter(|migration| !applied_versions.contains(&migration.version))
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
    fn migrations_are_numbered_from_one_in_increasing_order() {
        let versions: Vec<i64> = MIGRATIONS
            .iter()
            .map(|migration| migration.version)
            .collect();

        assert_eq!(versions.first(), Some(&1));
        assert!(
            versions.windows(2).all(|pair| pair[0] < pair[1]),
            "{versions:?}"
        );
    }

    #[test]
    fn a_migration_missing_below_the_newest_applied_one_still_runs() {
        let mut connection = Connection::open_in_memory().unwrap();
        apply_migrations(&mut connection).unwrap();
        connection
            .execute_batch("DELETE FROM schema_migrations WHERE version = 2; DROP TABLE api_keys;")
            .unwrap();

        let n_applied = apply_migrations(&mut connection).unwrap();

        assert_eq!(n_applied, 1);
        let n_keys: i64 = connection
            .query_row("SELECT COUNT(*) FROM api_keys", [], |row| row.get(0))
            .unwrap();
        assert_eq!(n_keys, 0, "the dropped table is back");
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
    fn results_stored_before_retention_get_their_size_and_owner() {
        let connection = Connection::open_in_memory().unwrap();
        let (before_retention, retention) = MIGRATIONS.split_at(9);
        for migration in before_retention {
            connection.execute_batch(migration.sql).unwrap();
        }
        connection
            .execute_batch(
                "INSERT INTO jobs (job_id, correlation_id, question, datasource, status, submitted_at,
                                   owner_key_id)
                 VALUES ('owned', 'req-1', 'q', 'd', 'succeeded', '2024-05-01T12:00:00.000000000Z',
                         'key_a'),
                        ('unowned', 'req-2', 'q', 'd', 'succeeded', '2024-05-01T12:00:00.000000000Z',
                         NULL);
                 INSERT INTO job_results (result_ref, job_id, result_json, stored_at)
                 VALUES ('owned/1', 'owned', '{\"rows\":[\"é\"]}', '2024-05-01T12:00:01.000000000Z'),
                        ('unowned/1', 'unowned', '[]', '2024-05-01T12:00:01.000000000Z');",
            )
            .unwrap();

        connection.execute_batch(retention[0].sql).unwrap();

        let backfilled: Vec<(String, i64, Option<String>)> = connection
            .prepare(
                "SELECT result_ref, n_bytes, owner_key_id FROM job_results ORDER BY result_ref",
            )
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(retention[0].version, 10);
        assert_eq!(
            backfilled,
            vec![
                ("owned/1".to_owned(), 15, Some("key_a".to_owned())),
                ("unowned/1".to_owned(), 2, None),
            ],
            "sizes are UTF-8 bytes of the stored JSON, owners come from the jobs"
        );
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

//! Versioned schema migrations, embedded from `migrations/NNNN_name.sql` and recorded in the
//! `schema_migrations` table, plus the check that the embedding columns have the configured
//! dimension.
//!
//! Invariant: migrations run in one transaction that holds a transaction-level advisory lock,
//! so two processes connecting at once apply each migration exactly once, in version order.

use deadpool_postgres::Object;

use crate::postgres_error::PostgresError;

/// Advisory lock key that serializes migrations ("analystm" in ASCII).
const MIGRATION_LOCK_KEY: i64 = 0x616e_616c_7973_746d;

/// Placeholder in migration scripts replaced by the configured embedding dimension.
const DIMENSION_PLACEHOLDER: &str = "{{embedding_dimension}}";

/// One numbered SQL script.
struct Migration {
    /// Version number, equal to the file's numeric prefix.
    version: i64,
    /// Name, equal to the rest of the file name.
    name: &'static str,
    /// The SQL script, possibly holding [`DIMENSION_PLACEHOLDER`].
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

/// Tables whose `embedding` column must be `vector(<configured dimension>)`.
const EMBEDDING_TABLES: [&str; 2] = ["cache_entries", "few_shot_examples"];

/// Creates the `vector` extension, applies every migration newer than the database's version
/// and checks the embedding dimension; returns how many migrations ran.
///
/// Fails when the database was migrated by a newer build, or for another dimension.
pub(crate) async fn apply_migrations(
    client: &mut Object,
    embedding_dimension: usize,
) -> Result<usize, PostgresError> {
    let transaction = client.transaction().await?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK_KEY])
        .await?;
    transaction
        .batch_execute(
            "CREATE EXTENSION IF NOT EXISTS vector;
             CREATE TABLE IF NOT EXISTS schema_migrations (
                 version bigint PRIMARY KEY,
                 name text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now()
             );",
        )
        .await?;
    let applied_versions: Vec<i64> = transaction
        .query("SELECT version FROM schema_migrations", &[])
        .await?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    if let Some(unknown_version) = applied_versions.iter().find(|version| {
        !MIGRATIONS
            .iter()
            .any(|migration| migration.version == **version)
    }) {
        let latest_known = MIGRATIONS.last().map_or(0, |migration| migration.version);
        return Err(PostgresError::Misconfigured(format!(
            "database schema version {unknown_version} is unknown to this build (latest {latest_known}); it was migrated by a newer build"
        )));
    }
    let mut n_applied = 0;
    for migration in MIGRATIONS
        .iter()
        .filter(|migration| !applied_versions.contains(&migration.version))
    {
        let sql = migration
            .sql
            .replace(DIMENSION_PLACEHOLDER, &embedding_dimension.to_string());
        transaction.batch_execute(&sql).await?;
        transaction
            .execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                &[&migration.version, &migration.name],
            )
            .await?;
        n_applied += 1;
    }
    for table in EMBEDDING_TABLES {
        // For a `vector(n)` column, `atttypmod` is `n`.
        let stored_dimension: i32 = transaction
            .query_one(
                "SELECT atttypmod FROM pg_attribute
                 WHERE attrelid = $1::text::regclass AND attname = 'embedding'",
                &[&table],
            )
            .await?
            .try_get(0)?;
        if usize::try_from(stored_dimension).ok() != Some(embedding_dimension) {
            return Err(PostgresError::Misconfigured(format!(
                "embedding dimension mismatch: the database was migrated for dimension \
                 {stored_dimension} (table {table}) but this store is configured for dimension \
                 {embedding_dimension}"
            )));
        }
    }
    transaction.commit().await?;
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
    fn only_the_pair_migration_depends_on_the_dimension() {
        let templated: Vec<&str> = MIGRATIONS
            .iter()
            .filter(|migration| migration.sql.contains(DIMENSION_PLACEHOLDER))
            .map(|migration| migration.name)
            .collect();

        assert_eq!(templated, ["verified_pairs"]);
    }
}

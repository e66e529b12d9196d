//! Stored result rows under the store's retention policy: storing one result (then deleting
//! expired results and the owner's oldest results above its cap) and loading unexpired rows.
//!
//! Invariant: the rows just stored are never deleted by the retention that their own store
//! applies, and expired rows are never returned; stores for one owner take that owner's
//! advisory lock, so concurrent stores never both keep a total above the cap.

use chrono::{DateTime, Utc};
use contracts::result::ResultSet;
use ports::result_retention::{MAX_EXPIRED_RESULTS_DELETED_PER_STORE, ResultRetention};
use tokio_postgres::Transaction;
use tokio_postgres::types::Json;
use uuid::Uuid;

use crate::postgres_error::PostgresError;

/// First key of the advisory locks taken per result owner while storing a result.
const RESULT_OWNER_LOCK_SPACE: i32 = 0x5245_534c;

/// One result to store: its rows, already encoded, and their size.
pub(crate) struct ResultToStore<'a> {
    /// Job whose execution produced the rows.
    pub(crate) job_id: Uuid,
    /// Reference the rows are stored under.
    pub(crate) result_ref: &'a str,
    /// The rows as JSON text.
    pub(crate) result_json: String,
    /// Size recorded for the rows, in bytes.
    pub(crate) n_bytes: u64,
}

/// Stores `result` at `now` (replacing an earlier copy under its reference) with the job's
/// owner, then, in the same transaction, deletes a bounded batch of results expired at `now` and
/// the owner's oldest other results while the owner's total is above its cap.
pub(crate) async fn store_result_set(
    transaction: &Transaction<'_>,
    result: &ResultToStore<'_>,
    now: DateTime<Utc>,
    retention: ResultRetention,
) -> Result<(), PostgresError> {
    let owner_row = transaction
        .query_opt(
            "SELECT owner_key_id FROM jobs WHERE job_id = $1",
            &[&result.job_id],
        )
        .await?;
    let owner_key_id: Option<String> = match owner_row {
        Some(row) => row.try_get(0)?,
        None => None,
    };
    transaction
        .execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2))",
            &[
                &RESULT_OWNER_LOCK_SPACE,
                &owner_key_id.as_deref().unwrap_or(""),
            ],
        )
        .await?;
    transaction
        .execute(
            "DELETE FROM job_results WHERE result_ref IN (
                 SELECT result_ref FROM job_results WHERE stored_at < $1
                 ORDER BY stored_at LIMIT $2 FOR UPDATE SKIP LOCKED
             )",
            &[
                &retention.expiry_cutoff(now),
                &i64::from(MAX_EXPIRED_RESULTS_DELETED_PER_STORE),
            ],
        )
        .await?;
    transaction
        .execute(
            "INSERT INTO job_results (result_ref, job_id, result, stored_at, n_bytes, owner_key_id)
             VALUES ($1, $2, $3::text::jsonb, $4, $5, $6)
             ON CONFLICT (result_ref) DO UPDATE SET
                 job_id = excluded.job_id, result = excluded.result,
                 stored_at = excluded.stored_at, n_bytes = excluded.n_bytes,
                 owner_key_id = excluded.owner_key_id",
            &[
                &result.result_ref,
                &result.job_id,
                &result.result_json,
                &now,
                &i64::try_from(result.n_bytes).unwrap_or(i64::MAX),
                &owner_key_id,
            ],
        )
        .await?;
    // Newest first, the new result ahead of every other: each result's running total is what
    // the owner keeps if it and everything newer stay, so the ones above the cap are the oldest.
    let owner_predicate = match owner_key_id {
        Some(_) => "owner_key_id = $3",
        None => "owner_key_id IS NULL AND $3::text IS NULL",
    };
    transaction
        .execute(
            &format!(
                "DELETE FROM job_results WHERE result_ref IN (
                     SELECT result_ref FROM (
                         SELECT result_ref,
                                (SUM(n_bytes) OVER (
                                    ORDER BY (result_ref = $1) DESC, stored_at DESC, result_ref DESC
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                                ))::bigint AS kept_bytes
                         FROM job_results WHERE {owner_predicate}
                     ) AS owner_results
                     WHERE kept_bytes > $2::bigint AND result_ref <> $1
                 )"
            ),
            &[
                &result.result_ref,
                &i64::try_from(retention.max_bytes_per_owner).unwrap_or(i64::MAX),
                &owner_key_id,
            ],
        )
        .await?;
    Ok(())
}

/// Rows stored under `result_ref` at or after `expiry_cutoff`; `None` when nothing is stored
/// there or what is stored has expired.
pub(crate) async fn load_result_set(
    transaction: &Transaction<'_>,
    result_ref: &str,
    expiry_cutoff: DateTime<Utc>,
) -> Result<Option<ResultSet>, PostgresError> {
    let row = transaction
        .query_opt(
            "SELECT result FROM job_results WHERE result_ref = $1 AND stored_at >= $2",
            &[&result_ref, &expiry_cutoff],
        )
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let Json(result_set) = row.try_get::<_, Json<ResultSet>>(0)?;
    Ok(Some(result_set))
}

//! Stored result rows under the store's retention policy: storing one result (then deleting
//! expired results and the owner's oldest results above its cap) and loading unexpired rows.
//!
//! Invariant: the rows just stored are never deleted by the retention that their own store
//! applies, and expired rows are never returned.

use chrono::{DateTime, Utc};
use contracts::result::ResultSet;
use ports::result_retention::{MAX_EXPIRED_RESULTS_DELETED_PER_STORE, ResultRetention};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use crate::sqlite_error::SqliteError;
use crate::timestamp_text::timestamp_to_text;

/// One result to store: its rows, already encoded, and their size.
pub(crate) struct ResultToStore {
    /// Job whose execution produced the rows.
    pub(crate) job_id: Uuid,
    /// Reference the rows are stored under.
    pub(crate) result_ref: String,
    /// The rows as JSON text.
    pub(crate) result_json: String,
    /// Size recorded for the rows, in bytes.
    pub(crate) n_bytes: u64,
}

/// Stores `result` at `now` (replacing an earlier copy under its reference) with the job's
/// owner, then, in the same transaction, deletes a bounded batch of results expired at `now` and
/// the owner's oldest other results while the owner's total is above its cap.
pub(crate) fn store_result_set(
    connection: &mut Connection,
    result: &ResultToStore,
    now: DateTime<Utc>,
    retention: ResultRetention,
) -> Result<(), SqliteError> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let expiry_cutoff = timestamp_to_text(retention.expiry_cutoff(now));
    transaction.execute(
        "DELETE FROM job_results WHERE result_ref IN (
             SELECT result_ref FROM job_results WHERE stored_at < ?1 ORDER BY stored_at LIMIT ?2
         )",
        (&expiry_cutoff, MAX_EXPIRED_RESULTS_DELETED_PER_STORE),
    )?;
    transaction.execute(
        "INSERT INTO job_results (result_ref, job_id, result_json, stored_at, n_bytes, owner_key_id)
         VALUES (?1, ?2, ?3, ?4, ?5, (SELECT owner_key_id FROM jobs WHERE job_id = ?2))
         ON CONFLICT (result_ref) DO UPDATE SET
             job_id = excluded.job_id, result_json = excluded.result_json,
             stored_at = excluded.stored_at, n_bytes = excluded.n_bytes,
             owner_key_id = excluded.owner_key_id",
        (
            &result.result_ref,
            result.job_id.to_string(),
            &result.result_json,
            timestamp_to_text(now),
            i64::try_from(result.n_bytes).unwrap_or(i64::MAX),
        ),
    )?;
    // Newest first, the new result ahead of every other: each result's running total is what
    // the owner keeps if it and everything newer stay, so the ones above the cap are the oldest.
    transaction.execute(
        "DELETE FROM job_results WHERE result_ref IN (
             SELECT result_ref FROM (
                 SELECT result_ref,
                        SUM(n_bytes) OVER (
                            ORDER BY result_ref = ?1 DESC, stored_at DESC, result_ref DESC
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
                        ) AS kept_bytes
                 FROM job_results
                 WHERE owner_key_id IS (SELECT owner_key_id FROM job_results WHERE result_ref = ?1)
             )
             WHERE kept_bytes > ?2 AND result_ref <> ?1
         )",
        (
            &result.result_ref,
            i64::try_from(retention.max_bytes_per_owner).unwrap_or(i64::MAX),
        ),
    )?;
    transaction.commit()?;
    Ok(())
}

/// Rows stored under `result_ref` at or after `expiry_cutoff`; `None` when nothing is stored
/// there or what is stored has expired.
pub(crate) fn load_result_set(
    connection: &Connection,
    result_ref: &str,
    expiry_cutoff: DateTime<Utc>,
) -> Result<Option<ResultSet>, SqliteError> {
    let result_json: Option<String> = connection
        .query_row(
            "SELECT result_json FROM job_results WHERE result_ref = ?1 AND stored_at >= ?2",
            (result_ref, timestamp_to_text(expiry_cutoff)),
            |row| row.get(0),
        )
        .optional()?;
    Ok(result_json
        .as_deref()
        .map(serde_json::from_str)
        .transpose()?)
}

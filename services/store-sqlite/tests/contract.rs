//! Runs the shared store contract from `ports::store_contract` against a fresh in-memory
//! `SqliteStore` per check.
//!
//! Invariant: this file only wires checks to stores; the assertions live in `ports`.

use ports::store_contract::{jobs, keys, pairs, results, schemas};
use store_sqlite::SqliteStore;

fn fresh_store() -> SqliteStore {
    SqliteStore::open_in_memory().expect("an in-memory database always opens")
}

#[tokio::test]
async fn job_lifecycle_assembles_the_view() {
    jobs::job_lifecycle_assembles_the_view(&fresh_store()).await;
}

#[tokio::test]
async fn terminal_jobs_ignore_updates() {
    jobs::terminal_jobs_ignore_updates(&fresh_store()).await;
}

#[tokio::test]
async fn the_stage_that_ends_a_job_still_gets_its_duration() {
    jobs::the_stage_that_ends_a_job_still_gets_its_duration(&fresh_store()).await;
}

#[tokio::test]
async fn sql_attempts_are_upserted_by_attempt_number() {
    jobs::sql_attempts_are_upserted_by_attempt_number(&fresh_store()).await;
}

#[tokio::test]
async fn results_round_trip_with_typed_values() {
    results::results_round_trip_with_typed_values(&fresh_store()).await;
}

#[tokio::test]
async fn unfinished_jobs_are_listed_oldest_first() {
    jobs::unfinished_jobs_are_listed_oldest_first(&fresh_store()).await;
}

#[tokio::test]
async fn keys_are_found_by_hash_only_while_active() {
    keys::keys_are_found_by_hash_only_while_active(&fresh_store()).await;
}

#[tokio::test]
async fn snapshots_are_saved_only_when_the_version_changes() {
    schemas::snapshots_are_saved_only_when_the_version_changes(&fresh_store()).await;
}

#[tokio::test]
async fn pairs_are_scoped_by_datasource_and_schema_version() {
    pairs::pairs_are_scoped_by_datasource_and_schema_version(&fresh_store()).await;
}

#[tokio::test]
async fn nearest_pairs_come_best_first() {
    pairs::nearest_pairs_come_best_first(&fresh_store()).await;
}

#[tokio::test]
async fn feedback_is_appended_to_the_job_view() {
    jobs::feedback_is_appended_to_the_job_view(&fresh_store()).await;
}

#[tokio::test]
async fn pairs_are_found_by_question_key() {
    pairs::pairs_are_found_by_question_key(&fresh_store()).await;
}

#[tokio::test]
async fn pairs_are_listed_by_page_and_deleted() {
    pairs::pairs_are_listed_by_page_and_deleted(&fresh_store()).await;
}

#[tokio::test]
async fn conversation_turns_are_the_latest_succeeded_jobs() {
    jobs::conversation_turns_are_the_latest_succeeded_jobs(&fresh_store()).await;
}

#[tokio::test]
async fn idempotency_keys_are_unique_and_found() {
    jobs::idempotency_keys_are_unique_and_found(&fresh_store()).await;
}

#[tokio::test]
async fn task_outputs_are_recorded_once_per_token() {
    jobs::task_outputs_are_recorded_once_per_token(&fresh_store()).await;
}

#[tokio::test]
async fn keys_are_listed_and_revoked() {
    keys::keys_are_listed_and_revoked(&fresh_store()).await;
}

#[tokio::test]
async fn every_check_passes_against_one_shared_store() {
    let store = fresh_store();

    jobs::job_lifecycle_assembles_the_view(&store).await;
    jobs::terminal_jobs_ignore_updates(&store).await;
    jobs::the_stage_that_ends_a_job_still_gets_its_duration(&store).await;
    jobs::sql_attempts_are_upserted_by_attempt_number(&store).await;
    results::results_round_trip_with_typed_values(&store).await;
    jobs::unfinished_jobs_are_listed_oldest_first(&store).await;
    keys::keys_are_found_by_hash_only_while_active(&store).await;
    schemas::snapshots_are_saved_only_when_the_version_changes(&store).await;
    pairs::pairs_are_scoped_by_datasource_and_schema_version(&store).await;
    pairs::nearest_pairs_come_best_first(&store).await;
    jobs::feedback_is_appended_to_the_job_view(&store).await;
    pairs::pairs_are_found_by_question_key(&store).await;
    pairs::pairs_are_listed_by_page_and_deleted(&store).await;
    jobs::conversation_turns_are_the_latest_succeeded_jobs(&store).await;
    jobs::idempotency_keys_are_unique_and_found(&store).await;
    jobs::task_outputs_are_recorded_once_per_token(&store).await;
    keys::keys_are_listed_and_revoked(&store).await;
}

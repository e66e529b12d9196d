//! Runs the shared store contract from `ports::store_contract` against a `PostgresStore` on a
//! fresh database per check.
//!
//! Invariant: this file only wires checks to stores; the assertions live in `ports`.

mod support;

use ports::store_contract::{jobs, keys, pairs, results, schemas};
use store_postgres::PostgresStore;
use support::{CONTRACT_DIMENSION, TestDatabase};

async fn fresh_store() -> (TestDatabase, PostgresStore) {
    let database = TestDatabase::create().await;
    let store = database.store(4, CONTRACT_DIMENSION).await;
    (database, store)
}

#[tokio::test]
async fn job_lifecycle_assembles_the_view() {
    let (_database, store) = fresh_store().await;
    jobs::job_lifecycle_assembles_the_view(&store).await;
}

#[tokio::test]
async fn terminal_jobs_ignore_updates() {
    let (_database, store) = fresh_store().await;
    jobs::terminal_jobs_ignore_updates(&store).await;
}

#[tokio::test]
async fn the_stage_that_ends_a_job_still_gets_its_duration() {
    let (_database, store) = fresh_store().await;
    jobs::the_stage_that_ends_a_job_still_gets_its_duration(&store).await;
}

#[tokio::test]
async fn sql_attempts_are_upserted_by_attempt_number() {
    let (_database, store) = fresh_store().await;
    jobs::sql_attempts_are_upserted_by_attempt_number(&store).await;
}

#[tokio::test]
async fn results_round_trip_with_typed_values() {
    let (_database, store) = fresh_store().await;
    results::results_round_trip_with_typed_values(&store).await;
}

#[tokio::test]
async fn unfinished_jobs_are_listed_oldest_first() {
    let (_database, store) = fresh_store().await;
    jobs::unfinished_jobs_are_listed_oldest_first(&store).await;
}

#[tokio::test]
async fn keys_are_found_by_hash_only_while_active() {
    let (_database, store) = fresh_store().await;
    keys::keys_are_found_by_hash_only_while_active(&store).await;
}

#[tokio::test]
async fn snapshots_are_saved_only_when_the_version_changes() {
    let (_database, store) = fresh_store().await;
    schemas::snapshots_are_saved_only_when_the_version_changes(&store).await;
}

#[tokio::test]
async fn pairs_are_scoped_by_datasource_and_schema_version() {
    let (_database, store) = fresh_store().await;
    pairs::pairs_are_scoped_by_datasource_and_schema_version(&store).await;
}

#[tokio::test]
async fn nearest_pairs_come_best_first() {
    let (_database, store) = fresh_store().await;
    pairs::nearest_pairs_come_best_first(&store).await;
    jobs::feedback_is_appended_to_the_job_view(&store).await;
    pairs::pairs_are_found_by_question_key(&store).await;
    pairs::pairs_are_listed_by_page_and_deleted(&store).await;
    jobs::conversation_turns_are_the_latest_succeeded_jobs(&store).await;
    jobs::idempotency_keys_are_unique_and_found(&store).await;
    jobs::task_outputs_are_recorded_once_per_token(&store).await;
    keys::keys_are_listed_and_revoked(&store).await;
}

#[tokio::test]
async fn feedback_is_appended_to_the_job_view() {
    let (_database, store) = fresh_store().await;
    jobs::feedback_is_appended_to_the_job_view(&store).await;
}

#[tokio::test]
async fn pairs_are_found_by_question_key() {
    let (_database, store) = fresh_store().await;
    pairs::pairs_are_found_by_question_key(&store).await;
}

#[tokio::test]
async fn pairs_are_listed_by_page_and_deleted() {
    let (_database, store) = fresh_store().await;
    pairs::pairs_are_listed_by_page_and_deleted(&store).await;
    jobs::conversation_turns_are_the_latest_succeeded_jobs(&store).await;
    jobs::idempotency_keys_are_unique_and_found(&store).await;
    jobs::task_outputs_are_recorded_once_per_token(&store).await;
    keys::keys_are_listed_and_revoked(&store).await;
}

#[tokio::test]
async fn conversation_turns_are_the_latest_succeeded_jobs() {
    let (_database, store) = fresh_store().await;
    jobs::conversation_turns_are_the_latest_succeeded_jobs(&store).await;
    jobs::idempotency_keys_are_unique_and_found(&store).await;
    jobs::task_outputs_are_recorded_once_per_token(&store).await;
    keys::keys_are_listed_and_revoked(&store).await;
}

#[tokio::test]
async fn idempotency_keys_are_unique_and_found() {
    let (_database, store) = fresh_store().await;
    jobs::idempotency_keys_are_unique_and_found(&store).await;
    jobs::task_outputs_are_recorded_once_per_token(&store).await;
    keys::keys_are_listed_and_revoked(&store).await;
}

#[tokio::test]
async fn task_outputs_are_recorded_once_per_token() {
    let (_database, store) = fresh_store().await;
    jobs::task_outputs_are_recorded_once_per_token(&store).await;
    keys::keys_are_listed_and_revoked(&store).await;
}

#[tokio::test]
async fn keys_are_listed_and_revoked() {
    let (_database, store) = fresh_store().await;
    keys::keys_are_listed_and_revoked(&store).await;
}

#[tokio::test]
async fn every_check_passes_against_one_shared_store() {
    let (_database, store) = fresh_store().await;

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

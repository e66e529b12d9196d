//! The behaviour every store implementation must show, written once as async checks over the
//! store traits so the SQLite store and any later store (PostgreSQL) run the same assertions.
//! Each check panics with a descriptive message when the store misbehaves; call each one from
//! its own `#[tokio::test]` in the implementing crate.
//!
//! Each check writes only under fresh identifiers (random job ids, key ids and datasource
//! names), so checks may share one store, even one that already holds data. The exceptions are
//! [`keys::keys_are_found_by_hash_only_while_active`], which counts keys and so expects no
//! other key writer at the same time, and the [`retention`] checks, which delete other
//! writers' expired and owner-less results and so run last.
//!
//! Invariant: compiled only with feature `contract-tests`; production code never calls it.

mod job_fixtures;
pub mod jobs;
pub mod keys;
pub mod owners;
pub mod pairs;
pub mod results;
pub mod retention;
pub mod schemas;
pub mod uploads;

/// Declares one `#[tokio::test]` per contract check, each on the store of a fresh `$setup()`,
/// plus one test running every check in turn against a single store; new checks are added here
/// once and run on every store. `$setup` is an async function returning `(guard, store)`; the
/// guard (a scratch database, or `()`) lives until the test ends. The store must be `Clone`
/// and have an inherent `with_result_retention(self, ResultRetention) -> Self` that keeps the
/// same data, which the retention checks ([`crate::store_contract::retention`]) use for their
/// small policies.
#[macro_export]
macro_rules! store_contract_tests {
    ($setup:ident) => {
        $crate::store_contract_tests!(@each $setup;
            jobs::job_lifecycle_assembles_the_view,
            jobs::terminal_jobs_ignore_updates,
            jobs::the_stage_that_ends_a_job_still_gets_its_duration,
            jobs::sql_attempts_are_upserted_by_attempt_number,
            results::results_round_trip_with_typed_values,
            jobs::unfinished_jobs_are_listed_oldest_first,
            keys::keys_are_found_by_hash_only_while_active,
            schemas::snapshots_are_saved_only_when_the_version_changes,
            schemas::metadata_is_saved_replaced_and_scoped_by_datasource,
            pairs::pairs_are_scoped_by_datasource_and_schema_version,
            pairs::nearest_pairs_come_best_first,
            jobs::feedback_is_appended_to_the_job_view,
            pairs::pairs_are_found_by_question_key,
            pairs::pairs_are_listed_by_page_and_deleted,
            jobs::conversation_turns_are_the_latest_succeeded_jobs,
            jobs::idempotency_keys_are_unique_and_found,
            jobs::task_outputs_are_recorded_once_per_token,
            keys::keys_are_listed_and_revoked,
            uploads::uploads_are_saved_until_terminal,
            uploads::recent_and_unfinished_uploads_are_listed,
            owners::jobs_keep_the_key_that_submitted_them,
            owners::a_conversation_belongs_to_the_owner_of_its_first_job,
            jobs::interruptions_are_counted_per_job,
            ;
            retention::expired_results_are_hidden_then_deleted,
            retention::the_owner_cap_evicts_only_that_owners_oldest_results,
            retention::stored_bytes_stay_under_the_cap_after_many_stores,
        );
    };
    (@each $setup:ident;
        $($module:ident :: $check:ident),+ $(,)?;
        $($retention_module:ident :: $retention_check:ident),+ $(,)?
    ) => {
        $(
            #[tokio::test]
            async fn $check() {
                let (_guard, store) = $setup().await;
                $crate::store_contract::$module::$check(&store).await;
            }
        )+

        $(
            #[tokio::test]
            async fn $retention_check() {
                let (_guard, store) = $setup().await;
                let with_retention = |retention: $crate::result_retention::ResultRetention| {
                    Box::new(store.clone().with_result_retention(retention))
                        as Box<dyn $crate::job_store::JobStore>
                };
                $crate::store_contract::$retention_module::$retention_check(
                    &store,
                    &with_retention,
                )
                .await;
            }
        )+

        #[tokio::test]
        async fn every_check_passes_against_one_shared_store() {
            let (_guard, store) = $setup().await;
            let with_retention = |retention: $crate::result_retention::ResultRetention| {
                Box::new(store.clone().with_result_retention(retention))
                    as Box<dyn $crate::job_store::JobStore>
            };
            $(
                $crate::store_contract::$module::$check(&store).await;
            )+
            $(
                $crate::store_contract::$retention_module::$retention_check(
                    &store,
                    &with_retention,
                )
                .await;
            )+
        }
    };
}

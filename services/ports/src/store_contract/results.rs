//! Checks for the result rows of [`JobStore`]: stored and loaded by reference, with every
//! value keeping its type.
//!
//! Invariant: every check stores rows under references of its own.

use uuid::Uuid;

use crate::job_store::JobStore;
use crate::store_contract::job_fixtures::{at_second, new_job_submitted_at, sample_result_set};

/// Rows come back exactly as stored: numbers stay numbers, NULL stays null, flags are kept,
/// a second store under the same reference replaces the first, and unknown references are
/// absent.
pub async fn results_round_trip_with_typed_values(store: &dyn JobStore) {
    let new_job = new_job_submitted_at(at_second(0));
    store.create_job(new_job.clone()).await.expect("create job");
    let result_ref = format!("result-{}", Uuid::new_v4().simple());
    let result_set = sample_result_set();
    let mut replacement = sample_result_set();
    replacement.rows.reverse();
    replacement.total_rows = None;

    store
        .store_result(new_job.job_id, &result_ref, &result_set)
        .await
        .expect("store rows");
    let loaded = store.load_result(&result_ref).await.expect("load rows");
    store
        .store_result(new_job.job_id, &result_ref, &replacement)
        .await
        .expect("replace rows");
    let reloaded = store.load_result(&result_ref).await.expect("reload rows");
    let unknown = store
        .load_result("result-that-was-never-stored")
        .await
        .expect("load unknown");

    let loaded = loaded.expect("stored rows are found");
    assert_eq!(loaded, result_set);
    assert!(loaded.rows[0][0].is_i64(), "integers stay integers");
    assert_eq!(
        loaded.rows[0][0].as_i64(),
        Some(i64::MAX),
        "large integers keep every digit"
    );
    assert!(loaded.rows[0][1].is_f64(), "floats stay floats");
    assert!(loaded.rows[1][2].is_null(), "NULL stays null");
    assert_eq!(
        reloaded,
        Some(replacement),
        "a second store replaces the first"
    );
    assert_eq!(unknown, None);
}

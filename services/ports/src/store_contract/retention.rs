//! Checks for the retention of stored result rows: expiry after `max_age` and the per-owner
//! cap on stored bytes. Each check gets a second handle on the same data with a small policy
//! from `with_retention`, so the default store and the small one see the same rows.
//!
//! These checks delete other writers' results: expired results of any owner, and results of
//! jobs without an owner (capped together as one group). Run them after the other checks when
//! sharing one store, as `store_contract_tests!` does.
//!
//! Invariant: every check stores rows under references of its own and owners of its own, except
//! the one group of owner-less results.

use std::collections::HashMap;
use std::time::Duration;

use contracts::result::ResultSet;
use uuid::Uuid;

use crate::job_store::{JobStore, JobUpdate, NewJob};
use crate::result_retention::{ResultRetention, stored_result_bytes};
use crate::store_contract::job_fixtures::{at_second, new_job_submitted_at, sample_result_set};

/// Builds another store over the same data, with stored results under the given policy.
pub type WithRetention<'a> = &'a (dyn Fn(ResultRetention) -> Box<dyn JobStore> + Sync);

/// A result older than `max_age` is not returned by `load_result`, and the job view says the
/// rows expired instead of showing none; a later `store_result` deletes it for good, while the
/// rows it stores itself are kept.
pub async fn expired_results_are_hidden_then_deleted(
    store: &dyn JobStore,
    with_retention: WithRetention<'_>,
) {
    let expiring = with_retention(ResultRetention {
        max_age: Duration::ZERO,
        ..ResultRetention::default()
    });
    let old_job = new_job_submitted_at(at_second(0));
    let new_job = new_job_submitted_at(at_second(1));
    let old_ref = fresh_result_ref("old");
    let new_ref = fresh_result_ref("new");
    let result_set = sample_result_set();
    store.create_job(old_job.clone()).await.expect("create job");
    store.create_job(new_job.clone()).await.expect("create job");
    store_and_record(store, &old_job, &old_ref, &result_set).await;
    // Long enough for the stored time to be strictly before "now" at every store's precision.
    tokio::time::sleep(Duration::from_millis(5)).await;

    let seen_by_expiring = expiring.load_result(&old_ref).await.expect("load rows");
    let seen_by_default = store.load_result(&old_ref).await.expect("load rows");
    let view_by_expiring = job_view(expiring.as_ref(), &old_job).await;
    let view_by_default = job_view(store, &old_job).await;
    // Bounded batches: a store holding a backlog of expired rows needs more than one call.
    let mut n_stores = 0;
    loop {
        store_and_record(expiring.as_ref(), &new_job, &new_ref, &result_set).await;
        n_stores += 1;
        let old_rows = store.load_result(&old_ref).await.expect("load rows");
        if old_rows.is_none() || n_stores == 1_000 {
            break;
        }
    }
    let old_rows_after_store = store.load_result(&old_ref).await.expect("load rows");
    let new_rows_after_store = store.load_result(&new_ref).await.expect("load rows");
    let old_view_after_store = job_view(store, &old_job).await;

    assert_eq!(seen_by_expiring, None, "expired rows are never returned");
    assert_eq!(
        seen_by_default,
        Some(result_set.clone()),
        "a store with a longer max_age still returns them"
    );
    assert_eq!(view_by_expiring.result, None);
    assert!(
        view_by_expiring.result_expired,
        "the view says the rows expired"
    );
    assert_eq!(view_by_default.result, Some(result_set.clone()));
    assert!(!view_by_default.result_expired);
    assert_eq!(
        old_rows_after_store, None,
        "storing a result deleted the expired one"
    );
    assert_eq!(
        new_rows_after_store,
        Some(result_set),
        "the rows just stored are kept"
    );
    assert_eq!(old_view_after_store.result, None);
    assert!(
        old_view_after_store.result_expired,
        "deleted rows still read as expired, not as an empty result"
    );
}

/// When a store brings an owner above its cap, that owner's oldest results are deleted until
/// the total fits; another owner's results are untouched, the view of a job whose rows were
/// evicted says so, and a result larger than the cap on its own is still kept.
pub async fn the_owner_cap_evicts_only_that_owners_oldest_results(
    store: &dyn JobStore,
    with_retention: WithRetention<'_>,
) {
    let result_set = sample_result_set();
    let n_bytes = stored_result_bytes(&result_set);
    let capped = with_retention(ResultRetention {
        max_bytes_per_owner: 3 * n_bytes,
        ..ResultRetention::default()
    });
    let flooding_job = new_job_submitted_at(at_second(0));
    let quiet_job = new_job_submitted_at(at_second(1));
    let oversized_job = new_job_submitted_at(at_second(2));
    for job in [&flooding_job, &quiet_job, &oversized_job] {
        store.create_job(job.clone()).await.expect("create job");
    }
    let flooding_refs = numbered_refs("flooding", 5);
    let quiet_refs = numbered_refs("quiet", 2);
    let small_ref = fresh_result_ref("small");
    let oversized_ref = fresh_result_ref("oversized");
    let oversized_rows = repeated_rows(&result_set, 20);
    assert!(
        stored_result_bytes(&oversized_rows) > 3 * n_bytes,
        "the oversized rows are above the cap on their own"
    );

    for quiet_ref in &quiet_refs {
        store_and_record(capped.as_ref(), &quiet_job, quiet_ref, &result_set).await;
    }
    for flooding_ref in &flooding_refs {
        store_and_record(capped.as_ref(), &flooding_job, flooding_ref, &result_set).await;
    }
    store_and_record(capped.as_ref(), &oversized_job, &small_ref, &result_set).await;
    store_and_record(
        capped.as_ref(),
        &oversized_job,
        &oversized_ref,
        &oversized_rows,
    )
    .await;

    let flooding_kept = kept_refs(store, &flooding_refs).await;
    let quiet_kept = kept_refs(store, &quiet_refs).await;
    assert_eq!(
        flooding_kept,
        flooding_refs[2..].to_vec(),
        "the two oldest results of the owner above its cap are evicted"
    );
    assert_eq!(quiet_kept, quiet_refs, "another owner keeps every result");
    let flooding_view = job_view(store, &flooding_job).await;
    assert!(
        flooding_view.result.is_some() && !flooding_view.result_expired,
        "the latest rows of the job are kept"
    );
    let quiet_view = job_view(store, &quiet_job).await;
    assert!(quiet_view.result.is_some() && !quiet_view.result_expired);
    assert_eq!(
        store.load_result(&small_ref).await.expect("load rows"),
        None,
        "a result above the cap on its own evicts everything older of its owner"
    );
    assert_eq!(
        store.load_result(&oversized_ref).await.expect("load rows"),
        Some(oversized_rows),
        "the result just stored is kept even above the cap"
    );

    let mut evicted_job = new_job_submitted_at(at_second(3));
    evicted_job.owner_key_id = flooding_job.owner_key_id.clone();
    store
        .create_job(evicted_job.clone())
        .await
        .expect("create job");
    let evicted_ref = fresh_result_ref("evicted");
    store_and_record(capped.as_ref(), &evicted_job, &evicted_ref, &result_set).await;
    for flooding_ref in numbered_refs("flooding-more", 3) {
        store_and_record(capped.as_ref(), &flooding_job, &flooding_ref, &result_set).await;
    }
    let evicted_view = job_view(store, &evicted_job).await;
    assert_eq!(evicted_view.result, None);
    assert!(
        evicted_view.result_expired,
        "a job whose rows were evicted says so"
    );
}

/// After many stores of rows of different sizes, an owner's stored bytes never exceed the cap,
/// the newest result is always kept, and what is kept is always the newest run of results;
/// results of jobs without an owner are capped together as one group.
pub async fn stored_bytes_stay_under_the_cap_after_many_stores(
    store: &dyn JobStore,
    with_retention: WithRetention<'_>,
) {
    let result_set = sample_result_set();
    let max_bytes_per_owner = 5 * stored_result_bytes(&result_set);
    let capped = with_retention(ResultRetention {
        max_bytes_per_owner,
        ..ResultRetention::default()
    });
    let owned_job = new_job_submitted_at(at_second(0));
    let unowned_jobs = [at_second(1), at_second(2)].map(|submitted_at| NewJob {
        owner_key_id: None,
        ..new_job_submitted_at(submitted_at)
    });
    for job in std::iter::once(&owned_job).chain(&unowned_jobs) {
        store.create_job(job.clone()).await.expect("create job");
    }
    let owned_refs = numbered_refs("owned", 24);
    let unowned_refs = numbered_refs("unowned", 12);
    let mut sizes = HashMap::new();

    for (ref_idx, owned_ref) in owned_refs.iter().enumerate() {
        let rows = repeated_rows(&result_set, 1 + ref_idx % 4);
        sizes.insert(owned_ref.clone(), stored_result_bytes(&rows));
        store_and_record(capped.as_ref(), &owned_job, owned_ref, &rows).await;

        let kept = kept_refs(store, &owned_refs[..=ref_idx]).await;
        let kept_bytes: u64 = kept.iter().map(|kept_ref| sizes[kept_ref]).sum();
        assert!(
            kept_bytes <= max_bytes_per_owner,
            "after store {ref_idx}: {kept_bytes} bytes kept, cap {max_bytes_per_owner}"
        );
        assert_eq!(kept.last(), Some(owned_ref), "the newest result is kept");
        assert_eq!(
            kept,
            owned_refs[ref_idx + 1 - kept.len()..=ref_idx].to_vec(),
            "what is kept is the newest run of results"
        );
    }
    for (ref_idx, unowned_ref) in unowned_refs.iter().enumerate() {
        let unowned_job = &unowned_jobs[ref_idx % unowned_jobs.len()];
        store_and_record(capped.as_ref(), unowned_job, unowned_ref, &result_set).await;
    }

    let unowned_kept = kept_refs(store, &unowned_refs).await;
    assert_eq!(
        unowned_kept,
        unowned_refs[unowned_refs.len() - 5..].to_vec(),
        "results without an owner share one cap across jobs"
    );
}

fn fresh_result_ref(label: &str) -> String {
    format!("result-{label}-{}", Uuid::new_v4().simple())
}

/// `n_refs` references that sort in the order they are made, as stores break time ties by
/// reference.
fn numbered_refs(label: &str, n_refs: usize) -> Vec<String> {
    let prefix = fresh_result_ref(label);
    (0..n_refs)
        .map(|ref_idx| format!("{prefix}-{ref_idx:03}"))
        .collect()
}

/// `result_set` with its rows repeated `n_copies` times, so it is about `n_copies` times larger.
fn repeated_rows(result_set: &ResultSet, n_copies: usize) -> ResultSet {
    let mut repeated = result_set.clone();
    repeated.rows = std::iter::repeat_n(&result_set.rows, n_copies)
        .flatten()
        .cloned()
        .collect();
    repeated
}

/// Stores the rows, then records their reference on the job, in the order execution does.
async fn store_and_record(
    store: &dyn JobStore,
    job: &NewJob,
    result_ref: &str,
    result_set: &ResultSet,
) {
    store
        .store_result(job.job_id, result_ref, result_set)
        .await
        .expect("store rows");
    store
        .update(
            job.job_id,
            JobUpdate::Executed {
                sql: "SELECT 1".into(),
                result_ref: result_ref.to_owned(),
            },
        )
        .await
        .expect("record the executed rows");
}

/// The references among `result_refs` whose rows are still returned, in the given order.
async fn kept_refs(store: &dyn JobStore, result_refs: &[String]) -> Vec<String> {
    let mut kept = Vec::new();
    for result_ref in result_refs {
        if store
            .load_result(result_ref)
            .await
            .expect("load rows")
            .is_some()
        {
            kept.push(result_ref.clone());
        }
    }
    kept
}

async fn job_view(store: &dyn JobStore, job: &NewJob) -> contracts::api::JobView {
    store
        .get_job(job.job_id)
        .await
        .expect("get job")
        .expect("job exists")
}

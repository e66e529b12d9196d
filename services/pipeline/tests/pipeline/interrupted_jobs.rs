//! Resuming after a restart: a job found `running` counts one interruption; after its second
//! it is failed with a message saying so, and never resumed a third time.

use chrono::Utc;
use contracts::api::JobStatus;
use contracts::error::ErrorKind;
use contracts::stages::Intent;
use ports::job_store::{JobStore, JobUpdate, NewJob};
use uuid::Uuid;

use crate::scripted::{Harness, ScriptedModel, harness};

const GOOD_SQL: &str = "SELECT COUNT(*) AS n FROM restaurant";

/// A job stored as queued; with `started`, its first stage has begun (it is `running`).
pub(crate) async fn stored_job(harness: &Harness, started: bool) -> Uuid {
    let job_id = Uuid::new_v4();
    harness
        .store
        .create_job(NewJob {
            job_id,
            correlation_id: format!("req-{job_id}"),
            question: "how many restaurants are there".into(),
            datasource: "restaurants".into(),
            conversation_id: None,
            provided_sql: None,
            owner_key_id: Some("key_owner".into()),
            idempotency_key: None,
            submitted_at: Utc::now(),
        })
        .await
        .unwrap();
    if started {
        let started = JobUpdate::StageStarted {
            stage: "classify".into(),
            at: Utc::now(),
        };
        harness.store.update(job_id, started).await.unwrap();
    }
    job_id
}

#[tokio::test]
async fn a_job_interrupted_twice_is_failed_and_the_others_are_resumed() {
    let model = ScriptedModel::new(Intent::Sql, vec![Ok(GOOD_SQL), Ok(GOOD_SQL)]);
    let harness = harness(model).await;
    // Running at the first stop, resumed, and running again at the second stop.
    let interrupted_twice = stored_job(&harness, true).await;
    harness
        .store
        .record_interruption(interrupted_twice)
        .await
        .unwrap();
    let interrupted_once = stored_job(&harness, true).await;
    let never_started = stored_job(&harness, false).await;

    let n_resumed = harness.pipeline.resume_unfinished().await.unwrap();
    harness.pipeline.run_until_idle().await;

    assert_eq!(n_resumed, 2, "the job interrupted twice is not resumed");
    let failed = harness
        .store
        .get_job(interrupted_twice)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.status, JobStatus::Failed);
    let error = failed.error.unwrap();
    assert_eq!(error.kind, ErrorKind::Fatal);
    assert_eq!(error.message, pipeline::INTERRUPTED_TWICE_MESSAGE);
    assert!(error.message.contains("interrupted twice"));
    assert!(error.message.contains("not resumed again"));
    assert_eq!(
        failed.timings.len(),
        1,
        "no stage ran after the second interruption: {:?}",
        failed.timings
    );
    for resumed in [interrupted_once, never_started] {
        let job = harness.store.get_job(resumed).await.unwrap().unwrap();
        assert_eq!(job.status, JobStatus::Succeeded, "{resumed} was resumed");
    }
}

#[tokio::test]
async fn each_restart_that_finds_a_job_running_counts_once() {
    let harness = harness(ScriptedModel::new(Intent::Sql, vec![])).await;
    let job_id = stored_job(&harness, true).await;

    let resumable_first = pipeline::jobs_to_resume(harness.store.as_ref())
        .await
        .unwrap();
    let resumable_second = pipeline::jobs_to_resume(harness.store.as_ref())
        .await
        .unwrap();
    let resumable_third = pipeline::jobs_to_resume(harness.store.as_ref())
        .await
        .unwrap();

    let ids = |jobs: &[NewJob]| jobs.iter().map(|job| job.job_id).collect::<Vec<_>>();
    assert_eq!(ids(&resumable_first), [job_id], "first restart resumes it");
    assert!(
        resumable_second.is_empty(),
        "second restart fails it instead"
    );
    assert!(resumable_third.is_empty(), "a failed job is not unfinished");
    let status = harness.store.job_status(job_id).await.unwrap();
    assert_eq!(status, Some(JobStatus::Failed));
}

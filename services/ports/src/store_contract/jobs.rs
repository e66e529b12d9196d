//! Checks for [`JobStore`]: lifecycle and view assembly, terminal jobs, SQL attempts and the
//! list of unfinished jobs.
//!
//! Invariant: every check creates its own jobs and never relies on jobs it did not create.

use contracts::api::{FeedbackRecord, JobStatus, ModelCall, SqlAttempt, StageTiming, Verdict};
use contracts::error::{ErrorKind, StageFailure};
use contracts::stages::Intent;
use serde_json::json;
use uuid::Uuid;

use crate::job_store::{JobStore, JobUpdate, NewJob};
use crate::store_contract::job_fixtures::{at_second, new_job_submitted_at, sample_result_set};

/// A queued job shows its question; stage updates, intent, cache outcome, execution and answer
/// then appear in the view, with timings in order and the rows of the latest execution.
pub async fn job_lifecycle_assembles_the_view(store: &dyn JobStore) {
    let new_job = new_job_submitted_at(at_second(0));
    let job_id = new_job.job_id;
    store.create_job(new_job.clone()).await.expect("create job");

    let queued = store
        .get_job(job_id)
        .await
        .expect("get queued job")
        .expect("job exists");
    assert_eq!(
        store.job_status(job_id).await.expect("job status"),
        Some(JobStatus::Queued)
    );
    assert_eq!(
        store.job_status(Uuid::new_v4()).await.expect("job status"),
        None,
        "an unknown job has no status"
    );
    assert_eq!(queued.status, JobStatus::Queued);
    assert_eq!(queued.question, new_job.question);
    assert_eq!(queued.datasource, new_job.datasource);
    assert_eq!(queued.submitted_at, new_job.submitted_at);
    assert_eq!(
        (queued.stage, queued.intent, queued.sql),
        (None, None, None)
    );
    assert!(queued.timings.is_empty() && queued.attempts.is_empty());
    assert!(!queued.cache_hit && queued.result.is_none() && queued.answer.is_none());
    assert_eq!(queued.finished_at, None);

    let started = JobUpdate::StageStarted {
        stage: "classify".into(),
        at: at_second(1),
    };
    store.update(job_id, started).await.expect("start classify");
    let running = store
        .get_job(job_id)
        .await
        .expect("get running job")
        .expect("job exists");
    assert_eq!(running.status, JobStatus::Running);
    assert_eq!(running.stage.as_deref(), Some("classify"));
    assert_eq!(
        running.timings,
        vec![timing("classify", 1, None, "running")]
    );

    let first_rows = sample_result_set();
    let mut latest_rows = sample_result_set();
    latest_rows.rows.truncate(1);
    latest_rows.truncated = false;
    let first_ref = format!("result-first-{}", job_id.simple());
    let latest_ref = format!("result-latest-{}", job_id.simple());
    store
        .store_result(job_id, &first_ref, &first_rows)
        .await
        .expect("store first rows");
    store
        .store_result(job_id, &latest_ref, &latest_rows)
        .await
        .expect("store latest rows");
    let updates = vec![
        finished("classify", 12, true),
        JobUpdate::Classified {
            intent: Intent::Chart,
        },
        JobUpdate::StageStarted {
            stage: "cache_lookup".into(),
            at: at_second(2),
        },
        JobUpdate::CacheChecked {
            hit: true,
            similarity: Some(0.97),
            entry_id: Some("entry-7".into()),
        },
        JobUpdate::ModelCalled(model_call("classify", 11)),
        JobUpdate::ModelCalled(model_call("explain", 12)),
        finished("cache_lookup", 3, true),
        JobUpdate::StageStarted {
            stage: "execute".into(),
            at: at_second(3),
        },
        JobUpdate::Executed {
            sql: "SELECT 1".into(),
            result_ref: first_ref,
        },
        finished("execute", 40, false),
        JobUpdate::StageStarted {
            stage: "execute".into(),
            at: at_second(4),
        },
        JobUpdate::Executed {
            sql: "SELECT 2".into(),
            result_ref: latest_ref,
        },
        finished("execute", 41, true),
        JobUpdate::StageStarted {
            stage: "explain".into(),
            at: at_second(5),
        },
        JobUpdate::Answered {
            answer: "There are 3.".into(),
            chart: Some(json!({"mark": "bar"})),
        },
    ];
    for update in updates {
        store
            .update(job_id, update)
            .await
            .expect("apply lifecycle update");
    }

    let answered = store
        .get_job(job_id)
        .await
        .expect("get answered job")
        .expect("job exists");
    assert_eq!(answered.status, JobStatus::Succeeded);
    assert_eq!(
        store.job_status(job_id).await.expect("job status"),
        Some(JobStatus::Succeeded)
    );
    assert_eq!(answered.stage.as_deref(), Some("explain"));
    assert_eq!(answered.intent, Some(Intent::Chart));
    assert!(answered.cache_hit, "a cache hit is shown on the job");
    assert_eq!(answered.cache_similarity, Some(0.97));
    assert_eq!(answered.cache_entry_id.as_deref(), Some("entry-7"));
    assert_eq!(
        answered.model_calls,
        [model_call("classify", 11), model_call("explain", 12)],
        "model calls are kept in call order"
    );
    assert_eq!(
        answered.sql.as_deref(),
        Some("SELECT 2"),
        "the latest executed SQL is shown"
    );
    assert_eq!(
        answered.result,
        Some(latest_rows),
        "rows come from the latest execution"
    );
    assert!(!answered.result_expired, "stored rows are not expired");
    assert_eq!(answered.answer.as_deref(), Some("There are 3."));
    assert_eq!(answered.chart, Some(json!({"mark": "bar"})));
    assert_eq!(answered.error, None);
    assert!(
        answered.finished_at.is_some(),
        "a succeeded job has a finish time"
    );
    let expected_timings = vec![
        timing("classify", 1, Some(12), "ok"),
        timing("cache_lookup", 2, Some(3), "ok"),
        timing("execute", 3, Some(40), "error"),
        timing("execute", 4, Some(41), "ok"),
        timing("explain", 5, None, "running"),
    ];
    assert_eq!(answered.timings, expected_timings);
}

/// A job that failed or succeeded keeps its view whatever updates arrive afterwards.
pub async fn terminal_jobs_ignore_updates(store: &dyn JobStore) {
    let failed_job = new_job_submitted_at(at_second(0));
    let succeeded_job = new_job_submitted_at(at_second(0));
    let failure = StageFailure {
        kind: ErrorKind::InvalidInput,
        stage: Some("generate_sql".into()),
        message: "the question cannot be answered from this data".into(),
    };
    store
        .create_job(failed_job.clone())
        .await
        .expect("create job to fail");
    store
        .create_job(succeeded_job.clone())
        .await
        .expect("create job to answer");
    let started = JobUpdate::StageStarted {
        stage: "generate_sql".into(),
        at: at_second(1),
    };
    store
        .update(failed_job.job_id, started)
        .await
        .expect("start stage");
    store
        .update(failed_job.job_id, JobUpdate::Failed(failure.clone()))
        .await
        .expect("fail job");
    let answered = JobUpdate::Answered {
        answer: "Hello.".into(),
        chart: None,
    };
    store
        .update(succeeded_job.job_id, answered)
        .await
        .expect("answer job");
    let failed_view = store
        .get_job(failed_job.job_id)
        .await
        .expect("get")
        .expect("job exists");
    let succeeded_view = store
        .get_job(succeeded_job.job_id)
        .await
        .expect("get")
        .expect("exists");

    for job_id in [failed_job.job_id, succeeded_job.job_id] {
        for update in late_updates() {
            store
                .update(job_id, update)
                .await
                .expect("an update to a terminal job is not an error");
        }
    }

    assert_eq!(failed_view.status, JobStatus::Failed);
    assert_eq!(failed_view.error, Some(failure));
    assert!(
        failed_view.finished_at.is_some(),
        "a failed job has a finish time"
    );
    assert_eq!(succeeded_view.status, JobStatus::Succeeded);
    let failed_after = store
        .get_job(failed_job.job_id)
        .await
        .expect("get")
        .expect("exists");
    let succeeded_after = store
        .get_job(succeeded_job.job_id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(failed_after, failed_view, "a failed job never changes");
    assert_eq!(
        succeeded_after, succeeded_view,
        "a succeeded job never changes"
    );
}

/// The stage that ends a job (the explanation that answers it) still gets its duration.
pub async fn the_stage_that_ends_a_job_still_gets_its_duration(store: &dyn JobStore) {
    let job = new_job_submitted_at(at_second(0));
    store.create_job(job.clone()).await.expect("create job");
    let started = JobUpdate::StageStarted {
        stage: "explain".into(),
        at: at_second(1),
    };
    store
        .update(job.job_id, started)
        .await
        .expect("start explain");
    let answered = JobUpdate::Answered {
        answer: "There are 11 restaurants.".into(),
        chart: None,
    };
    store.update(job.job_id, answered).await.expect("answer");

    store
        .update(job.job_id, finished("explain", 7, true))
        .await
        .expect("finish explain");

    let view = store
        .get_job(job.job_id)
        .await
        .expect("get")
        .expect("job exists");
    assert_eq!(view.status, JobStatus::Succeeded);
    let explain = view
        .timings
        .iter()
        .find(|timing| timing.stage == "explain")
        .expect("explain timing");
    assert_eq!(explain.duration_ms, Some(7));
    assert_eq!(explain.outcome, "ok");
}

/// Attempts are kept per attempt number in order; a later update of the same attempt replaces
/// it, and an update carrying only an error keeps the attempt's SQL.
pub async fn sql_attempts_are_upserted_by_attempt_number(store: &dyn JobStore) {
    let new_job = new_job_submitted_at(at_second(0));
    store.create_job(new_job.clone()).await.expect("create job");
    let attempts = [
        attempt(2, "SELECT nme FROM t", None),
        attempt(1, "SELECT nam FROM t", None),
        attempt(1, "", Some("no column nam")),
        attempt(2, "SELECT name FROM t", None),
    ];

    for sql_attempt in attempts {
        let update = JobUpdate::SqlAttempted(sql_attempt);
        store
            .update(new_job.job_id, update)
            .await
            .expect("record attempt");
    }

    let view = store
        .get_job(new_job.job_id)
        .await
        .expect("get job")
        .expect("job exists");
    let expected = vec![
        attempt(1, "SELECT nam FROM t", Some("no column nam")),
        attempt(2, "SELECT name FROM t", None),
    ];
    assert_eq!(view.attempts, expected);
}

/// Queued and running jobs are listed oldest first, with their submission fields; finished
/// jobs are not listed, and unknown jobs are absent.
pub async fn unfinished_jobs_are_listed_oldest_first(store: &dyn JobStore) {
    let running_job = new_job_submitted_at(at_second(20));
    let queued_job = new_job_submitted_at(at_second(10));
    let finished_job = new_job_submitted_at(at_second(5));
    let later_job = NewJob {
        conversation_id: None,
        provided_sql: Some("SELECT 42".into()),
        owner_key_id: None,
        idempotency_key: None,
        ..new_job_submitted_at(at_second(30))
    };
    for new_job in [&running_job, &queued_job, &finished_job, &later_job] {
        store.create_job(new_job.clone()).await.expect("create job");
    }
    let started = JobUpdate::StageStarted {
        stage: "classify".into(),
        at: at_second(21),
    };
    store
        .update(running_job.job_id, started)
        .await
        .expect("start job");
    let failure = StageFailure {
        kind: ErrorKind::Fatal,
        stage: None,
        message: "broken".into(),
    };
    store
        .update(finished_job.job_id, JobUpdate::Failed(failure))
        .await
        .expect("fail job");

    let unfinished = store.unfinished_jobs().await.expect("list unfinished jobs");
    let unknown = store
        .get_job(Uuid::new_v4())
        .await
        .expect("get unknown job");

    let ours: Vec<NewJob> = unfinished
        .into_iter()
        .filter(|job| {
            [
                running_job.job_id,
                queued_job.job_id,
                finished_job.job_id,
                later_job.job_id,
            ]
            .contains(&job.job_id)
        })
        .collect();
    assert_eq!(ours, vec![queued_job, running_job, later_job]);
    assert_eq!(unknown, None);
}

fn finished(stage: &str, duration_ms: u64, succeeded: bool) -> JobUpdate {
    JobUpdate::StageFinished {
        stage: stage.into(),
        duration_ms,
        succeeded,
    }
}

fn timing(
    stage: &str,
    started_second: u32,
    duration_ms: Option<u64>,
    outcome: &str,
) -> StageTiming {
    StageTiming {
        stage: stage.into(),
        started_at: at_second(started_second),
        duration_ms,
        outcome: outcome.into(),
    }
}

fn model_call(stage: &str, input_tokens: u64) -> ModelCall {
    ModelCall {
        stage: stage.into(),
        model_id: "contract-model".into(),
        prompt_version: format!("{stage}@v1"),
        input_tokens,
        output_tokens: input_tokens * 2,
        duration_ms: 5,
        cost_usd: Some(input_tokens as f64 * 0.001),
    }
}

/// Feedback appended to a job comes back in its view, oldest first, with every field.
pub async fn feedback_is_appended_to_the_job_view(store: &dyn JobStore) {
    let job = new_job_submitted_at(at_second(0));
    store.create_job(job.clone()).await.expect("create job");
    store
        .update(
            job.job_id,
            JobUpdate::Answered {
                answer: "There are 3.".into(),
                chart: None,
            },
        )
        .await
        .expect("answer job");
    let rejection = FeedbackRecord {
        job_id: job.job_id,
        verdict: Verdict::Reject,
        sql: None,
        corrected: false,
        comment: Some("wrong table".into()),
        given_by: "reviewer".into(),
        given_at: at_second(10),
        cache_entry_id: None,
        few_shot_entry_id: None,
        replaced_entry_ids: Vec::new(),
    };
    let approval = FeedbackRecord {
        verdict: Verdict::Approve,
        sql: Some("SELECT 3".into()),
        corrected: true,
        comment: None,
        given_at: at_second(20),
        cache_entry_id: Some("c-1".into()),
        few_shot_entry_id: Some("f-1".into()),
        replaced_entry_ids: vec!["c-0".into(), "f-0".into()],
        ..rejection.clone()
    };

    store
        .record_feedback(&rejection)
        .await
        .expect("record rejection");
    store
        .record_feedback(&approval)
        .await
        .expect("record approval");

    let view = store
        .get_job(job.job_id)
        .await
        .expect("get job")
        .expect("job exists");
    assert_eq!(view.feedback, [rejection, approval]);
    let other_job = new_job_submitted_at(at_second(0));
    store
        .create_job(other_job.clone())
        .await
        .expect("create other job");
    let other_view = store
        .get_job(other_job.job_id)
        .await
        .expect("get other job")
        .expect("other job exists");
    assert!(
        other_view.feedback.is_empty(),
        "feedback belongs to one job"
    );
}

fn attempt(number: u32, sql: &str, error: Option<&str>) -> SqlAttempt {
    SqlAttempt {
        attempt: number,
        sql: sql.into(),
        error: error.map(str::to_owned),
    }
}

/// One update of every kind, none of which may change a terminal job.
fn late_updates() -> Vec<JobUpdate> {
    vec![
        JobUpdate::StageStarted {
            stage: "explain".into(),
            at: at_second(50),
        },
        finished("explain", 9, true),
        JobUpdate::Classified {
            intent: Intent::Sql,
        },
        JobUpdate::CacheChecked {
            hit: true,
            similarity: Some(0.99),
            entry_id: Some("late".into()),
        },
        JobUpdate::ModelCalled(model_call("late", 1)),
        JobUpdate::SqlAttempted(attempt(1, "SELECT 1", None)),
        JobUpdate::Executed {
            sql: "SELECT 1".into(),
            result_ref: "late".into(),
        },
        JobUpdate::Answered {
            answer: "late".into(),
            chart: None,
        },
        JobUpdate::Failed(StageFailure {
            kind: ErrorKind::Transient,
            stage: None,
            message: "late".into(),
        }),
    ]
}

/// Turns of a conversation are its succeeded jobs submitted before the asking job, oldest
/// first, at most `limit` of the newest, with the standalone rewrite when there was one.
pub async fn conversation_turns_are_the_latest_succeeded_jobs(store: &dyn JobStore) {
    let conversation_id = format!("conversation-{}", Uuid::new_v4().simple());
    let owner_key_id = format!("key_{}", Uuid::new_v4().simple());
    let mut jobs = Vec::new();
    for second in 0..4u32 {
        let mut job = new_job_submitted_at(at_second(second));
        job.conversation_id = Some(conversation_id.clone());
        job.owner_key_id = Some(owner_key_id.clone());
        job.question = format!("question {second}");
        store.create_job(job.clone()).await.expect("create job");
        jobs.push(job);
    }
    let mut other_conversation = new_job_submitted_at(at_second(1));
    other_conversation.conversation_id = Some(format!("other-{}", Uuid::new_v4().simple()));
    store
        .create_job(other_conversation.clone())
        .await
        .expect("create job");
    for (idx, job) in jobs.iter().enumerate().take(3) {
        if idx == 1 {
            store
                .update(
                    job.job_id,
                    JobUpdate::Rewritten {
                        standalone_question: "question 1 standing alone".into(),
                    },
                )
                .await
                .expect("rewrite");
        }
        if idx == 2 {
            continue;
        }
        store
            .update(
                job.job_id,
                JobUpdate::Executed {
                    sql: format!("SELECT {idx}"),
                    result_ref: format!("r-{}", job.job_id),
                },
            )
            .await
            .expect("execute");
        store
            .update(
                job.job_id,
                JobUpdate::Answered {
                    answer: format!("answer {idx}"),
                    chart: None,
                },
            )
            .await
            .expect("answer");
    }
    store
        .update(
            other_conversation.job_id,
            JobUpdate::Answered {
                answer: "elsewhere".into(),
                chart: None,
            },
        )
        .await
        .expect("answer other");

    let all = store
        .conversation_turns(&conversation_id, at_second(3), 10)
        .await
        .expect("turns");
    let latest = store
        .conversation_turns(&conversation_id, at_second(3), 1)
        .await
        .expect("turns");
    let before_first = store
        .conversation_turns(&conversation_id, at_second(0), 10)
        .await
        .expect("turns");

    let questions: Vec<&str> = all.iter().map(|turn| turn.question.as_str()).collect();
    assert_eq!(
        questions,
        ["question 0", "question 1 standing alone"],
        "succeeded jobs only, oldest first, rewritten when rewritten"
    );
    assert_eq!(all[0].sql.as_deref(), Some("SELECT 0"));
    assert_eq!(all[1].answer.as_deref(), Some("answer 1"));
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].question, "question 1 standing alone");
    assert!(before_first.is_empty());
    let view = store
        .get_job(jobs[1].job_id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(
        view.standalone_question.as_deref(),
        Some("question 1 standing alone")
    );
}

/// A job is found by its idempotency key, and a second job with the same key is refused.
pub async fn idempotency_keys_are_unique_and_found(store: &dyn JobStore) {
    let key = format!("key-1:{}", Uuid::new_v4().simple());
    let mut first = new_job_submitted_at(at_second(0));
    first.idempotency_key = Some(key.clone());
    let mut second = new_job_submitted_at(at_second(1));
    second.idempotency_key = Some(key.clone());
    let without_key = new_job_submitted_at(at_second(2));

    store
        .create_job(first.clone())
        .await
        .expect("create first job");
    let duplicate = store.create_job(second.clone()).await;
    store
        .create_job(without_key)
        .await
        .expect("jobs without a key never conflict");

    assert!(
        matches!(duplicate, Err(crate::store_error::StoreError::Conflict(_))),
        "a repeated idempotency key is a conflict: {duplicate:?}"
    );
    assert_eq!(
        store.job_for_idempotency_key(&key).await.expect("look up"),
        Some(first.job_id)
    );
    assert_eq!(
        store
            .job_for_idempotency_key("key-1:unknown")
            .await
            .expect("look up"),
        None
    );
    assert_eq!(store.job_status(second.job_id).await.expect("status"), None);
}

/// A task's output is found by its token; the first record of a token wins.
pub async fn task_outputs_are_recorded_once_per_token(store: &dyn JobStore) {
    let job = new_job_submitted_at(at_second(0));
    store.create_job(job.clone()).await.expect("create job");
    let token = format!("{}/3/GenerateSql/0", job.job_id);
    let first = json!({"sql": "SELECT 1", "attempt": 1});

    let before = store.completed_task_output(&token).await.expect("look up");
    store
        .record_task_output(job.job_id, &token, "generate_sql", &first)
        .await
        .expect("record");
    store
        .record_task_output(
            job.job_id,
            &token,
            "generate_sql",
            &json!({"sql": "SELECT 2"}),
        )
        .await
        .expect("a second record of the token is accepted and ignored");

    assert_eq!(before, None);
    assert_eq!(
        store.completed_task_output(&token).await.expect("look up"),
        Some(first)
    );
}

/// Each recorded interruption of a job adds one to its own count, and only its own; an unknown
/// job is a conflict.
pub async fn interruptions_are_counted_per_job(store: &dyn JobStore) {
    let job = new_job_submitted_at(at_second(0));
    let other_job = new_job_submitted_at(at_second(1));
    store.create_job(job.clone()).await.expect("create job");
    store
        .create_job(other_job.clone())
        .await
        .expect("create job");

    let first = store
        .record_interruption(job.job_id)
        .await
        .expect("interruption");
    let second = store
        .record_interruption(job.job_id)
        .await
        .expect("interruption");
    let others_first = store
        .record_interruption(other_job.job_id)
        .await
        .expect("interruption");
    let unknown = store.record_interruption(Uuid::new_v4()).await;

    assert_eq!((first, second, others_first), (1, 2, 1));
    assert!(
        matches!(unknown, Err(crate::store_error::StoreError::Conflict(_))),
        "an unknown job is a conflict: {unknown:?}"
    );
}

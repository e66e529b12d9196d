//! The cost of one job as the evaluation reports it: stage durations, tokens, submit-to-done.
//!
//! Invariant: read from the job view only; a job without timestamps or calls yields zeros and
//! `None`, never an estimate.

use contracts::api::JobView;
use serde::Serialize;

/// One run of one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageDuration {
    /// Stage name (`classify`, `cache_lookup`, `generate_sql`, `execute`, `explain`, ...).
    pub stage: String,
    /// Duration in milliseconds.
    pub duration_ms: u64,
}

/// What a job cost.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JobMetrics {
    /// Milliseconds from submission to the terminal status, by the server's clock.
    pub submit_to_done_ms: Option<u64>,
    /// Every finished stage run, in order (a repaired query runs `generate_sql` and `execute`
    /// more than once).
    pub stage_durations: Vec<StageDuration>,
    /// Prompt tokens over every model call.
    pub input_tokens: u64,
    /// Completion tokens over every model call.
    pub output_tokens: u64,
    /// Language-model calls made.
    pub n_model_calls: usize,
    /// SQL generation attempts made.
    pub n_sql_attempts: usize,
    /// `true` when the SQL came from the semantic cache.
    pub cache_hit: bool,
}

/// The metrics of a job as it stands.
pub fn job_metrics(job_view: &JobView) -> JobMetrics {
    JobMetrics {
        submit_to_done_ms: job_view.finished_at.map(|finished_at| {
            u64::try_from((finished_at - job_view.submitted_at).num_milliseconds()).unwrap_or(0)
        }),
        stage_durations: job_view
            .timings
            .iter()
            .filter_map(|timing| {
                timing.duration_ms.map(|duration_ms| StageDuration {
                    stage: timing.stage.clone(),
                    duration_ms,
                })
            })
            .collect(),
        input_tokens: job_view
            .model_calls
            .iter()
            .map(|call| call.input_tokens)
            .sum(),
        output_tokens: job_view
            .model_calls
            .iter()
            .map(|call| call.output_tokens)
            .sum(),
        n_model_calls: job_view.model_calls.len(),
        n_sql_attempts: job_view.attempts.len(),
        cache_hit: job_view.cache_hit,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};
    use contracts::api::{JobStatus, ModelCall, StageTiming};
    use uuid::Uuid;

    use super::*;

    #[test]
    fn tokens_are_summed_and_running_stages_left_out() {
        let submitted_at = Utc::now();
        let timing = |stage: &str, duration_ms: Option<u64>| StageTiming {
            stage: stage.to_owned(),
            started_at: submitted_at,
            duration_ms,
            outcome: "ok".to_owned(),
        };
        let model_call = |input_tokens, output_tokens| ModelCall {
            stage: "generate_sql".to_owned(),
            model_id: "m".to_owned(),
            prompt_version: "sql_generation@v1".to_owned(),
            input_tokens,
            output_tokens,
            duration_ms: 5,
            cost_usd: None,
        };
        let job_view: JobView = serde_json::from_value(serde_json::json!({
            "job_id": Uuid::nil(),
            "status": JobStatus::Succeeded,
            "question": "q",
            "datasource": "d",
            "timings": [timing("classify", Some(3)), timing("explain", None)],
            "model_calls": [model_call(100, 20), model_call(50, 5)],
            "submitted_at": submitted_at,
            "finished_at": submitted_at + Duration::milliseconds(42),
        }))
        .unwrap();

        let metrics = job_metrics(&job_view);

        assert_eq!(metrics.submit_to_done_ms, Some(42));
        assert_eq!(
            metrics.stage_durations,
            [StageDuration {
                stage: "classify".to_owned(),
                duration_ms: 3
            }]
        );
        assert_eq!((metrics.input_tokens, metrics.output_tokens), (150, 25));
        assert_eq!(metrics.n_model_calls, 2);
    }
}

//! The record of every evaluated question and the summary computed from them: accuracy per
//! category and overall, latency per stage, tokens, submit-to-done.
//!
//! Invariant: the summary is a function of the records alone; accuracy is correct answers over
//! every evaluated question of the category (declined, failed and lost questions count as wrong).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::job_metrics::JobMetrics;
use crate::question_outcome::QuestionOutcome;

/// The whole report, as written to `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Totals.
    pub summary: EvalSummary,
    /// One record per question, in file order.
    pub questions: Vec<QuestionRecord>,
}

/// What happened to one question.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionRecord {
    /// Line of the question in the file.
    pub line: usize,
    /// Datasource asked.
    pub datasource: String,
    /// The `query_category`.
    pub category: String,
    /// The question as submitted.
    pub question: String,
    /// Verdict.
    pub outcome: QuestionOutcome,
    /// Decline reason, job error, or gold error.
    pub detail: Option<String>,
    /// The job, when it was accepted.
    pub job_id: Option<String>,
    /// SQL that produced the job's rows.
    pub generated_sql: Option<String>,
    /// Index of the first concrete gold query whose result matched.
    pub matched_gold_idx: Option<usize>,
    /// Concrete gold queries the gold cell accepts.
    pub n_gold_queries: usize,
    /// `true` when the generated rows were cut by the row cap.
    pub truncated: bool,
    /// Latency, tokens and attempts of the job.
    #[serde(flatten)]
    pub metrics: JobMetrics,
}

/// Totals of a run.
#[derive(Debug, Clone, Serialize)]
pub struct EvalSummary {
    /// Per category, in name order.
    pub categories: Vec<CategorySummary>,
    /// Over every question.
    pub overall: CategorySummary,
    /// Per stage, in the order stages first ran.
    pub stage_latencies: Vec<StageLatency>,
    /// Prompt tokens over every job.
    pub input_tokens: u64,
    /// Completion tokens over every job.
    pub output_tokens: u64,
    /// Mean milliseconds from submission to the terminal status over finished jobs.
    pub mean_submit_to_done_ms: Option<f64>,
    /// Answers whose rows were cut by the row cap (their comparison is less reliable).
    pub n_truncated: usize,
}

/// Counts of one category (or of all questions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategorySummary {
    /// Category name, or `overall`.
    pub category: String,
    /// Questions evaluated.
    pub n_questions: usize,
    /// Answers matching a gold result.
    pub n_correct: usize,
    /// Answers matching no gold result.
    pub n_incorrect: usize,
    /// Questions answered without a query.
    pub n_declined: usize,
    /// Failed jobs.
    pub n_failed: usize,
    /// Jobs not submitted or not finished in time.
    pub n_lost: usize,
    /// Answers whose gold queries could not run.
    pub n_gold_failed: usize,
    /// `n_correct / n_questions` in percent (0 when empty).
    pub accuracy_percent: f64,
}

/// Latency of one stage over every run of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageLatency {
    /// Stage name.
    pub stage: String,
    /// Runs measured.
    pub n_runs: usize,
    /// Median, in milliseconds (nearest rank).
    pub p50_ms: u64,
    /// 90th percentile, in milliseconds (nearest rank).
    pub p90_ms: u64,
}

/// Category name of the all-questions row.
pub const OVERALL: &str = "overall";

/// Summarises the records of a run.
pub fn summarize(records: &[QuestionRecord]) -> EvalSummary {
    let mut by_category: BTreeMap<&str, Vec<&QuestionRecord>> = BTreeMap::new();
    for record in records {
        by_category
            .entry(&record.category)
            .or_default()
            .push(record);
    }
    let categories = by_category
        .into_iter()
        .map(|(category, category_records)| category_summary(category, &category_records))
        .collect();
    let all_records: Vec<&QuestionRecord> = records.iter().collect();

    let mut stage_order: Vec<&str> = Vec::new();
    let mut durations_by_stage: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for stage_duration in records
        .iter()
        .flat_map(|record| &record.metrics.stage_durations)
    {
        if !stage_order.contains(&stage_duration.stage.as_str()) {
            stage_order.push(&stage_duration.stage);
        }
        durations_by_stage
            .entry(&stage_duration.stage)
            .or_default()
            .push(stage_duration.duration_ms);
    }
    let stage_latencies = stage_order
        .into_iter()
        .map(|stage| {
            let mut durations = durations_by_stage.remove(stage).unwrap_or_default();
            durations.sort_unstable();
            StageLatency {
                stage: stage.to_owned(),
                n_runs: durations.len(),
                p50_ms: percentile(&durations, 0.50),
                p90_ms: percentile(&durations, 0.90),
            }
        })
        .collect();

    let submit_to_done: Vec<u64> = records
        .iter()
        .filter_map(|record| record.metrics.submit_to_done_ms)
        .collect();
    EvalSummary {
        categories,
        overall: category_summary(OVERALL, &all_records),
        stage_latencies,
        input_tokens: records
            .iter()
            .map(|record| record.metrics.input_tokens)
            .sum(),
        output_tokens: records
            .iter()
            .map(|record| record.metrics.output_tokens)
            .sum(),
        mean_submit_to_done_ms: (!submit_to_done.is_empty())
            .then(|| submit_to_done.iter().sum::<u64>() as f64 / submit_to_done.len() as f64),
        n_truncated: records.iter().filter(|record| record.truncated).count(),
    }
}

fn category_summary(category: &str, records: &[&QuestionRecord]) -> CategorySummary {
    let count = |outcome: QuestionOutcome| {
        records
            .iter()
            .filter(|record| record.outcome == outcome)
            .count()
    };
    let n_correct = count(QuestionOutcome::Correct);
    CategorySummary {
        category: category.to_owned(),
        n_questions: records.len(),
        n_correct,
        n_incorrect: count(QuestionOutcome::Incorrect),
        n_declined: count(QuestionOutcome::Declined),
        n_failed: count(QuestionOutcome::Failed),
        n_lost: count(QuestionOutcome::Lost),
        n_gold_failed: count(QuestionOutcome::GoldFailed),
        accuracy_percent: if records.is_empty() {
            0.0
        } else {
            100.0 * n_correct as f64 / records.len() as f64
        },
    }
}

/// Nearest-rank percentile of sorted values (zero when there are none).
fn percentile(sorted_values: &[u64], quantile: f64) -> u64 {
    if sorted_values.is_empty() {
        return 0;
    }
    let rank = (quantile * sorted_values.len() as f64).ceil() as usize;
    sorted_values[rank.clamp(1, sorted_values.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job_metrics::StageDuration;

    fn record(category: &str, outcome: QuestionOutcome, generate_sql_ms: &[u64]) -> QuestionRecord {
        QuestionRecord {
            line: 2,
            datasource: "restaurants".to_owned(),
            category: category.to_owned(),
            question: "q".to_owned(),
            outcome,
            detail: None,
            job_id: None,
            generated_sql: None,
            matched_gold_idx: None,
            n_gold_queries: 1,
            truncated: false,
            metrics: JobMetrics {
                submit_to_done_ms: Some(10 * generate_sql_ms.len() as u64),
                stage_durations: generate_sql_ms
                    .iter()
                    .map(|&duration_ms| StageDuration {
                        stage: "generate_sql".to_owned(),
                        duration_ms,
                    })
                    .collect(),
                input_tokens: 7,
                output_tokens: 3,
                ..JobMetrics::default()
            },
        }
    }

    #[test]
    fn accuracy_is_correct_over_all_questions_of_the_category() {
        let records = [
            record("group_by", QuestionOutcome::Correct, &[1]),
            record("group_by", QuestionOutcome::Declined, &[1]),
            record("ratio", QuestionOutcome::Incorrect, &[1]),
            record("group_by", QuestionOutcome::Failed, &[1]),
        ];

        let summary = summarize(&records);

        assert_eq!(summary.categories.len(), 2);
        assert_eq!(summary.categories[0].category, "group_by");
        assert_eq!(summary.categories[0].n_questions, 3);
        assert_eq!(summary.categories[0].n_correct, 1);
        assert_eq!(summary.categories[0].n_declined, 1);
        assert_eq!(summary.categories[0].n_failed, 1);
        assert!((summary.categories[0].accuracy_percent - 33.333).abs() < 0.01);
        assert_eq!(summary.overall.n_questions, 4);
        assert_eq!(summary.overall.accuracy_percent, 25.0);
        assert_eq!((summary.input_tokens, summary.output_tokens), (28, 12));
    }

    #[test]
    fn stage_latencies_use_every_run_and_the_nearest_rank() {
        let records: Vec<QuestionRecord> = (1..=10)
            .map(|duration_ms| record("c", QuestionOutcome::Correct, &[duration_ms]))
            .chain([record("c", QuestionOutcome::Correct, &[])])
            .collect();

        let summary = summarize(&records);

        assert_eq!(
            summary.stage_latencies,
            [StageLatency {
                stage: "generate_sql".to_owned(),
                n_runs: 10,
                p50_ms: 5,
                p90_ms: 9,
            }]
        );
        assert_eq!(summary.mean_submit_to_done_ms, Some(100.0 / 11.0));
    }
}

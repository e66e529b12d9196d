//! The summary as aligned text for the terminal: the per-category accuracy table, the
//! per-stage latency table, tokens and submit-to-done.
//!
//! Invariant: one line per category plus `overall`; no question text or SQL is ever printed.

use std::fmt::Write;

use crate::eval_report::{CategorySummary, EvalSummary};

/// Header cells of the accuracy table after the category column.
const COUNT_HEADERS: [&str; 7] = [
    "n",
    "correct",
    "incorrect",
    "declined",
    "failed",
    "lost",
    "gold_failed",
];

/// The summary as text, ending with a newline.
pub fn render_summary(summary: &EvalSummary) -> String {
    let category_width = summary
        .categories
        .iter()
        .map(|category_summary| category_summary.category.chars().count())
        .chain([
            "category".len(),
            summary.overall.category.len(),
            "stage".len(),
        ])
        .chain(
            summary
                .stage_latencies
                .iter()
                .map(|stage_latency| stage_latency.stage.chars().count()),
        )
        .max()
        .unwrap_or_default();
    let mut text = String::new();

    let mut header = format!("{:<category_width$}", "category");
    for count_header in COUNT_HEADERS {
        let _ = write!(
            header,
            "  {count_header:>width$}",
            width = count_header.len().max(3)
        );
    }
    let _ = writeln!(text, "{header}  {:>8}", "accuracy");
    for category_summary in &summary.categories {
        text.push_str(&category_line(category_summary, category_width));
    }
    text.push_str(&"-".repeat(header.len() + 10));
    text.push('\n');
    text.push_str(&category_line(&summary.overall, category_width));

    let _ = writeln!(
        text,
        "\n{:<category_width$}  {:>6}  {:>8}  {:>8}",
        "stage", "runs", "p50 ms", "p90 ms"
    );
    for stage_latency in &summary.stage_latencies {
        let _ = writeln!(
            text,
            "{:<category_width$}  {:>6}  {:>8}  {:>8}",
            stage_latency.stage, stage_latency.n_runs, stage_latency.p50_ms, stage_latency.p90_ms
        );
    }

    let _ = writeln!(
        text,
        "\ntokens          input {}, output {}",
        summary.input_tokens, summary.output_tokens
    );
    match summary.mean_submit_to_done_ms {
        Some(mean_ms) => {
            let _ = writeln!(text, "submit-to-done  mean {mean_ms:.1} ms");
        }
        None => text.push_str("submit-to-done  no job finished\n"),
    }
    if summary.n_truncated > 0 {
        let _ = writeln!(
            text,
            "truncated       {} answers were cut by the row cap",
            summary.n_truncated
        );
    }
    text
}

fn category_line(category_summary: &CategorySummary, category_width: usize) -> String {
    let counts = [
        category_summary.n_questions,
        category_summary.n_correct,
        category_summary.n_incorrect,
        category_summary.n_declined,
        category_summary.n_failed,
        category_summary.n_lost,
        category_summary.n_gold_failed,
    ];
    let mut line = format!("{:<category_width$}", category_summary.category);
    for (count_header, count) in COUNT_HEADERS.iter().zip(counts) {
        let _ = write!(line, "  {count:>width$}", width = count_header.len().max(3));
    }
    let _ = writeln!(line, "  {:>7.1}%", category_summary.accuracy_percent);
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval_report::StageLatency;

    fn category_summary(category: &str, n_questions: usize, n_correct: usize) -> CategorySummary {
        CategorySummary {
            category: category.to_owned(),
            n_questions,
            n_correct,
            n_incorrect: 0,
            n_declined: n_questions - n_correct,
            n_failed: 0,
            n_lost: 0,
            n_gold_failed: 0,
            accuracy_percent: 100.0 * n_correct as f64 / n_questions as f64,
        }
    }

    #[test]
    fn the_table_has_a_line_per_category_then_overall_then_stages() {
        let summary = EvalSummary {
            categories: vec![
                category_summary("group_by", 4, 1),
                category_summary("ratio", 2, 2),
            ],
            overall: category_summary("overall", 6, 3),
            stage_latencies: vec![StageLatency {
                stage: "generate_sql".to_owned(),
                n_runs: 6,
                p50_ms: 12,
                p90_ms: 40,
            }],
            input_tokens: 1200,
            output_tokens: 300,
            mean_submit_to_done_ms: Some(55.25),
            n_truncated: 0,
        };

        let text = render_summary(&summary);

        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("category"), "{text}");
        assert!(lines[0].ends_with("accuracy"), "{text}");
        assert!(
            lines[1].starts_with("group_by") && lines[1].ends_with("25.0%"),
            "{text}"
        );
        assert!(
            lines[2].starts_with("ratio") && lines[2].ends_with("100.0%"),
            "{text}"
        );
        assert!(
            lines[4].starts_with("overall") && lines[4].ends_with("50.0%"),
            "{text}"
        );
        assert!(text.contains("generate_sql"), "{text}");
        assert!(text.contains("input 1200, output 300"), "{text}");
        assert!(
            text.contains("mean 55.2 ms") || text.contains("mean 55.3 ms"),
            "{text}"
        );
    }
}

//! Judging an answered question: each accepted gold query runs on the question's datasource
//! and the generated rows are compared with its result, alternatives in order.
//!
//! Invariant: gold SQL reaches the engine only through `sql_guard::run_guarded`, under the
//! limits the caller gives (the pipeline's own, so both sides are capped alike).

use contracts::result::ResultSet;
use ports::datasource::Datasource;
use ports::sql_engine::QueryLimits;

use crate::question_file::EvalQuestion;
use crate::question_outcome::QuestionOutcome;
use crate::result_match::result_matches;
use crate::row_order::row_order;

/// The verdict on the rows of one answered question.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldVerdict {
    /// [`QuestionOutcome::Correct`], [`QuestionOutcome::Incorrect`] or
    /// [`QuestionOutcome::GoldFailed`] (no gold query ran).
    pub outcome: QuestionOutcome,
    /// Index of the concrete gold query whose result matched.
    pub matched_gold_idx: Option<usize>,
    /// The first gold error, when a gold query could not run.
    pub detail: Option<String>,
}

/// Runs the gold queries of `eval_question` on `datasource` one by one and stops at the first
/// whose result `generated` matches.
pub async fn judge_answer(
    datasource: &Datasource,
    eval_question: &EvalQuestion,
    generated: &ResultSet,
    limits: &QueryLimits,
) -> GoldVerdict {
    let mut first_gold_error = None;
    let mut n_gold_ran = 0;
    for (gold_idx, gold_sql) in eval_question.gold_queries.iter().enumerate() {
        match sql_guard::run_guarded(datasource, gold_sql, limits).await {
            Ok(gold) => {
                n_gold_ran += 1;
                let order = row_order(&eval_question.question, &eval_question.category, gold_sql);
                if result_matches(&gold, generated, order) {
                    return GoldVerdict {
                        outcome: QuestionOutcome::Correct,
                        matched_gold_idx: Some(gold_idx),
                        detail: None,
                    };
                }
            }
            Err(engine_error) => {
                first_gold_error.get_or_insert_with(|| {
                    format!("gold query {} failed: {engine_error}", gold_idx + 1)
                });
            }
        }
    }
    GoldVerdict {
        outcome: if n_gold_ran == 0 {
            QuestionOutcome::GoldFailed
        } else {
            QuestionOutcome::Incorrect
        },
        matched_gold_idx: None,
        detail: first_gold_error,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use async_trait::async_trait;
    use contracts::result::{ColumnType, ResultColumn};
    use ports::schema::TableSchema;
    use ports::sql_engine::{Dialect, EngineError, SqlEngine};
    use serde_json::json;

    use super::*;

    /// Answers `SELECT 1 ...` with one row holding 1, `SELECT 2 ...` with 2, and fails
    /// anything else; records what it ran.
    #[derive(Default)]
    struct NumberEngine {
        executed: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl SqlEngine for NumberEngine {
        fn dialect(&self) -> Dialect {
            Dialect::Postgres
        }

        async fn execute(
            &self,
            sql: &str,
            _limits: &QueryLimits,
        ) -> Result<ResultSet, EngineError> {
            self.executed.lock().unwrap().push(sql.to_owned());
            let number = match sql.split_whitespace().nth(1) {
                Some("1") => 1,
                Some("2") => 2,
                _ => return Err(EngineError::QueryFailed(format!("cannot run {sql}"))),
            };
            Ok(one_number(number))
        }

        async fn extract_tables(&self) -> Result<Vec<TableSchema>, EngineError> {
            Ok(Vec::new())
        }
    }

    fn one_number(number: i64) -> ResultSet {
        ResultSet {
            columns: vec![ResultColumn {
                name: "n".to_owned(),
                column_type: ColumnType::Integer,
            }],
            rows: vec![vec![json!(number)]],
            truncated: false,
            total_rows: Some(1),
        }
    }

    fn datasource(engine: Arc<NumberEngine>) -> Datasource {
        Datasource {
            name: "numbers".to_owned(),
            description: None,
            engine_name: "postgres".to_owned(),
            engine,
            allowed_relations: None,
        }
    }

    fn eval_question(gold_queries: &[&str]) -> EvalQuestion {
        EvalQuestion {
            line: 2,
            question: "which number?".to_owned(),
            datasource: "numbers".to_owned(),
            category: "basic".to_owned(),
            instructions: None,
            gold_queries: gold_queries.iter().map(|sql| (*sql).to_owned()).collect(),
        }
    }

    #[tokio::test]
    async fn the_second_alternative_can_match_and_later_ones_are_not_run() {
        let engine = Arc::new(NumberEngine::default());
        let question = eval_question(&["SELECT 1 AS n", "SELECT 2 AS n", "SELECT 1 + 1 AS n"]);

        let verdict = judge_answer(
            &datasource(engine.clone()),
            &question,
            &one_number(2),
            &QueryLimits::default(),
        )
        .await;

        assert_eq!(verdict.outcome, QuestionOutcome::Correct);
        assert_eq!(verdict.matched_gold_idx, Some(1));
        assert_eq!(engine.executed.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn no_match_is_incorrect_and_no_runnable_gold_is_a_gold_failure() {
        let engine = Arc::new(NumberEngine::default());
        let datasource = datasource(engine.clone());

        let incorrect = judge_answer(
            &datasource,
            &eval_question(&["SELECT 1 AS n", "SELECT x"]),
            &one_number(2),
            &QueryLimits::default(),
        )
        .await;
        let gold_failed = judge_answer(
            &datasource,
            &eval_question(&["SELECT x"]),
            &one_number(2),
            &QueryLimits::default(),
        )
        .await;

        assert_eq!(incorrect.outcome, QuestionOutcome::Incorrect);
        assert!(incorrect.detail.unwrap().starts_with("gold query 2 failed"));
        assert_eq!(gold_failed.outcome, QuestionOutcome::GoldFailed);
    }

    #[tokio::test]
    async fn gold_sql_goes_through_the_guard() {
        let engine = Arc::new(NumberEngine::default());

        let verdict = judge_answer(
            &datasource(engine.clone()),
            &eval_question(&["DELETE FROM t"]),
            &one_number(1),
            &QueryLimits::default(),
        )
        .await;

        assert_eq!(verdict.outcome, QuestionOutcome::GoldFailed);
        assert!(verdict.detail.unwrap().contains("rejected before running"));
        assert!(engine.executed.lock().unwrap().is_empty());
    }
}

//! Runs the committed question set through the offline planner and the embedded engine, and
//! holds the planner to its measured accuracy and to a low rate of wrong answers.
//!
//! Invariant: expected rows come from hand-written gold SQL, never from the planner's output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use engine_duckdb::demo::{DemoDatasource, open_demo_datasource};
use planner_offline::OfflinePlanner;
use ports::language_model::{LanguageModel, LlmError, SqlGenerationInput};
use ports::sql_engine::{Dialect, QueryLimits, SqlEngine};
use serde::Deserialize;
use serde_json::Value;

/// Accuracy measured over the whole set, rounded down to a whole percent.
const MIN_ACCURACY_PERCENT: f64 = 93.0;
/// Largest share of the set that may get SQL which runs but returns wrong rows.
const MAX_WRONG_SQL_SHARE: f64 = 0.10;
/// Numbers closer than this are equal.
const TOLERANCE: f64 = 1e-6;

#[derive(Debug, Deserialize)]
struct QuestionCase {
    datasource: String,
    question: String,
    #[serde(default)]
    gold_sql: Option<String>,
    #[serde(default)]
    expected_rows: Option<Vec<Vec<Value>>>,
    #[serde(default)]
    ordered: bool,
    #[serde(default)]
    expect: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Correct,
    WrongRows,
    QueryFailed,
    Declined,
    AnsweredUnanswerable,
}

/// A scratch folder for the materialized demo databases, unique to this test process.
fn data_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("planner-question-set-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the temp dir is writable");
    dir
}

fn load_cases() -> Vec<QuestionCase> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/question_set.json");
    let text = std::fs::read_to_string(&path).expect("question set is committed next to this test");
    serde_json::from_str(&text).expect("question set is valid JSON")
}

async fn open_all(cases: &[QuestionCase]) -> BTreeMap<String, DemoDatasource> {
    let mut datasources = BTreeMap::new();
    for case in cases {
        if !datasources.contains_key(&case.datasource) {
            let datasource = open_demo_datasource(&data_dir(), &case.datasource)
                .await
                .unwrap_or_else(|error| {
                    panic!("demo datasource {} opens: {error:?}", case.datasource)
                });
            datasources.insert(case.datasource.clone(), datasource);
        }
    }
    datasources
}

fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.parse().ok(),
        _ => None,
    }
}

fn values_equal(expected: &Value, actual: &Value) -> bool {
    match (as_number(expected), as_number(actual)) {
        (Some(a), Some(b)) if expected.is_number() || actual.is_number() => {
            (a - b).abs() <= TOLERANCE * a.abs().max(1.0)
        }
        _ => match (expected, actual) {
            (Value::String(a), Value::String(b)) => a == b,
            (a, b) => a == b,
        },
    }
}

fn sort_key(value: &Value) -> String {
    match as_number(value) {
        Some(number) if value.is_number() => format!("n{:020.4}", number),
        _ => format!("s{value}"),
    }
}

fn rows_equal(expected: &[Vec<Value>], actual: &[Vec<Value>], ordered: bool) -> bool {
    if expected.len() != actual.len() {
        return false;
    }
    let sorted = |rows: &[Vec<Value>]| {
        let mut rows = rows.to_vec();
        if !ordered {
            rows.sort_by_key(|row| row.iter().map(sort_key).collect::<Vec<_>>());
        }
        rows
    };
    let (expected, actual) = (sorted(expected), sorted(actual));
    expected
        .iter()
        .zip(&actual)
        .all(|(e, a)| e.len() == a.len() && e.iter().zip(a).all(|(x, y)| values_equal(x, y)))
}

/// `true` when some choice of distinct result columns reproduces the expected rows; extra
/// result columns (such as every column of a listed table) are allowed.
fn result_matches(
    expected: &[Vec<Value>],
    actual: &[Vec<Value>],
    n_actual_columns: usize,
    ordered: bool,
) -> bool {
    let n_expected_columns = expected.first().map_or(0, Vec::len);
    if expected.is_empty() || actual.is_empty() {
        return expected.len() == actual.len();
    }
    fn assign(
        mapping: &mut Vec<usize>,
        n_expected_columns: usize,
        n_actual_columns: usize,
        check: &dyn Fn(&[usize]) -> bool,
    ) -> bool {
        if mapping.len() == n_expected_columns {
            return check(mapping);
        }
        for column in 0..n_actual_columns {
            if mapping.contains(&column) {
                continue;
            }
            mapping.push(column);
            if assign(mapping, n_expected_columns, n_actual_columns, check) {
                return true;
            }
            mapping.pop();
        }
        false
    }
    let check = |mapping: &[usize]| {
        let projected: Vec<Vec<Value>> = actual
            .iter()
            .map(|row| mapping.iter().map(|c| row[*c].clone()).collect())
            .collect();
        rows_equal(expected, &projected, ordered)
    };
    assign(
        &mut Vec::new(),
        n_expected_columns,
        n_actual_columns,
        &check,
    )
}

async fn run_case(
    planner: &OfflinePlanner,
    datasource: &DemoDatasource,
    case: &QuestionCase,
) -> (Outcome, String) {
    let input = SqlGenerationInput {
        question: &case.question,
        schema: &datasource.snapshot,
        dialect: Dialect::Embedded,
        examples: &[],
        repair: None,
    };
    let draft = match planner.generate_sql(input).await {
        Ok(reply) => reply.value,
        Err(LlmError::CannotAnswer(reason)) => return (Outcome::Declined, reason),
        Err(other) => return (Outcome::QueryFailed, other.to_string()),
    };
    if case.expect.as_deref() == Some("cannot_answer") {
        return (Outcome::AnsweredUnanswerable, draft.sql);
    }
    let result = match datasource
        .engine
        .execute(&draft.sql, &QueryLimits::default())
        .await
    {
        Ok(result) => result,
        Err(error) => return (Outcome::QueryFailed, format!("{}\n{error}", draft.sql)),
    };
    let expected = case
        .expected_rows
        .as_deref()
        .expect("answerable cases carry expected rows");
    if result_matches(expected, &result.rows, result.columns.len(), case.ordered) {
        (Outcome::Correct, draft.sql)
    } else {
        (
            Outcome::WrongRows,
            format!(
                "{}\n got {:?}",
                draft.sql,
                result.rows.iter().take(5).collect::<Vec<_>>()
            ),
        )
    }
}

#[tokio::test]
async fn the_planner_answers_the_question_set_accurately_and_declines_rather_than_guess() {
    let cases = load_cases();
    let datasources = open_all(&cases).await;
    let planner = OfflinePlanner::new();

    let mut per_database: BTreeMap<String, BTreeMap<&'static str, usize>> = BTreeMap::new();
    let mut outcomes = Vec::new();
    for case in &cases {
        let (outcome, detail) = run_case(&planner, &datasources[&case.datasource], case).await;
        let correct = match case.expect.as_deref() {
            Some("cannot_answer") => outcome == Outcome::Declined,
            _ => outcome == Outcome::Correct,
        };
        let label = if correct {
            "correct"
        } else {
            outcome_label(outcome)
        };
        *per_database
            .entry(case.datasource.clone())
            .or_default()
            .entry(label)
            .or_default() += 1;
        eprintln!(
            "[{label:>22}] {} | {}\n    {}",
            case.datasource,
            case.question,
            detail.replace('\n', "\n    ")
        );
        outcomes.push((case, outcome, correct));
    }

    eprintln!(
        "\n{:<16} {:>5} {:>8} {:>7} {:>7} {:>9}",
        "datasource", "total", "correct", "wrong", "failed", "declined"
    );
    for (name, counts) in &per_database {
        let total: usize = counts.values().sum();
        let get = |label: &str| counts.get(label).copied().unwrap_or(0);
        eprintln!(
            "{name:<16} {total:>5} {:>8} {:>7} {:>7} {:>9}",
            get("correct"),
            get("wrong rows") + get("answered unanswerable"),
            get("query failed"),
            get("declined")
        );
    }
    let n_cases = outcomes.len() as f64;
    let n_correct = outcomes.iter().filter(|(_, _, correct)| *correct).count() as f64;
    let n_wrong_sql = outcomes
        .iter()
        .filter(|(_, outcome, _)| *outcome == Outcome::WrongRows)
        .count() as f64;
    let n_answered_unanswerable = outcomes
        .iter()
        .filter(|(_, outcome, _)| *outcome == Outcome::AnsweredUnanswerable)
        .count();
    let accuracy_percent = 100.0 * n_correct / n_cases;
    eprintln!(
        "accuracy {accuracy_percent:.1}% ({n_correct} of {n_cases}), wrong SQL {n_wrong_sql}"
    );

    assert_eq!(
        n_answered_unanswerable, 0,
        "every cannot_answer question must be declined"
    );
    assert!(
        accuracy_percent >= MIN_ACCURACY_PERCENT,
        "accuracy {accuracy_percent:.1}% fell below {MIN_ACCURACY_PERCENT}%"
    );
    assert!(
        n_wrong_sql / n_cases <= MAX_WRONG_SQL_SHARE,
        "{n_wrong_sql} wrong-SQL answers out of {n_cases}"
    );
}

#[tokio::test]
async fn gold_sql_reproduces_the_expected_rows_on_the_embedded_engine() {
    let cases = load_cases();
    let datasources = open_all(&cases).await;

    for case in cases.iter().filter(|case| case.gold_sql.is_some()) {
        let gold_sql = case.gold_sql.as_deref().expect("filtered on gold SQL");
        let result = datasources[&case.datasource]
            .engine
            .execute(gold_sql, &QueryLimits::default())
            .await;

        let result = result
            .unwrap_or_else(|error| panic!("gold SQL of {:?} failed: {error}", case.question));
        let expected = case
            .expected_rows
            .as_deref()
            .expect("gold cases carry expected rows");
        assert!(
            rows_equal(expected, &result.rows, case.ordered),
            "{}: expected {expected:?}, got {:?}",
            case.question,
            result.rows
        );
    }
}

fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Correct => "correct",
        Outcome::WrongRows => "wrong rows",
        Outcome::QueryFailed => "query failed",
        Outcome::Declined => "declined",
        Outcome::AnsweredUnanswerable => "answered unanswerable",
    }
}

//! Template answers grounded in the rows of a result: a single value, a few rows, or none.
//!
//! Invariant: every number in an answer is copied from the result; nothing is computed or made up.

use contracts::result::ResultSet;
use serde_json::Value;

/// Rows named in an answer before it summarises the rest.
const ROWS_NAMED: usize = 3;

/// Writes a short answer for a result.
pub(crate) fn explain(question: &str, result: &ResultSet) -> String {
    let mut answer = if result.rows.is_empty() {
        "No rows matched the question.".to_owned()
    } else if result.rows.len() == 1 && result.columns.len() == 1 {
        single_value(question, &result.columns[0].name, &result.rows[0][0])
    } else {
        several_rows(result)
    };
    if result.truncated {
        let total = result
            .total_rows
            .map(|n| format!(" of {n}"))
            .unwrap_or_default();
        answer.push_str(&format!(
            " The result was truncated: only the first {}{total} rows were kept.",
            result.rows.len()
        ));
    }
    answer
}

fn single_value(question: &str, column: &str, value: &Value) -> String {
    let rendered = render(value);
    if let Some(counted) = column.strip_prefix("number_of_") {
        let lower = question.to_lowercase();
        let noun = lower
            .split_whitespace()
            .skip_while(|w| *w != "many")
            .nth(1)
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| counted.replace('_', " "));
        let verb = if rendered == "1" { "is" } else { "are" };
        return format!("There {verb} {rendered} {noun}.");
    }
    let label = column.replace('_', " ");
    format!("The {label} is {rendered}.")
}

fn several_rows(result: &ResultSet) -> String {
    let n_rows = result.rows.len();
    let named: Vec<String> = result
        .rows
        .iter()
        .take(ROWS_NAMED)
        .map(|row| describe_row(result, row))
        .collect();
    let more = if n_rows > ROWS_NAMED {
        format!(", and {} more", n_rows - ROWS_NAMED)
    } else {
        String::new()
    };
    let noun = if n_rows == 1 { "row" } else { "rows" };
    format!("I found {n_rows} {noun}: {}{more}.", named.join("; "))
}

fn describe_row(result: &ResultSet, row: &[Value]) -> String {
    let parts: Vec<String> = result
        .columns
        .iter()
        .zip(row)
        .take(4)
        .map(|(column, value)| format!("{} {}", column.name.replace('_', " "), render(value)))
        .collect();
    parts.join(", ")
}

fn render(value: &Value) -> String {
    match value {
        Value::Null => "unknown".to_owned(),
        Value::String(text) => text.clone(),
        Value::Number(number) => match number.as_f64() {
            Some(float) if number.is_f64() && float.fract() != 0.0 => {
                let rounded = format!("{float:.2}");
                rounded
                    .trim_end_matches('0')
                    .trim_end_matches('.')
                    .to_owned()
            }
            _ => number.to_string(),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contracts::result::{ColumnType, ResultColumn};
    use serde_json::json;

    fn result(columns: &[&str], rows: Vec<Vec<Value>>, truncated: bool) -> ResultSet {
        ResultSet {
            columns: columns
                .iter()
                .map(|name| ResultColumn {
                    name: (*name).to_owned(),
                    column_type: ColumnType::Other,
                })
                .collect(),
            rows,
            truncated,
            total_rows: None,
        }
    }

    #[test]
    fn a_count_reads_as_there_are_n_things() {
        let answer = explain(
            "How many restaurants are there?",
            &result(&["number_of_restaurant"], vec![vec![json!(11)]], false),
        );

        assert_eq!(answer, "There are 11 restaurants.");
    }

    #[test]
    fn an_average_is_named_after_its_column() {
        let answer = explain(
            "average rating",
            &result(&["average_rating"], vec![vec![json!(4.2090909)]], false),
        );

        assert_eq!(answer, "The average rating is 4.21.");
    }

    #[test]
    fn empty_results_say_nothing_matched_and_truncation_is_mentioned() {
        assert_eq!(
            explain("q", &result(&["a"], vec![], false)),
            "No rows matched the question."
        );
        let answer = explain(
            "q",
            &result(&["name"], vec![vec![json!("A")], vec![json!("B")]], true),
        );
        assert!(answer.contains("truncated"));
        assert!(answer.contains("name A"));
    }
}

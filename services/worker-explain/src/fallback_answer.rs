//! The deterministic answer used when no model explanation is available.
//!
//! Invariant: every number in the answer is copied from the rows.

use contracts::result::ResultSet;

/// Describes a result in one or two sentences using only its own values.
pub fn fallback_answer(result_set: &ResultSet) -> String {
    let n_rows = result_set.rows.len();
    let truncation_note = if result_set.truncated {
        " The result was cut at the row limit."
    } else {
        ""
    };
    match (n_rows, result_set.columns.len()) {
        (0, _) => "No rows matched the question.".to_owned(),
        (1, 1) => {
            let column = &result_set.columns[0].name;
            format!(
                "The {} is {}.",
                column.replace('_', " "),
                render_value(&result_set.rows[0][0])
            )
        }
        (1, _) => format!("One row matched: {}.", render_row(result_set, 0)),
        _ => {
            let shown: Vec<String> = (0..n_rows.min(3))
                .map(|row_idx| render_row(result_set, row_idx))
                .collect();
            format!(
                "{n_rows} rows matched; the first are: {}.{truncation_note}",
                shown.join("; ")
            )
        }
    }
}

fn render_row(result_set: &ResultSet, row_idx: usize) -> String {
    result_set
        .columns
        .iter()
        .zip(&result_set.rows[row_idx])
        .map(|(column, value)| format!("{} {}", column.name.replace('_', " "), render_value(value)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Null => "empty".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use contracts::result::{ColumnType, ResultColumn};
    use serde_json::json;

    use super::*;

    fn result_set(columns: &[(&str, ColumnType)], rows: Vec<Vec<serde_json::Value>>) -> ResultSet {
        ResultSet {
            columns: columns
                .iter()
                .map(|(name, column_type)| ResultColumn {
                    name: (*name).to_owned(),
                    column_type: *column_type,
                })
                .collect(),
            rows,
            truncated: false,
            total_rows: None,
        }
    }

    #[test]
    fn a_single_value_is_stated_with_its_column_name() {
        let rows = result_set(
            &[("n_restaurants", ColumnType::Integer)],
            vec![vec![json!(11)]],
        );

        assert_eq!(fallback_answer(&rows), "The n restaurants is 11.");
    }

    #[test]
    fn an_empty_result_says_nothing_matched() {
        let rows = result_set(&[("name", ColumnType::Text)], vec![]);

        assert_eq!(fallback_answer(&rows), "No rows matched the question.");
    }

    #[test]
    fn several_rows_name_the_count_and_the_first_rows() {
        let rows = result_set(
            &[("city", ColumnType::Text), ("n", ColumnType::Integer)],
            vec![
                vec![json!("Miami"), json!(2)],
                vec![json!("Chicago"), json!(1)],
            ],
        );

        assert_eq!(
            fallback_answer(&rows),
            "2 rows matched; the first are: city Miami, n 2; city Chicago, n 1."
        );
    }
}

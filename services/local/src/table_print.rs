//! Renders a result set as an aligned text table for the terminal.
//!
//! Invariant: never prints more than [`MAX_PRINTED_ROWS`] rows and always says when rows were
//! left out.

use contracts::result::{ColumnType, ResultSet};
use serde_json::Value;

/// Rows printed at most.
pub const MAX_PRINTED_ROWS: usize = 20;

/// The table as text: header, rule, up to [`MAX_PRINTED_ROWS`] rows and a footer line.
pub fn render_table(result_set: &ResultSet) -> String {
    let n_rows = result_set.rows.len();
    let shown_rows = &result_set.rows[..n_rows.min(MAX_PRINTED_ROWS)];
    let header: Vec<String> = result_set
        .columns
        .iter()
        .map(|column| column.name.clone())
        .collect();
    let cells: Vec<Vec<String>> = shown_rows
        .iter()
        .map(|row| row.iter().map(cell_text).collect())
        .collect();

    let mut widths: Vec<usize> = header.iter().map(|name| name.chars().count()).collect();
    for row in &cells {
        for (column_idx, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(column_idx) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let right_aligned: Vec<bool> = result_set
        .columns
        .iter()
        .map(|column| matches!(column.column_type, ColumnType::Integer | ColumnType::Float))
        .collect();

    let mut lines = vec![render_line(&header, &widths, &right_aligned)];
    lines.push(
        widths
            .iter()
            .map(|width| "-".repeat(*width))
            .collect::<Vec<_>>()
            .join("-+-"),
    );
    lines.extend(
        cells
            .iter()
            .map(|row| render_line(row, &widths, &right_aligned)),
    );
    lines.push(footer(result_set, shown_rows.len()));
    lines.join("\n")
}

fn render_line(cells: &[String], widths: &[usize], right_aligned: &[bool]) -> String {
    let padded: Vec<String> = cells
        .iter()
        .enumerate()
        .map(|(column_idx, cell)| {
            let width = widths.get(column_idx).copied().unwrap_or(0);
            if right_aligned.get(column_idx).copied().unwrap_or(false) {
                format!("{cell:>width$}")
            } else {
                format!("{cell:<width$}")
            }
        })
        .collect();
    padded.join(" | ").trim_end().to_owned()
}

fn footer(result_set: &ResultSet, n_shown: usize) -> String {
    let n_rows = result_set.rows.len();
    let noun = if n_rows == 1 { "row" } else { "rows" };
    let mut footer = if n_shown < n_rows {
        format!("({n_rows} {noun}; showing the first {n_shown})")
    } else {
        format!("({n_rows} {noun})")
    };
    if result_set.truncated {
        let total = result_set
            .total_rows
            .map(|total_rows| format!(" of {total_rows}"))
            .unwrap_or_default();
        footer.push_str(&format!(
            "\nthe query produced more rows{total}; the result was truncated to {n_rows}"
        ));
    }
    footer
}

fn cell_text(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_owned(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use contracts::result::{ColumnType, ResultColumn, ResultSet};
    use serde_json::json;

    use super::render_table;

    fn result_set(n_rows: usize, truncated: bool) -> ResultSet {
        ResultSet {
            columns: vec![
                ResultColumn {
                    name: "name".to_owned(),
                    column_type: ColumnType::Text,
                },
                ResultColumn {
                    name: "rating".to_owned(),
                    column_type: ColumnType::Float,
                },
            ],
            rows: (0..n_rows)
                .map(|row_idx| vec![json!(format!("r{row_idx}")), json!(4.5)])
                .collect(),
            truncated,
            total_rows: truncated.then_some(5_000),
        }
    }

    #[test]
    fn columns_are_aligned_and_numbers_right_aligned() {
        let result_set = ResultSet {
            columns: vec![
                ResultColumn {
                    name: "name".to_owned(),
                    column_type: ColumnType::Text,
                },
                ResultColumn {
                    name: "n".to_owned(),
                    column_type: ColumnType::Integer,
                },
            ],
            rows: vec![
                vec![json!("The Pasta House"), json!(11)],
                vec![json!(null), json!(7)],
            ],
            truncated: false,
            total_rows: None,
        };

        let table = render_table(&result_set);

        assert_eq!(
            table,
            "name            |  n\n----------------+---\nThe Pasta House | 11\nNULL            |  7\n(2 rows)"
        );
    }

    #[test]
    fn more_than_twenty_rows_are_cut_and_the_footer_says_so() {
        let table = render_table(&result_set(25, false));

        assert_eq!(
            table.lines().filter(|line| line.starts_with('r')).count(),
            20
        );
        assert!(table.ends_with("(25 rows; showing the first 20)"));
    }

    #[test]
    fn a_truncated_result_is_reported() {
        let table = render_table(&result_set(3, true));

        assert!(
            table.contains("the query produced more rows of 5000; the result was truncated to 3")
        );
    }
}

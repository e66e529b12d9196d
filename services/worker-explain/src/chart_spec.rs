//! Chooses a Vega-Lite chart from the question and the result's shape.
//!
//! Invariant: the spec is data only (inline values, field names, mark type); no expressions
//! or code from the model are ever embedded.

use contracts::result::{ColumnType, ResultSet};
use serde_json::{Value, json};

/// Most rows drawn into a chart.
const MAX_CHART_ROWS: usize = 500;

/// A Vega-Lite v5 spec for the result, or `None` when a table says it better.
///
/// A line for a date or timestamp against a number, a bar for a category against a number,
/// a scatter for two numbers. Single values and text-only results get no chart unless the
/// question asked for one and the shape allows it.
pub fn choose_chart(
    question: &str,
    chart_requested: bool,
    result_set: &ResultSet,
) -> Option<Value> {
    let n_rows = result_set.rows.len();
    if n_rows < 2 && !chart_requested || n_rows == 0 {
        return None;
    }
    let columns = &result_set.columns;
    let first_numeric = columns
        .iter()
        .position(|column| is_numeric(column.column_type))?;
    let first_temporal = columns
        .iter()
        .position(|column| is_temporal(column.column_type));
    let first_text = columns
        .iter()
        .position(|column| column.column_type == ColumnType::Text);
    let second_numeric = columns.iter().enumerate().position(|(column_idx, column)| {
        column_idx != first_numeric && is_numeric(column.column_type)
    });

    let (mark, x_idx, x_type, y_idx) = if let Some(temporal_idx) = first_temporal {
        ("line", temporal_idx, "temporal", first_numeric)
    } else if let Some(text_idx) = first_text {
        ("bar", text_idx, "nominal", first_numeric)
    } else if let Some(other_numeric) = second_numeric {
        ("point", first_numeric, "quantitative", other_numeric)
    } else {
        return None;
    };
    if !chart_requested && mark == "bar" && n_rows > 50 {
        return None;
    }

    let x_field = &columns[x_idx].name;
    let y_field = &columns[y_idx].name;
    let values: Vec<Value> = result_set
        .rows
        .iter()
        .take(MAX_CHART_ROWS)
        .map(|row| json!({ x_field.as_str(): row[x_idx], y_field.as_str(): row[y_idx] }))
        .collect();
    let mut x_encoding =
        json!({ "field": x_field, "type": x_type, "title": x_field.replace('_', " ") });
    if mark == "bar" {
        x_encoding["sort"] = json!("-y");
    }
    Some(json!({
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": question,
        "data": { "values": values },
        "mark": { "type": mark, "tooltip": true },
        "encoding": {
            "x": x_encoding,
            "y": { "field": y_field, "type": "quantitative", "title": y_field.replace('_', " ") }
        }
    }))
}

fn is_numeric(column_type: ColumnType) -> bool {
    matches!(column_type, ColumnType::Integer | ColumnType::Float)
}

fn is_temporal(column_type: ColumnType) -> bool {
    matches!(column_type, ColumnType::Date | ColumnType::Timestamp)
}

#[cfg(test)]
mod tests {
    use contracts::result::ResultColumn;

    use super::*;

    fn result_set(columns: &[(&str, ColumnType)], rows: Vec<Vec<Value>>) -> ResultSet {
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
    fn a_category_against_a_number_is_a_bar_chart() {
        let rows = result_set(
            &[("city_name", ColumnType::Text), ("n", ColumnType::Integer)],
            vec![
                vec![json!("Miami"), json!(2)],
                vec![json!("Chicago"), json!(1)],
            ],
        );

        let spec = choose_chart("restaurants per city", false, &rows).unwrap();

        assert_eq!(spec["mark"]["type"], "bar");
        assert_eq!(spec["encoding"]["x"]["field"], "city_name");
        assert_eq!(spec["data"]["values"][0]["n"], 2);
    }

    #[test]
    fn a_date_against_a_number_is_a_line_chart() {
        let rows = result_set(
            &[("day", ColumnType::Date), ("total", ColumnType::Float)],
            vec![
                vec![json!("2024-01-01"), json!(1.5)],
                vec![json!("2024-01-02"), json!(2.5)],
            ],
        );

        assert_eq!(
            choose_chart("sales per day", false, &rows).unwrap()["mark"]["type"],
            "line"
        );
    }

    #[test]
    fn a_single_value_gets_no_chart() {
        let rows = result_set(&[("n", ColumnType::Integer)], vec![vec![json!(11)]]);

        assert_eq!(choose_chart("how many", false, &rows), None);
    }

    #[test]
    fn text_only_results_get_no_chart() {
        let rows = result_set(
            &[("name", ColumnType::Text)],
            vec![vec![json!("a")], vec![json!("b")]],
        );

        assert_eq!(choose_chart("list names", true, &rows), None);
    }
}

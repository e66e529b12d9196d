//! Turns `data.values` into what the marks draw: discrete categories with their values, or
//! continuous (number or instant) points, dropping data a chart cannot place.
//!
//! Invariant: every kept y value is finite, and every category appears once.

use std::cmp::Ordering;

use serde_json::Value;

use crate::chart_spec::{ChartSpec, FieldType, Mark, SortOrder};
use crate::linear_scale::format_data_number;
use crate::time_scale::{instant_label, instant_of};

/// The data of one chart, shaped for its x axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PlotData {
    /// Categories in axis order; bars sum the values of a category (Vega-Lite stacks them).
    Discrete(Vec<Category>),
    /// Points on a continuous x, sorted by x.
    Continuous {
        points: Vec<ContinuousPoint>,
        temporal: bool,
    },
}

/// One category of a discrete axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Category {
    pub(crate) label: String,
    /// Every y value of the category, in data order.
    pub(crate) values: Vec<f64>,
    sort_key: SortKey,
}

impl Category {
    /// Sum of the category's values: the height of its stacked bar.
    pub(crate) fn total(&self) -> f64 {
        self.values.iter().sum()
    }
}

/// One point on a continuous x axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ContinuousPoint {
    /// A number, or UTC milliseconds for a temporal axis.
    pub(crate) x: f64,
    pub(crate) y: f64,
    /// The x value as a reader would write it.
    pub(crate) x_label: String,
}

#[derive(Debug, Clone, PartialEq)]
enum SortKey {
    Number(f64),
    Text(String),
}

/// Shapes the spec's values for drawing.
pub(crate) fn plot_data(chart_spec: &ChartSpec<'_>) -> PlotData {
    let is_discrete = chart_spec.mark == Mark::Bar
        || matches!(
            chart_spec.x.field_type,
            FieldType::Nominal | FieldType::Ordinal
        );
    let rows = chart_spec.values.iter().filter_map(|datum| {
        let x_value = chart_spec.x.value_of(datum).unwrap_or(&Value::Null);
        let y_value = number_of(chart_spec.y.value_of(datum)?)?;
        Some((x_value, y_value))
    });
    if is_discrete {
        let categories = discrete_categories(chart_spec, rows);
        return PlotData::Discrete(categories);
    }
    let temporal = chart_spec.x.field_type == FieldType::Temporal;
    let mut points: Vec<ContinuousPoint> = rows
        .filter_map(|(x_value, y)| {
            if temporal {
                let instant = instant_of(x_value)?;
                Some(ContinuousPoint {
                    x: instant as f64,
                    y,
                    x_label: instant_label(instant),
                })
            } else {
                let x = number_of(x_value)?;
                Some(ContinuousPoint {
                    x,
                    y,
                    x_label: format_data_number(x),
                })
            }
        })
        .collect();
    points.sort_by(|left, right| left.x.total_cmp(&right.x));
    PlotData::Continuous { points, temporal }
}

/// A finite number from a JSON number or numeric text.
pub(crate) fn number_of(value: &Value) -> Option<f64> {
    let number = match value {
        Value::Number(number) => number.as_f64()?,
        Value::String(text) => text.trim().parse().ok()?,
        _ => return None,
    };
    number.is_finite().then_some(number)
}

fn discrete_categories<'v>(
    chart_spec: &ChartSpec<'_>,
    rows: impl Iterator<Item = (&'v Value, f64)>,
) -> Vec<Category> {
    let mut categories: Vec<Category> = Vec::new();
    for (x_value, y) in rows {
        let (label, sort_key) = category_of(chart_spec.x.field_type, x_value);
        match categories
            .iter_mut()
            .find(|category| category.label == label)
        {
            Some(category) => category.values.push(y),
            None => categories.push(Category {
                label,
                values: vec![y],
                sort_key,
            }),
        }
    }
    match &chart_spec.x.sort {
        SortOrder::Ascending => {
            categories.sort_by(|left, right| compare_keys(&left.sort_key, &right.sort_key))
        }
        SortOrder::Descending => {
            categories.sort_by(|left, right| compare_keys(&right.sort_key, &left.sort_key))
        }
        SortOrder::ByValueAscending => {
            categories.sort_by(|left, right| left.total().total_cmp(&right.total()))
        }
        SortOrder::ByValueDescending => {
            categories.sort_by(|left, right| right.total().total_cmp(&left.total()))
        }
        SortOrder::DataOrder => {}
        SortOrder::Explicit(order) => categories.sort_by(|left, right| {
            let left_idx = order.iter().position(|label| *label == left.label);
            let right_idx = order.iter().position(|label| *label == right.label);
            match (left_idx, right_idx) {
                (Some(left_idx), Some(right_idx)) => left_idx.cmp(&right_idx),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => compare_keys(&left.sort_key, &right.sort_key),
            }
        }),
    }
    categories
}

fn category_of(field_type: FieldType, x_value: &Value) -> (String, SortKey) {
    if field_type == FieldType::Temporal
        && let Some(instant) = instant_of(x_value)
    {
        return (instant_label(instant), SortKey::Number(instant as f64));
    }
    match x_value {
        Value::String(text) => (text.clone(), SortKey::Text(text.clone())),
        Value::Number(_) => {
            let number = number_of(x_value).unwrap_or_default();
            (format_data_number(number), SortKey::Number(number))
        }
        other => (other.to_string(), SortKey::Text(other.to_string())),
    }
}

/// Numbers before text; numbers by value, text by code point.
fn compare_keys(left: &SortKey, right: &SortKey) -> Ordering {
    match (left, right) {
        (SortKey::Number(left), SortKey::Number(right)) => left.total_cmp(right),
        (SortKey::Number(_), SortKey::Text(_)) => Ordering::Less,
        (SortKey::Text(_), SortKey::Number(_)) => Ordering::Greater,
        (SortKey::Text(left), SortKey::Text(right)) => left.cmp(right),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::chart_spec::read_chart_spec;

    fn bar_spec(sort: Value, values: Value) -> Value {
        json!({
            "mark": "bar",
            "data": { "values": values },
            "encoding": {
                "x": { "field": "city", "type": "nominal", "sort": sort },
                "y": { "field": "n", "type": "quantitative" }
            }
        })
    }

    fn labels(plot_data: &PlotData) -> Vec<String> {
        match plot_data {
            PlotData::Discrete(categories) => categories
                .iter()
                .map(|category| category.label.clone())
                .collect(),
            PlotData::Continuous { points, .. } => {
                points.iter().map(|point| point.x_label.clone()).collect()
            }
        }
    }

    #[test]
    fn bars_sorted_by_descending_value_put_the_largest_first() {
        let spec = bar_spec(
            json!("-y"),
            json!([{ "city": "Miami", "n": 2 }, { "city": "Austin", "n": 5 }, { "city": "Boston", "n": 3 }]),
        );

        let plot_data = plot_data(&read_chart_spec(&spec).unwrap());

        assert_eq!(labels(&plot_data), ["Austin", "Boston", "Miami"]);
    }

    #[test]
    fn rows_of_the_same_category_are_stacked_into_one_bar() {
        let spec = bar_spec(
            json!("-y"),
            json!([{ "city": "Miami", "n": 2 }, { "city": "Austin", "n": 3 }, { "city": "Miami", "n": 2 }]),
        );

        let PlotData::Discrete(categories) = plot_data(&read_chart_spec(&spec).unwrap()) else {
            panic!("a bar chart has discrete categories");
        };

        assert_eq!(categories[0].label, "Miami");
        assert_eq!(categories[0].total(), 4.0);
    }

    #[test]
    fn values_that_are_not_numbers_are_dropped() {
        let spec = bar_spec(
            json!(null),
            json!([{ "city": "Miami", "n": null }, { "city": "Austin", "n": "7.5" }, { "n": 1 }, "junk"]),
        );

        let plot_data = plot_data(&read_chart_spec(&spec).unwrap());

        assert_eq!(labels(&plot_data), ["Austin", "null"]);
    }

    #[test]
    fn a_line_over_dates_is_sorted_by_time() {
        let spec = json!({
            "mark": "line",
            "data": { "values": [{ "day": "2024-01-03", "v": 1 }, { "day": "2024-01-01", "v": 2 }, { "day": "garbage", "v": 3 }] },
            "encoding": {
                "x": { "field": "day", "type": "temporal" },
                "y": { "field": "v", "type": "quantitative" }
            }
        });

        let plot_data = plot_data(&read_chart_spec(&spec).unwrap());

        assert_eq!(labels(&plot_data), ["2024-01-01", "2024-01-03"]);
    }
}

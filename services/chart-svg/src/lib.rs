//! Renders the Vega-Lite subset the server produces (a bar, line or point mark; `x` and `y`
//! field encodings; inline `data.values`) as a standalone SVG document with axes, grid, axis
//! titles and a native tooltip on every mark, for API users who want a picture, not a spec.
//!
//! Invariant: never performs IO and never executes or embeds anything from the spec but
//! escaped text and numbers; the output holds no script, style sheet or external reference.

mod chart_spec;
mod linear_scale;
mod plot_data;
mod svg_render;
mod svg_text;
mod time_scale;

use std::fmt;

use serde_json::Value;

/// Why a spec cannot be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartSvgError {
    /// The spec is not a JSON object.
    NotAnObject,
    /// The mark is not `bar`, `line` or `point`.
    UnsupportedMark(String),
    /// The `x` or `y` encoding, or its `field`, is missing.
    MissingEncoding(&'static str),
    /// A channel's `type` is unknown, or `y` is not quantitative.
    UnsupportedFieldType {
        /// `x` or `y`.
        channel: &'static str,
        /// The type the spec gave.
        field_type: String,
    },
    /// The data is not inline (`data.values`).
    MissingInlineData,
}

impl fmt::Display for ChartSvgError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChartSvgError::NotAnObject => write!(formatter, "the chart spec is not a JSON object"),
            ChartSvgError::UnsupportedMark(mark) => {
                write!(
                    formatter,
                    "mark '{mark}' cannot be drawn (bar, line and point can)"
                )
            }
            ChartSvgError::MissingEncoding(channel) => {
                write!(
                    formatter,
                    "the chart spec has no field encoded on '{channel}'"
                )
            }
            ChartSvgError::UnsupportedFieldType {
                channel,
                field_type,
            } => {
                write!(
                    formatter,
                    "type '{field_type}' on '{channel}' cannot be drawn"
                )
            }
            ChartSvgError::MissingInlineData => {
                write!(formatter, "the chart spec has no inline data.values")
            }
        }
    }
}

impl std::error::Error for ChartSvgError {}

/// The SVG document (UTF-8 text, `image/svg+xml`) drawing `spec`.
///
/// Values a chart cannot place (nulls, text on a numeric axis, unparseable dates) are left
/// out, as Vega-Lite leaves them out; an empty result draws axes and says "No data to draw".
pub fn render_svg(spec: &Value) -> Result<String, ChartSvgError> {
    let chart_spec = chart_spec::read_chart_spec(spec)?;
    let plot_data = plot_data::plot_data(&chart_spec);
    Ok(svg_render::render(&chart_spec, &plot_data))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Checks that every tag closes in order and no text holds a raw `<` or a stray `&`.
    fn assert_well_formed(svg: &str) {
        let mut open_tags: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(tag_start) = rest.find('<') {
            let text = &rest[..tag_start];
            assert!(
                text.split('&')
                    .skip(1)
                    .all(|after| after.starts_with("amp;")
                        || after.starts_with("lt;")
                        || after.starts_with("gt;")
                        || after.starts_with("quot;")
                        || after.starts_with("#39;")),
                "unescaped & in {text:?}"
            );
            let tag_end = rest[tag_start..].find('>').unwrap() + tag_start;
            let tag = &rest[tag_start + 1..tag_end];
            assert!(!tag.contains('<'), "raw < inside tag {tag:?}");
            let quotes = tag.matches('"').count();
            assert_eq!(quotes % 2, 0, "unbalanced quotes in {tag:?}");
            if let Some(closing) = tag.strip_prefix('/') {
                assert_eq!(open_tags.pop().as_deref(), Some(closing));
            } else if !tag.ends_with('/') {
                open_tags.push(tag.split_whitespace().next().unwrap().to_owned());
            }
            rest = &rest[tag_end + 1..];
        }
        assert!(open_tags.is_empty(), "unclosed tags: {open_tags:?}");
    }

    fn server_bar_spec() -> Value {
        json!({
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "description": "How many restaurants are there in each city?",
            "data": { "values": [
                { "city_name": "New York", "number_of_restaurant": 3 },
                { "city_name": "San Francisco", "number_of_restaurant": 3 },
                { "city_name": "Miami", "number_of_restaurant": 2 },
                { "city_name": "Los Angeles", "number_of_restaurant": 4 }
            ] },
            "mark": { "type": "bar", "tooltip": true },
            "encoding": {
                "x": { "field": "city_name", "type": "nominal", "title": "city name", "sort": "-y" },
                "y": { "field": "number_of_restaurant", "type": "quantitative", "title": "number of restaurant" }
            }
        })
    }

    #[test]
    fn a_bar_chart_draws_one_bar_per_category_with_axes_and_titles() {
        let svg = render_svg(&server_bar_spec()).unwrap();

        assert_well_formed(&svg);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert_eq!(svg.matches("<rect x=").count(), 4);
        assert!(svg.contains(">city name</text>"));
        assert!(svg.contains(">number of restaurant</text>"));
        assert!(svg.contains("<title>city name: Los Angeles, number of restaurant: 4</title>"));
        assert!(svg.contains("aria-label=\"How many restaurants are there in each city?\""));
        let los_angeles = svg.find("Los Angeles</text>").unwrap();
        let miami = svg.find("Miami</text>").unwrap();
        assert!(los_angeles < miami, "bars are sorted by descending value");
    }

    #[test]
    fn a_line_chart_over_dates_draws_one_path_and_date_ticks() {
        let spec = json!({
            "description": "shares per day",
            "data": { "values": [
                { "day": "2023-04-03", "shares": 100.0 },
                { "day": "2023-04-01", "shares": 50.0 },
                { "day": "2023-04-02", "shares": 10.5 }
            ] },
            "mark": { "type": "line", "tooltip": true },
            "encoding": {
                "x": { "field": "day", "type": "temporal", "title": "day" },
                "y": { "field": "shares", "type": "quantitative", "title": "shares" }
            }
        });

        let svg = render_svg(&spec).unwrap();

        assert_well_formed(&svg);
        assert_eq!(svg.matches("<path d=\"M").count(), 1);
        assert!(svg.contains(">Apr 02</text>"));
        assert!(svg.contains(">100</text>"), "the y axis reaches 100: {svg}");
    }

    #[test]
    fn a_scatter_plot_draws_one_circle_per_row() {
        let spec = json!({
            "data": { "values": [{ "a": 1, "b": 2 }, { "a": 2.5, "b": -1 }, { "a": 3, "b": null }] },
            "mark": "point",
            "encoding": {
                "x": { "field": "a", "type": "quantitative" },
                "y": { "field": "b", "type": "quantitative" }
            }
        });

        let svg = render_svg(&spec).unwrap();

        assert_well_formed(&svg);
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(
            svg.contains(">−1.0</text>"),
            "negative values extend the y axis: {svg}"
        );
    }

    #[test]
    fn hostile_text_in_fields_values_and_titles_is_escaped() {
        let spec = json!({
            "title": "</svg><script>alert(1)</script>",
            "description": "\"><foreignObject>",
            "data": { "values": [
                { "<b>&x": "<img src=x onerror=alert(1)>", "y'\"": 1 },
                { "<b>&x": "a & b\u{0}", "y'\"": 2 }
            ] },
            "mark": "bar",
            "encoding": {
                "x": { "field": "<b>&x", "type": "nominal" },
                "y": { "field": "y'\"", "type": "quantitative" }
            }
        });

        let svg = render_svg(&spec).unwrap();

        assert_well_formed(&svg);
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("<img"));
        assert!(!svg.contains("<foreignObject"));
        assert!(!svg.contains('\u{0}'));
        assert!(svg.contains("&lt;/svg&gt;&lt;script&gt;"));
    }

    #[test]
    fn many_long_categories_get_rotated_thinned_labels() {
        let values: Vec<Value> = (0..200)
            .map(|category_idx| json!({ "name": format!("a rather long category name {category_idx}"), "n": category_idx }))
            .collect();
        let spec = json!({
            "data": { "values": values },
            "mark": "bar",
            "encoding": {
                "x": { "field": "name", "type": "nominal" },
                "y": { "field": "n", "type": "quantitative" }
            }
        });

        let svg = render_svg(&spec).unwrap();

        assert_well_formed(&svg);
        assert_eq!(svg.matches("<rect x=").count(), 200);
        assert!(svg.contains("rotate(-45)"));
        let n_labels = svg.matches("text-anchor=\"end\" font-size=\"11\"").count();
        assert!(n_labels < 60, "labels are thinned out, drew {n_labels}");
    }

    #[test]
    fn no_drawable_values_still_draw_axes_and_say_so() {
        let spec = json!({
            "data": { "values": [{ "x": "a", "y": "not a number" }] },
            "mark": "bar",
            "encoding": {
                "x": { "field": "x", "type": "nominal" },
                "y": { "field": "y", "type": "quantitative" }
            }
        });

        let svg = render_svg(&spec).unwrap();

        assert_well_formed(&svg);
        assert!(svg.contains("No data to draw"));
    }

    #[test]
    fn an_unsupported_spec_says_why() {
        let error = render_svg(&json!({ "mark": "arc" })).unwrap_err();

        assert_eq!(
            error.to_string(),
            "mark 'arc' cannot be drawn (bar, line and point can)"
        );
    }
}

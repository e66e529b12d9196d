//! Reads the Vega-Lite subset the server produces: one `mark` (bar, line or point), `x` and `y`
//! field encodings with their types, titles and sort, and inline `data.values`.
//!
//! Invariant: reading never fails on a value inside `data.values`; only the shape of the spec
//! itself (mark, encodings, data) can be refused.

use serde_json::Value;

use crate::ChartSvgError;

/// Width of the drawing when the spec sets none, in pixels.
const DEFAULT_WIDTH: f64 = 640.0;
/// Height of the drawing when the spec sets none, in pixels.
const DEFAULT_HEIGHT: f64 = 400.0;

/// The parts of a spec the renderer draws.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChartSpec<'a> {
    pub(crate) mark: Mark,
    pub(crate) x: Channel,
    pub(crate) y: Channel,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) values: &'a [Value],
    /// Total width of the SVG in pixels.
    pub(crate) width: f64,
    /// Total height of the SVG in pixels.
    pub(crate) height: f64,
}

/// Mark types the renderer draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    Bar,
    Line,
    Point,
}

/// Vega-Lite measurement types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldType {
    Quantitative,
    Temporal,
    Nominal,
    Ordinal,
}

/// Order of the categories of a discrete axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SortOrder {
    /// By the category itself, ascending (Vega-Lite's default).
    Ascending,
    /// By the category itself, descending.
    Descending,
    /// By the other channel's value, ascending (`"y"`).
    ByValueAscending,
    /// By the other channel's value, descending (`"-y"`).
    ByValueDescending,
    /// In the order of the data (`null`).
    DataOrder,
    /// The listed categories first, in this order, then the rest ascending.
    Explicit(Vec<String>),
}

/// One positional encoding.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Channel {
    pub(crate) field: String,
    pub(crate) field_type: FieldType,
    pub(crate) title: String,
    pub(crate) sort: SortOrder,
}

impl Channel {
    /// The field's value in one datum: the exact key, else the key with Vega-Lite's
    /// backslash escapes removed.
    pub(crate) fn value_of<'v>(&self, datum: &'v Value) -> Option<&'v Value> {
        let object = datum.as_object()?;
        object.get(&self.field).or_else(|| {
            let unescaped = self.field.replace('\\', "");
            object.get(&unescaped)
        })
    }
}

/// Reads `spec` into the subset, or says which part is outside it.
pub(crate) fn read_chart_spec(spec: &Value) -> Result<ChartSpec<'_>, ChartSvgError> {
    let spec_object = spec.as_object().ok_or(ChartSvgError::NotAnObject)?;
    let mark = read_mark(spec_object.get("mark"))?;
    let encoding = spec_object.get("encoding");
    let x = read_channel(encoding, "x")?;
    let y = read_channel(encoding, "y")?;
    if y.field_type != FieldType::Quantitative {
        return Err(ChartSvgError::UnsupportedFieldType {
            channel: "y",
            field_type: field_type_name(y.field_type).to_owned(),
        });
    }
    let values = spec_object
        .get("data")
        .and_then(|data| data.get("values"))
        .and_then(Value::as_array)
        .ok_or(ChartSvgError::MissingInlineData)?;
    Ok(ChartSpec {
        mark,
        x,
        y,
        title: read_title(spec_object.get("title")),
        description: spec_object
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        values,
        width: read_size(spec_object.get("width"), DEFAULT_WIDTH),
        height: read_size(spec_object.get("height"), DEFAULT_HEIGHT),
    })
}

fn read_mark(mark: Option<&Value>) -> Result<Mark, ChartSvgError> {
    let mark_type = match mark {
        Some(Value::String(mark_type)) => mark_type.as_str(),
        Some(Value::Object(mark_object)) => mark_object
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default(),
        _ => "",
    };
    match mark_type {
        "bar" => Ok(Mark::Bar),
        "line" => Ok(Mark::Line),
        "point" | "circle" => Ok(Mark::Point),
        other => Err(ChartSvgError::UnsupportedMark(other.to_owned())),
    }
}

fn read_channel(encoding: Option<&Value>, name: &'static str) -> Result<Channel, ChartSvgError> {
    let channel = encoding
        .and_then(|encoding| encoding.get(name))
        .and_then(Value::as_object)
        .ok_or(ChartSvgError::MissingEncoding(name))?;
    let field = channel
        .get("field")
        .and_then(Value::as_str)
        .ok_or(ChartSvgError::MissingEncoding(name))?
        .to_owned();
    let field_type = match channel.get("type").and_then(Value::as_str) {
        Some("quantitative") => FieldType::Quantitative,
        Some("temporal") => FieldType::Temporal,
        Some("nominal") => FieldType::Nominal,
        Some("ordinal") => FieldType::Ordinal,
        other => {
            return Err(ChartSvgError::UnsupportedFieldType {
                channel: name,
                field_type: other.unwrap_or("(none)").to_owned(),
            });
        }
    };
    let title = match channel.get("title") {
        Some(Value::String(title)) => title.clone(),
        _ => field.clone(),
    };
    Ok(Channel {
        field,
        field_type,
        title,
        sort: read_sort(channel.get("sort")),
    })
}

fn read_sort(sort: Option<&Value>) -> SortOrder {
    match sort {
        None => SortOrder::Ascending,
        Some(Value::Null) => SortOrder::DataOrder,
        Some(Value::String(order)) => match order.as_str() {
            "descending" | "-x" => SortOrder::Descending,
            "y" => SortOrder::ByValueAscending,
            "-y" => SortOrder::ByValueDescending,
            _ => SortOrder::Ascending,
        },
        Some(Value::Array(categories)) => SortOrder::Explicit(
            categories
                .iter()
                .map(|category| match category {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect(),
        ),
        Some(_) => SortOrder::Ascending,
    }
}

fn read_title(title: Option<&Value>) -> Option<String> {
    match title? {
        Value::String(text) => Some(text.clone()),
        Value::Object(title_object) => title_object
            .get("text")
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    }
}

/// A usable size from the spec: a number between 100 and 4,000 pixels, else `default`.
fn read_size(size: Option<&Value>, default: f64) -> f64 {
    size.and_then(Value::as_f64)
        .filter(|pixels| (100.0..=4_000.0).contains(pixels))
        .unwrap_or(default)
}

fn field_type_name(field_type: FieldType) -> &'static str {
    match field_type {
        FieldType::Quantitative => "quantitative",
        FieldType::Temporal => "temporal",
        FieldType::Nominal => "nominal",
        FieldType::Ordinal => "ordinal",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_servers_bar_spec_is_read() {
        let spec = json!({
            "description": "restaurants per city",
            "data": { "values": [{ "city": "Miami", "n": 2 }] },
            "mark": { "type": "bar", "tooltip": true },
            "encoding": {
                "x": { "field": "city", "type": "nominal", "title": "city", "sort": "-y" },
                "y": { "field": "n", "type": "quantitative", "title": "n" }
            }
        });

        let chart_spec = read_chart_spec(&spec).unwrap();

        assert_eq!(chart_spec.mark, Mark::Bar);
        assert_eq!(chart_spec.x.sort, SortOrder::ByValueDescending);
        assert_eq!(chart_spec.y.field_type, FieldType::Quantitative);
        assert_eq!(chart_spec.values.len(), 1);
        assert_eq!(chart_spec.width, DEFAULT_WIDTH);
    }

    #[test]
    fn an_area_mark_is_refused() {
        let spec = json!({ "mark": "area", "encoding": {}, "data": { "values": [] } });

        assert_eq!(
            read_chart_spec(&spec),
            Err(ChartSvgError::UnsupportedMark("area".to_owned()))
        );
    }

    #[test]
    fn a_spec_without_inline_values_is_refused() {
        let spec = json!({
            "mark": "point",
            "data": { "url": "https://example.com/data.csv" },
            "encoding": {
                "x": { "field": "a", "type": "quantitative" },
                "y": { "field": "b", "type": "quantitative" }
            }
        });

        assert_eq!(
            read_chart_spec(&spec),
            Err(ChartSvgError::MissingInlineData)
        );
    }

    #[test]
    fn a_nominal_y_is_refused() {
        let spec = json!({
            "mark": "bar",
            "data": { "values": [] },
            "encoding": {
                "x": { "field": "a", "type": "quantitative" },
                "y": { "field": "b", "type": "nominal" }
            }
        });

        assert_eq!(
            read_chart_spec(&spec),
            Err(ChartSvgError::UnsupportedFieldType {
                channel: "y",
                field_type: "nominal".to_owned()
            })
        );
    }

    #[test]
    fn an_escaped_field_name_finds_its_value() {
        let channel = Channel {
            field: "a\\.b".to_owned(),
            field_type: FieldType::Quantitative,
            title: "a.b".to_owned(),
            sort: SortOrder::Ascending,
        };

        assert_eq!(channel.value_of(&json!({ "a.b": 3 })), Some(&json!(3)));
    }
}

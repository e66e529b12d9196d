//! Conversion of Athena's result cells, which all arrive as text, to the engine-independent
//! result types: a [`ColumnType`] per `ColumnInfo.Type` and a JSON value per cell.
//!
//! Invariant: numbers stay JSON numbers, a missing value stays `null`, dates are `YYYY-MM-DD`
//! and timestamps ISO-8601; a cell that does not parse as its type is kept as text, never lost.

use serde_json::{Number, Value};

use contracts::result::ColumnType;

/// Logical result type of an Athena (Trino) type name such as `bigint`, `decimal(10,2)` or
/// `timestamp(3) with time zone`.
pub(crate) fn column_type_of(athena_type: &str) -> ColumnType {
    match base_type_name(athena_type).as_str() {
        "tinyint" | "smallint" | "integer" | "int" | "bigint" => ColumnType::Integer,
        "float" | "real" | "double" | "decimal" => ColumnType::Float,
        "boolean" => ColumnType::Boolean,
        "date" => ColumnType::Date,
        "timestamp" | "timestamp with time zone" => ColumnType::Timestamp,
        "varchar" | "char" | "string" => ColumnType::Text,
        _ => ColumnType::Other,
    }
}

/// JSON value of one cell; `None` is a cell without `VarCharValue`, which is SQL NULL.
pub(crate) fn json_value(column_type: ColumnType, cell: Option<&str>) -> Value {
    let Some(text) = cell else {
        return Value::Null;
    };
    let typed = match column_type {
        ColumnType::Integer => integer_value(text),
        ColumnType::Float => text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number),
        ColumnType::Boolean => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        ColumnType::Timestamp => Some(Value::String(iso_timestamp(text))),
        ColumnType::Date | ColumnType::Text | ColumnType::Other => None,
    };
    typed.unwrap_or_else(|| Value::String(text.to_owned()))
}

/// The type name in lower case without its parameters: `timestamp(3) with time zone` becomes
/// `timestamp with time zone`.
fn base_type_name(athena_type: &str) -> String {
    let mut base = String::with_capacity(athena_type.len());
    let mut depth = 0_usize;
    for character in athena_type.chars() {
        match character {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => base.push(character.to_ascii_lowercase()),
            _ => {}
        }
    }
    base.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A whole number, as `i64` when it fits and `u64` otherwise.
fn integer_value(text: &str) -> Option<Value> {
    text.parse::<i64>()
        .map(Value::from)
        .or_else(|_| text.parse::<u64>().map(Value::from))
        .ok()
}

/// ISO-8601 form of Athena's `2024-01-02 03:04:05.000` (optionally followed by a zone: `UTC`
/// becomes `Z`, an offset is appended, a region name is appended in brackets).
fn iso_timestamp(text: &str) -> String {
    let Some((date, rest)) = text.split_once(' ') else {
        return text.to_owned();
    };
    match rest.split_once(' ') {
        None => format!("{date}T{rest}"),
        Some((time, "UTC" | "Z")) => format!("{date}T{time}Z"),
        Some((time, zone)) if zone.starts_with(['+', '-']) => format!("{date}T{time}{zone}"),
        Some((time, zone)) => format!("{date}T{time}[{zone}]"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn athena_type_names_map_to_logical_types() {
        let cases = [
            ("tinyint", ColumnType::Integer),
            ("BIGINT", ColumnType::Integer),
            ("double", ColumnType::Float),
            ("decimal(10,2)", ColumnType::Float),
            ("boolean", ColumnType::Boolean),
            ("date", ColumnType::Date),
            ("timestamp(3)", ColumnType::Timestamp),
            ("timestamp(3) with time zone", ColumnType::Timestamp),
            ("varchar(20)", ColumnType::Text),
            ("array(varchar)", ColumnType::Other),
            ("time", ColumnType::Other),
        ];

        for (athena_type, expected) in cases {
            assert_eq!(column_type_of(athena_type), expected, "{athena_type}");
        }
    }

    #[test]
    fn cells_keep_their_type_and_a_missing_value_is_null() {
        assert_eq!(json_value(ColumnType::Integer, Some("-42")), json!(-42));
        assert_eq!(
            json_value(ColumnType::Integer, Some("18446744073709551615")),
            json!(18_446_744_073_709_551_615_u64)
        );
        assert_eq!(json_value(ColumnType::Float, Some("2.5")), json!(2.5));
        assert_eq!(json_value(ColumnType::Boolean, Some("false")), json!(false));
        assert_eq!(
            json_value(ColumnType::Date, Some("2024-01-02")),
            json!("2024-01-02")
        );
        assert_eq!(json_value(ColumnType::Text, Some("42")), json!("42"));
        assert_eq!(json_value(ColumnType::Integer, None), Value::Null);
    }

    #[test]
    fn a_cell_that_does_not_parse_stays_text() {
        assert_eq!(json_value(ColumnType::Float, Some("NaN")), json!("NaN"));
        assert_eq!(json_value(ColumnType::Integer, Some("n/a")), json!("n/a"));
    }

    #[test]
    fn athena_timestamps_become_iso_8601() {
        let cases = [
            ("2024-01-02 03:04:05.000", "2024-01-02T03:04:05.000"),
            ("2024-01-02 03:04:05.000 UTC", "2024-01-02T03:04:05.000Z"),
            (
                "2024-01-02 03:04:05.000 +01:00",
                "2024-01-02T03:04:05.000+01:00",
            ),
            (
                "2024-01-02 03:04:05.000 Europe/Berlin",
                "2024-01-02T03:04:05.000[Europe/Berlin]",
            ),
        ];

        for (athena_text, expected) in cases {
            assert_eq!(
                json_value(ColumnType::Timestamp, Some(athena_text)),
                json!(expected)
            );
        }
    }
}

//! Conversion of PostgreSQL result columns to the engine-independent result types: a
//! [`ColumnType`] per column and a JSON value per cell, decoded from the binary wire format.
//!
//! Invariant: numbers stay JSON numbers, NULL stays `null`, dates are `YYYY-MM-DD` and
//! timestamps ISO-8601; a type without a decoder here is never decoded, it is cast to text by
//! the query instead (see `portal_fetch`).

use std::error::Error;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde_json::Value;
use tokio_postgres::Row;
use tokio_postgres::types::{FromSql, Kind, Type};

use contracts::result::ColumnType;

use crate::numeric_text::NumericText;

/// How a decoder failure is reported.
type DecodeError = Box<dyn Error + Sync + Send>;

/// The logical type of a column this module can decode, or `None` when the column must be
/// cast to text.
pub(crate) fn decodable_column_type(ty: &Type) -> Option<ColumnType> {
    let is = |candidates: &[Type]| candidates.contains(ty);
    if is(&[Type::INT2, Type::INT4, Type::INT8, Type::OID]) {
        Some(ColumnType::Integer)
    } else if is(&[Type::FLOAT4, Type::FLOAT8, Type::NUMERIC]) {
        Some(ColumnType::Float)
    } else if is(&[Type::BOOL]) {
        Some(ColumnType::Boolean)
    } else if is(&[
        Type::TEXT,
        Type::VARCHAR,
        Type::BPCHAR,
        Type::NAME,
        Type::UNKNOWN,
        Type::UUID,
    ]) {
        Some(ColumnType::Text)
    } else if is(&[Type::DATE]) {
        Some(ColumnType::Date)
    } else if is(&[Type::TIMESTAMP, Type::TIMESTAMPTZ]) {
        Some(ColumnType::Timestamp)
    } else if is(&[Type::JSON, Type::JSONB]) {
        // JSON values stay JSON; the logical type has no closer match than `Other`.
        Some(ColumnType::Other)
    } else {
        None
    }
}

/// The logical type of a column that the query casts to text: enums and `citext` are text,
/// everything else (intervals, arrays, ranges, geometry, ...) is `Other`.
pub(crate) fn text_cast_column_type(ty: &Type) -> ColumnType {
    if matches!(ty.kind(), Kind::Enum(_)) || ty.name() == "citext" {
        ColumnType::Text
    } else {
        ColumnType::Other
    }
}

/// The JSON value of one cell whose column has type `ty`.
pub(crate) fn json_value(row: &Row, column_idx: usize, ty: &Type) -> Result<Value, DecodeError> {
    let Some(RawCell(raw)) = row.try_get::<_, Option<RawCell<'_>>>(column_idx)? else {
        return Ok(Value::Null);
    };
    let value = if *ty == Type::INT2 {
        Value::from(i16::from_sql(ty, raw)?)
    } else if *ty == Type::INT4 {
        Value::from(i32::from_sql(ty, raw)?)
    } else if *ty == Type::INT8 {
        Value::from(i64::from_sql(ty, raw)?)
    } else if *ty == Type::OID {
        Value::from(u32::from_sql(ty, raw)?)
    } else if *ty == Type::FLOAT4 {
        // Through the shortest decimal text, so that 3.8 stays 3.8 and not 3.799999952316284.
        float_value(f32::from_sql(ty, raw)?.to_string().parse::<f64>()?)
    } else if *ty == Type::FLOAT8 {
        float_value(f64::from_sql(ty, raw)?)
    } else if *ty == Type::NUMERIC {
        NumericText::from_sql(ty, raw)?.into_json()
    } else if *ty == Type::BOOL {
        Value::from(bool::from_sql(ty, raw)?)
    } else if *ty == Type::UUID {
        Value::from(uuid::Uuid::from_sql(ty, raw)?.to_string())
    } else if *ty == Type::DATE {
        Value::from(date_text(i32::from_sql(&Type::INT4, raw)?))
    } else if *ty == Type::TIMESTAMP || *ty == Type::TIMESTAMPTZ {
        let with_zone = *ty == Type::TIMESTAMPTZ;
        Value::from(timestamp_text(i64::from_sql(&Type::INT8, raw)?, with_zone))
    } else if *ty == Type::JSON || *ty == Type::JSONB {
        Value::from_sql(ty, raw)?
    } else {
        // Text, varchar, bpchar, name, unknown and every column cast to text by the query.
        Value::from(<&str>::from_sql(&Type::TEXT, raw)?)
    };
    Ok(value)
}

/// The raw wire bytes of a cell of any type.
struct RawCell<'a>(&'a [u8]);

impl<'a> FromSql<'a> for RawCell<'a> {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, DecodeError> {
        Ok(RawCell(raw))
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}

/// A JSON number, or `null` for NaN and infinities, which JSON cannot hold.
fn float_value(number: f64) -> Value {
    serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
}

/// `YYYY-MM-DD` of a date stored as days since 2000-01-01; `infinity` / `-infinity` as such.
fn date_text(days_since_2000: i32) -> String {
    match days_since_2000 {
        i32::MAX => "infinity".to_owned(),
        i32::MIN => "-infinity".to_owned(),
        days => postgres_epoch()
            .date()
            .checked_add_signed(Duration::days(i64::from(days)))
            .map_or_else(
                || days.to_string(),
                |date| date.format("%Y-%m-%d").to_string(),
            ),
    }
}

/// ISO-8601 of a timestamp stored as microseconds since 2000-01-01 00:00:00 (UTC when
/// `with_zone`, which adds a `Z`); `infinity` / `-infinity` as such.
fn timestamp_text(micros_since_2000: i64, with_zone: bool) -> String {
    match micros_since_2000 {
        i64::MAX => "infinity".to_owned(),
        i64::MIN => "-infinity".to_owned(),
        micros => {
            let Some(instant) = postgres_epoch().checked_add_signed(Duration::microseconds(micros))
            else {
                return micros.to_string();
            };
            if with_zone {
                DateTime::<Utc>::from_naive_utc_and_offset(instant, Utc)
                    .to_rfc3339_opts(SecondsFormat::AutoSi, true)
            } else {
                instant.format("%Y-%m-%dT%H:%M:%S%.f").to_string()
            }
        }
    }
}

/// 2000-01-01 00:00:00, the origin of PostgreSQL's dates and timestamps.
fn postgres_epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .expect("2000-01-01 00:00:00 is a valid date and time")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days_from_the_year_2000() {
        assert_eq!(date_text(0), "2000-01-01");
        assert_eq!(date_text(-1), "1999-12-31");
        assert_eq!(date_text(i32::MAX), "infinity");
    }

    #[test]
    fn timestamps_keep_their_fraction_and_mark_utc_when_zoned() {
        let micros = 86_400_000_000 + 3_723_500_000;

        assert_eq!(timestamp_text(micros, false), "2000-01-02T01:02:03.500");
        assert_eq!(timestamp_text(micros, true), "2000-01-02T01:02:03.500Z");
        assert_eq!(timestamp_text(i64::MIN, true), "-infinity");
    }

    #[test]
    fn unknown_types_need_a_text_cast() {
        assert_eq!(decodable_column_type(&Type::INTERVAL), None);
        assert_eq!(
            decodable_column_type(&Type::INT8),
            Some(ColumnType::Integer)
        );
    }
}

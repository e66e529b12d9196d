//! Conversion of DuckDB result columns to the engine-independent result types: a
//! [`ColumnType`] per column and a JSON value per cell.
//!
//! Invariant: numbers stay JSON numbers, NULL stays `null`, dates are `YYYY-MM-DD` and
//! timestamps ISO-8601; only types without a JSON counterpart are rendered as text.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use duckdb::arrow::array::{Array, AsArray};
use duckdb::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use duckdb::arrow::util::display::{ArrayFormatter, FormatOptions};
use duckdb::core::LogicalTypeId;
use serde_json::Value;

use contracts::result::ColumnType;

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// Logical result type of a DuckDB column type.
pub(crate) fn column_type_of(logical_type: LogicalTypeId) -> ColumnType {
    match logical_type {
        LogicalTypeId::Boolean => ColumnType::Boolean,
        LogicalTypeId::Tinyint
        | LogicalTypeId::Smallint
        | LogicalTypeId::Integer
        | LogicalTypeId::Bigint
        | LogicalTypeId::UTinyint
        | LogicalTypeId::USmallint
        | LogicalTypeId::UInteger
        | LogicalTypeId::UBigint
        | LogicalTypeId::Hugeint
        | LogicalTypeId::UHugeint => ColumnType::Integer,
        LogicalTypeId::Float | LogicalTypeId::Double | LogicalTypeId::Decimal => ColumnType::Float,
        LogicalTypeId::Varchar | LogicalTypeId::Enum => ColumnType::Text,
        LogicalTypeId::Date => ColumnType::Date,
        LogicalTypeId::Timestamp
        | LogicalTypeId::TimestampS
        | LogicalTypeId::TimestampMs
        | LogicalTypeId::TimestampNs
        | LogicalTypeId::TimestampTZ => ColumnType::Timestamp,
        _ => ColumnType::Other,
    }
}

/// JSON value of one cell of an Arrow column produced by DuckDB.
pub(crate) fn json_value(array: &dyn Array, row_idx: usize) -> Value {
    if array.is_null(row_idx) {
        return Value::Null;
    }
    typed_json_value(array, row_idx).unwrap_or_else(|| formatted_value(array, row_idx))
}

/// The cell as a typed JSON value, or `None` for types that are rendered as text.
fn typed_json_value(array: &dyn Array, row_idx: usize) -> Option<Value> {
    match array.data_type() {
        DataType::Boolean => array
            .as_boolean_opt()
            .map(|values| Value::from(values.value(row_idx))),
        DataType::Int8 => array
            .as_primitive_opt::<Int8Type>()
            .map(|values| Value::from(values.value(row_idx))),
        DataType::Int16 => array
            .as_primitive_opt::<Int16Type>()
            .map(|values| Value::from(values.value(row_idx))),
        DataType::Int32 => array
            .as_primitive_opt::<Int32Type>()
            .map(|values| Value::from(values.value(row_idx))),
        DataType::Int64 => array
            .as_primitive_opt::<Int64Type>()
            .map(|values| Value::from(values.value(row_idx))),
        DataType::UInt8 => array
            .as_primitive_opt::<UInt8Type>()
            .map(|values| Value::from(values.value(row_idx))),
        DataType::UInt16 => array
            .as_primitive_opt::<UInt16Type>()
            .map(|values| Value::from(values.value(row_idx))),
        DataType::UInt32 => array
            .as_primitive_opt::<UInt32Type>()
            .map(|values| Value::from(values.value(row_idx))),
        DataType::UInt64 => array
            .as_primitive_opt::<UInt64Type>()
            .map(|values| Value::from(values.value(row_idx))),
        // The shortest text of the f32 keeps `REAL 3.8` from becoming 3.799999952316284.
        DataType::Float32 => array.as_primitive_opt::<Float32Type>().map(|values| {
            float_value(
                values
                    .value(row_idx)
                    .to_string()
                    .parse()
                    .unwrap_or(f64::NAN),
            )
        }),
        DataType::Float64 => array
            .as_primitive_opt::<Float64Type>()
            .map(|values| float_value(values.value(row_idx))),
        DataType::Decimal128(_, scale) => array
            .as_primitive_opt::<Decimal128Type>()
            .map(|values| decimal_value(values.value(row_idx), *scale)),
        DataType::Utf8 => array
            .as_string_opt::<i32>()
            .map(|values| Value::from(values.value(row_idx))),
        DataType::LargeUtf8 => array
            .as_string_opt::<i64>()
            .map(|values| Value::from(values.value(row_idx))),
        DataType::Utf8View => array
            .as_string_view_opt()
            .map(|values| Value::from(values.value(row_idx))),
        DataType::Date32 => array
            .as_primitive_opt::<Date32Type>()
            .and_then(|values| date_value(values.value(row_idx))),
        DataType::Timestamp(unit, time_zone) => {
            let instant = timestamp_instant(array, row_idx, *unit)?;
            let text = match time_zone {
                Some(_) => instant.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                None => instant
                    .naive_utc()
                    .format("%Y-%m-%dT%H:%M:%S%.f")
                    .to_string(),
            };
            Some(Value::from(text))
        }
        _ => None,
    }
}

/// A JSON number, or `null` for NaN and infinities, which JSON cannot hold.
fn float_value(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// A DECIMAL or HUGEINT as a JSON number: an integer when it has no fraction and fits.
fn decimal_value(unscaled: i128, scale: i8) -> Value {
    if scale <= 0 {
        let exponent = u32::from(scale.unsigned_abs());
        let whole = 10_i128
            .checked_pow(exponent)
            .and_then(|factor| unscaled.checked_mul(factor));
        if let Some(whole) = whole {
            if let Ok(small) = i64::try_from(whole) {
                return Value::from(small);
            }
            if let Ok(small) = u64::try_from(whole) {
                return Value::from(small);
            }
        }
    }
    // Decimal text parsing rounds correctly, which dividing by a power of ten may not.
    let text = format!("{unscaled}e{}", -i32::from(scale));
    float_value(text.parse().unwrap_or(f64::NAN))
}

fn date_value(days_since_epoch: i32) -> Option<Value> {
    let days_from_ce = days_since_epoch.checked_add(UNIX_EPOCH_DAYS_FROM_CE)?;
    let date = NaiveDate::from_num_days_from_ce_opt(days_from_ce)?;
    Some(Value::from(date.format("%Y-%m-%d").to_string()))
}

fn timestamp_instant(array: &dyn Array, row_idx: usize, unit: TimeUnit) -> Option<DateTime<Utc>> {
    match unit {
        TimeUnit::Second => {
            let seconds = array
                .as_primitive_opt::<TimestampSecondType>()?
                .value(row_idx);
            DateTime::from_timestamp(seconds, 0)
        }
        TimeUnit::Millisecond => {
            let millis = array
                .as_primitive_opt::<TimestampMillisecondType>()?
                .value(row_idx);
            DateTime::from_timestamp_millis(millis)
        }
        TimeUnit::Microsecond => {
            let micros = array
                .as_primitive_opt::<TimestampMicrosecondType>()?
                .value(row_idx);
            DateTime::from_timestamp_micros(micros)
        }
        TimeUnit::Nanosecond => {
            let nanos = array
                .as_primitive_opt::<TimestampNanosecondType>()?
                .value(row_idx);
            Some(DateTime::from_timestamp_nanos(nanos))
        }
    }
}

/// The cell as text, the way DuckDB's Arrow output displays it.
fn formatted_value(array: &dyn Array, row_idx: usize) -> Value {
    let options = FormatOptions::default();
    match ArrayFormatter::try_new(array, &options) {
        Ok(formatter) => Value::from(formatter.value(row_idx).to_string()),
        Err(err) => Value::from(format!("<unrenderable value: {err}>")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_with_a_fraction_become_correctly_rounded_floats() {
        assert_eq!(decimal_value(4_500_050, 2), serde_json::json!(45000.5));
        assert_eq!(decimal_value(-10, 2), serde_json::json!(-0.1));
    }

    #[test]
    fn whole_decimals_and_hugeints_become_integers_when_they_fit() {
        assert_eq!(decimal_value(42, 0), serde_json::json!(42));
        assert_eq!(
            decimal_value(i128::from(u64::MAX), 0),
            serde_json::json!(u64::MAX)
        );
        assert!(decimal_value(i128::MAX, 0).is_f64());
    }

    #[test]
    fn dates_count_days_from_the_unix_epoch() {
        assert_eq!(date_value(0), Some(serde_json::json!("1970-01-01")));
        assert_eq!(date_value(19_723), Some(serde_json::json!("2024-01-01")));
    }

    #[test]
    fn not_a_number_becomes_null() {
        assert_eq!(float_value(f64::NAN), Value::Null);
    }
}

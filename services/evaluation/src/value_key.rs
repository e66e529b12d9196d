//! Normalised cell values: the form in which a gold and a generated value are compared.
//!
//! Invariant: two values that should count as equal (an integer and a float of the same
//! number, floats that differ only past [`SIGNIFICANT_DIGITS`], strings that differ only in
//! surrounding whitespace, two NULLs) always get equal keys.

use std::cmp::Ordering;

use serde_json::Value;

/// Significant digits a non-integral number is rounded to before comparing (relative tolerance
/// of about 1e-7: more than float noise, less than any real difference in the demo data).
pub const SIGNIFICANT_DIGITS: usize = 7;

/// A cell value reduced to what the comparison looks at.
///
/// The order is total and, within numbers and within text, the natural one, so it can tell
/// whether a column is sorted.
#[derive(Debug, Clone)]
pub enum ValueKey {
    /// SQL NULL; equal to itself.
    Null,
    /// `true` / `false`.
    Boolean(bool),
    /// Any number, integral values exact, others rounded to [`SIGNIFICANT_DIGITS`].
    Number(f64),
    /// Text, dates and timestamps, trimmed.
    Text(String),
    /// Arrays and objects, as compact JSON.
    Nested(String),
}

/// The comparison key of one cell value.
pub fn value_key(value: &Value) -> ValueKey {
    match value {
        Value::Null => ValueKey::Null,
        Value::Bool(flag) => ValueKey::Boolean(*flag),
        Value::Number(number) => match (number.as_i64(), number.as_u64(), number.as_f64()) {
            (Some(integer), _, _) => ValueKey::Number(integer as f64),
            (None, Some(integer), _) => ValueKey::Number(integer as f64),
            (None, None, Some(float)) => ValueKey::Number(round_number(float)),
            (None, None, None) => ValueKey::Text(number.to_string()),
        },
        Value::String(text) => ValueKey::Text(text.trim().to_owned()),
        Value::Array(_) | Value::Object(_) => ValueKey::Nested(value.to_string()),
    }
}

/// Integral floats stay exact; others are rounded to [`SIGNIFICANT_DIGITS`] (which may make
/// them integral, so `2.9999999999999996` equals `3`). Negative zero becomes zero.
fn round_number(float: f64) -> f64 {
    if !float.is_finite() || float.fract() == 0.0 {
        return float + 0.0;
    }
    let rounded = format!("{float:.prec$e}", prec = SIGNIFICANT_DIGITS - 1)
        .parse::<f64>()
        .expect("a formatted float parses back");
    rounded + 0.0
}

impl ValueKey {
    fn rank(&self) -> u8 {
        match self {
            ValueKey::Null => 0,
            ValueKey::Boolean(_) => 1,
            ValueKey::Number(_) => 2,
            ValueKey::Text(_) => 3,
            ValueKey::Nested(_) => 4,
        }
    }
}

impl Ord for ValueKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (ValueKey::Boolean(left), ValueKey::Boolean(right)) => left.cmp(right),
            (ValueKey::Number(left), ValueKey::Number(right)) => left.total_cmp(right),
            (ValueKey::Text(left), ValueKey::Text(right))
            | (ValueKey::Nested(left), ValueKey::Nested(right)) => left.cmp(right),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for ValueKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ValueKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ValueKey {}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn integers_and_floats_of_the_same_number_are_equal() {
        assert_eq!(value_key(&json!(3)), value_key(&json!(3.0)));
        assert_eq!(value_key(&json!(3)), value_key(&json!(2.9999999999999996)));
        assert_eq!(value_key(&json!(0.0)), value_key(&json!(-0.0)));
        assert_ne!(value_key(&json!(3)), value_key(&json!(3.5)));
    }

    #[test]
    fn floats_are_equal_within_the_tolerance_only() {
        assert_eq!(value_key(&json!(0.1 + 0.2)), value_key(&json!(0.3)));
        assert_eq!(
            value_key(&json!(4.333333333333333)),
            value_key(&json!(4.33333333))
        );
        assert_ne!(value_key(&json!(4.33)), value_key(&json!(4.333333333)));
        assert_eq!(
            value_key(&json!(1234567890123_i64)),
            value_key(&json!(1234567890123.0))
        );
    }

    #[test]
    fn strings_are_trimmed_and_nulls_equal_each_other() {
        assert_eq!(value_key(&json!("  Paris ")), value_key(&json!("Paris")));
        assert_ne!(value_key(&json!("paris")), value_key(&json!("Paris")));
        assert_eq!(value_key(&json!(null)), value_key(&json!(null)));
        assert_ne!(value_key(&json!(null)), value_key(&json!(0)));
        assert_ne!(value_key(&json!("3")), value_key(&json!(3)));
    }

    #[test]
    fn numbers_order_numerically() {
        let mut keys = vec![
            value_key(&json!(10)),
            value_key(&json!(9.5)),
            value_key(&json!(-1)),
        ];

        keys.sort();

        assert_eq!(
            keys,
            vec![
                value_key(&json!(-1)),
                value_key(&json!(9.5)),
                value_key(&json!(10))
            ]
        );
    }
}

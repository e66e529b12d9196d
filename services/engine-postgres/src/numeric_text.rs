//! Decoding PostgreSQL `numeric` values from their binary wire form into decimal text, and
//! from there into JSON numbers.
//!
//! Invariant: the decimal text is exact; only the final JSON number may round (to `f64`) when
//! the value has a fraction or does not fit an `i64`.

use std::error::Error;

use serde_json::Value;
use tokio_postgres::types::{FromSql, Type};

/// Sign word of a positive numeric.
const SIGN_POSITIVE: u16 = 0x0000;
/// Sign word of a negative numeric.
const SIGN_NEGATIVE: u16 = 0x4000;

/// A `numeric` value as exact decimal text, or `None` for NaN and the infinities.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NumericText(pub(crate) Option<String>);

/// The binary numeric could not be read.
#[derive(Debug, thiserror::Error)]
#[error("malformed numeric value: {0}")]
pub(crate) struct MalformedNumeric(&'static str);

impl<'a> FromSql<'a> for NumericText {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(NumericText(decode_numeric(raw)?))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}

impl NumericText {
    /// A JSON integer when the value is whole and fits an `i64`, else a JSON float; `null` for
    /// NaN and the infinities, which JSON cannot hold.
    pub(crate) fn into_json(self) -> Value {
        let Some(text) = self.0 else {
            return Value::Null;
        };
        if !text.contains('.')
            && let Ok(whole) = text.parse::<i64>()
        {
            return Value::from(whole);
        }
        text.parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number)
    }
}

/// Decimal text of a binary numeric: `ndigits, weight, sign, dscale` (16 bits each), then
/// `ndigits` base-10000 digits (four decimal digits each), the first of which has the weight
/// `10000^weight`.
fn decode_numeric(raw: &[u8]) -> Result<Option<String>, MalformedNumeric> {
    let words: Vec<u16> = raw
        .chunks(2)
        .map(|pair| match pair {
            [high, low] => Ok(u16::from_be_bytes([*high, *low])),
            _ => Err(MalformedNumeric("odd length")),
        })
        .collect::<Result<_, _>>()?;
    let [n_digits, weight, sign, display_scale, digits @ ..] = words.as_slice() else {
        return Err(MalformedNumeric("header too short"));
    };
    if digits.len() != usize::from(*n_digits) {
        return Err(MalformedNumeric("digit count does not match"));
    }
    let negative = match *sign {
        SIGN_POSITIVE => false,
        SIGN_NEGATIVE => true,
        _ => return Ok(None),
    };
    // The weight is a signed 16-bit number sent as two bytes.
    let weight = i64::from(i16::from_be_bytes(weight.to_be_bytes()));
    let digit_at = |power: i64| -> u16 {
        usize::try_from(weight - power)
            .ok()
            .and_then(|digit_idx| digits.get(digit_idx).copied())
            .unwrap_or(0)
    };

    let mut text = String::new();
    if negative {
        text.push('-');
    }
    if weight < 0 {
        text.push('0');
    } else {
        text.push_str(&digit_at(weight).to_string());
        for power in (0..weight).rev() {
            text.push_str(&format!("{:04}", digit_at(power)));
        }
    }
    let display_scale = usize::from(*display_scale);
    if display_scale > 0 {
        let mut fraction = String::new();
        let mut power = -1;
        while fraction.len() < display_scale {
            fraction.push_str(&format!("{:04}", digit_at(power)));
            power -= 1;
        }
        fraction.truncate(display_scale);
        text.push('.');
        text.push_str(&fraction);
    }
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(weight: i16, sign: u16, display_scale: u16, digits: &[u16]) -> Vec<u8> {
        let mut raw = Vec::new();
        raw.extend_from_slice(&u16::try_from(digits.len()).unwrap().to_be_bytes());
        raw.extend_from_slice(&weight.to_be_bytes());
        raw.extend_from_slice(&sign.to_be_bytes());
        raw.extend_from_slice(&display_scale.to_be_bytes());
        for digit in digits {
            raw.extend_from_slice(&digit.to_be_bytes());
        }
        raw
    }

    #[test]
    fn a_value_with_integer_and_fraction_digits_decodes_exactly() {
        let raw = encoded(1, SIGN_POSITIVE, 4, &[1, 2345, 6789]);

        assert_eq!(decode_numeric(&raw).unwrap().as_deref(), Some("12345.6789"));
    }

    #[test]
    fn a_small_negative_fraction_keeps_its_leading_zeros() {
        let raw = encoded(-1, SIGN_NEGATIVE, 6, &[1, 2300]);

        assert_eq!(decode_numeric(&raw).unwrap().as_deref(), Some("-0.000123"));
    }

    #[test]
    fn trailing_zero_words_are_restored_from_the_weight() {
        let raw = encoded(1, SIGN_POSITIVE, 2, &[5]);

        assert_eq!(decode_numeric(&raw).unwrap().as_deref(), Some("50000.00"));
    }

    #[test]
    fn zero_has_no_digits_and_decodes_to_zero() {
        let raw = encoded(0, SIGN_POSITIVE, 0, &[]);

        assert_eq!(decode_numeric(&raw).unwrap().as_deref(), Some("0"));
    }

    #[test]
    fn not_a_number_decodes_to_none_and_then_to_null() {
        let raw = encoded(0, 0xC000, 0, &[]);

        let numeric = NumericText(decode_numeric(&raw).unwrap());

        assert_eq!(numeric.into_json(), Value::Null);
    }

    #[test]
    fn whole_values_become_json_integers_and_fractions_json_floats() {
        assert_eq!(
            NumericText(Some("42".to_owned())).into_json(),
            serde_json::json!(42)
        );
        assert_eq!(
            NumericText(Some("-1.50".to_owned())).into_json(),
            serde_json::json!(-1.5)
        );
        assert_eq!(
            NumericText(Some("100000000000000000000".to_owned())).into_json(),
            serde_json::json!(1e20)
        );
    }

    #[test]
    fn a_truncated_value_is_reported_as_malformed() {
        let raw = encoded(0, SIGN_POSITIVE, 0, &[1, 2]);

        assert!(decode_numeric(&raw[..raw.len() - 2]).is_err());
    }
}

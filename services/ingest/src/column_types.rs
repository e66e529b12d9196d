//! Type inference over every cell of a column: the narrowest of boolean, bigint, double,
//! date and timestamp that all non-empty cells satisfy, else text.
//!
//! Invariant: a type is only inferred when DuckDB's CSV reader (and Athena's) parse every
//! cell of the column as that type without options: ISO dates, plain decimal numbers.

use chrono::{NaiveDate, NaiveDateTime};

/// The SQL type of an ingested column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// `true` / `false` (any case).
    Boolean,
    /// Whole numbers that fit 64 bits, without leading zeros.
    BigInt,
    /// Decimal numbers with `.` as the separator, optionally with an exponent.
    Double,
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM-DD HH:MM:SS[.fraction]` (or with `T`), without a time zone.
    Timestamp,
    /// Anything else, and columns whose every cell is empty.
    Text,
}

impl ColumnType {
    /// The type's name in DuckDB (and standard SQL).
    pub fn sql_name(self) -> &'static str {
        match self {
            ColumnType::Boolean => "BOOLEAN",
            ColumnType::BigInt => "BIGINT",
            ColumnType::Double => "DOUBLE",
            ColumnType::Date => "DATE",
            ColumnType::Timestamp => "TIMESTAMP",
            ColumnType::Text => "VARCHAR",
        }
    }
}

const BOOLEAN: u8 = 1;
const BIGINT: u8 = 1 << 1;
const DOUBLE: u8 = 1 << 2;
const DATE: u8 = 1 << 3;
const TIMESTAMP: u8 = 1 << 4;
const ALL: u8 = BOOLEAN | BIGINT | DOUBLE | DATE | TIMESTAMP;

/// The types every cell seen so far fits, for one column; starts open and only narrows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TypeCandidates {
    fits: u8,
    n_values: u64,
}

impl Default for TypeCandidates {
    fn default() -> Self {
        TypeCandidates {
            fits: ALL,
            n_values: 0,
        }
    }
}

impl TypeCandidates {
    /// Narrows by one cell; empty cells are nulls and narrow nothing.
    pub(crate) fn observe(&mut self, cell: &str) {
        if cell.is_empty() {
            return;
        }
        self.n_values += 1;
        if self.fits != 0 {
            self.fits &= cell_fits(cell);
        }
    }

    /// Narrows by everything another file of the same column saw.
    pub(crate) fn merge(&mut self, other: TypeCandidates) {
        self.fits &= other.fits;
        self.n_values += other.n_values;
    }

    /// The narrowest type left.
    pub(crate) fn column_type(self) -> ColumnType {
        if self.n_values == 0 {
            ColumnType::Text
        } else if self.fits & BOOLEAN != 0 {
            ColumnType::Boolean
        } else if self.fits & BIGINT != 0 {
            ColumnType::BigInt
        } else if self.fits & DOUBLE != 0 {
            ColumnType::Double
        } else if self.fits & DATE != 0 {
            ColumnType::Date
        } else if self.fits & TIMESTAMP != 0 {
            ColumnType::Timestamp
        } else {
            ColumnType::Text
        }
    }
}

/// `true` when a non-empty cell fits some type other than text (used to spot data rows
/// given as headers).
pub(crate) fn looks_like_data(cell: &str) -> bool {
    !cell.is_empty() && cell_fits(cell) != 0
}

/// The set of types one non-empty cell fits.
fn cell_fits(cell: &str) -> u8 {
    let bytes = cell.as_bytes();
    let first = bytes[0];
    if first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.' {
        if is_bigint(cell) {
            return BIGINT | DOUBLE;
        }
        if is_decimal(cell) {
            return DOUBLE;
        }
        if is_date(cell) {
            return DATE | TIMESTAMP;
        }
        if is_timestamp(cell) {
            return TIMESTAMP;
        }
        return 0;
    }
    if cell.eq_ignore_ascii_case("true") || cell.eq_ignore_ascii_case("false") {
        return BOOLEAN;
    }
    0
}

fn is_bigint(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let plain_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    // A leading zero ("007", zip codes, ids) means the text matters, not the number.
    let leading_zero = digits.len() > 1 && digits.starts_with('0');
    plain_digits && !leading_zero && cell.parse::<i64>().is_ok()
}

fn is_decimal(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = whole.len() > 1 && whole.starts_with('0');
    let whole_ok = !whole.is_empty() && all_digits(whole) && !leading_zero;
    let fraction_ok = fraction.is_none_or(|fraction| !fraction.is_empty() && all_digits(fraction));
    let exponent_ok = exponent.is_none_or(|exponent| {
        let digits = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        !digits.is_empty() && digits.len() <= 3 && all_digits(digits)
    });
    whole_ok && fraction_ok && exponent_ok && cell.parse::<f64>().is_ok_and(f64::is_finite)
}

fn is_date(cell: &str) -> bool {
    cell.len() == 10 && NaiveDate::parse_from_str(cell, "%Y-%m-%d").is_ok()
}

fn is_timestamp(cell: &str) -> bool {
    (19..=29).contains(&cell.len())
        && ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
            .iter()
            .any(|format| NaiveDateTime::parse_from_str(cell, format).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(cells: &[&str]) -> ColumnType {
        let mut candidates = TypeCandidates::default();
        for cell in cells {
            candidates.observe(cell);
        }
        candidates.column_type()
    }

    #[test]
    fn the_narrowest_type_fitting_every_cell_wins() {
        assert_eq!(infer(&["true", "FALSE", ""]), ColumnType::Boolean);
        assert_eq!(infer(&["1", "-20", "", "+3"]), ColumnType::BigInt);
        assert_eq!(infer(&["1", "2.5", "1e3"]), ColumnType::Double);
        assert_eq!(infer(&["2024-01-31", ""]), ColumnType::Date);
        assert_eq!(
            infer(&["2024-01-31", "2024-02-01 10:00:00.5", "2024-02-01T10:00:00"]),
            ColumnType::Timestamp
        );
        assert_eq!(infer(&["1", "x"]), ColumnType::Text);
        assert_eq!(infer(&["", ""]), ColumnType::Text);
    }

    #[test]
    fn values_that_would_lose_meaning_as_numbers_stay_text() {
        assert_eq!(infer(&["007", "12"]), ColumnType::Text);
        assert_eq!(infer(&["1,5"]), ColumnType::Text);
        assert_eq!(infer(&[" 12"]), ColumnType::Text);
        assert_eq!(infer(&["NaN"]), ColumnType::Text);
        assert_eq!(infer(&["99999999999999999999"]), ColumnType::Double);
        assert_eq!(infer(&["2024-02-30"]), ColumnType::Text);
        assert_eq!(infer(&["2024-01-01 10:00:00+02:00"]), ColumnType::Text);
    }

    #[test]
    fn a_late_value_changes_the_type() {
        let mut cells = vec!["1"; 100_000];
        cells.push("n/a");

        assert_eq!(infer(&cells), ColumnType::Text);
    }
}

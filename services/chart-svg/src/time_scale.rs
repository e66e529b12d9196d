//! Dates and timestamps: parsing ISO-8601 text to UTC milliseconds, a time scale, calendar ticks
//! and their labels.
//!
//! Invariant: pure calendar arithmetic on the proleptic Gregorian calendar in UTC; text without
//! an offset is read as UTC, so the same spec always draws the same picture.

use serde_json::Value;

const MS_PER_SECOND: i64 = 1_000;
const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;
/// Largest instant drawn, in milliseconds either side of the epoch (JavaScript's `Date` range).
const MAX_INSTANT_MS: i64 = 8_640_000_000_000_000;
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Maps instants (UTC milliseconds) in a domain to pixels.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TimeScale {
    domain: (i64, i64),
    range: (f64, f64),
}

/// The spacing of time ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TickInterval {
    Fixed(i64),
    Months(i64),
    Years(i64),
}

impl TimeScale {
    /// A scale over `min..=max`; a single instant is widened by half a day each side.
    pub(crate) fn new(min: i64, max: i64, range: (f64, f64)) -> Self {
        let domain = if min == max {
            (min - MS_PER_DAY / 2, max + MS_PER_DAY / 2)
        } else {
            (min, max)
        };
        TimeScale { domain, range }
    }

    /// Pixel position of `instant`.
    pub(crate) fn position(&self, instant: f64) -> f64 {
        let (start, stop) = (self.domain.0 as f64, self.domain.1 as f64);
        self.range.0 + (instant - start) / (stop - start) * (self.range.1 - self.range.0)
    }

    /// Calendar-aligned ticks inside the domain, at most about `max_ticks` of them; never
    /// closer than a day when `dates_only` (every instant is a midnight).
    pub(crate) fn ticks(&self, max_ticks: usize, dates_only: bool) -> Vec<i64> {
        let (start, stop) = self.domain;
        let mut interval = choose_interval(stop - start, max_ticks.max(2) as i64);
        if dates_only && matches!(interval, TickInterval::Fixed(step) if step < MS_PER_DAY) {
            interval = TickInterval::Fixed(MS_PER_DAY);
        }
        match interval {
            TickInterval::Fixed(step) => {
                let first = start.div_euclid(step) * step
                    + if start.rem_euclid(step) == 0 { 0 } else { step };
                (0..)
                    .map(|tick_idx| first + tick_idx * step)
                    .take_while(|tick| *tick <= stop)
                    .collect()
            }
            TickInterval::Months(step) => month_ticks(start, stop, step),
            TickInterval::Years(step) => month_ticks(start, stop, step * 12),
        }
    }
}

/// UTC milliseconds of a JSON value: a number is taken as milliseconds since the epoch, text
/// as an ISO-8601 date or timestamp.
pub(crate) fn instant_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_f64().map(|ms| ms as i64),
        Value::String(text) => parse_iso_instant(text),
        _ => None,
    }
    .filter(|instant| instant.abs() <= MAX_INSTANT_MS)
}

/// Parses `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM[:SS[.fff]]` and an
/// offset (`Z`, `+hh:mm`, `-hhmm`).
pub(crate) fn parse_iso_instant(text: &str) -> Option<i64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i64 = text.get(0..4)?.parse().ok()?;
    if !text.is_char_boundary(10) {
        return None;
    }
    let month: i64 = text.get(5..7)?.parse().ok()?;
    let day: i64 = text.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    let mut instant = days_from_civil(year, month, day) * MS_PER_DAY;
    let rest = &text[10..];
    if rest.is_empty() {
        return Some(instant);
    }
    let rest = rest.strip_prefix(['T', ' '])?;
    let (clock, offset_ms) = split_offset(rest)?;
    instant += parse_clock(clock)?;
    Some(instant - offset_ms)
}

/// The label of a tick: the coarsest calendar unit the instant sits on (year, month, day, time).
pub(crate) fn tick_label(instant: i64) -> String {
    let days = instant.div_euclid(MS_PER_DAY);
    let ms_of_day = instant.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let month_name = MONTH_NAMES[(month - 1) as usize];
    if ms_of_day != 0 {
        let hours = ms_of_day / MS_PER_HOUR;
        let minutes = ms_of_day % MS_PER_HOUR / MS_PER_MINUTE;
        let seconds = ms_of_day % MS_PER_MINUTE / MS_PER_SECOND;
        if seconds != 0 {
            return format!("{hours:02}:{minutes:02}:{seconds:02}");
        }
        return format!("{hours:02}:{minutes:02}");
    }
    if day != 1 {
        return format!("{month_name} {day:02}");
    }
    if month != 1 {
        return month_name.to_owned();
    }
    year.to_string()
}

/// `true` when `instant` is a midnight (a date without a time of day).
pub(crate) fn is_midnight(instant: i64) -> bool {
    instant.rem_euclid(MS_PER_DAY) == 0
}

/// A full label of one instant, for tooltips: `2024-03-05` or `2024-03-05 14:30`.
pub(crate) fn instant_label(instant: i64) -> String {
    let (year, month, day) = civil_from_days(instant.div_euclid(MS_PER_DAY));
    let ms_of_day = instant.rem_euclid(MS_PER_DAY);
    if ms_of_day == 0 {
        return format!("{year:04}-{month:02}-{day:02}");
    }
    let hours = ms_of_day / MS_PER_HOUR;
    let minutes = ms_of_day % MS_PER_HOUR / MS_PER_MINUTE;
    format!("{year:04}-{month:02}-{day:02} {hours:02}:{minutes:02}")
}

fn choose_interval(span: i64, max_ticks: i64) -> TickInterval {
    const FIXED: [i64; 16] = [
        MS_PER_SECOND,
        5 * MS_PER_SECOND,
        15 * MS_PER_SECOND,
        30 * MS_PER_SECOND,
        MS_PER_MINUTE,
        5 * MS_PER_MINUTE,
        15 * MS_PER_MINUTE,
        30 * MS_PER_MINUTE,
        MS_PER_HOUR,
        3 * MS_PER_HOUR,
        6 * MS_PER_HOUR,
        12 * MS_PER_HOUR,
        MS_PER_DAY,
        2 * MS_PER_DAY,
        7 * MS_PER_DAY,
        14 * MS_PER_DAY,
    ];
    if let Some(step) = FIXED.iter().find(|step| span / **step <= max_ticks) {
        return TickInterval::Fixed(*step);
    }
    const MS_PER_MONTH: i64 = 30 * MS_PER_DAY;
    if let Some(months) = [1, 3, 6]
        .iter()
        .find(|months| span / (**months * MS_PER_MONTH) <= max_ticks)
    {
        return TickInterval::Months(*months);
    }
    let years = span / (365 * MS_PER_DAY);
    let step = (0..18)
        .flat_map(|power| [1, 2, 5].map(|factor| factor * 10i64.pow(power)))
        .find(|step| years / step <= max_ticks)
        .unwrap_or(i64::MAX / 2);
    TickInterval::Years(step)
}

/// Ticks on the first day of every `step_months`-th month (counted from year 0) in the domain.
fn month_ticks(start: i64, stop: i64, step_months: i64) -> Vec<i64> {
    let (year, month, _) = civil_from_days(start.div_euclid(MS_PER_DAY));
    let mut month_idx = year * 12 + (month - 1);
    month_idx = month_idx.div_euclid(step_months) * step_months;
    let mut ticks = Vec::new();
    loop {
        let tick =
            days_from_civil(month_idx.div_euclid(12), month_idx.rem_euclid(12) + 1, 1) * MS_PER_DAY;
        if tick > stop {
            return ticks;
        }
        if tick >= start {
            ticks.push(tick);
        }
        month_idx += step_months;
    }
}

fn split_offset(clock_and_offset: &str) -> Option<(&str, i64)> {
    if let Some(clock) = clock_and_offset.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(sign_idx) = clock_and_offset.rfind(['+', '-']) else {
        return Some((clock_and_offset, 0));
    };
    let (clock, offset) = clock_and_offset.split_at(sign_idx);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits: String = offset[1..]
        .chars()
        .filter(|character| *character != ':')
        .collect();
    if digits.len() != 4 && digits.len() != 2 {
        return None;
    }
    let hours: i64 = digits.get(0..2)?.parse().ok()?;
    let minutes: i64 = digits
        .get(2..)
        .filter(|rest| !rest.is_empty())
        .map_or(Some(0), |rest| rest.parse().ok())?;
    Some((
        clock,
        sign * (hours * MS_PER_HOUR + minutes * MS_PER_MINUTE),
    ))
}

fn parse_clock(clock: &str) -> Option<i64> {
    let mut parts = clock.splitn(3, ':');
    let hours: i64 = parts.next()?.parse().ok()?;
    let minutes: i64 = parts.next()?.parse().ok()?;
    let seconds: f64 = parts
        .next()
        .map_or(Some(0.0), |seconds| seconds.parse().ok())?;
    if hours > 24 || minutes > 59 || !(0.0..61.0).contains(&seconds) {
        return None;
    }
    Some(hours * MS_PER_HOUR + minutes * MS_PER_MINUTE + (seconds * 1_000.0).round() as i64)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_timestamps_parse_to_utc_milliseconds() {
        assert_eq!(parse_iso_instant("1970-01-02"), Some(MS_PER_DAY));
        assert_eq!(
            parse_iso_instant("2024-03-01T10:30:00"),
            Some(1_709_289_000_000)
        );
        assert_eq!(
            parse_iso_instant("2024-03-01 10:30:00.5+01:00"),
            Some(1_709_285_400_500)
        );
        assert_eq!(parse_iso_instant("2024-02-30"), None);
        assert_eq!(parse_iso_instant("not a date"), None);
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-800_000, -1, 0, 59, 11_016, 19_782, 2_932_896] {
            let (year, month, day) = civil_from_days(days);

            assert_eq!(days_from_civil(year, month, day), days);
        }
    }

    #[test]
    fn a_few_days_get_daily_ticks_labelled_by_day() {
        let start = parse_iso_instant("2023-04-03").unwrap();
        let stop = parse_iso_instant("2023-04-07").unwrap();

        let labels: Vec<String> = TimeScale::new(start, stop, (0.0, 400.0))
            .ticks(8, true)
            .into_iter()
            .map(tick_label)
            .collect();

        assert_eq!(labels, ["Apr 03", "Apr 04", "Apr 05", "Apr 06", "Apr 07"]);
    }

    #[test]
    fn several_years_get_yearly_ticks() {
        let start = parse_iso_instant("2019-06-01").unwrap();
        let stop = parse_iso_instant("2024-02-01").unwrap();

        let labels: Vec<String> = TimeScale::new(start, stop, (0.0, 400.0))
            .ticks(8, true)
            .into_iter()
            .map(tick_label)
            .collect();

        assert_eq!(labels, ["2020", "2021", "2022", "2023", "2024"]);
    }

    #[test]
    fn hours_within_a_day_are_labelled_by_clock_time() {
        assert_eq!(
            tick_label(parse_iso_instant("2023-04-01T09:30:00").unwrap()),
            "09:30"
        );
        assert_eq!(
            instant_label(parse_iso_instant("2023-04-01T09:30:00").unwrap()),
            "2023-04-01 09:30"
        );
    }
}

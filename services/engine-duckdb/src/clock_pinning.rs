//! Pinning the clock: `CURRENT_DATE`, `now()` and their relatives are replaced by literals of
//! one UTC instant before DuckDB sees the SQL.
//!
//! The bundled DuckDB is built without its time-zone extension, which is where these
//! functions live, so without pinning any question about "the last 30 days" would fail.
//! Invariant: every clock reference in one statement becomes the same instant, in UTC; only
//! code is rewritten, never strings, quoted identifiers or comments.

use chrono::{DateTime, Utc};

use crate::statement_split::{WordContext, WordReplacement, rewrite_words};

/// `sql` with every clock reference replaced by a literal of `now`.
pub(crate) fn pin_clock(sql: &str, now: DateTime<Utc>) -> String {
    rewrite_words(sql, |context| clock_literal(context, now))
}

/// The literal that replaces `context.word` when it reads the clock, else `None`.
pub(crate) fn clock_literal(
    context: WordContext<'_>,
    now: DateTime<Utc>,
) -> Option<WordReplacement> {
    if context.follows_dot {
        return None;
    }
    let empty_call = empty_call_len(context.rest);
    let has_arguments = empty_call.is_none() && context.rest.trim_start().starts_with('(');
    let literal = match context.word.to_ascii_lowercase().as_str() {
        // SQL keywords, written with or without an empty argument list.
        "current_date" if !has_arguments => date_literal(now),
        "current_timestamp" | "localtimestamp" if !has_arguments => timestamp_literal(now),
        "current_time" | "localtime" if !has_arguments => time_literal(now),
        // Functions, replaced only when called with no arguments.
        "today" if empty_call.is_some() => date_literal(now),
        "now" | "get_current_timestamp" | "transaction_timestamp" | "current_localtimestamp"
            if empty_call.is_some() =>
        {
            timestamp_literal(now)
        }
        "get_current_time" if empty_call.is_some() => time_literal(now),
        _ => return None,
    };
    Some(WordReplacement {
        text: literal,
        extra_bytes: empty_call.unwrap_or(0),
    })
}

fn date_literal(now: DateTime<Utc>) -> String {
    format!("DATE '{}'", now.format("%Y-%m-%d"))
}

fn timestamp_literal(now: DateTime<Utc>) -> String {
    format!("TIMESTAMP '{}'", now.format("%Y-%m-%d %H:%M:%S%.6f"))
}

fn time_literal(now: DateTime<Utc>) -> String {
    format!("TIME '{}'", now.format("%H:%M:%S%.6f"))
}

/// Length of an empty argument list (`()`, `( )`) at the start of `rest`, spaces included.
fn empty_call_len(rest: &str) -> Option<usize> {
    let after_spaces = rest.trim_start();
    let inside = after_spaces.strip_prefix('(')?.trim_start();
    let after_call = inside.strip_prefix(')')?;
    Some(rest.len() - after_call.len())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn fixed_now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 15, 8, 30, 0)
            .single()
            .expect("a valid instant")
    }

    #[test]
    fn keywords_and_empty_calls_become_literals() {
        let sql = "SELECT CURRENT_DATE - INTERVAL '30 days', now(), today ( ), current_timestamp";

        let pinned = pin_clock(sql, fixed_now());

        assert_eq!(
            pinned,
            "SELECT DATE '2024-03-15' - INTERVAL '30 days', TIMESTAMP '2024-03-15 08:30:00.000000', \
             DATE '2024-03-15', TIMESTAMP '2024-03-15 08:30:00.000000'"
        );
    }

    #[test]
    fn columns_strings_and_calls_with_arguments_are_left_alone() {
        let sql = "SELECT t.now, 'CURRENT_DATE', \"now\"(), current_timestamp(3), nowhere FROM t";

        assert_eq!(pin_clock(sql, fixed_now()), sql);
    }
}

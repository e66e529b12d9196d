//! Translation of a Postgres dump made of `CREATE TABLE` and `INSERT` statements into
//! statements DuckDB accepts.
//!
//! Invariant: only code is rewritten, never string literals, quoted identifiers or comments;
//! table data is carried over unchanged except that clock references become load-time literals.

use chrono::{DateTime, Utc};

use crate::clock_pinning::clock_literal;
use crate::statement_split::{
    SegmentKind, WordReplacement, is_word_char, rewrite_words, segments, split_statements,
};

/// Postgres type names DuckDB lacks, with the DuckDB type that keeps their values.
const TYPE_REPLACEMENTS: &[(&str, &str)] = &[
    ("serial", "INTEGER"),
    ("serial4", "INTEGER"),
    ("bigserial", "BIGINT"),
    ("serial8", "BIGINT"),
    ("smallserial", "SMALLINT"),
    ("serial2", "SMALLINT"),
];

/// Leading keywords of statements that only manage Postgres itself (settings, ownership,
/// privileges, sequences, indexes) and carry no table data.
const POSTGRES_ONLY_LEADS: &[&[&str]] = &[
    &["SET"],
    &["RESET"],
    &["SELECT"],
    &["GRANT"],
    &["REVOKE"],
    &["COMMENT"],
    &["ALTER"],
    &["CREATE", "SEQUENCE"],
    &["CREATE", "EXTENSION"],
    &["CREATE", "INDEX"],
    &["CREATE", "UNIQUE"],
    &["CREATE", "TRIGGER"],
    &["CREATE", "FUNCTION"],
    &["CREATE", "OR"],
    &["DROP"],
];

/// The dump's statements that DuckDB should run, rewritten for DuckDB, in order; clock
/// references (`CURRENT_DATE - INTERVAL '2 years'`) are pinned to `now`, the load time.
pub(crate) fn translate_dump(dump_sql: &str, now: DateTime<Utc>) -> Vec<String> {
    split_statements(dump_sql)
        .iter()
        .filter(|statement| !is_postgres_only(statement) && !is_public_schema_creation(statement))
        .map(|statement| rewrite_statement(statement, now))
        .collect()
}

fn is_postgres_only(statement: &str) -> bool {
    let words = leading_words(statement, 2);
    POSTGRES_ONLY_LEADS.iter().any(|lead| {
        lead.len() <= words.len()
            && lead
                .iter()
                .zip(&words)
                .all(|(expected, word)| word.eq_ignore_ascii_case(expected))
    })
}

/// `CREATE SCHEMA public` is dropped because its tables move to DuckDB's default schema.
fn is_public_schema_creation(statement: &str) -> bool {
    let words: Vec<String> = leading_words(statement, 6)
        .iter()
        .map(|word| word.to_ascii_uppercase())
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    matches!(
        words.as_slice(),
        ["CREATE", "SCHEMA", "PUBLIC", ..]
            | ["CREATE", "SCHEMA", "IF", "NOT", "EXISTS", "PUBLIC", ..]
    )
}

/// The first `n_words` words of the statement's code, comments skipped.
fn leading_words(statement: &str, n_words: usize) -> Vec<&str> {
    segments(statement)
        .into_iter()
        .take_while(|segment| segment.kind != SegmentKind::Quoted)
        .filter(|segment| segment.kind == SegmentKind::Code)
        .flat_map(|segment| {
            segment
                .text
                .split(|ch: char| !is_word_char(ch))
                .filter(|word| !word.is_empty())
        })
        .take(n_words)
        .collect()
}

/// Rewrites one kept statement: drops `public.` qualifiers and foreign-key references,
/// replaces serial types and pins clock references to `now`.
fn rewrite_statement(statement: &str, now: DateTime<Utc>) -> String {
    rewrite_words(statement, |context| {
        if context.follows_dot {
            return None;
        }
        if context.word.eq_ignore_ascii_case("public") && context.rest.starts_with('.') {
            return Some(WordReplacement {
                text: String::new(),
                extra_bytes: 1,
            });
        }
        if context.word.eq_ignore_ascii_case("references") {
            return Some(WordReplacement {
                text: String::new(),
                extra_bytes: reference_target_len(context.rest),
            });
        }
        if let Some((_, duckdb_type)) = TYPE_REPLACEMENTS
            .iter()
            .find(|(postgres, _)| context.word.eq_ignore_ascii_case(postgres))
        {
            return Some(WordReplacement {
                text: (*duckdb_type).to_owned(),
                extra_bytes: 0,
            });
        }
        clock_literal(context, now)
    })
}

/// Length of the `table(column)` target after `REFERENCES`, spaces included.
///
/// Foreign keys are dropped because DuckDB insists on identical key types, which Postgres
/// dumps do not always have, and a read-only analytic copy gains nothing from them.
fn reference_target_len(rest: &str) -> usize {
    let name_end = rest
        .char_indices()
        .find(|&(idx, ch)| {
            !(is_word_char(ch)
                || ch == '.'
                || (ch.is_whitespace() && rest[..idx].trim().is_empty()))
        })
        .map_or(rest.len(), |(idx, _)| idx);
    let after_name = &rest[name_end..];
    let columns_len = after_name
        .trim_start()
        .strip_prefix('(')
        .and_then(|inside| inside.find(')'))
        .map_or(0, |close| {
            after_name.len() - after_name.trim_start().len() + close + 2
        });
    name_end + columns_len
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn translate_dump_now(dump_sql: &str) -> Vec<String> {
        let now = Utc
            .with_ymd_and_hms(2024, 3, 15, 8, 30, 0)
            .single()
            .expect("a valid instant");
        translate_dump(dump_sql, now)
    }

    #[test]
    fn foreign_key_references_are_dropped() {
        let statements = translate_dump_now(
            "CREATE TABLE s (car_id INTEGER NOT NULL REFERENCES public.cars(id), n INT REFERENCES x.y (a), m INT);",
        );

        assert_eq!(
            statements,
            vec!["CREATE TABLE s (car_id INTEGER NOT NULL , n INT , m INT)".to_owned()]
        );
    }

    #[test]
    fn clock_references_become_load_time_literals() {
        let statements =
            translate_dump_now("INSERT INTO t VALUES (CURRENT_DATE - INTERVAL '2 years', NOW());");

        assert_eq!(
            statements,
            vec!["INSERT INTO t VALUES (DATE '2024-03-15' - INTERVAL '2 years', TIMESTAMP '2024-03-15 08:30:00.000000')".to_owned()]
        );
    }

    #[test]
    fn the_public_qualifier_is_dropped_outside_strings_only() {
        let statements = translate_dump_now("INSERT INTO public.t (a) VALUES ('see public.t');");

        assert_eq!(
            statements,
            vec!["INSERT INTO t (a) VALUES ('see public.t')".to_owned()]
        );
    }

    #[test]
    fn other_schemas_are_kept() {
        let statements = translate_dump_now(
            "CREATE SCHEMA IF NOT EXISTS sales; CREATE TABLE sales.orders (id INT);",
        );

        assert_eq!(statements.len(), 2);
        assert_eq!(statements[1], "CREATE TABLE sales.orders (id INT)");
    }

    #[test]
    fn serial_columns_become_plain_integers() {
        let statements = translate_dump_now(
            "CREATE TABLE t (id SERIAL PRIMARY KEY, big BIGSERIAL, serial_no TEXT);",
        );

        assert_eq!(
            statements,
            vec!["CREATE TABLE t (id INTEGER PRIMARY KEY, big BIGINT, serial_no TEXT)".to_owned()]
        );
    }

    #[test]
    fn postgres_only_statements_are_dropped() {
        let dump = "SET statement_timeout = 0;\n\
                    SELECT pg_catalog.set_config('search_path', '', false);\n\
                    CREATE SCHEMA public;\n\
                    CREATE SEQUENCE public.t_id_seq START WITH 1;\n\
                    ALTER TABLE public.t OWNER TO admin;\n\
                    -- the data\n\
                    CREATE TABLE public.t (id bigint);\n\
                    CREATE INDEX t_id ON public.t USING btree (id);";

        let statements = translate_dump_now(dump);

        assert_eq!(
            statements,
            vec!["-- the data\nCREATE TABLE t (id bigint)".to_owned()]
        );
    }
}

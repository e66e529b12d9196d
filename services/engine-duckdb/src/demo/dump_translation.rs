//! Translation of a Postgres dump made of `CREATE TABLE` and `INSERT` statements into
//! statements DuckDB accepts.
//!
//! Invariant: only code is rewritten, never string literals, quoted identifiers or comments;
//! table data is carried over unchanged.

use crate::statement_split::{SegmentKind, segments, split_statements};

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

/// The dump's statements that DuckDB should run, rewritten for DuckDB, in order.
pub(crate) fn translate_dump(dump_sql: &str) -> Vec<String> {
    split_statements(dump_sql)
        .iter()
        .filter(|statement| !is_postgres_only(statement) && !is_public_schema_creation(statement))
        .map(|statement| rewrite_statement(statement))
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

fn rewrite_statement(statement: &str) -> String {
    segments(statement)
        .into_iter()
        .map(|segment| match segment.kind {
            SegmentKind::Code => rewrite_code(segment.text),
            SegmentKind::Quoted | SegmentKind::Comment => segment.text.to_owned(),
        })
        .collect()
}

/// Drops the `public.` schema qualifier and replaces serial types, word by word.
fn rewrite_code(code: &str) -> String {
    let mut rewritten = String::with_capacity(code.len());
    let mut chars = code.char_indices().peekable();
    while let Some((start, ch)) = chars.next() {
        if !is_word_char(ch) {
            rewritten.push(ch);
            continue;
        }
        let mut end = start + ch.len_utf8();
        while let Some(&(idx, next)) = chars.peek() {
            if !is_word_char(next) {
                break;
            }
            end = idx + next.len_utf8();
            chars.next();
        }
        let word = &code[start..end];
        let is_public_qualifier = word.eq_ignore_ascii_case("public")
            && code[end..].starts_with('.')
            && !code[..start].ends_with('.');
        if is_public_qualifier {
            chars.next();
            continue;
        }
        let replacement = TYPE_REPLACEMENTS
            .iter()
            .find(|(postgres, _)| word.eq_ignore_ascii_case(postgres));
        rewritten.push_str(replacement.map_or(word, |(_, duckdb)| duckdb));
    }
    rewritten
}

fn is_word_char(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_qualifier_is_dropped_outside_strings_only() {
        let statements = translate_dump("INSERT INTO public.t (a) VALUES ('see public.t');");

        assert_eq!(
            statements,
            vec!["INSERT INTO t (a) VALUES ('see public.t')".to_owned()]
        );
    }

    #[test]
    fn other_schemas_are_kept() {
        let statements = translate_dump(
            "CREATE SCHEMA IF NOT EXISTS sales; CREATE TABLE sales.orders (id INT);",
        );

        assert_eq!(statements.len(), 2);
        assert_eq!(statements[1], "CREATE TABLE sales.orders (id INT)");
    }

    #[test]
    fn serial_columns_become_plain_integers() {
        let statements = translate_dump(
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

        let statements = translate_dump(dump);

        assert_eq!(
            statements,
            vec!["-- the data\nCREATE TABLE t (id bigint)".to_owned()]
        );
    }
}

//! The differential test of the two parsers: generated texts mixing quoting, escaping,
//! comments and dollar quotes around calls, read by the guard (sqlparser) and by DuckDB
//! (`json_serialize_sql`).
//!
//! Invariant: whatever the two parsers make of the text they were given, a query that passes
//! both checks runs as the guard read it: every function and relation in DuckDB's reading of
//! the text it runs is one the guard's reading named too. The run is bounded (a fixed list).

use std::collections::BTreeSet;
use std::time::Instant;

use ports::sql_engine::{Dialect, EngineReading, SqlEngine};

use crate::scratch_dir::restaurants_engine;

/// Pieces that open, close or hide strings and comments in one parser or the other.
const FRAGMENTS: &[&str] = &[
    "'plain'",
    "'it''s'",
    r"E'\''",
    r"e'\\'",
    r"'\'",
    r"'\\'",
    "$$x$$",
    "$$'$$",
    "$t$x'$t$",
    "$t$ $$ $t$",
    "'--'",
    "'/*'",
    "/* c */",
    "/* ' */",
    "-- '\n",
    "--\n",
    "N'x'",
    "X'41'",
    "'a'\n'b'",
    "\"col\"",
    "'",
    "$$",
    "/*",
    r"\",
];

/// Calls a hidden payload would make, in expression and in FROM position.
const PAYLOADS: &[&str] = &[
    ", current_setting('threads') AS x",
    ", getenv('HOME') AS x",
    " FROM duckdb_settings()",
    " FROM restaurant",
];

/// The fragments tried after the payload: those that close what a first fragment opened.
const CLOSING_FRAGMENTS: &[&str] = &[
    "'", "$$", "*/", "--'", "'--'", "$t$", r"\'", "\n", "/* ' */", "'plain'",
];

const SEPARATORS: &[&str] = &[" ", ""];

fn function_names(names: &[Vec<String>]) -> BTreeSet<String> {
    names
        .iter()
        .filter_map(|parts| parts.last())
        .map(|name| name.to_lowercase())
        // Operators (`+`, `~~`) are functions to DuckDB and operators to the guard.
        .filter(|name| name.chars().any(char::is_alphanumeric))
        .map(|name| {
            if name == "count_star" {
                "count".to_owned()
            } else {
                name
            }
        })
        .collect()
}

fn relation_names(reading: &EngineReading) -> BTreeSet<String> {
    reading
        .relations
        .iter()
        .chain(&reading.table_functions)
        .filter_map(|parts| parts.last())
        .map(|name| name.to_lowercase())
        .collect()
}

/// What DuckDB reads that the guard's reading does not name, or `None` when nothing.
fn unseen_by_guard(guard: &EngineReading, duckdb: &EngineReading) -> Option<String> {
    let mut guard_functions = function_names(&guard.functions);
    guard_functions.extend(function_names(&guard.table_functions));
    let unseen_functions: Vec<String> = function_names(&duckdb.functions)
        .difference(&guard_functions)
        .cloned()
        .collect();
    let unseen_relations: Vec<String> = relation_names(duckdb)
        .difference(&relation_names(guard))
        .cloned()
        .collect();
    (!unseen_functions.is_empty()
        || !unseen_relations.is_empty()
        || !duckdb.unclassified_sources.is_empty())
    .then(|| {
        format!(
            "functions {unseen_functions:?}, relations {unseen_relations:?}, sources {:?}",
            duckdb.unclassified_sources
        )
    })
}

fn generated_cases() -> Vec<String> {
    let mut cases = Vec::new();
    for first in FRAGMENTS {
        for second in FRAGMENTS.iter().take(4).chain(CLOSING_FRAGMENTS) {
            for separator in SEPARATORS {
                for payload in PAYLOADS {
                    cases.push(format!(
                        "SELECT {first}{separator}AS a{payload}{separator}{second}"
                    ));
                    cases.push(format!(
                        "SELECT 1 AS a{separator}{first}{payload}{separator}{second}"
                    ));
                }
            }
        }
    }
    cases
}

#[tokio::test]
async fn what_passes_both_checks_runs_as_the_guard_read_it() {
    let (_scratch_dir, engine) = restaurants_engine("differential").await;
    let policy = sql_guard::GuardPolicy::default();
    let started = Instant::now();

    let cases = generated_cases();
    let (mut n_raw_disagreements, mut n_admitted) = (0_usize, 0_usize);
    let mut violations = Vec::new();
    for sql in &cases {
        let guard_reading = sql_guard::read_statement(sql, Dialect::Embedded).ok();
        let raw_duckdb_reading = engine.read_statement(sql).await.ok().flatten();
        let disagree = match (&guard_reading, &raw_duckdb_reading) {
            (Some(guard), Some(duckdb)) => unseen_by_guard(guard, duckdb).is_some(),
            (None, None) => false,
            _ => true,
        };
        n_raw_disagreements += usize::from(disagree);

        let Ok(checked) = sql_guard::check_with_policy(sql, Dialect::Embedded, &policy) else {
            continue;
        };
        let Ok(Some(run_reading)) = engine.read_statement(checked.as_str()).await else {
            continue;
        };
        if sql_guard::check_engine_reading(&run_reading, Dialect::Embedded, &policy).is_err() {
            continue;
        }
        n_admitted += 1;
        let guard_reading = guard_reading.expect("an admitted text parses");
        if let Some(unseen) = unseen_by_guard(&guard_reading, &run_reading) {
            violations.push(format!("{sql:?} runs as {:?}: {unseen}", checked.as_str()));
        }
    }

    eprintln!(
        "parser differential: {} cases, {} where the parsers disagree on the raw text, {} \
         admitted by both checks, {:.1} s",
        cases.len(),
        n_raw_disagreements,
        n_admitted,
        started.elapsed().as_secs_f64()
    );
    assert!(cases.len() > 2_000);
    assert!(
        n_raw_disagreements > 0,
        "the generator no longer finds any disagreement"
    );
    assert!(n_admitted > 100, "only {n_admitted} cases admitted");
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

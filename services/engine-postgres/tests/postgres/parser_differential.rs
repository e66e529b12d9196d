//! The differential test of the two parsers on PostgreSQL: generated texts mixing quoting,
//! escaping (`E'...'`, `U&'...'` with and without `UESCAPE`), comments (nested ones too) and
//! dollar quotes around calls of denied functions, read by the guard (sqlparser) and by
//! PostgreSQL (`EXPLAIN (VERBOSE, FORMAT JSON)`).
//!
//! A run reads 17,640 cases in about 10 s on a busy two-core machine (at most two PostgreSQL
//! readings per case; most texts fail PostgreSQL's parser at once): 1,254 texts the two parsers
//! read differently (one refuses what the other reads, none hides a call or a relation from
//! the guard), 338 admitted by the guard. The test prints the counts and the time.
//!
//! Invariant: whatever the two parsers make of the text they were given, a query the guard
//! admits runs as the guard read it: every function and relation in PostgreSQL's reading of
//! the guard's rendering is one the guard's reading of the text named too. The run is bounded
//! (a fixed list).

use std::collections::BTreeSet;
use std::time::Instant;

use ports::sql_engine::{Dialect, EngineReading, SqlEngine};

use crate::test_database::TestDatabase;

/// Pieces that open, close or hide strings and comments in one parser or the other.
const FRAGMENTS: &[&str] = &[
    "'plain'",
    "'it''s'",
    r"E'\''",
    r"e'\\'",
    r"'\'",
    r"U&'\0027'",
    r"U&'!0027' UESCAPE '!'",
    r#"U&"a\0022b""#,
    "$$x$$",
    "$$'$$",
    "$t$x'$t$",
    "$t$ $$ $t$",
    "'--'",
    "'/*'",
    "/* c */",
    "/* ' */",
    "/* /* */ ' */",
    "-- '\n",
    "\"a\"\"b\"",
    "'a'\n'b'",
    "B'01'",
    "'",
    "$$",
    "/*",
    "E'",
    "U&'",
    r"\",
    "\"",
];

/// Calls a hidden payload would make, in expression and in FROM position.
const PAYLOADS: &[&str] = &[
    ", current_setting('application_name') AS x",
    ", pg_read_file('/etc/hostname') AS x",
    ", set_config('application_name', 'x', true) AS x",
    ", pg_sleep(0) AS x, lo_import('/etc/hostname') AS y, dblink('x') AS z",
    " FROM pg_authid",
    " FROM restaurant",
    ", upper(name) AS x FROM restaurant WHERE name ~~ 'T%'",
];

/// The fragments tried after the payload: those that close what a first fragment opened.
const CLOSING_FRAGMENTS: &[&str] = &["'", "$$", "*/", "*/ */", "--'", "$t$", r"\'", "\n", "\""];

const SEPARATORS: &[&str] = &[" ", "", "\n"];

fn function_names(names: &[Vec<String>]) -> BTreeSet<String> {
    names
        .iter()
        .filter_map(|parts| parts.last())
        .map(|name| name.to_lowercase())
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

/// What PostgreSQL reads that the guard's reading does not name, or `None` when nothing.
fn unseen_by_guard(guard: &EngineReading, postgres: &EngineReading) -> Option<String> {
    let mut guard_functions = function_names(&guard.functions);
    guard_functions.extend(function_names(&guard.table_functions));
    let unseen_functions: Vec<String> = function_names(&postgres.functions)
        .difference(&guard_functions)
        .cloned()
        .collect();
    let unseen_relations: Vec<String> = relation_names(postgres)
        .difference(&relation_names(guard))
        .cloned()
        .collect();
    (!unseen_functions.is_empty()
        || !unseen_relations.is_empty()
        || !postgres.unclassified_sources.is_empty())
    .then(|| {
        format!(
            "functions {unseen_functions:?}, relations {unseen_relations:?}, sources {:?}",
            postgres.unclassified_sources
        )
    })
}

fn generated_cases() -> Vec<String> {
    let mut cases = Vec::new();
    for first in FRAGMENTS {
        for second in FRAGMENTS.iter().take(6).chain(CLOSING_FRAGMENTS) {
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
async fn what_the_guard_admits_postgres_reads_as_the_guard_read_it() {
    let database = TestDatabase::with_restaurants().await;
    let engine = database.engine().await;
    let policy = sql_guard::GuardPolicy::default();
    let started = Instant::now();

    let cases = generated_cases();
    let (mut n_raw_disagreements, mut n_admitted, mut n_passing_both) = (0_usize, 0_usize, 0_usize);
    let mut violations = Vec::new();
    for sql in &cases {
        let guard_reading = sql_guard::read_statement(sql, Dialect::Postgres).ok();
        let raw_postgres_reading = engine.read_statement(sql).await.ok().flatten();
        let disagree = match (&guard_reading, &raw_postgres_reading) {
            (Some(guard), Some(postgres)) => unseen_by_guard(guard, postgres).is_some(),
            (None, None) => false,
            _ => true,
        };
        n_raw_disagreements += usize::from(disagree);

        let Ok(checked) = sql_guard::check_with_policy(sql, Dialect::Postgres, &policy) else {
            continue;
        };
        let Ok(Some(run_reading)) = engine.read_statement(checked.as_str()).await else {
            continue;
        };
        n_admitted += 1;
        if sql_guard::check_engine_reading(&run_reading, Dialect::Postgres, &policy).is_ok() {
            n_passing_both += 1;
        }
        let guard_reading = guard_reading.expect("an admitted text parses");
        if let Some(unseen) = unseen_by_guard(&guard_reading, &run_reading) {
            violations.push(format!("{sql:?} runs as {:?}: {unseen}", checked.as_str()));
        }
    }

    eprintln!(
        "postgres parser differential: {} cases, {} where the parsers disagree on the raw text, \
         {} admitted by the guard, {} passing both checks, {:.1} s",
        cases.len(),
        n_raw_disagreements,
        n_admitted,
        n_passing_both,
        started.elapsed().as_secs_f64()
    );
    assert!(cases.len() > 4_000);
    assert!(
        n_raw_disagreements > 0,
        "the generator no longer finds any disagreement"
    );
    assert!(n_admitted > 100, "only {n_admitted} cases admitted");
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

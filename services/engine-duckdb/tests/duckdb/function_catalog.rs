//! The guard's verdict on every function in DuckDB's own catalog (`duckdb_functions()`),
//! against the reviewed list in `function_catalog.tsv`.
//!
//! Invariant: a function DuckDB has that the list does not classify fails the test (a new
//! DuckDB version must be reviewed before it ships), and so does a verdict that differs from
//! the list. `ANALYST_WRITE_FUNCTION_CATALOG=1` rewrites the list from the guard's verdicts,
//! for review in the diff.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ports::sql_engine::{Dialect, EngineReading};

const WRITE_VAR: &str = "ANALYST_WRITE_FUNCTION_CATALOG";

fn catalog_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/duckdb/function_catalog.tsv")
}

/// `(name, kind)` of every function in the catalog; kind is `table` or `scalar`.
fn duckdb_catalog() -> Vec<(String, &'static str)> {
    let connection = duckdb::Connection::open_in_memory().unwrap();
    let mut statement = connection
        .prepare(
            "SELECT DISTINCT function_name, \
             function_type IN ('table', 'table_macro') AS is_table \
             FROM duckdb_functions() WHERE function_type <> 'pragma' ORDER BY 1, 2",
        )
        .unwrap();
    statement
        .query_map([], |row| {
            let is_table: bool = row.get(1)?;
            Ok((
                row.get::<_, String>(0)?,
                if is_table { "table" } else { "scalar" },
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn guard_verdict(name: &str, kind: &str) -> &'static str {
    let parts = vec![name.to_owned()];
    let reading = match kind {
        "table" => EngineReading {
            table_functions: vec![parts],
            ..EngineReading::default()
        },
        _ => EngineReading {
            functions: vec![parts],
            ..EngineReading::default()
        },
    };
    match sql_guard::check_engine_reading(
        &reading,
        Dialect::Embedded,
        &sql_guard::GuardPolicy::default(),
    ) {
        Ok(()) => "allowed",
        Err(_) => "denied",
    }
}

#[test]
fn every_duckdb_function_is_classified_and_the_guard_agrees_with_the_review() {
    let verdicts: Vec<(String, &str, &str)> = duckdb_catalog()
        .into_iter()
        .map(|(name, kind)| {
            let verdict = guard_verdict(&name, kind);
            (name, kind, verdict)
        })
        .collect();
    if std::env::var_os(WRITE_VAR).is_some() {
        let text: String = verdicts
            .iter()
            .map(|(name, kind, verdict)| format!("{name}\t{kind}\t{verdict}\n"))
            .collect();
        std::fs::write(catalog_path(), text).unwrap();
    }

    let reviewed: BTreeMap<(String, String), String> = std::fs::read_to_string(catalog_path())
        .unwrap()
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            Some((
                (fields.next()?.to_owned(), fields.next()?.to_owned()),
                fields.next()?.to_owned(),
            ))
        })
        .collect();
    let mut problems = Vec::new();
    for (name, kind, verdict) in &verdicts {
        match reviewed.get(&(name.clone(), (*kind).to_owned())) {
            None => problems.push(format!(
                "{name} ({kind}) is not classified; the guard says {verdict}"
            )),
            Some(listed) if listed != verdict => problems.push(format!(
                "{name} ({kind}) is listed {listed}, the guard says {verdict}"
            )),
            Some(_) => {}
        }
    }
    let n_denied = verdicts
        .iter()
        .filter(|(_, _, verdict)| *verdict == "denied")
        .count();
    eprintln!(
        "DuckDB catalog: {} functions, {} denied, {} allowed",
        verdicts.len(),
        n_denied,
        verdicts.len() - n_denied
    );
    assert!(verdicts.len() > 500, "only {} functions", verdicts.len());
    assert!(
        problems.is_empty(),
        "{}\nreview, then run with {WRITE_VAR}=1",
        problems.join("\n")
    );
}

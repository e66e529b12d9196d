//! Expands the demo's gold queries into concrete SQL: a row's `query` may hold several
//! queries separated by `;`, and column alternatives written `{a.col, b.col}`, where `{}`
//! repeats the alternative chosen for the previous group.
//!
//! Invariant: every alternative of every group yields its own query, so no spelling of a
//! gold answer goes unchecked.

use std::collections::BTreeSet;

use sql_eval_format::{expand_alternatives, split_statements};

const GOLD_QUERIES_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/demo/questions_gen_postgres.csv"
);

/// One concrete gold query and the CSV row it came from (1-based, after the header).
pub(crate) struct GoldQuery {
    pub(crate) row_idx: usize,
    pub(crate) sql: String,
}

pub(crate) fn load() -> Vec<GoldQuery> {
    let mut reader = csv::Reader::from_path(GOLD_QUERIES_CSV).unwrap();
    let headers = reader.headers().unwrap().clone();
    let query_column = headers.iter().position(|name| name == "query").unwrap();
    let mut gold_queries = Vec::new();
    for (row_idx, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let mut seen = BTreeSet::new();
        for statement in split_statements(&record[query_column]) {
            for sql in expand_alternatives(&statement) {
                if seen.insert(sql.clone()) {
                    gold_queries.push(GoldQuery {
                        row_idx: row_idx + 1,
                        sql,
                    });
                }
            }
        }
    }
    gold_queries
}

//! The guard against two corpora: adversarial SQL that must all be rejected, and the demo's
//! gold queries that must all be admitted; plus generated inputs (enormous texts and
//! property tests).
//!
//! Invariant: the corpora are read from files in this crate and no test needs a database.

#[path = "corpus/gold_queries.rs"]
mod gold_queries;
#[path = "corpus/malicious_records.rs"]
mod malicious_records;
#[path = "corpus/properties.rs"]
mod properties;

use ports::sql_engine::Dialect;
use sql_guard::{GuardRejection, MAX_SQL_BYTES, check_read_only};

const ALL_DIALECTS: [Dialect; 4] = [
    Dialect::Postgres,
    Dialect::Redshift,
    Dialect::Athena,
    Dialect::Embedded,
];

#[test]
fn every_malicious_case_is_rejected_in_every_dialect_it_targets() {
    let records = malicious_records::load();

    let mut slipped_through = Vec::new();
    let mut n_checks = 0;
    for record in &records {
        for dialect in &record.dialects {
            n_checks += 1;
            if let Ok(checked) = check_read_only(&record.sql, *dialect) {
                slipped_through.push(format!(
                    "record {} ({}): {:?} admitted as {:?}",
                    record.record_idx,
                    dialect.as_str(),
                    record.sql,
                    checked.as_str()
                ));
            }
        }
    }

    eprintln!(
        "malicious corpus: {} records, {} (record, dialect) checks, {} slipped through",
        records.len(),
        n_checks,
        slipped_through.len()
    );
    assert!(records.len() >= 150, "only {} records", records.len());
    assert!(
        slipped_through.is_empty(),
        "slipped through:\n{}",
        slipped_through.join("\n")
    );
}

#[test]
fn every_gold_query_of_the_demo_is_admitted_in_postgres() {
    let queries = gold_queries::load();

    let failures: Vec<String> = queries
        .iter()
        .filter_map(|gold_query| {
            check_read_only(&gold_query.sql, Dialect::Postgres)
                .err()
                .map(|rejection| {
                    format!(
                        "row {}: {rejection}\n    {}",
                        gold_query.row_idx, gold_query.sql
                    )
                })
        })
        .collect();

    eprintln!(
        "legitimate corpus: {} queries, {} admitted, {} rejected",
        queries.len(),
        queries.len() - failures.len(),
        failures.len()
    );
    assert!(queries.len() >= 210, "only {} queries", queries.len());
    assert!(failures.is_empty(), "rejected:\n{}", failures.join("\n"));
}

#[test]
fn enormous_inputs_are_rejected_in_every_dialect() {
    let enormous_inputs = [
        format!("SELECT '{}'", "a".repeat(MAX_SQL_BYTES)),
        format!("SELECT 1{}", " ".repeat(MAX_SQL_BYTES)),
        format!("SELECT {}1{}", "(".repeat(10_000), ")".repeat(10_000)),
        format!("SELECT 1{}", "+1".repeat(40_000)),
        format!("SELECT x{}", "::int".repeat(15_000)),
        format!("SELECT {}1", "NOT ".repeat(20_000)),
        format!("SELECT {}1", "-".repeat(50_000)),
        format!(
            "SELECT * FROM t WHERE {}",
            "a = 1 OR ".repeat(10_000) + "true"
        ),
        "SELECT ".to_owned() + &"(SELECT ".repeat(5_000) + "1" + &")".repeat(5_000),
        "SELECT 1 FROM ".to_owned() + &"(".repeat(20_000) + "t" + &")".repeat(20_000),
        "SELECT CASE WHEN true THEN ".repeat(5_000) + "1" + &" END".repeat(5_000),
        "SELECT ARRAY[".repeat(8_000) + "1" + &"]".repeat(8_000),
        format!("SELECT 1; {}", "SELECT 1; ".repeat(8_000)),
    ];

    for sql in &enormous_inputs {
        for dialect in ALL_DIALECTS {
            let outcome = check_read_only(sql, dialect);

            assert!(
                outcome.is_err(),
                "{} admitted {} bytes starting {:?}",
                dialect.as_str(),
                sql.len(),
                &sql[..40]
            );
        }
    }
}

#[test]
fn long_flat_queries_under_the_byte_cap_are_admitted_and_long_set_operations_are_not() {
    let long_flat_queries = [
        format!("SELECT * FROM t{}", " JOIN t USING (a)".repeat(5_000)),
        format!("SELECT a{} FROM t", ", a".repeat(30_000)),
        format!("SELECT * FROM t WHERE a IN (1{})", ", 1".repeat(30_000)),
    ];
    let long_set_operation = format!("SELECT 1{}", " UNION ALL SELECT 1".repeat(5_000));

    for dialect in ALL_DIALECTS {
        for sql in &long_flat_queries {
            let outcome = check_read_only(sql, dialect);

            assert!(outcome.is_ok(), "{}: {outcome:?}", dialect.as_str());
        }
        let rejection = check_read_only(&long_set_operation, dialect).unwrap_err();

        assert!(
            matches!(rejection, GuardRejection::TooDeeplyNested(_)),
            "{}: {rejection}",
            dialect.as_str()
        );
    }
}

#[test]
fn ten_thousand_nested_parentheses_are_reported_as_too_deep() {
    let sql = format!("SELECT {}1{}", "(".repeat(10_000), ")".repeat(10_000));

    for dialect in ALL_DIALECTS {
        let rejection = check_read_only(&sql, dialect).unwrap_err();

        assert!(
            matches!(rejection, GuardRejection::TooDeeplyNested(_)),
            "{}: {rejection}",
            dialect.as_str()
        );
    }
}

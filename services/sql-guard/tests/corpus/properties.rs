//! Property tests: every generated DDL or DML statement is rejected, and every generated
//! `SELECT` over safe functions is admitted, in every dialect.
//!
//! Invariant: generators only produce SQL whose verdict is known in advance.

use proptest::prelude::*;
use sql_guard::check_read_only;

use super::ALL_DIALECTS;

fn identifier() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,8}".prop_map(|name| format!("x_{name}"))
}

fn writing_statement() -> impl Strategy<Value = String> {
    let templates = prop_oneof![
        Just("INSERT INTO {t} VALUES ({n})"),
        Just("INSERT INTO {t} ({c}) SELECT {c} FROM {t}"),
        Just("UPDATE {t} SET {c} = {n} WHERE {c} > {n}"),
        Just("DELETE FROM {t} WHERE {c} = {n}"),
        Just("DROP TABLE {t}"),
        Just("DROP VIEW IF EXISTS {t}"),
        Just("CREATE TABLE {t} ({c} INT)"),
        Just("CREATE TABLE {t} AS SELECT {n} AS {c}"),
        Just("CREATE VIEW {t} AS SELECT {c} FROM {t}"),
        Just("ALTER TABLE {t} ADD COLUMN {c} INT"),
        Just("TRUNCATE TABLE {t}"),
        Just("GRANT SELECT ON {t} TO {c}"),
        Just("REVOKE SELECT ON {t} FROM {c}"),
        Just("SELECT {c} INTO {t} FROM {t}"),
        Just("WITH d AS (DELETE FROM {t} RETURNING {c}) SELECT * FROM d"),
        Just("SELECT {n}; DROP TABLE {t}"),
        Just("SELECT {c} FROM {t}; UPDATE {t} SET {c} = {n}"),
    ];
    let keyword_case = prop_oneof![Just(false), Just(true)];
    (
        templates,
        identifier(),
        identifier(),
        0_u32..1_000_000,
        keyword_case,
    )
        .prop_map(|(template, table, column, number, lowercase)| {
            let sql = template
                .replace("{t}", &table)
                .replace("{c}", &column)
                .replace("{n}", &number.to_string());
            if lowercase { sql.to_lowercase() } else { sql }
        })
}

fn safe_expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        prop_oneof![Just("a"), Just("b"), Just("t.c")].prop_map(str::to_owned),
        (0_u32..10_000).prop_map(|number| number.to_string()),
        "[a-z ]{0,12}".prop_map(|text| format!("'{text}'")),
    ];
    leaf.prop_recursive(4, 32, 3, |inner| {
        let safe_function = prop_oneof![
            Just("lower"),
            Just("upper"),
            Just("abs"),
            Just("length"),
            Just("round"),
            Just("coalesce"),
            Just("greatest"),
            Just("least"),
            Just("concat"),
        ];
        let operator = prop_oneof![Just("+"), Just("-"), Just("*"), Just("=")];
        prop_oneof![
            (safe_function, prop::collection::vec(inner.clone(), 1..3))
                .prop_map(|(function, args)| format!("{function}({})", args.join(", "))),
            (inner.clone(), operator, inner.clone())
                .prop_map(|(left, operator, right)| format!("({left} {operator} {right})")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(when, then, otherwise)| {
                format!("CASE WHEN {when} > 0 THEN {then} ELSE {otherwise} END")
            }),
            inner.prop_map(|argument| format!("count({argument})")),
        ]
    })
}

proptest! {
    #[test]
    fn generated_ddl_and_dml_statements_are_always_rejected(sql in writing_statement()) {
        for dialect in ALL_DIALECTS {
            prop_assert!(
                check_read_only(&sql, dialect).is_err(),
                "{} admitted {sql}",
                dialect.as_str()
            );
        }
    }

    #[test]
    fn generated_selects_over_safe_functions_are_admitted(
        expressions in prop::collection::vec(safe_expression(), 1..5)
    ) {
        let sql = format!("SELECT {} FROM t", expressions.join(", "));

        for dialect in ALL_DIALECTS {
            let outcome = check_read_only(&sql, dialect);
            prop_assert!(outcome.is_ok(), "{} rejected {sql}: {outcome:?}", dialect.as_str());
        }
    }
}

//! Unit tests of the guard through its public functions, one rule per test.
//!
//! Invariant: tests never depend on a database or on files outside this crate.

use ports::sql_engine::Dialect;

use crate::{GuardPolicy, GuardRejection, check_read_only, check_with_policy};

fn rejected(sql: &str) -> GuardRejection {
    check_read_only(sql, Dialect::Postgres).expect_err(sql)
}

fn rejected_in(sql: &str, dialect: Dialect) -> GuardRejection {
    check_read_only(sql, dialect).expect_err(sql)
}

/// Runs `check` on a thread with a 512 KiB stack, much smaller than any real worker's.
fn on_small_stack<T: Send + 'static>(check: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(check)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn a_plain_select_is_admitted_without_its_semicolon() {
    let checked = check_read_only("SELECT COUNT(*) FROM restaurant;", Dialect::Embedded).unwrap();

    assert_eq!(checked.as_str(), "SELECT COUNT(*) FROM restaurant");
}

#[test]
fn trailing_comments_and_semicolons_are_cut_from_the_admitted_text() {
    let checked = check_read_only(
        "  SELECT 'é' AS x ;; -- done\n /* end */ ",
        Dialect::Postgres,
    )
    .unwrap();

    assert_eq!(checked.as_str(), "SELECT 'é' AS x");
}

#[test]
fn ctes_set_operations_and_subqueries_are_admitted() {
    for sql in [
        "WITH t AS (SELECT 1 AS a) SELECT a FROM t",
        "SELECT 1 UNION ALL SELECT 2",
        "SELECT name FROM restaurant WHERE city_name IN (SELECT city_name FROM geographic)",
        "VALUES (1), (2)",
        "SELECT * FROM generate_series(1, 3) AS g(n)",
        "SELECT * FROM information_schema.columns",
    ] {
        assert!(check_read_only(sql, Dialect::Postgres).is_ok(), "{sql}");
    }
}

#[test]
fn stacked_statements_are_rejected() {
    assert_eq!(
        rejected("SELECT 1; DROP TABLE x"),
        GuardRejection::NotExactlyOneStatement { n_statements: 2 }
    );
}

#[test]
fn ddl_and_dml_are_rejected() {
    for sql in [
        "DROP TABLE x",
        "DELETE FROM x",
        "INSERT INTO x VALUES (1)",
        "UPDATE x SET a = 1",
        "SET statement_timeout = 0",
    ] {
        assert!(
            matches!(rejected(sql), GuardRejection::NotAQuery(_)),
            "{sql}"
        );
    }
}

#[test]
fn a_data_modifying_cte_is_rejected() {
    let rejection = rejected("WITH d AS (DELETE FROM x RETURNING *) SELECT * FROM d");

    assert!(
        matches!(rejection, GuardRejection::Writes(_)),
        "{rejection:?}"
    );
}

#[test]
fn select_into_and_locking_clauses_are_rejected() {
    for sql in [
        "SELECT * INTO copy_of_x FROM x",
        "SELECT * FROM x FOR UPDATE",
    ] {
        assert!(matches!(rejected(sql), GuardRejection::Writes(_)), "{sql}");
    }
}

#[test]
fn denied_functions_are_rejected_whatever_their_case_schema_or_quotes() {
    for sql in [
        "SELECT pg_sleep(60)",
        "SELECT 1 FROM x WHERE pg_catalog.PG_SLEEP(1) IS NULL",
        "SELECT \"pg_catalog\".\"pg_read_file\"('/etc/passwd')",
        "SELECT * FROM (SELECT pg_read_file('/etc/passwd')) t",
        "SELECT nextval('orders_id_seq')",
    ] {
        assert!(
            matches!(rejected(sql), GuardRejection::DeniedFunction { .. }),
            "{sql}"
        );
    }
}

#[test]
fn each_dialect_denies_its_own_dangerous_functions() {
    for (sql, dialect) in [
        ("SELECT getenv('HOME')", Dialect::Embedded),
        (
            "SELECT * FROM read_parquet('s3://bucket/x.parquet')",
            Dialect::Embedded,
        ),
        ("SELECT pg_terminate_backend(42)", Dialect::Redshift),
        ("SELECT system.runtime.kill_query('q')", Dialect::Athena),
        (
            "SELECT * FROM TABLE(system.query(query => 'SELECT 1'))",
            Dialect::Athena,
        ),
    ] {
        let rejection = rejected_in(sql, dialect);

        assert!(
            matches!(
                rejection,
                GuardRejection::DeniedFunction { .. } | GuardRejection::DeniedTableFunction { .. }
            ),
            "{sql}: {rejection:?}"
        );
    }
}

#[test]
fn table_functions_off_the_allow_list_are_rejected() {
    let rejection = check_read_only(
        "SELECT * FROM pg_stat_get_backend_idset()",
        Dialect::Postgres,
    )
    .unwrap_err();

    assert!(
        matches!(rejection, GuardRejection::DeniedTableFunction { .. }),
        "{rejection:?}"
    );
}

#[test]
fn system_catalogs_holding_secrets_are_rejected() {
    for sql in [
        "SELECT rolpassword FROM pg_authid",
        "SELECT * FROM \"PG_CATALOG\".\"PG_SHADOW\"",
        "SELECT * FROM x JOIN pg_catalog.pg_user_mapping m ON true",
    ] {
        assert!(
            matches!(rejected(sql), GuardRejection::DeniedRelation { .. }),
            "{sql}"
        );
    }
}

#[test]
fn the_allow_list_admits_listed_relations_and_the_query_s_own_ctes() {
    let policy = GuardPolicy::default().with_allowed_relations(["public.orders", "Customers"]);

    for sql in [
        "SELECT * FROM orders",
        "SELECT * FROM PUBLIC.\"ORDERS\"",
        "SELECT * FROM customers c JOIN orders o ON o.customer_id = c.id",
        "WITH recent AS (SELECT * FROM orders) SELECT * FROM recent",
    ] {
        assert!(
            check_with_policy(sql, Dialect::Postgres, &policy).is_ok(),
            "{sql}"
        );
    }
}

#[test]
fn the_allow_list_rejects_other_relations_with_the_allowed_names() {
    let policy = GuardPolicy::default().with_allowed_relations(["public.orders", "customers"]);

    for sql in [
        "SELECT * FROM secrets",
        "SELECT * FROM sales.customers",
        "SELECT * FROM orders WHERE id IN (SELECT id FROM payroll)",
    ] {
        let rejection = check_with_policy(sql, Dialect::Postgres, &policy).unwrap_err();

        assert!(
            rejection.to_string().contains("customers, public.orders"),
            "{sql}: {rejection}"
        );
    }
}

#[test]
fn a_later_cte_does_not_hide_a_real_table_read_by_an_earlier_one() {
    let policy = GuardPolicy::default().with_allowed_relations(["orders"]);
    let sql = "WITH a AS (SELECT * FROM payroll), payroll AS (SELECT 1) SELECT * FROM a";

    let rejection = check_with_policy(sql, Dialect::Postgres, &policy).unwrap_err();

    assert!(
        matches!(rejection, GuardRejection::RelationNotAllowed { .. }),
        "{rejection:?}"
    );
}

#[test]
fn a_recursive_cte_may_reference_itself_under_an_allow_list() {
    let policy = GuardPolicy::default().with_allowed_relations(["orders"]);
    let sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) \
               SELECT * FROM n";

    assert!(check_with_policy(sql, Dialect::Postgres, &policy).is_ok());
}

#[test]
fn a_datasource_can_deny_its_own_functions() {
    let policy = GuardPolicy::default().with_denied_functions(["audit.Send_Mail"]);

    let rejection =
        check_with_policy("SELECT send_mail('x')", Dialect::Postgres, &policy).unwrap_err();

    assert!(
        matches!(rejection, GuardRejection::DeniedFunction { .. }),
        "{rejection:?}"
    );
}

#[test]
fn hidden_characters_are_rejected_with_their_position() {
    assert_eq!(
        rejected("SELECT 1 \u{202E}-- x"),
        GuardRejection::HiddenCharacter {
            code_point: 0x202E,
            byte_offset: 9
        }
    );
    for sql in [
        "SELECT\u{0}1",
        "SELECT\u{200B}1",
        "\u{FEFF}SELECT 1",
        "SELECT 1\u{2066}",
    ] {
        assert!(
            matches!(rejected(sql), GuardRejection::HiddenCharacter { .. }),
            "{sql:?}"
        );
    }
}

#[test]
fn nested_comments_and_unicode_escaped_identifiers_are_rejected() {
    for sql in [
        "SELECT 1 /* /* */ ; DROP TABLE x; */",
        "SELECT U&\"pg\\005fsleep\"(10)",
    ] {
        assert!(
            matches!(rejected(sql), GuardRejection::AmbiguousSyntax(_)),
            "{sql}"
        );
    }
}

#[test]
fn ten_thousand_nested_parentheses_are_rejected_not_overflowed() {
    let sql = format!("SELECT {}1{}", "(".repeat(10_000), ")".repeat(10_000));

    let rejection = on_small_stack(move || check_read_only(&sql, Dialect::Postgres));

    assert!(
        matches!(rejection, Err(GuardRejection::TooDeeplyNested(_))),
        "{rejection:?}"
    );
}

#[test]
fn the_longest_allowed_operator_chain_is_checked_on_a_small_stack() {
    let n_terms = crate::token_screen::MAX_OPERATOR_TOKENS;
    let sql = format!("SELECT x{} FROM t", "::int + 1".repeat(n_terms / 2));

    let checked = on_small_stack(move || check_read_only(&sql, Dialect::Postgres));

    assert!(checked.is_ok(), "{checked:?}");
}

#[test]
fn the_longest_operator_chain_inside_the_deepest_nesting_is_checked_on_a_small_stack() {
    let n_levels = crate::MAX_NESTING_DEPTH / 3;
    let chain = format!(
        "x{}",
        "::int + 1".repeat(crate::token_screen::MAX_OPERATOR_TOKENS / 2 - n_levels)
    );
    let sql = format!(
        "SELECT {}{chain}{} FROM t",
        "(SELECT ".repeat(n_levels),
        " FROM t)".repeat(n_levels)
    );

    let checked = on_small_stack(move || check_read_only(&sql, Dialect::Postgres));

    assert!(checked.is_ok(), "{checked:?}");
}

#[test]
fn a_longer_operator_chain_is_rejected() {
    let sql = format!("SELECT 1{}", "+1".repeat(5_000));

    assert!(matches!(rejected(&sql), GuardRejection::TooDeeplyNested(_)));
}

#[test]
fn unparseable_sql_is_rejected() {
    assert!(matches!(
        rejected("SELEC 1"),
        GuardRejection::Unparseable(_)
    ));
}

#[test]
fn bracketed_expressions_redshift_would_read_as_identifiers_are_rejected() {
    let rejection = rejected_in("SELECT x[pg_sleep(1)] FROM t", Dialect::Redshift);

    assert!(
        matches!(rejection, GuardRejection::AmbiguousSyntax(_)),
        "{rejection:?}"
    );
}

#[test]
fn duckdb_method_calls_are_checked_like_function_calls() {
    let rejection = rejected_in("SELECT 'HOME'.getenv()", Dialect::Embedded);

    assert!(
        matches!(rejection, GuardRejection::DeniedFunction { .. }),
        "{rejection:?}"
    );
}

#[test]
fn quoted_file_paths_in_from_are_rejected() {
    for sql in ["SELECT * FROM 'x.csv'", "SELECT * FROM \"/etc/passwd.csv\""] {
        let rejection = rejected_in(sql, Dialect::Embedded);

        assert!(
            matches!(rejection, GuardRejection::DeniedRelation { .. }),
            "{sql}: {rejection:?}"
        );
    }
}

#[test]
fn the_admitted_text_is_the_guards_own_rendering_of_the_statement() {
    let checked = check_read_only(
        "select   count(*)\n  from restaurant /* why */ where rating>4 -- done",
        Dialect::Embedded,
    )
    .unwrap();

    assert_eq!(
        checked.as_str(),
        "SELECT count(*) FROM restaurant WHERE rating > 4"
    );
}

#[test]
fn a_string_prefix_letter_against_a_quote_is_rejected_where_the_parser_lacks_it() {
    // DuckDB reads E'\'' as one escaped quote and then calls current_setting; sqlparser's
    // DuckDB dialect reads the word E and two plain strings.
    for sql in [
        r"SELECT E'\'' AS q, current_setting($$threads$$) AS x --'",
        r"SELECT e'\'' AS q FROM duckdb_settings() --'",
        r"SELECT B'101' AS bits",
    ] {
        assert!(
            matches!(
                rejected_in(sql, Dialect::Embedded),
                GuardRejection::AmbiguousSyntax(_)
            ),
            "{sql}"
        );
    }
}

#[test]
fn postgres_escape_strings_are_read_and_rendered_as_escape_strings() {
    let checked = check_read_only(r"SELECT E'a\'b' AS q", Dialect::Postgres).unwrap();

    assert_eq!(checked.as_str(), r"SELECT E'a\'b' AS q");
}

#[test]
fn duckdb_views_of_its_own_state_are_refused() {
    for sql in [
        "SELECT * FROM duckdb_databases",
        "SELECT path FROM duckdb_databases()",
        "SELECT * FROM pragma_database_list",
        "SELECT * FROM main.duckdb_logs",
        "SELECT * FROM duckdb_settings",
        "SELECT * FROM duckdb_secrets()",
        "SELECT count(*) FROM duckdb_memory()",
    ] {
        let rejection = rejected_in(sql, Dialect::Embedded);
        assert!(
            matches!(
                rejection,
                GuardRejection::DeniedRelation { .. }
                    | GuardRejection::DeniedFunction { .. }
                    | GuardRejection::DeniedTableFunction { .. }
            ),
            "{sql}: {rejection}"
        );
    }
}

#[test]
fn logging_and_checkpoint_functions_are_denied_in_duckdb() {
    for sql in [
        "SELECT enable_logging()",
        "SELECT * FROM enable_logging(storage := 'file')",
        "SELECT write_log('x')",
        "SELECT * FROM checkpoint()",
    ] {
        let rejection = rejected_in(sql, Dialect::Embedded);
        assert!(
            matches!(
                rejection,
                GuardRejection::DeniedFunction { .. } | GuardRejection::DeniedTableFunction { .. }
            ),
            "{sql}: {rejection}"
        );
    }
}

#[test]
fn a_dotted_name_that_reads_as_a_file_name_is_refused_in_duckdb() {
    for sql in [
        "SELECT * FROM secret.csv",
        "SELECT * FROM data.parquet",
        "SELECT * FROM main.notes.json",
    ] {
        assert!(
            matches!(
                rejected_in(sql, Dialect::Embedded),
                GuardRejection::DeniedRelation { .. }
            ),
            "{sql}"
        );
    }
    assert!(check_read_only("SELECT * FROM main.restaurant", Dialect::Embedded).is_ok());
}

mod engine_reading {
    use ports::sql_engine::{Dialect, EngineReading};

    use crate::{GuardPolicy, GuardRejection, check_engine_reading, read_statement};

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    fn check(reading: &EngineReading) -> Result<(), GuardRejection> {
        check_engine_reading(reading, Dialect::Embedded, &GuardPolicy::default())
    }

    #[test]
    fn a_denied_function_in_the_engines_reading_is_refused() {
        let reading = EngineReading {
            functions: vec![names(&["upper"]), names(&["current_setting"])],
            ..EngineReading::default()
        };

        assert!(matches!(
            check(&reading),
            Err(GuardRejection::DeniedFunction { .. })
        ));
    }

    #[test]
    fn table_functions_off_the_allow_list_and_system_relations_are_refused() {
        let table_function = EngineReading {
            table_functions: vec![names(&["read_blob"])],
            ..EngineReading::default()
        };
        let relation = EngineReading {
            relations: vec![names(&["duckdb_logs"])],
            ..EngineReading::default()
        };
        let unclassified = EngineReading {
            unclassified_sources: vec!["SHOW_REF".to_owned()],
            ..EngineReading::default()
        };

        assert!(check(&table_function).is_err());
        assert!(check(&relation).is_err());
        assert!(matches!(
            check(&unclassified),
            Err(GuardRejection::AmbiguousSyntax(_))
        ));
    }

    #[test]
    fn ctes_and_allowed_table_functions_pass() {
        let reading = EngineReading {
            functions: vec![names(&["count"])],
            table_functions: vec![names(&["range"])],
            relations: vec![names(&["t"]), names(&["main", "restaurant"])],
            cte_names: names(&["t"]),
            ..EngineReading::default()
        };

        assert_eq!(check(&reading), Ok(()));
    }

    #[test]
    fn the_allow_list_applies_to_the_engines_reading_too() {
        let policy = GuardPolicy::default().with_allowed_relations(["restaurant"]);
        let reading = EngineReading {
            relations: vec![names(&["location"])],
            ..EngineReading::default()
        };

        assert!(matches!(
            check_engine_reading(&reading, Dialect::Embedded, &policy),
            Err(GuardRejection::RelationNotAllowed { .. })
        ));
    }

    #[test]
    fn the_guards_reading_lists_what_the_statement_names() {
        let reading = read_statement(
            "WITH t AS (SELECT upper(name) AS n FROM restaurant) \
             SELECT count(*) FROM t, range(3) AS r",
            Dialect::Embedded,
        )
        .unwrap();

        assert_eq!(reading.cte_names, names(&["t"]));
        assert_eq!(reading.table_functions, vec![names(&["range"])]);
        assert!(reading.relations.contains(&names(&["restaurant"])));
        assert!(reading.functions.contains(&names(&["upper"])));
        assert!(reading.functions.contains(&names(&["count"])));
    }
}

#[test]
fn quadratic_string_functions_fail_past_the_input_cap_in_duckdb() {
    let checked = check_read_only(
        "SELECT levenshtein(name, 'Miami') AS d FROM restaurant",
        Dialect::Embedded,
    )
    .unwrap();

    assert_eq!(
        checked.as_str(),
        "SELECT levenshtein(CASE WHEN length(name) > 256 THEN \
         error('levenshtein is limited to strings of at most 256 characters') ELSE name END, \
         CASE WHEN length('Miami') > 256 THEN \
         error('levenshtein is limited to strings of at most 256 characters') ELSE 'Miami' END) \
         AS d FROM restaurant"
    );
}

#[test]
fn size_taking_functions_fail_past_the_output_cap_in_duckdb() {
    let checked = check_read_only("SELECT repeat('ab', 3) AS r", Dialect::Embedded).unwrap();

    assert!(
        checked
            .as_str()
            .starts_with("SELECT repeat('ab', CASE WHEN length('ab') * (3) > 100000 THEN error("),
        "{}",
        checked.as_str()
    );
    let postgres = check_read_only("SELECT repeat('ab', 3) AS r", Dialect::Postgres).unwrap();
    assert_eq!(postgres.as_str(), "SELECT repeat('ab', 3) AS r");
}

#[test]
fn deeply_nested_capped_calls_are_refused_by_the_rendered_size() {
    let nested = (0..40).fold("'a'".to_owned(), |inner, _| format!("repeat({inner}, 2)"));

    let rejection = rejected_in(&format!("SELECT {nested} AS r"), Dialect::Embedded);

    assert!(
        matches!(rejection, GuardRejection::TooLong { .. }),
        "{rejection}"
    );
}

#[test]
fn constant_inputs_past_the_bounds_are_refused_before_duckdb_folds_them() {
    for sql in [
        "SELECT damerau_levenshtein(repeat('a', 12000), repeat('b', 12000)) AS d",
        "SELECT levenshtein('a', upper('b')) AS d",
        "SELECT repeat('a', 1000000000) AS r",
        "SELECT lpad('a', 1000 * 1000000, 'x') AS r",
        "SELECT len(range(100000000)) AS n",
        "SELECT generate_series(1, 3) AS s",
    ] {
        assert!(
            matches!(
                rejected_in(sql, Dialect::Embedded),
                GuardRejection::DeniedFunction { .. }
            ),
            "{sql}"
        );
    }
    for sql in [
        "SELECT levenshtein(name, 'Miami') AS d FROM restaurant",
        "SELECT repeat('-', rating) AS bar FROM restaurant",
        "SELECT * FROM range(3) AS t(n)",
    ] {
        assert!(check_read_only(sql, Dialect::Embedded).is_ok(), "{sql}");
    }
}

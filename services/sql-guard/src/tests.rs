use ports::sql_engine::Dialect;

use crate::{GuardRejection, check_read_only};

fn rejected(sql: &str) -> GuardRejection {
    check_read_only(sql, Dialect::Postgres).expect_err(sql)
}

#[test]
fn a_plain_select_is_admitted_without_its_semicolon() {
    let checked = check_read_only("SELECT COUNT(*) FROM restaurant;", Dialect::Embedded).unwrap();

    assert_eq!(checked.as_str(), "SELECT COUNT(*) FROM restaurant");
}

#[test]
fn ctes_set_operations_and_subqueries_are_admitted() {
    for sql in [
        "WITH t AS (SELECT 1 AS a) SELECT a FROM t",
        "SELECT 1 UNION ALL SELECT 2",
        "SELECT name FROM restaurant WHERE city_name IN (SELECT city_name FROM geographic)",
        "VALUES (1), (2)",
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
fn select_into_is_rejected() {
    assert!(matches!(
        rejected("SELECT * INTO copy_of_x FROM x"),
        GuardRejection::Writes(_)
    ));
}

#[test]
fn denied_functions_are_rejected_anywhere_in_the_query() {
    for sql in [
        "SELECT pg_sleep(60)",
        "SELECT 1 FROM x WHERE pg_catalog.PG_SLEEP(1) IS NULL",
        "SELECT * FROM (SELECT pg_read_file('/etc/passwd')) t",
    ] {
        assert!(
            matches!(rejected(sql), GuardRejection::DeniedFunction(_)),
            "{sql}"
        );
    }
}

#[test]
fn table_functions_that_read_files_are_rejected() {
    let rejection =
        check_read_only("SELECT * FROM read_csv('/etc/passwd')", Dialect::Embedded).unwrap_err();

    assert!(
        matches!(rejection, GuardRejection::DeniedFunction(_)),
        "{rejection:?}"
    );
}

#[test]
fn unparseable_sql_is_rejected() {
    assert!(matches!(
        rejected("SELEC 1"),
        GuardRejection::Unparseable(_)
    ));
}

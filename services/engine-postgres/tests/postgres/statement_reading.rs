//! PostgreSQL's own reading of a statement (`read_statement`, through `EXPLAIN`), and
//! `sql_guard::run_guarded` refusing a query whose reading the guard's rules do not admit.
//!
//! Invariant: a reading never runs the statement it reads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ports::datasource::Datasource;
use ports::sql_engine::{Dialect, EngineError, EngineReading, QueryLimits, SqlEngine};

use crate::test_database::TestDatabase;

fn base_names(names: &[Vec<String>]) -> Vec<String> {
    let mut base_names: Vec<String> = names
        .iter()
        .filter_map(|parts| parts.last().cloned())
        .collect();
    base_names.sort();
    base_names.dedup();
    base_names
}

async fn engine_reading(engine: &impl SqlEngine, sql: &str) -> EngineReading {
    engine
        .read_statement(sql)
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
        .expect("PostgreSQL has a reading")
}

fn restaurants_datasource(
    engine: engine_postgres::PostgresEngine,
    allowed_relations: Option<&[&str]>,
) -> Datasource {
    Datasource {
        name: "restaurants".to_owned(),
        description: None,
        engine_name: "postgres".to_owned(),
        engine: Arc::new(engine),
        allowed_relations: allowed_relations
            .map(|relations| relations.iter().map(|name| (*name).to_owned()).collect()),
    }
}

#[tokio::test]
async fn the_reading_names_the_functions_called_in_every_part_of_the_query() {
    let database = TestDatabase::with_restaurants().await;
    let engine = database.engine().await;

    let reading = engine_reading(
        &engine,
        "SELECT upper(r.name) AS name, count(*) AS n FROM restaurant r \
         WHERE r.rating > random() AND r.city_name IN \
           (SELECT lower(g.city_name) FROM geographic g WHERE g.region = md5(g.county)) \
         GROUP BY upper(r.name) ORDER BY length(upper(r.name))",
    )
    .await;

    assert_eq!(
        base_names(&reading.functions),
        vec!["count", "length", "lower", "md5", "random", "upper"]
    );
    assert!(reading.table_functions.is_empty());
    assert!(reading.relations.is_empty(), "{:?}", reading.relations);
    assert!(reading.unclassified_sources.is_empty());
}

#[tokio::test]
async fn a_function_in_from_is_a_table_function_with_its_schema() {
    let database = TestDatabase::create().await;
    let engine = database.engine().await;

    let reading = engine_reading(
        &engine,
        "SELECT g, abs(g) FROM generate_series(1, (random() * 10)::int) AS g",
    )
    .await;

    assert_eq!(
        reading.table_functions,
        vec![vec!["pg_catalog".to_owned(), "generate_series".to_owned()]]
    );
    assert_eq!(
        base_names(&reading.functions),
        vec!["abs", "generate_series", "random"]
    );
}

#[tokio::test]
async fn a_materialized_cte_is_named_and_its_functions_are_read() {
    let database = TestDatabase::with_restaurants().await;
    let engine = database.engine().await;

    let reading = engine_reading(
        &engine,
        "WITH rated AS MATERIALIZED (SELECT name, round(rating::numeric, 1) AS rating \
         FROM restaurant) SELECT a.name FROM rated a JOIN rated b ON a.rating = b.rating",
    )
    .await;

    assert!(reading.cte_names.contains(&"rated".to_owned()));
    assert_eq!(base_names(&reading.functions), vec!["round"]);
}

#[tokio::test]
async fn a_view_is_read_as_its_definition_and_its_base_tables_are_not_reported() {
    let database = TestDatabase::with_restaurants().await;
    database
        .run(
            "CREATE VIEW restaurant_names AS \
             SELECT initcap(name) AS name, city_name FROM restaurant",
        )
        .await;
    let engine = database.engine().await;

    let reading = engine_reading(&engine, "SELECT name FROM restaurant_names").await;

    assert_eq!(base_names(&reading.functions), vec!["initcap"]);
    assert!(reading.relations.is_empty(), "{:?}", reading.relations);
}

#[tokio::test]
async fn catalog_tables_are_reported_with_their_schema() {
    let database = TestDatabase::create().await;
    let engine = database.engine().await;

    let reading = engine_reading(
        &engine,
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public'",
    )
    .await;
    let columns = engine_reading(
        &engine,
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'x'",
    )
    .await;

    assert!(
        reading
            .relations
            .contains(&vec!["pg_catalog".to_owned(), "pg_class".to_owned()])
    );
    assert!(
        reading
            .relations
            .contains(&vec!["pg_catalog".to_owned(), "pg_namespace".to_owned()])
    );
    let policy = sql_guard::GuardPolicy::default();
    assert_eq!(
        sql_guard::check_engine_reading(&columns, Dialect::Postgres, &policy),
        Ok(()),
        "information_schema.columns reads no secret catalog: {:?}",
        columns.relations
    );
}

#[tokio::test]
async fn immutable_calls_with_constant_arguments_are_folded_away() {
    let database = TestDatabase::create().await;
    let engine = database.engine().await;

    let reading = engine_reading(&engine, "SELECT sqrt(2) AS root, upper('abc') AS word").await;

    assert!(reading.functions.is_empty(), "{:?}", reading.functions);
}

#[tokio::test]
async fn reading_a_query_does_not_run_it() {
    let database = TestDatabase::create().await;
    let engine = database.engine().await;
    let started = Instant::now();

    let reading = engine_reading(&engine, "SELECT pg_sleep(30) AS slept").await;

    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(base_names(&reading.functions), vec!["pg_sleep"]);
}

#[tokio::test]
async fn a_statement_postgres_cannot_plan_is_query_failed() {
    let database = TestDatabase::create().await;
    let engine = database.engine().await;

    for sql in [
        "SELECT FROM WHERE",
        "SELECT * FROM no_such_table",
        "SELECT 1; SELECT 2",
    ] {
        let failure = engine.read_statement(sql).await.unwrap_err();

        assert!(
            matches!(failure, EngineError::QueryFailed(_)),
            "{sql}: {failure:?}"
        );
    }
}

#[tokio::test]
async fn redshift_has_no_reading() {
    let database = TestDatabase::create().await;
    let engine = engine_postgres::PostgresEngine::connect(database.settings(Dialect::Redshift))
        .await
        .unwrap();

    let reading = engine.read_statement("SELECT 1").await.unwrap();

    assert_eq!(reading, None);
}

#[tokio::test]
async fn run_guarded_refuses_a_view_that_calls_a_denied_function() {
    let database = TestDatabase::with_restaurants().await;
    database
        .run("CREATE VIEW session_info AS SELECT current_setting('application_name') AS app")
        .await;
    let datasource = restaurants_datasource(database.engine().await, None);

    let failure = sql_guard::run_guarded(
        &datasource,
        "SELECT app FROM session_info",
        &QueryLimits::default(),
    )
    .await
    .unwrap_err();

    assert!(
        matches!(&failure, EngineError::QueryFailed(message)
            if message.starts_with("rejected before running:") && message.contains("current_setting")),
        "{failure:?}"
    );
}

#[tokio::test]
async fn run_guarded_runs_a_query_on_an_allow_listed_view_over_other_tables() {
    let database = TestDatabase::with_restaurants().await;
    database
        .run(
            "CREATE VIEW top_restaurants AS \
             SELECT name, rating FROM restaurant WHERE rating >= 4 ORDER BY rating DESC, name",
        )
        .await;
    let datasource = restaurants_datasource(database.engine().await, Some(&["top_restaurants"]));

    let result_set = sql_guard::run_guarded(
        &datasource,
        "SELECT count(*) AS n FROM top_restaurants",
        &QueryLimits::default(),
    )
    .await
    .unwrap();
    let refused = sql_guard::run_guarded(
        &datasource,
        "SELECT count(*) AS n FROM restaurant",
        &QueryLimits::default(),
    )
    .await
    .unwrap_err();

    assert_eq!(result_set.rows.len(), 1);
    assert!(result_set.rows[0][0].as_i64().is_some_and(|n| n > 0));
    assert!(
        matches!(&refused, EngineError::QueryFailed(message) if message.starts_with("rejected before running:")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn run_guarded_refuses_a_catalog_view_over_a_secret_catalog_and_runs_a_plain_one() {
    let database = TestDatabase::create().await;
    let datasource = restaurants_datasource(database.engine().await, None);

    let refused = sql_guard::run_guarded(
        &datasource,
        "SELECT rolname FROM pg_roles",
        &QueryLimits::default(),
    )
    .await
    .unwrap_err();
    let result_set = sql_guard::run_guarded(
        &datasource,
        "SELECT count(*) AS n FROM pg_class WHERE relname = 'pg_class'",
        &QueryLimits::default(),
    )
    .await
    .unwrap();

    assert!(
        matches!(&refused, EngineError::QueryFailed(message)
            if message.starts_with("rejected before running:") && message.contains("pg_authid")),
        "{refused:?}"
    );
    assert_eq!(result_set.rows, vec![vec![serde_json::json!(1)]]);
}

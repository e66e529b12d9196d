//! The Redshift dialect's catalog path: schema extraction through `svv_columns`, `svv_tables`
//! and `svv_table_info`, and queries that cast undecodable columns to Redshift's wide varchar.
//!
//! Invariant: no Redshift cluster is involved; views with the names and columns of Redshift's
//! system views, built over PostgreSQL's own catalogs in a schema on the search path, stand in
//! for Redshift's catalogs.

use ports::sql_engine::{Dialect, QueryLimits, SqlEngine};
use serde_json::json;

use crate::test_database::TestDatabase;

/// Stand-ins for Redshift's `svv_columns`, `svv_tables` and `svv_table_info`, with the
/// columns the engine reads, plus a demo comment and a varchar column.
const REDSHIFT_CATALOG_STAND_INS: &str = r#"
CREATE SCHEMA redshift_catalog;
CREATE VIEW redshift_catalog.svv_columns AS
SELECT c.table_catalog::text, c.table_schema::text, c.table_name::text, c.column_name::text,
       c.ordinal_position::int AS ordinal_position, c.data_type::text,
       c.character_maximum_length::int AS character_maximum_length,
       col_description(format('%I.%I', c.table_schema, c.table_name)::regclass,
                       c.ordinal_position::int) AS remarks
FROM information_schema.columns c
WHERE c.table_schema NOT IN ('redshift_catalog');
CREATE VIEW redshift_catalog.svv_tables AS
SELECT t.table_catalog::text, t.table_schema::text, t.table_name::text, t.table_type::text,
       obj_description(format('%I.%I', t.table_schema, t.table_name)::regclass, 'pg_class')
           AS remarks
FROM information_schema.tables t
WHERE t.table_schema NOT IN ('redshift_catalog');
CREATE VIEW redshift_catalog.svv_table_info AS
SELECT current_database()::text AS database, n.nspname::text AS schema, c.oid::int AS table_id,
       c.relname::text AS "table", greatest(c.reltuples, 0)::numeric(38, 0) AS tbl_rows
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'redshift_catalog');
COMMENT ON COLUMN restaurant.city_name IS 'City where the restaurant is';
COMMENT ON TABLE geographic IS 'Cities and their regions';
ALTER TABLE geographic ADD COLUMN country varchar(40) DEFAULT 'USA';
ANALYZE;
"#;

async fn redshift_database() -> TestDatabase {
    let database = TestDatabase::with_restaurants().await;
    database.run(REDSHIFT_CATALOG_STAND_INS).await;
    database
        .run(&format!(
            "ALTER DATABASE {} SET search_path = \"$user\", public, redshift_catalog",
            database.name()
        ))
        .await;
    database
}

#[tokio::test]
async fn redshift_schema_extraction_reads_the_svv_views() {
    let database = redshift_database().await;
    let engine = engine_postgres::PostgresEngine::connect(database.settings(Dialect::Redshift))
        .await
        .unwrap();

    let tables = engine.extract_tables().await.unwrap();

    let names: Vec<&str> = tables.iter().map(|table| table.name.as_str()).collect();
    assert_eq!(names, vec!["geographic", "location", "restaurant"]);
    let geographic = &tables[0];
    assert_eq!(
        geographic.description.as_deref(),
        Some("Cities and their regions")
    );
    assert_eq!(geographic.n_rows, Some(5));
    assert_eq!(geographic.columns[3].name, "country");
    assert_eq!(geographic.columns[3].data_type, "character varying(40)");
    assert_eq!(geographic.columns[3].sample_values, vec!["USA"]);
    let restaurant = &tables[2];
    assert_eq!(restaurant.n_rows, Some(11));
    assert_eq!(restaurant.columns[0].data_type, "bigint");
    assert_eq!(
        restaurant.columns[3].description.as_deref(),
        Some("City where the restaurant is")
    );
    assert_eq!(
        restaurant.columns[2].sample_values,
        vec![
            "American", "Italian", "Japanese", "Mexican", "Seafood", "Vegan"
        ]
    );
}

#[tokio::test]
async fn redshift_queries_cast_undecodable_columns_to_wide_varchar() {
    let database = redshift_database().await;
    let engine = engine_postgres::PostgresEngine::connect(database.settings(Dialect::Redshift))
        .await
        .unwrap();

    let result = engine
        .execute(
            "SELECT count(*) AS n, interval '2 days' AS span FROM restaurant",
            &QueryLimits::default(),
        )
        .await
        .unwrap();

    assert_eq!(engine.dialect(), Dialect::Redshift);
    assert_eq!(result.rows, vec![vec![json!(11), json!("2 days")]]);
}

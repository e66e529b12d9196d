//! Materializing and opening the bundled demo databases.
//!
//! Invariant: the bundled files themselves are never modified by these tests.

use std::os::unix::fs::MetadataExt;

use contracts::error::ErrorKind;
use engine_duckdb::demo::{DemoError, demo_databases, open_demo_datasource};
use ports::sql_engine::{QueryLimits, SqlEngine};

use crate::scratch_dir::{ScratchDir, open_restaurants};

#[tokio::test]
async fn every_bundled_demo_database_materializes_with_rows_in_every_table() {
    let scratch_dir = ScratchDir::new("all-demos");

    for demo_database in demo_databases() {
        let datasource = open_demo_datasource(scratch_dir.path(), demo_database.name)
            .await
            .unwrap_or_else(|err| panic!("{} does not open: {err}", demo_database.name));

        assert!(
            !datasource.snapshot.tables.is_empty(),
            "{} has no tables",
            demo_database.name
        );
        for table in &datasource.snapshot.tables {
            assert!(
                table.n_rows.unwrap_or(0) > 0,
                "{}.{} is empty",
                demo_database.name,
                table.name
            );
        }
    }
}

#[tokio::test]
async fn the_restaurant_table_holds_the_dumps_eleven_rows() {
    let (_scratch_dir, datasource) = open_restaurants("restaurant-count").await;

    let result = datasource
        .engine
        .execute("SELECT COUNT(*) FROM restaurant", &QueryLimits::default())
        .await
        .unwrap();

    assert_eq!(result.rows, vec![vec![serde_json::json!(11)]]);
    assert_eq!(
        datasource.snapshot.table("restaurant").unwrap().n_rows,
        Some(11)
    );
}

#[tokio::test]
async fn a_second_open_reuses_the_materialized_file() {
    let scratch_dir = ScratchDir::new("reuse");
    let first = open_demo_datasource(scratch_dir.path(), "broker")
        .await
        .unwrap();
    let database_path = first.engine.path().to_owned();
    let before = std::fs::metadata(&database_path).unwrap();

    let second = open_demo_datasource(scratch_dir.path(), "broker")
        .await
        .unwrap();

    let after = std::fs::metadata(second.engine.path()).unwrap();
    assert_eq!(second.engine.path(), database_path);
    assert_eq!(after.ino(), before.ino());
    assert_eq!(after.modified().unwrap(), before.modified().unwrap());
    assert_eq!(second.snapshot.version, first.snapshot.version);
    let n_files = std::fs::read_dir(scratch_dir.path()).unwrap().count();
    assert_eq!(n_files, 1);
}

#[tokio::test]
async fn the_snapshot_carries_column_descriptions_and_low_cardinality_values() {
    let (_scratch_dir, datasource) = open_restaurants("snapshot").await;

    let restaurant = datasource.snapshot.table("restaurant").unwrap();
    let food_type = restaurant
        .columns
        .iter()
        .find(|column| column.name == "food_type")
        .unwrap();
    let rating = restaurant
        .columns
        .iter()
        .find(|column| column.name == "rating")
        .unwrap();

    assert!(
        food_type
            .description
            .as_deref()
            .is_some_and(|description| !description.is_empty())
    );
    assert_eq!(
        food_type.sample_values,
        [
            "American", "Italian", "Japanese", "Mexican", "Seafood", "Vegan"
        ]
    );
    assert_eq!(food_type.data_type, "VARCHAR");
    assert!(rating.sample_values.is_empty());
    assert_eq!(datasource.snapshot.datasource, "restaurants");
}

#[tokio::test]
async fn tables_outside_the_default_schema_are_named_with_their_schema() {
    let scratch_dir = ScratchDir::new("ewallet");

    let datasource = open_demo_datasource(scratch_dir.path(), "ewallet")
        .await
        .unwrap();

    let users = datasource.snapshot.table("consumer_div.users").unwrap();
    let user_type = users
        .columns
        .iter()
        .find(|column| column.name == "user_type")
        .unwrap();
    assert_eq!(
        user_type.description.as_deref(),
        Some("possible values: individual, business, admin")
    );
    assert!(datasource.glossary.is_some());
    let result = datasource
        .engine
        .execute(
            "SELECT count(*) FROM consumer_div.users",
            &QueryLimits::default(),
        )
        .await;
    assert_eq!(
        result.unwrap().rows[0][0],
        serde_json::json!(users.n_rows.unwrap())
    );
}

#[tokio::test]
async fn sampling_off_reads_no_values() {
    let (_scratch_dir, datasource) = open_restaurants("no-sampling").await;
    let engine = engine_duckdb::DuckDbEngine::open(datasource.engine.path())
        .unwrap()
        .with_value_sampling(false);

    let tables = engine.extract_tables().await.unwrap();

    assert!(
        tables
            .iter()
            .flat_map(|table| &table.columns)
            .all(|column| column.sample_values.is_empty())
    );
    assert_eq!(tables.len(), 3);
}

#[tokio::test]
async fn an_unknown_demo_name_is_invalid_input_and_creates_nothing() {
    let scratch_dir = ScratchDir::new("unknown");

    let outcome = open_demo_datasource(scratch_dir.path(), "no_such_demo").await;

    let err = outcome.unwrap_err();
    assert_eq!(err, DemoError::UnknownDatabase("no_such_demo".to_owned()));
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(std::fs::read_dir(scratch_dir.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn postgres_date_formatting_in_dumps_is_carried_over() {
    let scratch_dir = ScratchDir::new("to-char");

    let datasource = open_demo_datasource(scratch_dir.path(), "yelp")
        .await
        .unwrap();

    let sql = "SELECT month FROM review WHERE rid = 20";
    let result = datasource
        .engine
        .execute(sql, &QueryLimits::default())
        .await
        .unwrap();
    let month = result.rows[0][0].as_str().unwrap().to_owned();
    assert!(month.parse::<chrono::Month>().is_ok(), "{month}");
}

//! Schema extraction from `pg_catalog`: tables and views, columns and types, comments, keys,
//! row estimates and sampled values of low-cardinality text columns.
//!
//! Invariant: each test builds its schema in a fresh database from the restaurants demo data.

use ports::schema::TableSchema;
use ports::sql_engine::{Dialect, SqlEngine};

use crate::test_database::TestDatabase;

/// The demo data plus comments, keys, a view, a second schema and a high-cardinality column.
const SCHEMA_ADDITIONS: &str = r"
COMMENT ON TABLE restaurant IS 'Restaurants we know about';
COMMENT ON COLUMN restaurant.food_type IS 'Cuisine served';
ALTER TABLE restaurant ADD PRIMARY KEY (id);
ALTER TABLE location ADD FOREIGN KEY (restaurant_id) REFERENCES restaurant (id);
CREATE VIEW top_restaurant AS SELECT name, rating FROM restaurant WHERE rating > 4.5;
CREATE SCHEMA sales;
CREATE TABLE sales.ticket (code varchar(12), amount numeric(10, 2));
INSERT INTO sales.ticket SELECT 'T' || g, g FROM generate_series(1, 30) g;
ANALYZE;
";

async fn extracted_schema(sample_values: bool) -> Vec<TableSchema> {
    let database = TestDatabase::with_restaurants().await;
    database.run(SCHEMA_ADDITIONS).await;
    let mut settings = database.settings(Dialect::Postgres);
    settings.sample_values = sample_values;
    let engine = engine_postgres::PostgresEngine::connect(settings)
        .await
        .unwrap();
    engine.extract_tables().await.unwrap()
}

fn table<'a>(tables: &'a [TableSchema], name: &str) -> &'a TableSchema {
    tables
        .iter()
        .find(|table| table.name == name)
        .unwrap_or_else(|| panic!("no table {name}"))
}

#[tokio::test]
async fn user_tables_and_views_are_listed_with_their_columns_and_types() {
    let tables = extracted_schema(true).await;

    let names: Vec<&str> = tables.iter().map(|table| table.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "geographic",
            "location",
            "restaurant",
            "sales.ticket",
            "top_restaurant"
        ]
    );
    let restaurant = table(&tables, "restaurant");
    let columns: Vec<(&str, &str)> = restaurant
        .columns
        .iter()
        .map(|column| (column.name.as_str(), column.data_type.as_str()))
        .collect();
    assert_eq!(
        columns,
        vec![
            ("id", "bigint"),
            ("name", "text"),
            ("food_type", "text"),
            ("city_name", "text"),
            ("rating", "real"),
        ]
    );
    assert_eq!(
        table(&tables, "sales.ticket").columns[0].data_type,
        "character varying(12)"
    );
}

#[tokio::test]
async fn comments_and_keys_become_descriptions() {
    let tables = extracted_schema(true).await;

    let restaurant = table(&tables, "restaurant");
    assert_eq!(
        restaurant.description.as_deref(),
        Some("Restaurants we know about")
    );
    assert_eq!(
        restaurant.columns[0].description.as_deref(),
        Some("primary key")
    );
    assert_eq!(
        restaurant.columns[2].description.as_deref(),
        Some("Cuisine served")
    );
    assert_eq!(restaurant.columns[1].description, None);
    let location = table(&tables, "location");
    assert_eq!(
        location.columns[0].description.as_deref(),
        Some("references restaurant.id")
    );
}

#[tokio::test]
async fn analyzed_tables_have_row_estimates_and_views_none() {
    let tables = extracted_schema(true).await;

    assert_eq!(table(&tables, "restaurant").n_rows, Some(11));
    assert_eq!(table(&tables, "sales.ticket").n_rows, Some(30));
    assert_eq!(table(&tables, "top_restaurant").n_rows, None);
}

#[tokio::test]
async fn low_cardinality_text_columns_are_sampled_and_others_are_not() {
    let tables = extracted_schema(true).await;

    let restaurant = table(&tables, "restaurant");
    assert_eq!(
        restaurant.columns[2].sample_values,
        vec![
            "American", "Italian", "Japanese", "Mexican", "Seafood", "Vegan"
        ]
    );
    assert!(restaurant.columns[0].sample_values.is_empty());
    assert!(restaurant.columns[4].sample_values.is_empty());
    let ticket = table(&tables, "sales.ticket");
    assert!(ticket.columns[0].sample_values.is_empty());
    assert_eq!(
        table(&tables, "geographic").columns[2].sample_values,
        vec!["California", "Florida", "Illinois", "New York"]
    );
}

#[tokio::test]
async fn no_values_are_sampled_when_sampling_is_off() {
    let tables = extracted_schema(false).await;

    let sampled: Vec<&str> = tables
        .iter()
        .flat_map(|table| &table.columns)
        .filter(|column| !column.sample_values.is_empty())
        .map(|column| column.name.as_str())
        .collect();
    assert!(sampled.is_empty(), "{sampled:?}");
}

//! Hand-built schema snapshots shaped like the bundled demo databases, for unit tests.
//!
//! Invariant: test-only; mirrors table and column names of the demo data without reading it.

use ports::schema::{ColumnSchema, SchemaSnapshot, TableSchema};

fn column(name: &str, data_type: &str, description: &str, samples: &[&str]) -> ColumnSchema {
    ColumnSchema {
        name: name.to_owned(),
        data_type: data_type.to_owned(),
        description: (!description.is_empty()).then(|| description.to_owned()),
        sample_values: samples.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn table(name: &str, n_rows: u64, columns: Vec<ColumnSchema>) -> TableSchema {
    TableSchema {
        name: name.to_owned(),
        description: None,
        columns,
        n_rows: Some(n_rows),
    }
}

const CITIES: &[&str] = &[
    "Los Angeles",
    "New York",
    "San Francisco",
    "Miami",
    "Chicago",
];

/// The restaurants demo: restaurant, location, geographic.
pub(crate) fn restaurants() -> SchemaSnapshot {
    SchemaSnapshot::new(
        "restaurants",
        vec![
            table(
                "geographic",
                5,
                vec![
                    column("city_name", "VARCHAR", "The name of the city", CITIES),
                    column(
                        "county",
                        "VARCHAR",
                        "The name of the county",
                        &[
                            "Los Angeles",
                            "New York",
                            "San Francisco",
                            "Miami-Dade",
                            "Cook",
                        ],
                    ),
                    column(
                        "region",
                        "VARCHAR",
                        "The name of the region",
                        &["California", "New York", "Florida", "Illinois"],
                    ),
                ],
            ),
            table(
                "location",
                11,
                vec![
                    column(
                        "restaurant_id",
                        "BIGINT",
                        "Unique identifier for each restaurant",
                        &[],
                    ),
                    column(
                        "house_number",
                        "BIGINT",
                        "The number assigned to the building",
                        &[],
                    ),
                    column("street_name", "VARCHAR", "The name of the street", &[]),
                    column(
                        "city_name",
                        "VARCHAR",
                        "The name of the city where the restaurant is located",
                        &CITIES[..4],
                    ),
                ],
            ),
            table(
                "restaurant",
                11,
                vec![
                    column("id", "BIGINT", "Unique identifier for each restaurant", &[]),
                    column("name", "VARCHAR", "The name of the restaurant", &[]),
                    column(
                        "food_type",
                        "VARCHAR",
                        "The type of food served",
                        &[
                            "Italian", "American", "Japanese", "Mexican", "Vegan", "Seafood",
                        ],
                    ),
                    column(
                        "city_name",
                        "VARCHAR",
                        "The city where the restaurant is located",
                        &CITIES[..4],
                    ),
                    column(
                        "rating",
                        "FLOAT",
                        "The rating of the restaurant on a scale of 0 to 5",
                        &[],
                    ),
                ],
            ),
        ],
    )
}

/// A cut-down broker demo with prefixed camelCase names.
pub(crate) fn broker_like() -> SchemaSnapshot {
    SchemaSnapshot::new(
        "broker",
        vec![
            table(
                "sbCustomer",
                3,
                vec![
                    column("sbCustId", "VARCHAR", "", &[]),
                    column("sbCustName", "VARCHAR", "", &[]),
                    column("sbCustState", "VARCHAR", "", &["CA", "NY", "TX"]),
                    column(
                        "sbCustStatus",
                        "VARCHAR",
                        "possible values: active, inactive",
                        &["active", "inactive"],
                    ),
                ],
            ),
            table(
                "sbTransaction",
                5,
                vec![
                    column("sbTxId", "VARCHAR", "", &[]),
                    column("sbTxCustId", "VARCHAR", "", &[]),
                    column(
                        "sbTxType",
                        "VARCHAR",
                        "possible values: buy, sell",
                        &["buy", "sell"],
                    ),
                    column("sbTxAmount", "DECIMAL(10,2)", "", &[]),
                ],
            ),
        ],
    )
}

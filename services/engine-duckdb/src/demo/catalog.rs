//! The demo databases bundled into the binary: each one's Postgres dump and column metadata,
//! embedded from `data/demo/` at compile time.
//!
//! Invariant: every entry's files exist under `data/demo/<name>/`; the list is in name order.

use crate::demo::DemoDatabase;

/// Embeds `data/demo/<name>/<name>.sql` and `.json` as a [`DemoDatabase`].
macro_rules! bundled_demo_database {
    ($name:literal, $description:literal) => {
        DemoDatabase {
            name: $name,
            description: $description,
            dump_sql: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../data/demo/",
                $name,
                "/",
                $name,
                ".sql"
            )),
            metadata_json: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../data/demo/",
                $name,
                "/",
                $name,
                ".json"
            )),
        }
    };
}

/// Every bundled demo database, in name order.
pub(crate) static BUNDLED_DEMO_DATABASES: &[DemoDatabase] = &[
    bundled_demo_database!(
        "academic",
        "Academic publishing: authors, publications, journals, conferences, keywords, domains, organizations and citations."
    ),
    bundled_demo_database!(
        "advising",
        "University course advising: courses, offerings, instructors, students, their records, programs and requirements."
    ),
    bundled_demo_database!(
        "atis",
        "Air travel: flights, legs and stops, fares, airlines, aircraft, airports, cities and ground services."
    ),
    bundled_demo_database!(
        "broker",
        "Stock brokerage: customers, tickers, daily prices and buy and sell transactions."
    ),
    bundled_demo_database!(
        "car_dealership",
        "Car dealership: cars, salespersons, customers, sales, inventory snapshots and payments received and made."
    ),
    bundled_demo_database!(
        "derm_treatment",
        "Dermatology treatments: patients, doctors, drugs, diagnoses, treatments, outcomes, adverse events and concomitant medications."
    ),
    bundled_demo_database!(
        "ewallet",
        "Consumer e-wallet: users, merchants, coupons, wallet transactions, daily balances, notifications, sessions and settings."
    ),
    bundled_demo_database!(
        "geography",
        "United States geography: states, cities, rivers, lakes, mountains, borders and highest and lowest points."
    ),
    bundled_demo_database!(
        "restaurants",
        "Restaurants: names, food types, ratings, street addresses, and the county and region of each city."
    ),
    bundled_demo_database!(
        "scholar",
        "Scholarly papers: authors, venues, journals, key phrases, datasets, fields of study and citations."
    ),
    bundled_demo_database!(
        "yelp",
        "Local business reviews: businesses, categories, neighbourhoods, users, reviews, tips and check-ins."
    ),
];

//! Runs the shared store contract from `ports::store_contract` against a `PostgresStore` on a
//! fresh database per check.
//!
//! Invariant: this file only wires checks to stores; the assertions live in `ports`.

mod support;

use store_postgres::PostgresStore;
use support::{CONTRACT_DIMENSION, TestDatabase};

async fn fresh_store() -> (TestDatabase, PostgresStore) {
    let database = TestDatabase::create().await;
    let store = database.store(4, CONTRACT_DIMENSION).await;
    (database, store)
}

ports::store_contract_tests!(fresh_store);

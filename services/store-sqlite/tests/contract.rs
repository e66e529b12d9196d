//! Runs the shared store contract from `ports::store_contract` against a fresh in-memory
//! `SqliteStore` per check.
//!
//! Invariant: this file only wires checks to stores; the assertions live in `ports`.

use store_sqlite::SqliteStore;

async fn fresh_store() -> ((), SqliteStore) {
    let store = SqliteStore::open_in_memory().expect("an in-memory database always opens");
    ((), store)
}

ports::store_contract_tests!(fresh_store);

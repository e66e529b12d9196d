//! Black-box tests of the PostgreSQL engine against the real server that `scripts/test`
//! starts, each in a fresh database.
//!
//! Invariant: every test creates its own `test_<uuid>` database and drops it afterwards, even
//! when the test fails.

mod connection_settings;
mod parser_differential;
mod query_limits;
mod query_results;
mod read_only;
mod redshift_catalog;
mod schema_extraction;
mod statement_reading;
mod test_database;

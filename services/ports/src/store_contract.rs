//! The behaviour every store implementation must show, written once as async checks over the
//! store traits so the SQLite store and any later store (PostgreSQL) run the same assertions.
//! Each check panics with a descriptive message when the store misbehaves; call each one from
//! its own `#[tokio::test]` in the implementing crate.
//!
//! Each check writes only under fresh identifiers (random job ids, key ids and datasource
//! names), so checks may share one store, even one that already holds data. The one exception
//! is [`keys::keys_are_found_by_hash_only_while_active`], which counts keys and so expects no
//! other key writer at the same time.
//!
//! Invariant: compiled only with feature `contract-tests`; production code never calls it.

mod job_fixtures;
pub mod jobs;
pub mod keys;
pub mod pairs;
pub mod results;
pub mod schemas;

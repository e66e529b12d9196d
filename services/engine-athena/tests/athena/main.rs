//! Integration tests of the Athena engine: the Athena API is a scripted local server speaking
//! the awsJson1_1 protocol, and Glue is a moto server.
//!
//! Invariant: no test reaches AWS; every client points at 127.0.0.1.

mod fake_athena;
mod glue_tables;
mod moto_server;
mod query_failures;
mod query_results;
mod row_limits;

//! Black-box tests of the DuckDB engine and the bundled demo databases, against real DuckDB
//! files in scratch directories.
//!
//! Invariant: every test uses its own scratch directory and removes it afterwards.

mod demo_datasources;
mod function_catalog;
mod guarded_attacks;
mod parser_differential;
mod query_limits;
mod result_types;
mod scratch_dir;
mod type_round_trip;

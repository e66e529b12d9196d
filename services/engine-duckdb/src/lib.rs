//! The embedded analytic engine: a DuckDB file queried read-only under row, byte and time
//! limits, the bundled demo databases materialized into DuckDB files on first use, and the
//! atomic loading of ingested CSV tables into a datasource's file, the export of an ingested
//! table as one typed Parquet file.
//!
//! Invariant: queries run on a read-only connection, one statement per call, and never touch
//! files other than the database itself; only `load_tables` writes, all tables of one upload in
//! one transaction, reading the staged CSV files it is given; `load_tables_by_swap` does so on
//! a copy that replaces the datasource's file in one rename; `write_parquet` writes only the
//! file it is given, on an in-memory connection.

mod clock_pinning;
mod copy_swap_load;
mod csv_load;
pub mod demo;
mod engine;
mod engine_bounds;
mod ingested_datasource;
mod parquet_export;
mod query_execution;
mod result_values;
mod statement_reading;
mod statement_split;
mod table_extraction;
#[cfg(test)]
mod test_uploads;
mod text_rendered_types;

pub use copy_swap_load::{
    WORKING_COPY_MARKER, load_tables_by_swap, remove_abandoned_working_copies,
};
pub use csv_load::{ExistingTables, LoadError, LoadedTable, load_tables};
pub use engine::DuckDbEngine;
pub use engine_bounds::{EngineBounds, MEMORY_LIMIT_VAR, TEMP_LIMIT_VAR, THREADS_VAR};
pub use ingested_datasource::{IngestedDatasource, open_ingested_datasource};
pub use parquet_export::{ParquetExportError, write_parquet};

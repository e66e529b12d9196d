//! Ingestion of a ZIP of CSV files: archive checks (sizes, compression ratio, entry count,
//! path traversal, symbolic links, nested archives), the folder-per-table layout, CSV
//! validation (encoding, dialect, header, ragged rows), `snake_case` column names with the
//! originals kept, and type inference over every cell; the output is a set of table plans
//! with normalised CSV files that any loader can take.
//!
//! Invariant: pure file logic: no database, no network; an archive is read entry by entry
//! and no file is ever held in memory whole.

mod archive_layout;
mod column_types;
mod csv_dialect;
mod csv_normalisation;
mod entry_limits;
mod identifier_normalisation;
mod ingest_error;
mod ingest_options;
mod staging_dir;
mod table_plan;
mod upload_preparation;

pub use column_types::ColumnType;
pub use identifier_normalisation::{is_datasource_name, normalise_identifier};
pub use ingest_error::IngestError;
pub use ingest_options::{IngestLimits, IngestOptions, TextEncoding};
pub use staging_dir::StagingDir;
pub use table_plan::{ColumnPlan, PreparedUpload, TablePlan};
pub use upload_preparation::{IngestProgress, PlannedFile, prepare_upload};

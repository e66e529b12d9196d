//! The question pipeline: the stage order lives in `statemachines/question.asl.json`; this
//! crate interprets that file locally, dispatches each Task to its worker over in-process
//! channels, and records stage progress on the job. It also keeps the schema snapshots the
//! stages read current: saving them with imported metadata and refreshing them.
//!
//! Invariant: the pipeline's steps are exactly those of the ASL file; there is no second,
//! hand-written ordering of stages.

pub mod asl;
mod ended_executions;
mod interrupted_jobs;
mod local_pipeline;
mod metered_job_store;
mod schema_refresh;
mod schema_snapshots;
mod settings;
mod stage_dispatch;

pub use ended_executions::{EndedExecution, ended_execution_message, record_ended_execution};
pub use interrupted_jobs::{INTERRUPTED_TWICE_MESSAGE, MAX_INTERRUPTIONS, jobs_to_resume};
pub use local_pipeline::{LocalPipeline, PipelineError, QUESTION_STATE_MACHINE};
pub use metered_job_store::MeteredJobStore;
pub use schema_refresh::{
    RefreshOutcome, RefreshResult, SchemaRefreshError, refresh_schema, refresh_schemas,
};
pub use schema_snapshots::{
    MetadataImport, SavedSnapshot, import_metadata, save_snapshot_with_metadata,
};
pub use settings::{PipelineSettings, StageDeps};
pub use stage_dispatch::{EMBEDDING_STAGES, STAGES, StageHandlers};

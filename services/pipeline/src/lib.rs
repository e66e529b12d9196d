//! The question pipeline: the stage order lives in `statemachines/question.asl.json`; this
//! crate interprets that file locally, dispatches each Task to its worker over in-process
//! channels, and records stage progress on the job.
//!
//! Invariant: the pipeline's steps are exactly those of the ASL file; there is no second,
//! hand-written ordering of stages.

pub mod asl;
mod local_pipeline;
mod metered_job_store;
mod settings;
mod stage_dispatch;

pub use local_pipeline::{LocalPipeline, PipelineError, QUESTION_STATE_MACHINE};
pub use metered_job_store::MeteredJobStore;
pub use settings::{PipelineSettings, StageDeps};
pub use stage_dispatch::{STAGES, StageHandlers};

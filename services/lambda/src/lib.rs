//! Entry points of the AWS mode: one Lambda function per stage of both state machines (SQS
//! event source with partial batch failures), the scheduled schema refresh, the API on Lambda
//! (`lambda_http`) and as an axum server, and the long-running SQS consumer `analyst-worker` for
//! ECS/EC2. The mains are thin; the wiring is here.
//!
//! Invariant: every entry point builds its ports through [`open_platform`] (question stages,
//! API) or [`open_ingestion_handlers`] (ingestion stages), so a stage behaves the same on
//! Lambda, on ECS and in the tests.

mod api_state;
mod execution_reconciler;
mod glue_datasources;
mod ingestion_wiring;
mod init_error;
mod platform_args;
mod platform_wiring;
mod schema_refresh_handler;
mod secret_extension;
mod shutdown_signal;
mod sqs_event_handler;
mod stage_root;

pub use api_state::{ApiArgs, LauncherKind, build_app_state, print_admin_key_on_first_start};
pub use execution_reconciler::{ExecutionReconciler, run_execution_reconciler};
pub use glue_datasources::{GlueDatasourceFinder, GlueDatasourceSettings};
pub use ingestion_wiring::{IngestionArgs, IngestionStages, open_ingestion_handlers};
pub use init_error::{report_init_error, reporting_init_error};
pub use platform_args::{EmbedderKind, LlmKind, PlatformArgs, StageQueue};
pub use platform_wiring::{EmbedderUse, Platform, open_platform};
pub use schema_refresh_handler::{handle_schema_refresh_event, run_schema_refresh_function};
pub use shutdown_signal::shutdown_signal;
pub use sqs_event_handler::run_stage_function;
pub use stage_root::redirect_stage_root;

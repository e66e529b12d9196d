//! One file per endpoint.
//!
//! Invariant: handlers return [`crate::ApiError`] for every failure, never a bare status.

pub(crate) mod api_keys;
pub(crate) mod cancel_question;
pub(crate) mod get_chart_svg;
pub(crate) mod get_datasource_schema;
pub(crate) mod get_question;
pub(crate) mod give_feedback;
pub(crate) mod health;
pub(crate) mod list_datasources;
pub(crate) mod memory_entries;
pub(crate) mod metrics;
pub(crate) mod not_found;
pub(crate) mod openapi_document;
pub(crate) mod submit_question;
pub(crate) mod ui_assets;
pub(crate) mod uploads;

//! One file per endpoint.
//!
//! Invariant: handlers return [`crate::ApiError`] for every failure, never a bare status.

pub(crate) mod get_question;
pub(crate) mod give_feedback;
pub(crate) mod health;
pub(crate) mod list_datasources;
pub(crate) mod memory_entries;
pub(crate) mod metrics;
pub(crate) mod not_found;
pub(crate) mod submit_question;

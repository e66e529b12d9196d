//! One file per endpoint.
//!
//! Invariant: handlers return [`crate::ApiError`] for every failure, never a bare status.

pub(crate) mod get_question;
pub(crate) mod health;
pub(crate) mod list_datasources;
pub(crate) mod not_found;
pub(crate) mod submit_question;

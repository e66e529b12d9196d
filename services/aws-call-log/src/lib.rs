//! A record of every AWS call a process makes, for auditing the calls against the IAM policy of
//! the role the process runs under on AWS.
//!
//! Switched on by [`CALL_LOG_ENV`]: each SDK client built with [`recorder_from_env`] appends one
//! JSON line per request attempt to that file (service, operation, method, URI and the few body
//! fields that name the resource). [`iam`] turns a recorded call into the IAM action and the
//! resource ARN AWS authorises it against.
//!
//! Invariant: nothing secret is written: no headers (signatures, tokens), no body except the
//! allow-listed resource-naming fields.

pub mod iam;
mod recorded_call;
mod recorder;

pub use recorded_call::{RecordedCall, read_call_log};
pub use recorder::{CALL_LOG_ENV, CallRecorder, recorder_from_env};

//! A local interpreter for the subset of Amazon States Language the pipeline uses: Task,
//! Choice, Pass, Succeed and Fail states with Parameters, ResultPath, Retry, Catch and timeouts.
//!
//! Invariant: a definition using anything outside the subset is rejected when loaded, never
//! half-run.

mod choice_rule;
pub mod definition;
pub mod interpreter;
pub mod json_path;

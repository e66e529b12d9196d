//! Limits and clocks of AWS mode, checked over `infra/template.yaml` and the state machines it
//! deploys before anything is deployed: Lambda timeouts against the Task clocks that wait for
//! them, SQS visibility timeouts against their consumers, execution timeouts against the
//! worst retry budget, and the fields the failure recorders read against what a caught error
//! carries.

mod execution_timeouts;
mod failure_paths;
mod stack;
mod task_budgets;
mod visibility_timeouts;

//! Runs one execution of a state machine, handing Task states to a [`TaskHandler`].
//!
//! Invariant: every execution ends (succeeded, failed or timed out) within its transition and
//! time bounds; a Task is retried only as its Retry rules say.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use serde_json::{Value, json};

use super::definition::{Catcher, Retrier, State, StateMachine, TaskState};
use super::json_path::{self, PathError};

/// Most state transitions one execution may make, a guard against definition loops.
const MAX_TRANSITIONS: usize = 500;

/// A failed task or execution, named as States Language names errors.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskError {
    /// Error name (`Transient`, `States.Timeout`, ...).
    pub error: String,
    /// Human-readable cause.
    pub cause: String,
}

/// Performs Task states (locally: sends the message to a worker over a channel).
#[async_trait]
pub trait TaskHandler: Send + Sync {
    /// Runs one task with its resolved Parameters and returns the task's result.
    async fn run_task(&self, resource: &str, parameters: Value) -> Result<Value, TaskError>;
}

/// How an execution ended.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecutionOutcome {
    /// Reached a Succeed state (or an End) with this output.
    Succeeded(Value),
    /// Reached a Fail state or an uncaught error.
    Failed(TaskError),
}

/// Runs executions of one loaded state machine.
#[derive(Clone)]
pub struct Interpreter {
    machine: Arc<StateMachine>,
    retry_interval_scale: f64,
}

/// Where a Task state is entered: which execution, after how many transitions, which state.
#[derive(Clone, Copy)]
struct TaskVisit<'a> {
    execution_id: &'a str,
    transition_idx: usize,
    state_name: &'a str,
}

impl Interpreter {
    /// An interpreter; `retry_interval_scale` multiplies every Retry interval (1.0 as on AWS).
    pub fn new(machine: StateMachine, retry_interval_scale: f64) -> Self {
        Interpreter {
            machine: Arc::new(machine),
            retry_interval_scale,
        }
    }

    /// Runs one execution to its end.
    pub async fn run(
        &self,
        execution_id: &str,
        input: Value,
        handler: &dyn TaskHandler,
    ) -> ExecutionOutcome {
        let run = self.run_states(execution_id, input, handler);
        match self.machine.timeout_seconds {
            Some(seconds) => tokio::time::timeout(Duration::from_secs(seconds), run)
                .await
                .unwrap_or_else(|_| {
                    ExecutionOutcome::Failed(TaskError {
                        error: "States.Timeout".into(),
                        cause: format!("execution ran longer than {seconds} s"),
                    })
                }),
            None => run.await,
        }
    }

    async fn run_states(
        &self,
        execution_id: &str,
        input: Value,
        handler: &dyn TaskHandler,
    ) -> ExecutionOutcome {
        let mut state_name = self.machine.start_at.clone();
        let mut document = input;
        for transition_idx in 0..MAX_TRANSITIONS {
            let state = self
                .machine
                .states
                .get(&state_name)
                .expect("validated definitions name existing states");
            let step = match state {
                State::Task(task) => {
                    let visit = TaskVisit {
                        execution_id,
                        transition_idx,
                        state_name: &state_name,
                    };
                    self.run_task_state(&visit, task, &document, handler).await
                }
                State::Choice(choice) => {
                    let next = choice
                        .choices
                        .iter()
                        .find(|rule| rule.matches(&document))
                        .and_then(|rule| rule.next.clone());
                    match next.or_else(|| choice.default.clone()) {
                        Some(next) => Ok(Step::Next(next, document.clone())),
                        None => Err(runtime_error(format!(
                            "no choice of state '{state_name}' matched"
                        ))),
                    }
                }
                State::Pass(pass) => run_pass_state(pass, &document, execution_id),
                State::Succeed(_) => return ExecutionOutcome::Succeeded(document),
                State::Fail(fail) => {
                    return ExecutionOutcome::Failed(TaskError {
                        error: fail.error.clone().unwrap_or_else(|| "States.Fail".into()),
                        cause: fail.cause.clone().unwrap_or_default(),
                    });
                }
            };
            match step {
                Ok(Step::Next(next, output)) => {
                    state_name = next;
                    document = output;
                }
                Ok(Step::End(output)) => return ExecutionOutcome::Succeeded(output),
                Err(error) => return ExecutionOutcome::Failed(error),
            }
        }
        ExecutionOutcome::Failed(runtime_error(format!(
            "more than {MAX_TRANSITIONS} state transitions"
        )))
    }

    async fn run_task_state(
        &self,
        visit: &TaskVisit<'_>,
        task: &TaskState,
        input: &Value,
        handler: &dyn TaskHandler,
    ) -> Result<Step, TaskError> {
        let TaskVisit {
            execution_id,
            transition_idx,
            state_name,
        } = *visit;
        let mut retry_counts = vec![0u32; task.retry.len()];
        let mut n_retries = 0u32;
        loop {
            let context = json!({
                "Execution": { "Id": execution_id },
                "State": { "Name": state_name, "EnteredTime": Utc::now().to_rfc3339(), "RetryCount": n_retries },
                // Deterministic, so a resumed execution that takes the same path presents the
                // same tokens and finds the results its tasks already reported.
                "Task": { "Token": format!("{execution_id}/{transition_idx}/{state_name}/{n_retries}") },
            });
            let result = match &task.parameters {
                Some(template) => match json_path::resolve_parameters(template, input, &context) {
                    Ok(parameters) => call_with_timeout(handler, task, parameters).await,
                    Err(path_error) => return Err(path_runtime_error(path_error)),
                },
                None => call_with_timeout(handler, task, input.clone()).await,
            };
            let error = match result {
                Ok(output) => {
                    let document = json_path::apply_result_path(input, &task.result_path, output)
                        .map_err(path_runtime_error)?;
                    return Ok(next_step(task.next.as_ref(), task.end, document));
                }
                Err(error) => error,
            };
            if let Some(delay) = self.retry_delay(&task.retry, &mut retry_counts, &error.error) {
                tracing::info!(state = state_name, error = %error.error, retry = n_retries + 1, "retrying task");
                tokio::time::sleep(delay).await;
                n_retries += 1;
                continue;
            }
            return match find_catcher(&task.catch, &error.error) {
                Some(catcher) => {
                    let caught = json!({ "Error": error.error, "Cause": error.cause });
                    let document =
                        json_path::apply_result_path(input, &catcher.result_path, caught)
                            .map_err(path_runtime_error)?;
                    Ok(Step::Next(catcher.next.clone(), document))
                }
                None => Err(error),
            };
        }
    }

    fn retry_delay(
        &self,
        retriers: &[Retrier],
        retry_counts: &mut [u32],
        error: &str,
    ) -> Option<Duration> {
        let retrier_idx = retriers
            .iter()
            .position(|retrier| error_matches(&retrier.error_equals, error))?;
        let retrier = &retriers[retrier_idx];
        let n_done = retry_counts[retrier_idx];
        if n_done >= retrier.max_attempts {
            return None;
        }
        retry_counts[retrier_idx] += 1;
        let seconds = retrier.interval_seconds
            * retrier.backoff_rate.powi(n_done as i32)
            * self.retry_interval_scale;
        Some(Duration::from_secs_f64(seconds.max(0.0)))
    }
}

enum Step {
    Next(String, Value),
    End(Value),
}

fn next_step(next: Option<&String>, end: bool, document: Value) -> Step {
    match next {
        Some(next) if !end => Step::Next(next.clone(), document),
        _ => Step::End(document),
    }
}

fn run_pass_state(
    pass: &super::definition::PassState,
    input: &Value,
    execution_id: &str,
) -> Result<Step, TaskError> {
    let context = json!({ "Execution": { "Id": execution_id } });
    let result = match (&pass.parameters, &pass.result) {
        (Some(template), _) => {
            json_path::resolve_parameters(template, input, &context).map_err(path_runtime_error)?
        }
        (None, Some(result)) => result.clone(),
        (None, None) => input.clone(),
    };
    let document = json_path::apply_result_path(input, &pass.result_path, result)
        .map_err(path_runtime_error)?;
    Ok(next_step(pass.next.as_ref(), pass.end, document))
}

async fn call_with_timeout(
    handler: &dyn TaskHandler,
    task: &TaskState,
    parameters: Value,
) -> Result<Value, TaskError> {
    let call = handler.run_task(&task.resource, parameters);
    match task.timeout_seconds {
        Some(seconds) => tokio::time::timeout(Duration::from_secs(seconds), call)
            .await
            .unwrap_or_else(|_| {
                Err(TaskError {
                    error: "States.Timeout".into(),
                    cause: format!("task ran longer than {seconds} s"),
                })
            }),
        None => call.await,
    }
}

fn find_catcher<'a>(catchers: &'a [Catcher], error: &str) -> Option<&'a Catcher> {
    catchers
        .iter()
        .find(|catcher| error_matches(&catcher.error_equals, error))
}

fn error_matches(error_equals: &[String], error: &str) -> bool {
    error_equals.iter().any(|name| {
        name == error
            || name == "States.ALL"
            || (name == "States.TaskFailed" && !error.starts_with("States."))
    })
}

fn runtime_error(cause: String) -> TaskError {
    TaskError {
        error: "States.Runtime".into(),
        cause,
    }
}

fn path_runtime_error(error: PathError) -> TaskError {
    runtime_error(error.to_string())
}

//! The parsed form of a state machine definition, with load-time validation.
//!
//! Invariant: a loaded `StateMachine` has a start state and every `Next` names an existing state.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::choice_rule::ChoiceRule;

/// A whole state machine.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct StateMachine {
    /// Human description.
    #[serde(default)]
    pub comment: Option<String>,
    /// Name of the first state.
    pub start_at: String,
    /// Whole-execution timeout in seconds.
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    /// States by name.
    pub states: BTreeMap<String, State>,
}

/// One state.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "Type")]
pub enum State {
    /// Calls a worker.
    Task(TaskState),
    /// Branches on the state input.
    Choice(ChoiceState),
    /// Reshapes the state input.
    Pass(PassState),
    /// Ends the execution successfully.
    Succeed(TerminalState),
    /// Ends the execution with an error.
    Fail(FailState),
}

/// A Task state.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TaskState {
    /// Human description.
    #[serde(default)]
    pub comment: Option<String>,
    /// Integration resource ARN.
    pub resource: String,
    /// Parameters template sent to the resource.
    #[serde(default)]
    pub parameters: Option<Value>,
    /// Where the task result goes in the state input (`null` discards it).
    #[serde(default = "whole_document")]
    pub result_path: Value,
    /// Seconds before the task fails with `States.Timeout`.
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    /// Seconds between heartbeats a worker must send on AWS (not enforced locally).
    #[serde(default)]
    pub heartbeat_seconds: Option<u64>,
    /// Retry rules, tried in order.
    #[serde(default)]
    pub retry: Vec<Retrier>,
    /// Catch rules, tried in order after retries are exhausted.
    #[serde(default)]
    pub catch: Vec<Catcher>,
    /// Next state.
    #[serde(default)]
    pub next: Option<String>,
    /// `true` when this state ends the execution.
    #[serde(default)]
    pub end: bool,
}

/// A Choice state.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ChoiceState {
    /// Human description.
    #[serde(default)]
    pub comment: Option<String>,
    /// Rules tried in order; the first match wins.
    pub choices: Vec<ChoiceRule>,
    /// State when no rule matches.
    #[serde(default)]
    pub default: Option<String>,
}

/// A Pass state.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct PassState {
    /// Human description.
    #[serde(default)]
    pub comment: Option<String>,
    /// Fixed result.
    #[serde(default)]
    pub result: Option<Value>,
    /// Result built from the input.
    #[serde(default)]
    pub parameters: Option<Value>,
    /// Where the result goes.
    #[serde(default = "whole_document")]
    pub result_path: Value,
    /// Next state.
    #[serde(default)]
    pub next: Option<String>,
    /// `true` when this state ends the execution.
    #[serde(default)]
    pub end: bool,
}

/// A Succeed state.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TerminalState {
    /// Human description.
    #[serde(default)]
    pub comment: Option<String>,
}

/// A Fail state.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct FailState {
    /// Human description.
    #[serde(default)]
    pub comment: Option<String>,
    /// Error name.
    #[serde(default)]
    pub error: Option<String>,
    /// Error cause.
    #[serde(default)]
    pub cause: Option<String>,
}

/// A Retry rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Retrier {
    /// Error names this rule applies to (`States.ALL` matches all).
    pub error_equals: Vec<String>,
    /// Seconds before the first retry.
    #[serde(default = "one_second")]
    pub interval_seconds: f64,
    /// Retries at most.
    #[serde(default = "three_attempts")]
    pub max_attempts: u32,
    /// Multiplier of the interval per retry.
    #[serde(default = "double")]
    pub backoff_rate: f64,
}

/// A Catch rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Catcher {
    /// Error names this rule applies to.
    pub error_equals: Vec<String>,
    /// Where `{Error, Cause}` goes in the state input.
    #[serde(default = "whole_document")]
    pub result_path: Value,
    /// State to go to.
    pub next: String,
}

fn whole_document() -> Value {
    Value::String("$".to_owned())
}

fn one_second() -> f64 {
    1.0
}

fn three_attempts() -> u32 {
    3
}

fn double() -> f64 {
    2.0
}

/// A definition could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DefinitionError {
    /// Not valid JSON or uses unsupported fields or state types.
    #[error("state machine definition is not in the supported subset: {0}")]
    Unsupported(String),
    /// A transition names a state that does not exist.
    #[error("state '{from}' goes to unknown state '{to}'")]
    UnknownState {
        /// State holding the transition.
        from: String,
        /// Missing target.
        to: String,
    },
}

impl StateMachine {
    /// Parses a definition after replacing `${Name}` placeholders, as CloudFormation's
    /// `DefinitionSubstitutions` does.
    pub fn load(definition: &str, substitutions: &[(&str, &str)]) -> Result<Self, DefinitionError> {
        let mut text = definition.to_owned();
        for (name, value) in substitutions {
            text = text.replace(&format!("${{{name}}}"), value);
        }
        let machine: StateMachine = serde_json::from_str(&text)
            .map_err(|err| DefinitionError::Unsupported(err.to_string()))?;
        machine.validate()?;
        Ok(machine)
    }

    fn validate(&self) -> Result<(), DefinitionError> {
        let check = |from: &str, to: &str| {
            if self.states.contains_key(to) {
                Ok(())
            } else {
                Err(DefinitionError::UnknownState {
                    from: from.to_owned(),
                    to: to.to_owned(),
                })
            }
        };
        check("StartAt", &self.start_at)?;
        for (name, state) in &self.states {
            for target in state.transitions() {
                check(name, target)?;
            }
            let ends = match state {
                State::Task(task) => task.end || task.next.is_some(),
                State::Pass(pass) => pass.end || pass.next.is_some(),
                State::Choice(_) | State::Succeed(_) | State::Fail(_) => true,
            };
            if !ends {
                return Err(DefinitionError::Unsupported(format!(
                    "state '{name}' has neither Next nor End"
                )));
            }
        }
        Ok(())
    }
}

impl State {
    /// Every state name this state can go to.
    pub fn transitions(&self) -> Vec<&str> {
        match self {
            State::Task(task) => task
                .next
                .iter()
                .map(String::as_str)
                .chain(task.catch.iter().map(|catcher| catcher.next.as_str()))
                .collect(),
            State::Choice(choice) => choice
                .choices
                .iter()
                .filter_map(|rule| rule.next.as_deref())
                .chain(choice.default.as_deref())
                .collect(),
            State::Pass(pass) => pass.next.iter().map(String::as_str).collect(),
            State::Succeed(_) | State::Fail(_) => Vec::new(),
        }
    }
}

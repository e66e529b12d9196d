//! An execution's `TimeoutSeconds` cannot be caught: when it ends the execution, no failure
//! recorder runs and the job or upload stays unfinished (review 2.1). So the execution timeout
//! must outlast the longest path through the machine with every Task at its worst retry budget,
//! the failure recorder included.

use std::collections::BTreeMap;

use infra_template::Template;
use serde_json::Value;
use serde_yaml_ng::Value as Yaml;

use crate::stack::{Machine, machines, states, template};

/// `lambda::PlatformArgs::max_sql_attempts` when `ANALYST_MAX_SQL_ATTEMPTS` is not set.
const DEFAULT_MAX_SQL_ATTEMPTS: u64 = 3;

#[test]
fn every_execution_timeout_covers_the_worst_retry_budget() {
    let template = template();
    let max_sql_attempts = max_sql_attempts(&template);
    let mut too_short = Vec::new();

    for machine in machines(&template) {
        let timeout = machine.definition["TimeoutSeconds"]
            .as_f64()
            .unwrap_or(f64::INFINITY);
        let (budget, path) = worst_budget(&machine, max_sql_attempts);
        if timeout < budget {
            too_short.push(format!(
                "{}: TimeoutSeconds {timeout} < worst retry budget {budget} s along {path:?}",
                machine.logical_id
            ));
        }
    }

    assert!(too_short.is_empty(), "{too_short:#?}");
}

#[test]
fn the_retry_budget_of_a_task_counts_every_attempt_and_capped_backoff() {
    let task = serde_json::json!({
        "Type": "Task",
        "TimeoutSeconds": 100,
        "Retry": [
            {"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 10, "MaxAttempts": 3, "BackoffRate": 3.0, "MaxDelaySeconds": 40},
            {"ErrorEquals": ["Transient"]}
        ]
    });

    let budget = task_budget(&task);

    // 1 + 3 + 3 attempts of 100 s; waits 10, 30, 40 (capped) and 1, 2, 4 (the defaults).
    assert_eq!(budget, 700.0 + 80.0 + 7.0);
}

#[test]
fn a_loop_without_a_bound_is_refused() {
    let machine = Machine {
        logical_id: "Loop".to_owned(),
        definition: serde_json::json!({
            "StartAt": "A",
            "States": {
                "A": {"Type": "Task", "TimeoutSeconds": 1, "Next": "B"},
                "B": {"Type": "Choice", "Choices": [{"Variable": "$.x", "BooleanEquals": true, "Next": "A"}], "Default": "Done"},
                "Done": {"Type": "Succeed"}
            }
        }),
    };

    let result = std::panic::catch_unwind(|| worst_budget(&machine, 3));

    assert!(result.is_err());
}

/// `ANALYST_MAX_SQL_ATTEMPTS` of the API function (which starts executions) or of the globals.
fn max_sql_attempts(template: &Template) -> u64 {
    let from = |environment: Option<&Yaml>| {
        environment
            .and_then(|environment| environment.get("Variables"))
            .and_then(|variables| variables.get("ANALYST_MAX_SQL_ATTEMPTS"))
            .map(|value| match value {
                Yaml::Number(number) => number.as_u64().unwrap(),
                other => other.as_str().unwrap().parse().unwrap(),
            })
    };
    let api_environment = template
        .resource("ApiFunction")
        .and_then(|api| api.get("Properties"))
        .and_then(|properties| properties.get("Environment"));
    from(api_environment)
        .or_else(|| from(template.function_property("ApiFunction", "Environment")))
        .unwrap_or(DEFAULT_MAX_SQL_ATTEMPTS)
}

/// Seconds a Task may take with all its retries: every attempt at `TimeoutSeconds`, plus each
/// wait `IntervalSeconds * BackoffRate^k`, capped by `MaxDelaySeconds`.
pub(crate) fn task_budget(task: &Value) -> f64 {
    let timeout = task["TimeoutSeconds"]
        .as_f64()
        .unwrap_or_else(|| panic!("a Task without TimeoutSeconds waits up to a year: {task}"));
    let mut n_attempts = 1.0;
    let mut waits = 0.0;
    for retrier in task["Retry"].as_array().into_iter().flatten() {
        let interval = retrier["IntervalSeconds"].as_f64().unwrap_or(1.0);
        let max_attempts = retrier["MaxAttempts"].as_u64().unwrap_or(3);
        let backoff = retrier["BackoffRate"].as_f64().unwrap_or(2.0);
        let max_delay = retrier["MaxDelaySeconds"].as_f64().unwrap_or(f64::INFINITY);
        for k in 0..max_attempts {
            waits += (interval * backoff.powi(i32::try_from(k).unwrap())).min(max_delay);
        }
        n_attempts += max_attempts as f64;
    }
    timeout * n_attempts + waits
}

/// The longest path from `StartAt` to an end, as seconds and state names. A loop must pass a
/// Choice rule bounded by `$.max_sql_attempts`, which may be taken `max_sql_attempts - 1` times.
fn worst_budget(machine: &Machine, max_sql_attempts: u64) -> (f64, Vec<String>) {
    let walk = Walk {
        states: states(machine),
        max_sql_attempts,
    };
    let start = machine.definition["StartAt"].as_str().unwrap();
    walk.longest(start, &mut Vec::new(), &mut BTreeMap::new())
}

struct Walk<'a> {
    states: &'a serde_json::Map<String, Value>,
    max_sql_attempts: u64,
}

/// One way out of a state; `bounded` when it may only be taken a limited number of times.
struct Edge<'a> {
    next: &'a str,
    bound: Option<u64>,
}

impl Walk<'_> {
    fn longest(
        &self,
        state_name: &str,
        stack: &mut Vec<(String, usize)>,
        bounded_uses: &mut BTreeMap<(String, String), u64>,
    ) -> (f64, Vec<String>) {
        let state = &self.states[state_name];
        let n_bounded_uses: usize = bounded_uses.values().map(|uses| *uses as usize).sum();
        if let Some((_, uses_then)) = stack.iter().rev().find(|(name, _)| name == state_name)
            && *uses_then == n_bounded_uses
        {
            panic!("loop through {state_name} passes no bounded Choice rule");
        }
        let own = if state["Type"] == "Task" {
            task_budget(state)
        } else {
            0.0
        };
        stack.push((state_name.to_owned(), n_bounded_uses));
        let mut best = (0.0, Vec::new());
        for edge in self.edges(state) {
            let key = (state_name.to_owned(), edge.next.to_owned());
            if let Some(bound) = edge.bound {
                let uses = bounded_uses.get(&key).copied().unwrap_or(0);
                if uses >= bound {
                    continue;
                }
                bounded_uses.insert(key.clone(), uses + 1);
            }
            let candidate = self.longest(edge.next, stack, bounded_uses);
            if edge.bound.is_some() {
                *bounded_uses.get_mut(&key).unwrap() -= 1;
            }
            if candidate.0 > best.0 || best.1.is_empty() {
                best = candidate;
            }
        }
        stack.pop();
        best.1.insert(0, state_name.to_owned());
        (own + best.0, best.1)
    }

    fn edges<'s>(&self, state: &'s Value) -> Vec<Edge<'s>> {
        let unbounded = |next: &'s Value| next.as_str().map(|next| Edge { next, bound: None });
        let mut edges: Vec<Edge<'s>> = Vec::new();
        edges.extend(unbounded(&state["Next"]));
        edges.extend(unbounded(&state["Default"]));
        for catcher in state["Catch"].as_array().into_iter().flatten() {
            edges.extend(unbounded(&catcher["Next"]));
        }
        for rule in state["Choices"].as_array().into_iter().flatten() {
            let bounded = rule["NumericLessThanPath"] == "$.max_sql_attempts";
            if let Some(next) = rule["Next"].as_str() {
                let bound = bounded.then(|| self.max_sql_attempts.saturating_sub(1));
                edges.push(Edge { next, bound });
            }
        }
        edges
    }
}

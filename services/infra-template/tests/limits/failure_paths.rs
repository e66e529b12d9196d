//! A `.$` path that is missing raises `States.Runtime`, which `States.ALL` cannot catch, so a
//! failure recorder that reads a missing field of the caught error ends the execution without
//! recording anything (review 2.1).
//!
//! What a caught error carries: the Step Functions developer guide ("Handling errors in Step
//! Functions workflows") names the error but does not promise a `Cause`; the API reference
//! marks both `error` and `cause` of `TaskTimedOutEventDetails` as not required; and a
//! published execution (aws-samples/serverless-coffee-workshop#15) shows a caught
//! `States.Timeout` as `{"Error": "States.Timeout", "Cause": ""}`. So this check assumes
//! nothing of `$.failure`: every field a recorder reads must be ensured on every way from a
//! `Catch` to it, by a Choice rule that tests it `IsPresent` or by a Pass that sets it.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::stack::{Machine, machines, states, template};

/// Where every `Catch` puts the caught error.
const FAILURE_PATH: &str = "$.failure";

#[test]
fn every_field_a_recorder_reads_of_a_caught_error_is_ensured() {
    let template = template();
    let mut unsafe_reads = Vec::new();

    for machine in machines(&template) {
        let checker = FailureReads { machine: &machine };
        for (state_name, state) in states(&machine) {
            for catcher in state["Catch"].as_array().into_iter().flatten() {
                assert_eq!(
                    catcher["ResultPath"], FAILURE_PATH,
                    "{state_name}: Catch ResultPath"
                );
                let next = catcher["Next"].as_str().unwrap();
                checker.walk(next, BTreeSet::new(), &mut Vec::new(), &mut unsafe_reads);
            }
        }
    }

    unsafe_reads.sort();
    unsafe_reads.dedup();
    assert!(unsafe_reads.is_empty(), "{unsafe_reads:#?}");
}

#[test]
fn a_recorder_reached_straight_from_a_catch_is_refused() {
    let machine = Machine {
        logical_id: "Direct".to_owned(),
        definition: serde_json::json!({
            "StartAt": "Work",
            "States": {
                "Work": {"Type": "Task", "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Record"}], "End": true},
                "Record": {"Type": "Task", "Parameters": {"MessageBody": {"error.$": "$.failure.Error", "cause.$": "$.failure.Cause"}}, "End": true}
            }
        }),
    };
    let checker = FailureReads { machine: &machine };
    let mut unsafe_reads = Vec::new();

    checker.walk(
        "Record",
        BTreeSet::new(),
        &mut Vec::new(),
        &mut unsafe_reads,
    );

    assert_eq!(unsafe_reads.len(), 2, "{unsafe_reads:?}");
}

struct FailureReads<'a> {
    machine: &'a Machine,
}

impl FailureReads<'_> {
    /// Follows Choice and Pass states from `state_name` with the failure fields known to be
    /// present, reporting each read of a field not known, up to and including the first Task.
    fn walk(
        &self,
        state_name: &str,
        known: BTreeSet<String>,
        path: &mut Vec<String>,
        unsafe_reads: &mut Vec<String>,
    ) {
        if path.iter().any(|seen| seen == state_name) {
            return;
        }
        path.push(state_name.to_owned());
        let state = &states(self.machine)[state_name];
        let mut report = |field: &str| {
            unsafe_reads.push(format!(
                "{}: {} reads {FAILURE_PATH}.{field}, not ensured along {path:?}",
                self.machine.logical_id,
                path.last().unwrap()
            ));
        };
        for field in failure_reads(&state["Parameters"]) {
            if !known.contains(&field) {
                report(&field);
            }
        }
        match state["Type"].as_str() {
            Some("Choice") => {
                for rule in state["Choices"].as_array().into_iter().flatten() {
                    let mut ensured = known.clone();
                    ensured.extend(present_in(rule));
                    self.walk(rule["Next"].as_str().unwrap(), ensured, path, unsafe_reads);
                }
                if let Some(default) = state["Default"].as_str() {
                    self.walk(default, known, path, unsafe_reads);
                }
            }
            Some("Pass") => {
                let known = if state["ResultPath"] == FAILURE_PATH {
                    set_fields(&state["Parameters"], &state["Result"])
                } else {
                    known
                };
                if let Some(next) = state["Next"].as_str() {
                    self.walk(next, known, path, unsafe_reads);
                }
            }
            _ => {}
        }
        path.pop();
    }
}

/// The fields of the failure that `.$` values anywhere in `parameters` read.
fn failure_reads(parameters: &Value) -> Vec<String> {
    let mut fields = Vec::new();
    let mut pending = vec![parameters];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(object) => {
                for (key, item) in object {
                    if key.ends_with(".$")
                        && let Some(field) = item
                            .as_str()
                            .and_then(|path| path.strip_prefix(FAILURE_PATH))
                            .and_then(|rest| rest.strip_prefix('.'))
                    {
                        fields.push(field.split('.').next().unwrap().to_owned());
                    }
                    pending.push(item);
                }
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    fields
}

/// The failure fields a Choice rule requires to be present (`IsPresent: true`, alone or in an
/// `And`).
fn present_in(rule: &Value) -> Vec<String> {
    if let Some(rules) = rule["And"].as_array() {
        return rules.iter().flat_map(present_in).collect();
    }
    let is_present = rule["IsPresent"] == true;
    let field = rule["Variable"]
        .as_str()
        .and_then(|path| path.strip_prefix(FAILURE_PATH))
        .and_then(|rest| rest.strip_prefix('.'));
    match (is_present, field) {
        (true, Some(field)) => vec![field.to_owned()],
        _ => Vec::new(),
    }
}

/// The fields a Pass with `ResultPath: $.failure` writes (from `Parameters` or `Result`).
fn set_fields(parameters: &Value, result: &Value) -> BTreeSet<String> {
    let written = if parameters.is_object() {
        parameters
    } else {
        result
    };
    written
        .as_object()
        .into_iter()
        .flatten()
        .map(|(key, _)| key.trim_end_matches(".$").to_owned())
        .collect()
}

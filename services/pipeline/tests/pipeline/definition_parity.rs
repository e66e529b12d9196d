use std::collections::BTreeSet;

use pipeline::asl::definition::{State, StateMachine};
use pipeline::{QUESTION_STATE_MACHINE, STAGES};
use serde_json::Value;

fn task_stages(machine: &StateMachine) -> BTreeSet<String> {
    machine
        .states
        .values()
        .filter_map(|state| match state {
            State::Task(task) => task.parameters.as_ref(),
            _ => None,
        })
        .map(|parameters| {
            parameters["MessageBody"]["stage"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn the_question_state_machine_loads_in_the_supported_subset() {
    assert!(StateMachine::load(QUESTION_STATE_MACHINE, &[]).is_ok());
}

#[test]
fn every_task_addresses_a_known_stage_and_every_stage_is_used() {
    let machine = StateMachine::load(QUESTION_STATE_MACHINE, &[]).unwrap();

    let used = task_stages(&machine);

    let known: BTreeSet<String> = STAGES.iter().map(|stage| (*stage).to_owned()).collect();
    assert_eq!(used, known);
}

#[test]
fn every_task_sends_to_the_queue_of_its_stage() {
    let machine = StateMachine::load(QUESTION_STATE_MACHINE, &[]).unwrap();

    for (name, state) in &machine.states {
        if let State::Task(task) = state {
            let parameters = task.parameters.as_ref().unwrap();
            let stage = parameters["MessageBody"]["stage"].as_str().unwrap();
            let camel: String = stage
                .split('_')
                .map(|word| word[..1].to_uppercase() + &word[1..])
                .collect();
            assert_eq!(
                parameters["QueueUrl"],
                Value::String(format!("${{{camel}QueueUrl}}")),
                "state {name}"
            );
            assert_eq!(
                task.resource, "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "state {name}"
            );
        }
    }
}

#[test]
fn every_data_task_catches_into_failure_recording() {
    let machine = StateMachine::load(QUESTION_STATE_MACHINE, &[]).unwrap();

    for (name, state) in &machine.states {
        if let State::Task(task) = state
            && name != "RecordFailure"
        {
            assert!(
                task.catch
                    .iter()
                    .any(|catcher| catcher.next == "CheckCaughtError"),
                "state {name} has no Catch"
            );
            assert!(
                task.retry
                    .iter()
                    .all(|retrier| !retrier.error_equals.contains(&"InvalidInput".to_owned()))
            );
        }
    }
}

#[test]
fn every_way_from_the_caught_error_check_leads_to_failure_recording() {
    let machine = StateMachine::load(QUESTION_STATE_MACHINE, &[]).unwrap();
    let State::Choice(check) = &machine.states["CheckCaughtError"] else {
        panic!("CheckCaughtError is not a Choice");
    };

    let mut next_states: Vec<&String> = check
        .choices
        .iter()
        .filter_map(|rule| rule.next.as_ref())
        .collect();
    next_states.extend(check.default.as_ref());

    for next in next_states {
        let reaches_recorder = next == "RecordFailure"
            || matches!(&machine.states[next], State::Pass(pass) if pass.next.as_deref() == Some("RecordFailure"));
        assert!(reaches_recorder, "CheckCaughtError -> {next}");
    }
}

#[test]
fn a_definition_with_a_dangling_transition_is_rejected() {
    let broken = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}"#;

    assert!(StateMachine::load(broken, &[]).is_err());
}

#[test]
fn a_definition_using_unsupported_fields_is_rejected() {
    let parallel = r#"{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[],"End":true}}}"#;

    assert!(StateMachine::load(parallel, &[]).is_err());
}

//! The deployed wiring as data: each state machine's definition, and for each of its
//! `sqs:sendMessage.waitForTaskToken` Tasks the queue it sends to and the function that
//! consumes that queue.

use infra_template::{Template, referenced_logical_id, repo_path};
use serde_json::Value;
use serde_yaml_ng::Value as Yaml;

/// Seconds a task message may wait in its queue before a Lambda receives it, allowed for in
/// every Task clock (both start when the message is sent).
pub(crate) const QUEUE_WAIT_SECONDS: u64 = 60;

/// Seconds of a Lambda's init phase, which runs before the handler and outside the function's
/// `Timeout` (AWS caps it at 10 s; a longer init is repeated inside the invocation).
pub(crate) const INIT_SECONDS: u64 = 10;

/// One state machine of the template.
pub(crate) struct Machine {
    /// Logical id of the `AWS::Serverless::StateMachine`.
    pub(crate) logical_id: String,
    /// The ASL definition (`DefinitionUri`), placeholders left in.
    pub(crate) definition: Value,
}

/// A Task that sends to a queue and waits for the consumer's task-token report.
pub(crate) struct QueueTask {
    pub(crate) machine: String,
    pub(crate) state_name: String,
    pub(crate) state: Value,
    pub(crate) queue_logical_id: String,
    pub(crate) function_logical_id: String,
}

pub(crate) fn template() -> Template {
    Template::load_repo().unwrap()
}

/// Every state machine of the template with its definition file.
pub(crate) fn machines(template: &Template) -> Vec<Machine> {
    template
        .logical_ids_of_type("AWS::Serverless::StateMachine")
        .into_iter()
        .map(|logical_id| {
            let uri = template
                .function_property(&logical_id, "DefinitionUri")
                .unwrap();
            let uri = uri.as_str().unwrap().trim_start_matches("../");
            let text = std::fs::read_to_string(repo_path(uri)).unwrap();
            Machine {
                logical_id,
                definition: serde_json::from_str(&text).unwrap(),
            }
        })
        .collect()
}

/// The states of a definition, by name.
pub(crate) fn states(machine: &Machine) -> &serde_json::Map<String, Value> {
    machine.definition["States"].as_object().unwrap()
}

/// Every queue Task of every state machine with the queue and function behind it.
pub(crate) fn queue_tasks(template: &Template) -> Vec<QueueTask> {
    let mut tasks = Vec::new();
    for machine in machines(template) {
        let substitutions = template
            .function_property(&machine.logical_id, "DefinitionSubstitutions")
            .unwrap();
        for (state_name, state) in states(&machine) {
            let resource = state["Resource"].as_str().unwrap_or_default();
            if state["Type"] != "Task" || !resource.contains(":sqs:sendMessage") {
                continue;
            }
            let queue_url = state["Parameters"]["QueueUrl"].as_str().unwrap();
            let placeholder = queue_url.trim_start_matches("${").trim_end_matches('}');
            let substituted = substitutions.get(placeholder).unwrap_or_else(|| {
                panic!("{state_name}: {placeholder} is not in DefinitionSubstitutions")
            });
            let (queue, _) = referenced_logical_id(substituted).unwrap();
            let function = consumer_of(template, queue)
                .unwrap_or_else(|| panic!("{state_name}: no function consumes {queue}"));
            tasks.push(QueueTask {
                machine: machine.logical_id.clone(),
                state_name: state_name.clone(),
                state: state.clone(),
                queue_logical_id: queue.to_owned(),
                function_logical_id: function,
            });
        }
    }
    tasks
}

/// The function with an SQS event reading `queue_logical_id`.
pub(crate) fn consumer_of(template: &Template, queue_logical_id: &str) -> Option<String> {
    template
        .function_logical_ids()
        .into_iter()
        .find(|function| {
            let Some(Yaml::Mapping(events)) = template.function_property(function, "Events") else {
                return false;
            };
            events.values().any(|event| {
                event.get("Type").and_then(Yaml::as_str) == Some("SQS")
                    && event
                        .get("Properties")
                        .and_then(|properties| properties.get("Queue"))
                        .and_then(referenced_logical_id)
                        .is_some_and(|(queue, _)| queue == queue_logical_id)
            })
        })
}

/// A whole-number property of a resource (`Timeout`, `VisibilityTimeout`), `Globals` applied.
pub(crate) fn seconds(template: &Template, logical_id: &str, property: &str) -> u64 {
    template
        .function_property(logical_id, property)
        .and_then(Yaml::as_u64)
        .unwrap_or_else(|| panic!("{logical_id} has no whole-number {property}"))
}

/// A whole-number field of a state.
pub(crate) fn state_seconds(task: &QueueTask, field: &str) -> u64 {
    task.state[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{} {}: no {field}", task.machine, task.state_name))
}

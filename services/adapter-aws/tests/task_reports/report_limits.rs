use std::sync::Arc;

use adapter_aws::{MAX_CAUSE_BYTES, MAX_OUTPUT_BYTES, process_task_message};
use contracts::error::{ErrorKind, StageFailure};
use ports::step_error::StepError;
use scripted_server::ScriptedServer;
use serde_json::{Value, json};

use crate::{FixedStage, HEARTBEAT_INTERVAL, accepted, reporter, task_message};

/// An explanation whose Vega-Lite chart inlines `n_rows` rows with long text x values.
fn explanation_with_chart(n_rows: usize) -> Value {
    let values: Vec<Value> = (0..n_rows)
        .map(|row_idx| json!({"customer": format!("customer with a long name number {row_idx}"), "revenue": row_idx}))
        .collect();
    json!({
        "answer": "Revenue by customer.",
        "chart": {
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "mark": "bar",
            "data": {"values": values},
            "encoding": {"x": {"field": "customer", "type": "nominal"}, "y": {"field": "revenue", "type": "quantitative"}}
        }
    })
}

#[tokio::test]
async fn an_output_over_256_kib_is_reported_as_a_fatal_failure_and_the_message_is_done() {
    let output = explanation_with_chart(10_000);
    let output_bytes = output.to_string().len();
    assert!(output_bytes > MAX_OUTPUT_BYTES, "{output_bytes} bytes");
    let server = Arc::new(ScriptedServer::start("/", vec![accepted(), accepted()]).await);
    let stage = FixedStage::new(&server, Ok(output));

    let processed = process_task_message(
        &stage,
        &reporter(&server),
        &task_message("explain"),
        HEARTBEAT_INTERVAL,
    )
    .await;

    assert!(processed.is_ok(), "{processed:?}");
    let report = &server.received()[1].body;
    assert!(report.get("output").is_none());
    assert_eq!(report["error"], "Fatal");
    let failure: StageFailure = serde_json::from_str(report["cause"].as_str().unwrap()).unwrap();
    assert_eq!(failure.kind, ErrorKind::Fatal);
    assert!(
        failure.message.contains(&format!("{output_bytes} bytes")),
        "{}",
        failure.message
    );
    assert!(failure.message.contains("262144"), "{}", failure.message);
}

#[tokio::test]
async fn an_output_within_256_kib_is_sent_whole() {
    let output = explanation_with_chart(500);
    let server = Arc::new(ScriptedServer::start("/", vec![accepted(), accepted()]).await);
    let stage = FixedStage::new(&server, Ok(output.clone()));

    let processed = process_task_message(
        &stage,
        &reporter(&server),
        &task_message("explain"),
        HEARTBEAT_INTERVAL,
    )
    .await;

    assert!(processed.is_ok(), "{processed:?}");
    let sent = server.received()[1].body["output"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(serde_json::from_str::<Value>(&sent).unwrap(), output);
}

#[tokio::test]
async fn a_failure_cause_over_32_kib_is_cut_with_a_marker() {
    let message = format!("query failed: {}", "syntax error near \"x\" ".repeat(5_000));
    let server = Arc::new(ScriptedServer::start("/", vec![accepted(), accepted()]).await);
    let stage = FixedStage::new(&server, Err(StepError::transient(message.clone())));

    let processed = process_task_message(
        &stage,
        &reporter(&server),
        &task_message("execute"),
        HEARTBEAT_INTERVAL,
    )
    .await;

    assert!(processed.is_ok(), "{processed:?}");
    let report = &server.received()[1].body;
    assert_eq!(report["error"], "Transient");
    let cause = report["cause"].as_str().unwrap();
    assert!(cause.len() <= MAX_CAUSE_BYTES, "{} bytes", cause.len());
    let failure: StageFailure = serde_json::from_str(cause).unwrap();
    assert_eq!(failure.stage.as_deref(), Some("execute"));
    assert!(
        failure.message.starts_with("query failed: syntax error"),
        "{}",
        &failure.message[..40]
    );
    assert!(failure.message.contains("…[truncated "), "no marker");
}

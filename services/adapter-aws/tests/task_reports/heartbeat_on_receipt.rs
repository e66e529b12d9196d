use std::sync::Arc;
use std::sync::atomic::Ordering;

use adapter_aws::process_task_message;
use scripted_server::ScriptedServer;
use serde_json::json;

use crate::{FixedStage, HEARTBEAT_INTERVAL, accepted, reporter, sfn_error, task_message};

#[tokio::test]
async fn a_heartbeat_is_sent_on_receipt_before_the_stage_runs() {
    let server = Arc::new(ScriptedServer::start("/", vec![accepted(), accepted()]).await);
    let stage = FixedStage::new(&server, Ok(json!({"intent": "data_question"})));

    let processed = process_task_message(
        &stage,
        &reporter(&server),
        &task_message("classify"),
        HEARTBEAT_INTERVAL,
    )
    .await;

    assert!(processed.is_ok(), "{processed:?}");
    let received = server.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].body,
        json!({"taskToken": "AAAAKgAAAAIAAAAAAAAAAtoken"})
    );
    assert!(
        received[1].body.get("output").is_some(),
        "{:?}",
        received[1].body
    );
    assert_eq!(stage.requests_before_run.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_message_whose_token_is_gone_on_receipt_is_dropped_without_running_its_stage() {
    for code in ["TaskTimedOut", "TaskDoesNotExist", "InvalidToken"] {
        let server = Arc::new(ScriptedServer::start("/", vec![sfn_error(code)]).await);
        let stage = FixedStage::new(&server, Ok(json!({})));

        let processed = process_task_message(
            &stage,
            &reporter(&server),
            &task_message("explain"),
            HEARTBEAT_INTERVAL,
        )
        .await;

        assert!(processed.is_ok(), "{code}: {processed:?}");
        assert_eq!(stage.n_runs(), 0, "{code}");
        assert_eq!(server.received().len(), 1, "{code}");
    }
}

#[tokio::test]
async fn a_failed_heartbeat_on_receipt_does_not_stop_the_stage() {
    let server = Arc::new(
        ScriptedServer::start("/", vec![sfn_error("ThrottlingException"), accepted()]).await,
    );
    let stage = FixedStage::new(&server, Ok(json!({"rows": 1})));

    let processed = process_task_message(
        &stage,
        &reporter(&server),
        &task_message("execute"),
        HEARTBEAT_INTERVAL,
    )
    .await;

    assert!(processed.is_ok(), "{processed:?}");
    assert_eq!(stage.n_runs(), 1);
    assert!(server.received()[1].body.get("output").is_some());
}

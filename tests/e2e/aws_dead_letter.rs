//! Poison messages: a message no worker can read is never deleted, is delivered again after
//! the visibility timeout, and after the queue's `maxReceiveCount` deliveries moves to the
//! dead-letter queue, where it is kept for inspection.

use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use crate::analyst_server::TempDataDir;
use crate::aws_moto::{
    Moto, create_stage_queues, platform_args, queue_prefix, spawn_api, spawn_aws_process,
};
use crate::postgres_datasource::ScratchDatabase;

const DEAD_LETTER_TIMEOUT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_message_no_worker_can_read_ends_in_the_dead_letter_queue() {
    let moto = Moto::shared_or_start().await;
    let database = ScratchDatabase::create_empty().await;
    let data_dir = TempDataDir::new();
    let prefix = queue_prefix();
    // The API process materializes the demo databases the worker opens read-only.
    let stage_queues = create_stage_queues(&moto, &prefix).await;
    let reply_queue_url = moto.create_queue(&prefix, "replies").await;
    let mut launcher_args = vec![
        "--launcher".to_owned(),
        "sqs-interpreter".to_owned(),
        "--reply-queue-url".to_owned(),
        reply_queue_url,
    ];
    for (stage, queue_url) in &stage_queues {
        launcher_args.extend(["--stage-queue".to_owned(), format!("{stage}={queue_url}")]);
    }
    let (_api, _base_url, _admin_key) =
        spawn_api(&moto, &data_dir.path, &database.url, &launcher_args).await;
    let dead_letter_url = moto.create_queue(&prefix, "classify-dlq").await;
    let dead_letter_arn = moto
        .call(
            "sqs",
            "AmazonSQS.GetQueueAttributes",
            json!({"QueueUrl": dead_letter_url, "AttributeNames": ["QueueArn"]}),
        )
        .await["Attributes"]["QueueArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let queue_url = moto
        .call(
            "sqs",
            "AmazonSQS.CreateQueue",
            json!({
                "QueueName": format!("{prefix}-classify-redriven"),
                "Attributes": {
                    "RedrivePolicy": json!({"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": "2"}).to_string()
                }
            }),
        )
        .await["QueueUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut worker_args = platform_args(&moto, &data_dir.path, &database.url);
    worker_args.extend([
        "--stage".to_owned(),
        format!("classify={queue_url}"),
        "--wait-seconds".to_owned(),
        "1".to_owned(),
        "--visibility-seconds".to_owned(),
        "1".to_owned(),
    ]);
    let _worker = spawn_aws_process("analyst-worker", &worker_args, "worker ready").await;

    moto.call(
        "sqs",
        "AmazonSQS.SendMessage",
        json!({"QueueUrl": queue_url, "MessageBody": "this is not a task message"}),
    )
    .await;
    let deadline = Instant::now() + DEAD_LETTER_TIMEOUT;
    while moto.n_messages(&dead_letter_url).await == 0 {
        assert!(
            Instant::now() < deadline,
            "the unreadable message never reached the dead-letter queue"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    assert_eq!(moto.n_messages(&dead_letter_url).await, 1);
    assert_eq!(
        moto.n_messages(&queue_url).await,
        0,
        "the poison message left the stage queue"
    );
}

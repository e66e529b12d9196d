//! S3 and EventBridge on the emulator for the ingestion tests: a bucket that sends its events
//! to EventBridge, a rule that forwards `Object Created` under `uploads/` to a queue, and
//! plain object reads and writes over S3's REST protocol (path-style, with an unverified
//! signature header: moto refuses anonymous reads of objects a signed client wrote).
//!
//! Invariant: bucket and rule names carry the test's random prefix.

use serde_json::{Value, json};

use crate::aws_moto::{Moto, REGION};

/// Account id moto uses in ARNs.
const ACCOUNT_ID: &str = "123456789012";

/// An `Authorization` header naming the test credentials; moto does not check the signature.
const TEST_AUTHORIZATION: &str = "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";

/// Creates `bucket` with EventBridge notifications on.
pub(crate) async fn create_bucket_with_eventbridge(moto: &Moto, bucket: &str) {
    let http = reqwest::Client::new();
    let created = http
        .put(format!("{}/{bucket}", moto.url))
        .send()
        .await
        .unwrap();
    assert!(
        created.status().is_success(),
        "CreateBucket: {}",
        created.status()
    );
    let notification = http
        .put(format!("{}/{bucket}?notification", moto.url))
        .body(
            "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <EventBridgeConfiguration></EventBridgeConfiguration></NotificationConfiguration>",
        )
        .send()
        .await
        .unwrap();
    assert!(
        notification.status().is_success(),
        "PutBucketNotificationConfiguration: {}",
        notification.status()
    );
}

/// A rule on the default event bus sending S3 `Object Created` events of `bucket` under
/// `uploads/` to the queue `queue_name` (the rule of `infra/template.yaml`, with a queue as
/// its target instead of the state machine).
pub(crate) async fn forward_upload_events_to_queue(
    moto: &Moto,
    rule_name: &str,
    bucket: &str,
    queue_name: &str,
) {
    let pattern = json!({
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": { "bucket": { "name": [bucket] }, "object": { "key": [{ "prefix": "uploads/" }] } }
    });
    moto.call(
        "events",
        "AWSEvents.PutRule",
        json!({ "Name": rule_name, "EventPattern": pattern.to_string() }),
    )
    .await;
    moto.call(
        "events",
        "AWSEvents.PutTargets",
        json!({
            "Rule": rule_name,
            "Targets": [{ "Id": "uploads", "Arn": format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue_name}") }]
        }),
    )
    .await;
}

/// Writes `body` as `key` of `bucket`.
pub(crate) async fn put_object(moto: &Moto, bucket: &str, key: &str, body: Vec<u8>) {
    let response = reqwest::Client::new()
        .put(format!("{}/{bucket}/{key}", moto.url))
        .header("Authorization", TEST_AUTHORIZATION)
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "PutObject {key}: {}",
        response.status()
    );
}

/// Reads `key` of `bucket`.
pub(crate) async fn get_object(moto: &Moto, bucket: &str, key: &str) -> Vec<u8> {
    let response = reqwest::Client::new()
        .get(format!("{}/{bucket}/{key}", moto.url))
        .header("Authorization", TEST_AUTHORIZATION)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "GetObject {key}: {}",
        response.status()
    );
    response.bytes().await.unwrap().to_vec()
}

/// Keys of `bucket` under `prefix`, in key order.
pub(crate) async fn list_keys(moto: &Moto, bucket: &str, prefix: &str) -> Vec<String> {
    let listing = reqwest::Client::new()
        .get(format!("{}/{bucket}?list-type=2&prefix={prefix}", moto.url))
        .header("Authorization", TEST_AUTHORIZATION)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut keys: Vec<String> = listing
        .split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</Key>").map(|(key, _)| key.to_owned()))
        .collect();
    keys.sort();
    keys
}

/// Waits (long polls) for one message on `queue_url` and returns its body as JSON.
pub(crate) async fn receive_one(moto: &Moto, queue_url: &str) -> Value {
    for _ in 0..10 {
        let received = moto
            .call(
                "sqs",
                "AmazonSQS.ReceiveMessage",
                json!({ "QueueUrl": queue_url, "MaxNumberOfMessages": 1, "WaitTimeSeconds": 2 }),
            )
            .await;
        if let Some(message) = received["Messages"].as_array().and_then(|m| m.first()) {
            return serde_json::from_str(message["Body"].as_str().unwrap()).unwrap();
        }
    }
    panic!("no message arrived on {queue_url}");
}

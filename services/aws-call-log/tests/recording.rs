//! A real SDK client with the recorder installed, sending to a loopback HTTP server: each
//! attempt is one line naming the service, operation and resource, and nothing of the body that
//! is not a resource name reaches the log.

use aws_call_log::{CallRecorder, iam, read_call_log};
use aws_sdk_sfn::config::{BehaviorVersion, Credentials, Region};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[tokio::test]
async fn each_call_of_an_sdk_client_is_recorded_without_its_secrets() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 65536];
                let _ = socket.read(&mut buffer).await;
                let reply = "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: 2\r\n\r\n{}";
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    let log = std::env::temp_dir().join(format!("aws-call-log-test-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDTEST",
            "very-secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(&endpoint)
        .interceptor(CallRecorder::append_to(&log).unwrap())
        .build();
    let client = aws_sdk_sfn::Client::from_conf(config);

    client
        .send_task_success()
        .task_token("token-value-123")
        .output(r#"{"answer":"private rows"}"#)
        .send()
        .await
        .unwrap();
    let _recorded_whatever_the_reply = client
        .start_execution()
        .state_machine_arn("arn:aws:states:us-east-1:123456789012:stateMachine:analyst-question")
        .name("job-1")
        .input("{}")
        .send()
        .await;

    let calls = read_call_log(&log).unwrap();
    let labels: Vec<String> = calls.iter().map(|call| call.label()).collect();
    assert_eq!(labels, ["SFN:SendTaskSuccess", "SFN:StartExecution"]);
    let account = iam::Account {
        partition: "aws".to_owned(),
        region: "us-east-1".to_owned(),
        account: "123456789012".to_owned(),
    };
    assert_eq!(iam::action(&calls[1]), "states:StartExecution");
    assert_eq!(
        iam::resource(&calls[1], &account),
        "arn:aws:states:us-east-1:123456789012:stateMachine:analyst-question"
    );
    let written = std::fs::read_to_string(&log).unwrap();
    for secret in ["token-value-123", "private rows", "very-secret", "AKIDTEST"] {
        assert!(
            !written.contains(secret),
            "{secret} reached the log: {written}"
        );
    }
}

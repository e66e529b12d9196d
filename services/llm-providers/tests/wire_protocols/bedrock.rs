//! The Bedrock model against a scripted `POST /model/{modelId}/converse` server, with static
//! test credentials and an endpoint override.
//!
//! Invariant: each test states the replies it scripts and checks what the server received.

use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_bedrockruntime::config::{Credentials, SharedCredentialsProvider};
use contracts::stages::Intent;
use llm_providers::{BedrockSettings, ChatSettings, RemoteLanguageModel};
use ports::language_model::{LanguageModel, LlmError, ModelUsage, SqlGenerationInput};
use ports::sql_engine::Dialect;
use serde_json::json;

use crate::fixtures::{
    examples, failed_attempt, quick_chat_settings, revenue_by_region, shop_schema,
};
use scripted_server::{Received, Reply, ScriptedServer};

const ROUTE: &str = "/model/{model_id}/converse";
const CLAUDE: &str = "anthropic.claude-3-5-sonnet-20241022-v2:0";

fn sdk_config() -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "static",
        )))
        .build()
}

fn model_with(server: &ScriptedServer, chat: ChatSettings) -> RemoteLanguageModel {
    let mut settings = BedrockSettings::new(CLAUDE, "us-east-1");
    settings.endpoint_url = Some(server.url.clone());
    settings.chat = chat;
    RemoteLanguageModel::bedrock(&sdk_config(), settings).unwrap()
}

fn model(server: &ScriptedServer) -> RemoteLanguageModel {
    model_with(server, quick_chat_settings())
}

fn converse_reply(text: &str, stop_reason: &str, input_tokens: u64, output_tokens: u64) -> Reply {
    Reply::json(
        200,
        json!({
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": stop_reason,
            "usage": {
                "inputTokens": input_tokens,
                "outputTokens": output_tokens,
                "totalTokens": input_tokens + output_tokens
            },
            "metrics": {"latencyMs": 420}
        }),
    )
}

fn answer(text: &str, input_tokens: u64, output_tokens: u64) -> Reply {
    converse_reply(text, "end_turn", input_tokens, output_tokens)
}

fn throttled() -> Reply {
    Reply::json(
        429,
        json!({"message": "Too many requests, please wait before trying again."}),
    )
    .with_header("x-amzn-ErrorType", "ThrottlingException")
}

fn decoded(path: &str) -> String {
    path.replace("%3A", ":").replace("%3a", ":")
}

/// The system prompt and the text of every message of a received Converse request.
fn conversation(received: &Received) -> (String, Vec<(String, String)>) {
    let system = received.body["system"][0]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let messages = received.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| {
            (
                message["role"].as_str().unwrap().to_owned(),
                message["content"][0]["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (system, messages)
}

#[tokio::test]
async fn classification_is_a_signed_converse_call_with_the_inference_configuration() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![answer(
            r#"{"intent": "chat", "guidance": "Hello! Ask me about orders and customers."}"#,
            280,
            18,
        )],
    )
    .await;
    let chat = ChatSettings {
        max_tokens: 512,
        stop_sequences: vec!["\n\nHuman:".into()],
        ..quick_chat_settings()
    };

    let reply = model_with(&server, chat)
        .classify("hi there", &shop_schema())
        .await
        .unwrap();

    assert_eq!(reply.value.intent, Intent::Chat);
    assert_eq!(
        reply.value.guidance.as_deref(),
        Some("Hello! Ask me about orders and customers.")
    );
    assert_eq!(
        reply.usage,
        ModelUsage {
            model_id: CLAUDE.into(),
            prompt_version: "intent_classification@v1".into(),
            input_tokens: 280,
            output_tokens: 18,
            calls: 1,
            cost_usd: None,
        }
    );
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        decoded(&received[0].path),
        format!("/model/{CLAUDE}/converse")
    );
    assert!(
        received[0]
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("AWS4-HMAC-SHA256 Credential=test/")
    );
    assert_eq!(
        received[0].body["inferenceConfig"],
        json!({"maxTokens": 512, "temperature": 0.0, "stopSequences": ["\n\nHuman:"]})
    );
    let (system, messages) = conversation(&received[0]);
    assert!(system.contains("intent classifier"), "{system}");
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0, "user");
    assert!(messages[0].1.contains("hi there"), "{}", messages[0].1);
    assert!(
        messages[0]
            .1
            .contains("- customers: People who bought at least once.")
    );
}

#[tokio::test]
async fn sql_generation_states_the_athena_dialect_and_shows_schema_and_examples() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![answer(
            r#"{"sql": "SELECT COUNT(*) AS n FROM orders WHERE status = 'shipped'", "cannot_answer": null}"#,
            1400,
            35,
        )],
    )
    .await;
    let schema = shop_schema();
    let examples = examples();
    let input = SqlGenerationInput {
        question: "How many orders have shipped?",
        schema: &schema,
        dialect: Dialect::Athena,
        examples: &examples,
        repair: None,
    };

    let reply = model(&server).generate_sql(input).await.unwrap();

    assert_eq!(
        reply.value.sql,
        "SELECT COUNT(*) AS n FROM orders WHERE status = 'shipped'"
    );
    assert_eq!(reply.usage.prompt_version, "sql_few_shot@v1");
    assert_eq!(
        (reply.usage.input_tokens, reply.usage.output_tokens),
        (1400, 35)
    );
    let (system, messages) = conversation(&server.received()[0]);
    assert!(
        system.contains("writes Amazon Athena (Trino) SQL"),
        "{system}"
    );
    assert!(system.contains("never backticks"), "{system}");
    let user = &messages[0].1;
    assert!(
        user.contains("Schema of datasource \"shop\" (Amazon Athena (Trino))"),
        "{user}"
    );
    assert!(user.contains("TABLE orders"), "{user}");
    assert!(user.contains("TABLE customers"), "{user}");
    assert!(
        user.contains("Question: How many open orders are there?"),
        "{user}"
    );
    assert!(user.contains("How many orders have shipped?"), "{user}");
}

#[tokio::test]
async fn a_repair_on_bedrock_carries_the_failed_sql_and_the_error() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![answer(
            r#"{"sql": "SELECT SUM(amount) FROM orders"}"#,
            1500,
            12,
        )],
    )
    .await;
    let schema = shop_schema();
    let repair = failed_attempt();
    let input = SqlGenerationInput {
        question: "Total order amount?",
        schema: &schema,
        dialect: Dialect::Embedded,
        examples: &[],
        repair: Some(&repair),
    };

    let reply = model(&server).generate_sql(input).await.unwrap();

    assert_eq!(reply.value.sql, "SELECT SUM(amount) FROM orders");
    assert_eq!(reply.usage.prompt_version, "sql_repair@v1");
    let (system, messages) = conversation(&server.received()[0]);
    assert!(system.contains("writes DuckDB SQL"), "{system}");
    assert!(
        messages[0]
            .1
            .contains("<failed_sql>\nSELECT SUM(total) FROM orders\n</failed_sql>")
    );
    assert!(
        messages[0]
            .1
            .contains("Referenced column \"total\" not found")
    );
}

#[tokio::test]
async fn the_explanation_comes_back_with_its_usage() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![answer(
            r#"{"answer": "The centre region leads with 5002.5."}"#,
            610,
            22,
        )],
    )
    .await;

    let reply = model(&server)
        .explain("Which region earns most?", "SELECT 1", &revenue_by_region())
        .await
        .unwrap();

    assert_eq!(reply.value, "The centre region leads with 5002.5.");
    assert_eq!(reply.usage.prompt_version, "explanation@v1");
    assert_eq!(
        (reply.usage.input_tokens, reply.usage.output_tokens),
        (610, 22)
    );
    let (_, messages) = conversation(&server.received()[0]);
    assert!(
        messages[0].1.contains("Result (all 5 rows)"),
        "{}",
        messages[0].1
    );
}

/// Classifies a question against a server that answers `failure` first and then a success,
/// and checks that the failure was retried once within the same invocation.
async fn assert_retried_after(failure: Reply) {
    let server = ScriptedServer::start(
        ROUTE,
        vec![
            failure,
            answer(r#"{"intent": "sql", "guidance": null}"#, 280, 9),
        ],
    )
    .await;

    let reply = model(&server)
        .classify("How many orders?", &shop_schema())
        .await
        .unwrap();

    assert_eq!(reply.value.intent, Intent::Sql);
    assert_eq!(reply.usage.calls, 1);
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn a_throttling_exception_is_retried_and_the_following_success_is_returned() {
    assert_retried_after(throttled()).await;
}

#[tokio::test]
async fn a_model_timeout_is_retried_by_its_code_although_its_status_is_a_client_error() {
    assert_retried_after(
        Reply::json(408, json!({"message": "Model has timed out."}))
            .with_header("x-amzn-ErrorType", "ModelTimeoutException"),
    )
    .await;
}

#[tokio::test]
async fn throttling_on_every_attempt_makes_the_model_unavailable() {
    let server = ScriptedServer::start(ROUTE, vec![throttled(), throttled(), throttled()]).await;

    let error = model(&server)
        .classify("How many orders?", &shop_schema())
        .await
        .unwrap_err();

    let LlmError::Unavailable(message) = &error else {
        panic!("expected Unavailable, got {error:?}");
    };
    assert!(message.contains("ThrottlingException"), "{message}");
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn a_validation_exception_is_rejected_without_a_retry() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![
            Reply::json(
                400,
                json!({"message": "The provided model identifier is invalid."}),
            )
            .with_header("x-amzn-ErrorType", "ValidationException"),
        ],
    )
    .await;

    let error = model(&server)
        .classify("How many orders?", &shop_schema())
        .await
        .unwrap_err();

    assert!(matches!(error, LlmError::Rejected(_)), "{error:?}");
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn an_attempt_slower_than_the_timeout_is_retried_then_answered() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![
            answer(r#"{"answer": "late"}"#, 1, 1).after(Duration::from_secs(2)),
            answer(r#"{"answer": "Revenue is highest in the centre."}"#, 600, 9),
        ],
    )
    .await;
    let chat = ChatSettings {
        request_timeout: Duration::from_millis(200),
        ..quick_chat_settings()
    };

    let reply = model_with(&server, chat)
        .explain("Which region earns most?", "SELECT 1", &revenue_by_region())
        .await
        .unwrap();

    assert_eq!(reply.value, "Revenue is highest in the centre.");
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn every_attempt_timing_out_makes_the_model_unavailable() {
    let slow = answer(r#"{"answer": "late"}"#, 1, 1).after(Duration::from_secs(2));
    let server = ScriptedServer::start(ROUTE, vec![slow.clone(), slow.clone(), slow]).await;
    let chat = ChatSettings {
        request_timeout: Duration::from_millis(200),
        ..quick_chat_settings()
    };

    let error = model_with(&server, chat)
        .explain("Which region earns most?", "SELECT 1", &revenue_by_region())
        .await
        .unwrap_err();

    assert!(matches!(error, LlmError::Unavailable(_)), "{error:?}");
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn a_malformed_answer_is_re_asked_as_a_conversation_and_then_accepted() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![
            answer(r#"{"sql": ""}"#, 1000, 6),
            answer(
                r#"{"sql": "SELECT COUNT(*) FROM orders", "cannot_answer": null}"#,
                1030,
                14,
            ),
        ],
    )
    .await;
    let schema = shop_schema();
    let input = SqlGenerationInput {
        question: "How many orders?",
        schema: &schema,
        dialect: Dialect::Postgres,
        examples: &[],
        repair: None,
    };

    let reply = model(&server).generate_sql(input).await.unwrap();

    assert_eq!(reply.value.sql, "SELECT COUNT(*) FROM orders");
    assert_eq!(
        (
            reply.usage.input_tokens,
            reply.usage.output_tokens,
            reply.usage.calls
        ),
        (2030, 20, 2)
    );
    assert_eq!(
        reply.usage.prompt_version,
        "sql_zero_shot@v1+format_correction@v1"
    );
    let (_, messages) = conversation(&server.received()[1]);
    let roles: Vec<&str> = messages.iter().map(|(role, _)| role.as_str()).collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
    assert_eq!(messages[1].1, r#"{"sql": ""}"#);
    assert!(
        messages[2]
            .1
            .contains("field `sql` must be a non-empty string"),
        "{}",
        messages[2].1
    );
}

#[tokio::test]
async fn an_answer_malformed_twice_is_malformed() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![
            answer("The answer is 42.", 600, 5),
            answer("Still 42.", 640, 3),
        ],
    )
    .await;

    let error = model(&server)
        .explain("How many?", "SELECT 42", &revenue_by_region())
        .await
        .unwrap_err();

    assert!(matches!(error, LlmError::Malformed(_)), "{error:?}");
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn a_model_that_declines_is_cannot_answer() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![answer(
            r#"{"sql": null, "cannot_answer": "The datasource has no information about returns."}"#,
            900,
            20,
        )],
    )
    .await;
    let schema = shop_schema();
    let input = SqlGenerationInput {
        question: "How many returns last week?",
        schema: &schema,
        dialect: Dialect::Postgres,
        examples: &[],
        repair: None,
    };

    let error = model(&server).generate_sql(input).await.unwrap_err();

    assert_eq!(
        error,
        LlmError::CannotAnswer("The datasource has no information about returns.".into())
    );
}

#[tokio::test]
async fn a_guardrail_intervention_is_cannot_answer() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![converse_reply(
            "Sorry, I can't help with that.",
            "guardrail_intervened",
            300,
            8,
        )],
    )
    .await;

    let error = model(&server)
        .classify("something unpleasant", &shop_schema())
        .await
        .unwrap_err();

    assert!(matches!(error, LlmError::CannotAnswer(_)), "{error:?}");
    assert_eq!(server.received().len(), 1);
}

//! A model server speaking both the OpenAI chat-completions and the Bedrock Converse wire
//! protocols with scripted replies, and the binary answering through each real client,
//! including a question whose first SQL fails and is repaired with the database's error.
//!
//! Invariant: the replies depend only on which prompt arrives (classification, generation,
//! repair, explanation), so both protocols see the same script.

use std::ffi::OsStr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::analyst_server::AnalystServer;

/// SQL the scripted model writes first: the table name is wrong, so execution fails.
const BROKEN_SQL: &str = "SELECT COUNT(*) AS n FROM restaurants";
/// SQL the scripted model writes when asked to repair.
const REPAIRED_SQL: &str = "SELECT COUNT(*) AS n FROM restaurant";

#[derive(Clone, Default)]
pub(crate) struct Script {
    prompts: Arc<Mutex<Vec<String>>>,
    /// Time each reply takes.
    delay: std::time::Duration,
}

impl Script {
    /// A script whose every reply takes `delay`.
    pub(crate) fn slow(delay: std::time::Duration) -> Self {
        Script {
            delay,
            ..Script::default()
        }
    }

    /// The JSON text the model answers to a prompt.
    fn reply(&self, system: &str, user: &str) -> String {
        self.prompts
            .lock()
            .unwrap()
            .push(format!("{system}\n{user}"));
        let reply = if system.contains("intent classifier") {
            json!({"intent": "sql", "guidance": null})
        } else if system.contains("explain the result") {
            json!({"answer": "There are 11 restaurants."})
        } else if system.contains("failed. Write a corrected query") {
            json!({"sql": REPAIRED_SQL, "cannot_answer": null})
        } else if system.contains("writes") {
            json!({"sql": BROKEN_SQL, "cannot_answer": null})
        } else {
            json!({"tables": ["restaurant"]})
        };
        reply.to_string()
    }
}

async fn chat_completions(
    State(script): State<Script>,
    body: axum::Json<Value>,
) -> axum::Json<Value> {
    tokio::time::sleep(script.delay).await;
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let text_of = |role: &str| {
        messages
            .iter()
            .filter(|message| message["role"] == role)
            .filter_map(|message| message["content"].as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let content = script.reply(&text_of("system"), &text_of("user"));
    axum::Json(json!({
        "id": "scripted",
        "object": "chat.completion",
        "model": body["model"],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 15, "total_tokens": 135}
    }))
}

async fn converse(State(script): State<Script>, body: axum::Json<Value>) -> axum::Json<Value> {
    let system = body["system"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|block| block["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let user = body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|message| message["content"].as_array().cloned().unwrap_or_default())
        .filter_map(|block| block["text"].as_str().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("\n");
    let text = script.reply(&system, &user);
    axum::Json(json!({
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 130, "outputTokens": 16, "totalTokens": 146},
        "metrics": {"latencyMs": 5}
    }))
}

pub(crate) async fn start_model_server(script: Script) -> String {
    let router = Router::new()
        .route("/v1/chat/completions", post(chat_completions))
        .route("/model/{model_id}/converse", post(converse))
        .with_state(script);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base_url
}

/// Asserts the repaired answer; `cost_per_call` is the price each model call must carry.
async fn assert_repaired_answer(
    server: &AnalystServer,
    script: &Script,
    model_id: &str,
    cost_per_call: Option<f64>,
) {
    let job_view = server
        .ask("How many restaurants are there?", "restaurants")
        .await;

    assert_eq!(job_view["status"], "succeeded", "job: {job_view}");
    assert_eq!(job_view["result"]["rows"], json!([[11]]));
    assert_eq!(job_view["answer"], "There are 11 restaurants.");
    let attempts = job_view["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "job: {job_view}");
    assert_eq!(attempts[0]["sql"], BROKEN_SQL);
    assert!(
        attempts[0]["error"]
            .as_str()
            .is_some_and(|error| !error.is_empty())
    );
    assert_eq!(attempts[1]["sql"], REPAIRED_SQL);
    let model_calls = job_view["model_calls"].as_array().unwrap();
    let stages: Vec<&str> = model_calls
        .iter()
        .map(|call| call["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        ["classify", "generate_sql", "generate_sql", "explain"]
    );
    assert!(model_calls.iter().all(|call| call["model_id"] == model_id));
    for call in model_calls {
        match cost_per_call {
            Some(cost) => assert!(
                (call["cost_usd"].as_f64().unwrap() - cost).abs() < 1e-9,
                "cost of {call}"
            ),
            None => assert!(call["cost_usd"].is_null(), "no price, no cost: {call}"),
        }
    }
    assert!(
        model_calls
            .iter()
            .all(|call| call["input_tokens"].as_u64().unwrap() > 0)
    );
    assert!(
        model_calls[2]["prompt_version"]
            .as_str()
            .unwrap()
            .contains("sql_repair@")
    );
    let prompts = script.prompts.lock().unwrap();
    let repair_prompt = prompts
        .iter()
        .find(|prompt| prompt.contains("failed. Write a corrected query"))
        .expect("a repair prompt was sent");
    assert!(
        repair_prompt.contains(BROKEN_SQL),
        "the failed SQL is in the repair prompt"
    );
    assert!(
        repair_prompt.contains(attempts[0]["error"].as_str().unwrap()),
        "the database error is in the repair prompt"
    );
}

#[tokio::test]
async fn the_openai_compatible_client_answers_and_repairs_through_the_binary() {
    let script = Script::default();
    let model_url = start_model_server(script.clone()).await;
    let args: Vec<&OsStr> = [
        "--embedder",
        "offline",
        "--llm",
        "openai",
        "--llm-model",
        "scripted-chat",
        "--llm-url",
    ]
    .into_iter()
    .map(OsStr::new)
    .chain([OsStr::new(&model_url)])
    .collect();

    let server = AnalystServer::start_with(&args, &[]).await;

    assert_repaired_answer(&server, &script, "scripted-chat", None).await;
}

#[tokio::test]
async fn the_bedrock_converse_client_answers_and_repairs_through_the_binary() {
    let script = Script::default();
    let model_url = start_model_server(script.clone()).await;
    let model_id = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    let args: Vec<&OsStr> = [
        "--embedder",
        "offline",
        "--llm",
        "bedrock",
        "--llm-model",
        model_id,
        "--llm-region",
        "us-east-1",
        "--llm-input-usd-per-1k",
        "3",
        "--llm-output-usd-per-1k",
        "15",
        "--llm-endpoint-url",
    ]
    .into_iter()
    .map(OsStr::new)
    .chain([OsStr::new(&model_url)])
    .collect();
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKIDSCRIPTEDTEST"),
        ("AWS_SECRET_ACCESS_KEY", "scripted-secret"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];

    let server = AnalystServer::start_with(&args, &env).await;

    // The scripted Converse reply counts 130 input and 16 output tokens: 0.39 + 0.24 dollars.
    assert_repaired_answer(&server, &script, model_id, Some(0.63)).await;
}

//! The OpenAI-compatible model against a scripted `/v1/chat/completions` server.
//!
//! Invariant: each test states the replies it scripts and checks what the server received.

use std::time::Duration;

use contracts::stages::Intent;
use llm_providers::{
    ChatSettings, LlmSettings, OpenAiCompatibleSettings, RemoteLanguageModel, TableSelection,
};
use ports::language_model::{LanguageModel, LlmError, ModelUsage, SqlGenerationInput};
use ports::schema::MetricDefinition;
use ports::schema_metadata::{ColumnMetadata, DatasourceMetadata, TableMetadata, apply_metadata};
use ports::sql_engine::Dialect;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::fixtures::{
    examples, failed_attempt, quick_chat_settings, revenue_by_region, shop_schema,
};
use scripted_server::{Received, Reply, ScriptedServer};

const ROUTE: &str = "/v1/chat/completions";
const MODEL: &str = "qwen2.5-coder:7b";

fn completion(content: &str, prompt_tokens: u64, completion_tokens: u64) -> Reply {
    completion_with_reason(content, "stop", prompt_tokens, completion_tokens)
}

fn completion_with_reason(
    content: &str,
    finish_reason: &str,
    prompt_tokens: u64,
    completion_tokens: u64,
) -> Reply {
    Reply::json(
        200,
        json!({
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": MODEL,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason
            }],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens
            }
        }),
    )
}

fn sql_reply(sql: &str) -> Reply {
    completion(
        &json!({"sql": sql, "cannot_answer": null}).to_string(),
        900,
        40,
    )
}

fn settings_with(server: &ScriptedServer, chat: ChatSettings) -> OpenAiCompatibleSettings {
    let mut settings = OpenAiCompatibleSettings::new(&server.url, MODEL);
    settings.chat = chat;
    settings
}

fn model(server: &ScriptedServer) -> RemoteLanguageModel {
    RemoteLanguageModel::openai_compatible(settings_with(server, quick_chat_settings())).unwrap()
}

/// Text of message `message_idx` of a received request.
fn message(received: &Received, message_idx: usize) -> (String, String) {
    let message = &received.body["messages"][message_idx];
    (
        message["role"].as_str().unwrap().to_owned(),
        message["content"].as_str().unwrap().to_owned(),
    )
}

fn zero_shot_input<'a>(
    schema: &'a ports::schema::SchemaSnapshot,
    dialect: Dialect,
) -> SqlGenerationInput<'a> {
    SqlGenerationInput {
        question: "What is the total order amount per region?",
        schema,
        dialect,
        examples: &[],
        repair: None,
    }
}

#[tokio::test]
async fn classification_sends_the_versioned_prompt_with_key_and_sampling_and_returns_usage() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![completion(
            r#"{"intent": "chart", "guidance": null}"#,
            310,
            12,
        )],
    )
    .await;
    let mut settings = settings_with(&server, quick_chat_settings());
    settings.api_key = Some(SecretString::from("sk-test-key"));
    settings.chat.temperature = 0.2;
    settings.chat.max_tokens = 256;
    settings.chat.stop_sequences = vec!["</answer>".into()];
    let model = LlmSettings::OpenAiCompatible(settings)
        .build()
        .await
        .unwrap();

    let reply = model
        .classify("Plot revenue by month", &shop_schema())
        .await
        .unwrap();

    assert_eq!(reply.value.intent, Intent::Chart);
    assert_eq!(reply.value.guidance, None);
    assert_eq!(
        reply.usage,
        ModelUsage {
            model_id: MODEL.into(),
            prompt_version: "intent_classification@v1".into(),
            input_tokens: 310,
            output_tokens: 12,
            calls: 1,
            cost_usd: None,
        }
    );
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, ROUTE);
    assert_eq!(
        received[0].authorization.as_deref(),
        Some("Bearer sk-test-key")
    );
    assert_eq!(received[0].body["model"], MODEL);
    let temperature = received[0].body["temperature"].as_f64().unwrap();
    assert!((temperature - 0.2).abs() < 1e-6, "{temperature}");
    assert_eq!(received[0].body["max_tokens"], 256);
    assert_eq!(received[0].body["stop"], json!(["</answer>"]));
    assert_eq!(received[0].body.get("response_format"), None);
    let (system_role, system) = message(&received[0], 0);
    let (user_role, user) = message(&received[0], 1);
    assert_eq!(
        (system_role.as_str(), user_role.as_str()),
        ("system", "user")
    );
    assert!(system.contains("\"out_of_scope\""), "{system}");
    assert!(user.contains("- orders: Orders placed online."), "{user}");
    assert!(user.contains("Plot revenue by month"), "{user}");
}

#[tokio::test]
async fn an_out_of_scope_question_comes_back_with_its_guidance() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![completion(
            r#"{"intent": "out_of_scope", "guidance": "I can answer questions about orders and customers."}"#,
            300,
            20,
        )],
    )
    .await;

    let reply = model(&server)
        .classify("What is the capital of France?", &shop_schema())
        .await
        .unwrap();

    assert_eq!(reply.value.intent, Intent::OutOfScope);
    assert_eq!(
        reply.value.guidance.as_deref(),
        Some("I can answer questions about orders and customers.")
    );
}

#[tokio::test]
async fn zero_shot_generation_states_the_dialect_and_shows_the_schema() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![sql_reply(
            "SELECT c.region, SUM(o.amount) AS total FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.region",
        )],
    )
    .await;
    let schema = shop_schema();

    let reply = model(&server)
        .generate_sql(zero_shot_input(&schema, Dialect::Postgres))
        .await
        .unwrap();

    assert!(reply.value.sql.starts_with("SELECT c.region"));
    assert_eq!(reply.usage.prompt_version, "sql_zero_shot@v1");
    assert_eq!(
        (reply.usage.input_tokens, reply.usage.output_tokens),
        (900, 40)
    );
    let received = server.received();
    let (_, system) = message(&received[0], 0);
    let (_, user) = message(&received[0], 1);
    assert!(system.contains("writes PostgreSQL SQL"), "{system}");
    assert!(system.contains("ILIKE"), "{system}");
    assert!(
        user.contains("TABLE customers  -- People who bought at least once; about 1200 rows"),
        "{user}"
    );
    assert!(
        user.contains("customer_id BIGINT  -- references customers.id"),
        "{user}"
    );
    assert!(
        user.contains("status VARCHAR  -- sample values: 'open', 'shipped'"),
        "{user}"
    );
    assert!(user.contains("TABLE warehouse_shifts"), "{user}");
    assert!(!user.contains("Verified examples"), "{user}");
}

#[tokio::test]
async fn few_shot_generation_shows_the_examples_and_names_its_prompt() {
    let server = ScriptedServer::start(ROUTE, vec![sql_reply("SELECT COUNT(*) FROM orders")]).await;
    let schema = shop_schema();
    let examples = examples();
    let input = SqlGenerationInput {
        examples: &examples,
        ..zero_shot_input(&schema, Dialect::Embedded)
    };

    let reply = model(&server).generate_sql(input).await.unwrap();

    assert_eq!(reply.usage.prompt_version, "sql_few_shot@v1");
    let (_, system) = message(&server.received()[0], 0);
    let (_, user) = message(&server.received()[0], 1);
    assert!(system.contains("writes DuckDB SQL"), "{system}");
    assert!(
        user.contains("Question: How many open orders are there?"),
        "{user}"
    );
    assert!(
        user.contains("SELECT COUNT(*) AS open_orders FROM orders WHERE status = 'open'"),
        "{user}"
    );
}

#[tokio::test]
async fn a_repair_prompt_carries_the_failed_sql_and_the_database_error() {
    let server =
        ScriptedServer::start(ROUTE, vec![sql_reply("SELECT SUM(amount) FROM orders")]).await;
    let schema = shop_schema();
    let repair = failed_attempt();
    let input = SqlGenerationInput {
        repair: Some(&repair),
        ..zero_shot_input(&schema, Dialect::Redshift)
    };

    let reply = model(&server).generate_sql(input).await.unwrap();

    assert_eq!(reply.value.sql, "SELECT SUM(amount) FROM orders");
    assert_eq!(reply.usage.prompt_version, "sql_repair@v1");
    let (_, system) = message(&server.received()[0], 0);
    let (_, user) = message(&server.received()[0], 1);
    assert!(system.contains("writes Amazon Redshift SQL"), "{system}");
    assert!(user.contains("SELECT SUM(total) FROM orders"), "{user}");
    assert!(
        user.contains("Binder Error: Referenced column \"total\" not found in FROM clause"),
        "{user}"
    );
    assert!(user.contains("Failed query (attempt 1)"), "{user}");
}

#[tokio::test]
async fn a_model_that_declines_is_cannot_answer_with_its_reason() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![completion(
            r#"{"sql": null, "cannot_answer": "No table records employee salaries."}"#,
            800,
            15,
        )],
    )
    .await;
    let schema = shop_schema();

    let error = model(&server)
        .generate_sql(zero_shot_input(&schema, Dialect::Postgres))
        .await
        .unwrap_err();

    assert_eq!(
        error,
        LlmError::CannotAnswer("No table records employee salaries.".into())
    );
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn a_malformed_answer_is_re_asked_once_with_the_parse_error_and_the_usage_adds_up() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![
            completion("Sure! The query is SELECT 1", 900, 10),
            completion(
                "```json\n{\"sql\": \"SELECT 1 AS one\", \"cannot_answer\": null}\n```",
                950,
                20,
            ),
        ],
    )
    .await;
    let schema = shop_schema();

    let reply = model(&server)
        .generate_sql(zero_shot_input(&schema, Dialect::Postgres))
        .await
        .unwrap();

    assert_eq!(reply.value.sql, "SELECT 1 AS one");
    assert_eq!(
        reply.usage,
        ModelUsage {
            model_id: MODEL.into(),
            prompt_version: "sql_zero_shot@v1+format_correction@v1".into(),
            input_tokens: 1850,
            output_tokens: 30,
            calls: 2,
            cost_usd: None,
        }
    );
    let received = server.received();
    assert_eq!(received.len(), 2);
    let roles: Vec<&str> = received[1].body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    assert_eq!(message(&received[1], 2).1, "Sure! The query is SELECT 1");
    let (_, correction) = message(&received[1], 3);
    assert!(
        correction.starts_with(
            "Your previous answer could not be used: the answer is not a single JSON object:"
        ),
        "{correction}"
    );
    assert_eq!(message(&received[1], 1), message(&received[0], 1));
}

#[tokio::test]
async fn an_answer_malformed_twice_is_malformed_after_exactly_two_calls() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![
            completion(r#"{"intent": "question"}"#, 300, 5),
            completion(r#"{"intent": "question"}"#, 320, 5),
            completion(r#"{"intent": "sql", "guidance": null}"#, 300, 5),
        ],
    )
    .await;

    let error = model(&server)
        .classify("How many orders?", &shop_schema())
        .await
        .unwrap_err();

    let LlmError::Malformed(problem) = &error else {
        panic!("expected Malformed, got {error:?}");
    };
    assert!(
        problem.starts_with("intent_classification@v1 answer unusable after a re-ask"),
        "{problem}"
    );
    assert!(problem.contains("unknown variant `question`"), "{problem}");
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn an_answer_cut_off_at_the_token_limit_is_re_asked_saying_so() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![
            completion_with_reason(r#"{"sql": "SELECT region, SUM(am"#, "length", 900, 64),
            sql_reply("SELECT 1"),
        ],
    )
    .await;
    let schema = shop_schema();

    model(&server)
        .generate_sql(zero_shot_input(&schema, Dialect::Postgres))
        .await
        .unwrap();

    let (_, correction) = message(&server.received()[1], 3);
    assert!(
        correction.contains("cut off at the limit of 1024 output tokens"),
        "{correction}"
    );
}

#[tokio::test]
async fn a_429_is_retried_and_the_following_success_is_returned() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![
            Reply::json(429, json!({"error": {"message": "rate limited"}})),
            Reply::json(503, json!({"error": {"message": "overloaded"}})),
            sql_reply("SELECT 1"),
        ],
    )
    .await;
    let schema = shop_schema();

    let reply = model(&server)
        .generate_sql(zero_shot_input(&schema, Dialect::Postgres))
        .await
        .unwrap();

    assert_eq!(reply.value.sql, "SELECT 1");
    assert_eq!(reply.usage.calls, 1);
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn throttling_beyond_the_attempts_makes_the_model_unavailable() {
    let throttled = Reply::json(429, json!({"error": {"message": "rate limited"}}));
    let server = ScriptedServer::start(
        ROUTE,
        vec![
            throttled.clone(),
            throttled.clone(),
            throttled,
            sql_reply("SELECT 1"),
        ],
    )
    .await;

    let error = model(&server)
        .classify("How many orders?", &shop_schema())
        .await
        .unwrap_err();

    assert!(matches!(error, LlmError::Unavailable(_)), "{error:?}");
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn an_attempt_slower_than_the_timeout_is_retried_and_all_slow_is_unavailable() {
    let slow = completion(r#"{"answer": "late"}"#, 1, 1).after(Duration::from_secs(2));
    let server = ScriptedServer::start(ROUTE, vec![slow.clone(), slow.clone(), slow]).await;
    let chat = ChatSettings {
        request_timeout: Duration::from_millis(150),
        ..quick_chat_settings()
    };
    let model = RemoteLanguageModel::openai_compatible(settings_with(&server, chat)).unwrap();

    let error = model
        .explain("Revenue by region?", "SELECT 1", &revenue_by_region())
        .await
        .unwrap_err();

    assert!(matches!(error, LlmError::Unavailable(_)), "{error:?}");
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn a_rejected_key_is_rejected_without_a_retry() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![Reply::json(
            401,
            json!({"error": {"message": "invalid api key"}}),
        )],
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
async fn the_explanation_is_grounded_in_at_most_the_configured_number_of_rows() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![completion(
            r#"{"answer": "North brought 1000.5 and south 2001.0 in the rows shown."}"#,
            500,
            30,
        )],
    )
    .await;
    let chat = ChatSettings {
        explain_max_rows: 2,
        ..quick_chat_settings()
    };
    let model = RemoteLanguageModel::openai_compatible(settings_with(&server, chat)).unwrap();

    let reply = model
        .explain(
            "Revenue by region?",
            "SELECT region, SUM(amount) AS revenue FROM orders GROUP BY region",
            &revenue_by_region(),
        )
        .await
        .unwrap();

    assert_eq!(
        reply.value,
        "North brought 1000.5 and south 2001.0 in the rows shown."
    );
    assert_eq!(reply.usage.prompt_version, "explanation@v1");
    let (_, user) = message(&server.received()[0], 1);
    assert!(user.contains("Result (the first 2 of 5 rows)"), "{user}");
    assert!(
        user.contains("columns: [\"region\",\"revenue\"]\n[\"north\",1000.5]\n[\"south\",2001.0]"),
        "{user}"
    );
    assert!(!user.contains("east"), "{user}");
    assert!(user.contains("GROUP BY region"), "{user}");
}

#[tokio::test]
async fn relevant_table_selection_narrows_the_schema_before_writing_sql() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![
            completion(r#"{"tables": ["orders", "customers"]}"#, 200, 10),
            sql_reply("SELECT 1"),
        ],
    )
    .await;
    let chat = ChatSettings {
        table_selection: TableSelection::Relevant { min_tables: 3 },
        ..quick_chat_settings()
    };
    let model = RemoteLanguageModel::openai_compatible(settings_with(&server, chat)).unwrap();
    let schema = shop_schema();

    let reply = model
        .generate_sql(zero_shot_input(&schema, Dialect::Athena))
        .await
        .unwrap();

    assert_eq!(
        reply.usage.prompt_version,
        "table_selection@v1+sql_zero_shot@v1"
    );
    assert_eq!((reply.usage.input_tokens, reply.usage.calls), (1100, 2));
    let received = server.received();
    let (_, selection_system) = message(&received[0], 0);
    let (_, selection_user) = message(&received[0], 1);
    assert!(
        selection_system.contains("\"tables\""),
        "{selection_system}"
    );
    assert!(
        selection_user.contains("- warehouse_shifts: Staff rota"),
        "{selection_user}"
    );
    let (_, sql_system) = message(&received[1], 0);
    let (_, sql_user) = message(&received[1], 1);
    assert!(
        sql_system.contains("writes Amazon Athena (Trino) SQL"),
        "{sql_system}"
    );
    assert!(sql_user.contains("TABLE customers"), "{sql_user}");
    assert!(sql_user.contains("TABLE orders"), "{sql_user}");
    assert!(!sql_user.contains("warehouse_shifts"), "{sql_user}");
}

#[tokio::test]
async fn a_content_filter_stop_is_cannot_answer() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![completion_with_reason("", "content_filter", 300, 0)],
    )
    .await;

    let error = model(&server)
        .classify("something unpleasant", &shop_schema())
        .await
        .unwrap_err();

    assert!(matches!(error, LlmError::CannotAnswer(_)), "{error:?}");
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn json_mode_asks_the_server_for_a_json_object() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![completion(r#"{"intent": "sql", "guidance": null}"#, 1, 1)],
    )
    .await;
    let mut settings = settings_with(&server, quick_chat_settings());
    settings.base_url = format!("{}/v1", server.url);
    settings.json_mode = true;
    let model = RemoteLanguageModel::openai_compatible(settings).unwrap();

    model
        .classify("How many orders?", &shop_schema())
        .await
        .unwrap();

    let received = server.received();
    assert_eq!(received[0].authorization, None);
    assert_eq!(
        received[0].body["response_format"],
        json!({"type": "json_object"})
    );
    assert_eq!(received[0].body.get("stop"), None::<&Value>);
}

#[tokio::test]
async fn imported_descriptions_and_metrics_reach_the_table_selection_and_sql_prompts() {
    let server = ScriptedServer::start(
        ROUTE,
        vec![
            completion(r#"{"tables": ["orders"]}"#, 200, 10),
            sql_reply(
                "SELECT SUM(amount) FILTER (WHERE status = 'open') AS open_revenue FROM orders",
            ),
        ],
    )
    .await;
    let metadata = DatasourceMetadata {
        tables: vec![TableMetadata {
            name: "orders".into(),
            description: Some("Every order ever placed, one row each".into()),
            columns: vec![ColumnMetadata {
                name: "status".into(),
                description: "Where the order is: open, shipped or returned".into(),
            }],
        }],
        metrics: vec![MetricDefinition {
            name: "open_revenue".into(),
            description: "Value of the orders not yet shipped".into(),
            sql: Some("SUM(amount) FILTER (WHERE status = 'open')".into()),
            table: Some("orders".into()),
        }],
    };
    let (schema, warnings) = apply_metadata(&shop_schema(), &metadata);
    assert_eq!(warnings, vec![]);
    let mut chat = quick_chat_settings();
    chat.table_selection = TableSelection::Relevant { min_tables: 2 };
    let model = RemoteLanguageModel::openai_compatible(settings_with(&server, chat)).unwrap();

    let reply = model
        .generate_sql(zero_shot_input(&schema, Dialect::Postgres))
        .await
        .unwrap();

    assert!(reply.value.sql.contains("open_revenue"));
    let received = server.received();
    let (_, selection_prompt) = message(&received[0], 1);
    let (_, sql_prompt) = message(&received[1], 1);
    assert!(
        selection_prompt.contains(
            "- orders: Every order ever placed, one row each. Columns: id, customer_id, amount, status. Metrics: open_revenue"
        ),
        "{selection_prompt}"
    );
    assert!(
        sql_prompt.contains("TABLE orders  -- Every order ever placed, one row each"),
        "{sql_prompt}"
    );
    assert!(
        sql_prompt.contains("status VARCHAR  -- Where the order is: open, shipped or returned"),
        "{sql_prompt}"
    );
    assert!(
        sql_prompt.contains(
            "METRIC open_revenue  -- Value of the orders not yet shipped; table orders; SQL: SUM(amount) FILTER (WHERE status = 'open')"
        ),
        "{sql_prompt}"
    );
}

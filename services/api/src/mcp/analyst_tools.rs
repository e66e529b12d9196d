//! The MCP tools: `list_datasources`, `describe_datasource`, `suggest_questions`, `ask`,
//! `get_answer`, `run_sql` and `approve`, each a thin layer over one or two API routes; and the
//! resources, one schema per datasource, read through the same routes as the first two tools.
//!
//! Invariant: a tool or resource never reaches a store, an engine or the pipeline itself; it
//! only sends API calls through its [`ApiTransport`], and an API refusal becomes a tool error
//! (or an MCP error) with the API's code and message.

use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use axum::http::request::Parts;
use contracts::api::{
    DatasourceSchemaView, DatasourceView, FeedbackRecord, JobView, SubmitQuestionResponse, Verdict,
};
use contracts::mcp::{
    ApproveInput, AskInput, DatasourceInput, DatasourceList, GetAnswerInput, MAX_WAIT_SECONDS,
    RunSqlInput, SuggestedQuestions, ToolAnswer, ToolErrorDetail,
};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ErrorData, Extensions, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ResourceContents,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{Json, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::time::Instant;
use uuid::Uuid;

use crate::mcp::api_transport::{ApiCall, ApiTransport};
use crate::mcp::datasource_resources::{
    SCHEMA_MIME_TYPE, datasource_of_schema_uri, percent_encode_path_segment, resource_error,
    schema_resource, unknown_resource_error,
};
use crate::mcp::suggested_questions::suggest_questions_from_schema;
use crate::mcp::tool_answers::{error_detail, tool_answer, tool_error, wait_duration};

/// Longest pause between two polls of a job.
const MAX_POLL_PAUSE: Duration = Duration::from_secs(2);

/// First pause between two polls of a job; it doubles up to [`MAX_POLL_PAUSE`].
const FIRST_POLL_PAUSE: Duration = Duration::from_millis(100);

/// The MCP server: the tools and resources over one [`ApiTransport`].
#[derive(Clone)]
pub(crate) struct AnalystTools {
    api: Arc<dyn ApiTransport>,
    tool_router: ToolRouter<AnalystTools>,
}

#[tool_router]
impl AnalystTools {
    /// The tools over `api`.
    pub(crate) fn new(api: Arc<dyn ApiTransport>) -> Self {
        AnalystTools {
            api,
            tool_router: Self::tool_router(),
        }
    }

    #[tool(
        description = "List the datasources this API key may ask, with their engine, description and table names. Start here.",
        annotations(read_only_hint = true)
    )]
    async fn list_datasources(
        &self,
        extensions: Extensions,
    ) -> Result<Json<DatasourceList>, CallToolResult> {
        let datasources: Vec<DatasourceView> = self
            .call(&extensions, Method::GET, "/v1/datasources".to_owned(), None)
            .await?;
        Ok(Json(DatasourceList { datasources }))
    }

    #[tool(
        description = "Describe one datasource: its tables, columns, column types, descriptions, sampled values of low-cardinality columns and metric definitions. Use it before writing SQL for run_sql.",
        annotations(read_only_hint = true)
    )]
    async fn describe_datasource(
        &self,
        extensions: Extensions,
        Parameters(input): Parameters<DatasourceInput>,
    ) -> Result<Json<DatasourceSchemaView>, CallToolResult> {
        let schema = self
            .datasource_schema(&extensions, &input.datasource)
            .await
            .map_err(tool_error)?;
        Ok(Json(schema))
    }

    #[tool(
        description = "Suggest a few questions a datasource can answer, built from its tables, columns and sampled values (not by a language model).",
        annotations(read_only_hint = true)
    )]
    async fn suggest_questions(
        &self,
        extensions: Extensions,
        Parameters(input): Parameters<DatasourceInput>,
    ) -> Result<Json<SuggestedQuestions>, CallToolResult> {
        let schema = self
            .datasource_schema(&extensions, &input.datasource)
            .await
            .map_err(tool_error)?;
        Ok(Json(SuggestedQuestions {
            questions: suggest_questions_from_schema(&schema),
            datasource: schema.name,
        }))
    }

    #[tool(
        description = "Ask a question about a datasource in plain language. The analyst writes read-only SQL, runs it and answers; waits up to wait_seconds (default 30) and returns the SQL, up to 100 rows (truncated says when there were more), the answer, a Vega-Lite chart and what the answer rests on. When done is false, call get_answer with the job id.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn ask(
        &self,
        extensions: Extensions,
        Parameters(input): Parameters<AskInput>,
    ) -> Result<Json<ToolAnswer>, CallToolResult> {
        let submit_body = json!({
            "question": input.question,
            "datasource": input.datasource,
            "conversation_id": input.conversation_id,
        });
        let wait = wait_duration(input.wait_seconds, MAX_WAIT_SECONDS);
        self.submit_and_wait(&extensions, submit_body, wait).await
    }

    #[tool(
        description = "Run one read-only SQL query on a datasource through the same guard and limits as generated SQL (anything but a single read-only query is refused). Returns up to 100 rows, the answer and a chart, like ask.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn run_sql(
        &self,
        extensions: Extensions,
        Parameters(input): Parameters<RunSqlInput>,
    ) -> Result<Json<ToolAnswer>, CallToolResult> {
        let question = input.question.unwrap_or_else(|| input.sql.clone());
        let submit_body = json!({
            "question": question,
            "datasource": input.datasource,
            "sql": input.sql,
        });
        let wait = wait_duration(input.wait_seconds, MAX_WAIT_SECONDS);
        self.submit_and_wait(&extensions, submit_body, wait).await
    }

    #[tool(
        description = "Get the answer of a job started by ask or run_sql, waiting up to wait_seconds (default 0) for it to finish.",
        annotations(read_only_hint = true)
    )]
    async fn get_answer(
        &self,
        extensions: Extensions,
        Parameters(input): Parameters<GetAnswerInput>,
    ) -> Result<Json<ToolAnswer>, CallToolResult> {
        let wait = wait_duration(input.wait_seconds, 0);
        let job_view = self.wait_for_job(&extensions, input.job_id, wait).await?;
        tool_answer(job_view)
    }

    #[tool(
        description = "Approve a finished job's SQL (or a corrected SQL) so later questions like it are answered from the semantic cache and few-shot memory. Needs an API key with the approve scope.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true
        )
    )]
    async fn approve(
        &self,
        extensions: Extensions,
        Parameters(input): Parameters<ApproveInput>,
    ) -> Result<Json<FeedbackRecord>, CallToolResult> {
        let feedback_body = json!({
            "verdict": Verdict::Approve,
            "corrected_sql": input.corrected_sql,
            "comment": input.comment,
            "replace_existing": input.replace_existing,
        });
        let feedback_record = self
            .call(
                &extensions,
                Method::POST,
                format!("/v1/questions/{}/feedback", input.job_id),
                Some(feedback_body),
            )
            .await?;
        Ok(Json(feedback_record))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for AnalystTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_instructions(
            "Answers questions about the analyst's datasources with read-only SQL. \
             Call list_datasources, then describe_datasource, then ask (or run_sql); \
             call get_answer with the job id while done is false. \
             Each datasource's schema is also a resource, analyst://datasources/{name}/schema.",
        )
    }

    /// One schema resource per datasource of `GET /v1/datasources` (the ones the key sees).
    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let datasources: Vec<DatasourceView> = self
            .call_api(
                &context.extensions,
                Method::GET,
                "/v1/datasources".to_owned(),
                None,
            )
            .await
            .map_err(resource_error)?;
        Ok(ListResourcesResult::with_all_items(
            datasources.iter().map(schema_resource).collect(),
        ))
    }

    /// The body of `GET /v1/datasources/{name}/schema` as JSON text.
    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let datasource = datasource_of_schema_uri(&request.uri)
            .ok_or_else(|| unknown_resource_error(&request.uri))?;
        let schema = self
            .datasource_schema(&context.extensions, &datasource)
            .await
            .map_err(resource_error)?;
        let schema_json = serde_json::to_string(&schema).expect("a schema view always serializes");
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(schema_json, request.uri).with_mime_type(SCHEMA_MIME_TYPE),
        ])
        .into())
    }
}

impl AnalystTools {
    /// Sends one call and reads a 2xx body as `T`; any other status is the tool error carrying
    /// the API's code and message.
    async fn call<T: DeserializeOwned>(
        &self,
        extensions: &Extensions,
        method: Method,
        path: String,
        body: Option<Value>,
    ) -> Result<T, CallToolResult> {
        self.call_api(extensions, method, path, body)
            .await
            .map_err(tool_error)
    }

    /// Sends one call with the MCP request's headers and reads a 2xx body as `T`; any other
    /// status is the API's code, message and status.
    async fn call_api<T: DeserializeOwned>(
        &self,
        extensions: &Extensions,
        method: Method,
        path: String,
        body: Option<Value>,
    ) -> Result<T, ToolErrorDetail> {
        let headers = extensions
            .get::<Parts>()
            .map(|parts| parts.headers.clone())
            .unwrap_or_default();
        let reply = self
            .api
            .send(&headers, ApiCall { method, path, body })
            .await
            .map_err(|transport_error| {
                error_detail("unavailable", transport_error.to_string(), None, None)
            })?;
        if !reply.status.is_success() {
            let code = reply.body["error"]["code"]
                .as_str()
                .unwrap_or("api_error")
                .to_owned();
            let message = reply.body["error"]["message"].as_str().map_or_else(
                || format!("the API answered {}", reply.status),
                str::to_owned,
            );
            return Err(error_detail(
                &code,
                message,
                Some(reply.status.as_u16()),
                None,
            ));
        }
        serde_json::from_value(reply.body).map_err(|parse_error| {
            error_detail(
                "unexpected_response",
                format!("the API's answer could not be read: {parse_error}"),
                None,
                None,
            )
        })
    }

    async fn datasource_schema(
        &self,
        extensions: &Extensions,
        datasource: &str,
    ) -> Result<DatasourceSchemaView, ToolErrorDetail> {
        let path = format!(
            "/v1/datasources/{}/schema",
            percent_encode_path_segment(datasource)
        );
        self.call_api(extensions, Method::GET, path, None).await
    }

    /// Submits through `POST /v1/questions` and waits for the job.
    async fn submit_and_wait(
        &self,
        extensions: &Extensions,
        submit_body: Value,
        wait: Duration,
    ) -> Result<Json<ToolAnswer>, CallToolResult> {
        let submitted: SubmitQuestionResponse = self
            .call(
                extensions,
                Method::POST,
                "/v1/questions".to_owned(),
                Some(submit_body),
            )
            .await?;
        let job_view = self
            .wait_for_job(extensions, submitted.job_id, wait)
            .await?;
        tool_answer(job_view)
    }

    /// Polls `GET /v1/questions/{id}` until the job ends or `wait` has passed, pausing 0.1 s,
    /// then twice as long each time up to 2 s (so a 30 s wait costs about 20 requests).
    async fn wait_for_job(
        &self,
        extensions: &Extensions,
        job_id: Uuid,
        wait: Duration,
    ) -> Result<JobView, CallToolResult> {
        let deadline = Instant::now() + wait;
        let mut pause = FIRST_POLL_PAUSE;
        loop {
            let job_view: JobView = self
                .call(
                    extensions,
                    Method::GET,
                    format!("/v1/questions/{job_id}"),
                    None,
                )
                .await?;
            let now = Instant::now();
            if job_view.status.is_terminal() || now >= deadline {
                return Ok(job_view);
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(MAX_POLL_PAUSE);
        }
    }
}

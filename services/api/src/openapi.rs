//! The OpenAPI 3.0 document of the HTTP API, built from the wire types' JSON Schemas (the same
//! `contracts` types the handlers read and write) and the route table below.
//!
//! Invariant: every route of [`crate::router`] but the static UI files is listed here with
//! every status it can answer; a test in `tests/api/openapi.rs` calls each listed operation.

use contracts::api::{
    ApiErrorBody, ApiKeyView, CreateApiKeyRequest, CreatedApiKey, DatasourceSchemaView,
    DatasourceView, FeedbackRecord, FeedbackRequest, JobView, MemoryEntryList,
    SubmitQuestionRequest, SubmitQuestionResponse,
};
use contracts::uploads::{UploadAccepted, UploadView};
use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};

/// One documented operation.
struct Operation {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    scope: Option<&'static str>,
    parameters: Value,
    /// Request body content by media type.
    request: Option<Value>,
    success: (&'static str, Value),
    errors: &'static [&'static str],
}

/// The document served at `/openapi.json`.
pub(crate) fn openapi_document() -> Value {
    let mut generator = SchemaGenerator::new(SchemaSettings::openapi3());
    let error_body = schema_of::<ApiErrorBody>(&mut generator);
    let job_view = schema_of::<JobView>(&mut generator);
    let submit_request = schema_of::<SubmitQuestionRequest>(&mut generator);
    let submit_response = schema_of::<SubmitQuestionResponse>(&mut generator);
    let datasources = schema_of::<Vec<DatasourceView>>(&mut generator);
    let datasource_schema = schema_of::<DatasourceSchemaView>(&mut generator);
    let feedback_request = schema_of::<FeedbackRequest>(&mut generator);
    let feedback_record = schema_of::<FeedbackRecord>(&mut generator);
    let memory_list = schema_of::<MemoryEntryList>(&mut generator);
    let key_list = schema_of::<Vec<ApiKeyView>>(&mut generator);
    let create_key = schema_of::<CreateApiKeyRequest>(&mut generator);
    let created_key = schema_of::<CreatedApiKey>(&mut generator);
    let upload_accepted = schema_of::<UploadAccepted>(&mut generator);
    let upload_view = schema_of::<UploadView>(&mut generator);
    let upload_list = schema_of::<Vec<UploadView>>(&mut generator);
    let components = generator.take_definitions(true);

    let job_id = json!({"name": "id", "in": "path", "required": true,
        "schema": {"type": "string", "format": "uuid"}, "description": "Job id"});
    let memory_kind = json!({"name": "kind", "in": "path", "required": true,
        "schema": {"type": "string", "enum": ["cache", "few_shot"]}});
    let operations = [
        Operation {
            method: "get",
            path: "/health",
            summary: "Liveness; the only operation without a key",
            scope: None,
            parameters: json!([]),
            request: None,
            success: (
                "200",
                json_content(
                    json!({"type": "object", "properties": {"status": {"type": "string"}}, "required": ["status"]}),
                ),
            ),
            errors: &[],
        },
        Operation {
            method: "post",
            path: "/v1/questions",
            summary: "Submit a question (or SQL to run through the guard); poll the returned URL; a conversation_id of another key is 404 conversation_not_found",
            scope: Some("ask"),
            parameters: json!([{
                "name": "Idempotency-Key", "in": "header", "required": false,
                "description": "Repeating a key (per API key) answers with the first job",
                "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[!-~]+$"}
            }]),
            request: Some(json_content(submit_request)),
            success: ("202", json_content(submit_response)),
            errors: &["400", "401", "403", "404", "413", "415"],
        },
        Operation {
            method: "get",
            path: "/v1/questions/{id}",
            summary: "The job: status, stages, SQL, rows, chart, answer, error (its own key or an admin key only)",
            scope: Some("ask"),
            parameters: json!([job_id]),
            request: None,
            success: ("200", json_content(job_view.clone())),
            errors: &["400", "401", "403", "404"],
        },
        Operation {
            method: "delete",
            path: "/v1/questions/{id}",
            summary: "Cancel a queued or running job (its own key or an admin key only)",
            scope: Some("ask"),
            parameters: json!([job_id]),
            request: None,
            success: ("200", json_content(job_view)),
            errors: &["400", "401", "403", "404", "409"],
        },
        Operation {
            method: "post",
            path: "/v1/questions/{id}/feedback",
            summary: "Approve (admitting the pair to the cache and few-shot memory) or reject an answer (the job's own key or an admin key only)",
            scope: Some("approve"),
            parameters: json!([job_id]),
            request: Some(json_content(feedback_request)),
            success: ("200", json_content(feedback_record)),
            errors: &[
                "400", "401", "403", "404", "409", "413", "415", "422", "503",
            ],
        },
        Operation {
            method: "get",
            path: "/v1/questions/{id}/chart.svg",
            summary: "The job's chart rendered as SVG (its own key or an admin key only)",
            scope: Some("ask"),
            parameters: json!([job_id]),
            request: None,
            success: (
                "200",
                json!({"image/svg+xml": {"schema": {"type": "string"}}}),
            ),
            errors: &["400", "401", "403", "404"],
        },
        Operation {
            method: "get",
            path: "/v1/datasources",
            summary: "Datasources with their engine and tables",
            scope: Some("ask"),
            parameters: json!([]),
            request: None,
            success: ("200", json_content(datasources)),
            errors: &["401", "403"],
        },
        Operation {
            method: "get",
            path: "/v1/datasources/{name}/schema",
            summary: "A datasource's tables, columns, types, descriptions, sampled values and metrics, from its latest schema snapshot",
            scope: Some("ask"),
            parameters: json!([{"name": "name", "in": "path", "required": true,
                "schema": {"type": "string"}, "description": "Datasource name"}]),
            request: None,
            success: ("200", json_content(datasource_schema)),
            errors: &["401", "403", "404", "503"],
        },
        Operation {
            method: "post",
            path: "/mcp",
            summary: "Model Context Protocol over Streamable HTTP (stateless, JSON answers); each tool calls the API route it wraps with the same key (docs/mcp.md)",
            scope: Some("any"),
            parameters: json!([]),
            request: Some(json_content(
                json!({"type": "object", "description": "A JSON-RPC message"}),
            )),
            success: (
                "200",
                json_content(json!({"type": "object", "description": "A JSON-RPC message"})),
            ),
            errors: &["202", "400", "401", "404", "406", "413", "415", "429"],
        },
        Operation {
            method: "post",
            path: "/v1/uploads",
            summary: "Upload a ZIP of CSV files (one folder per table) into a datasource; poll the returned URL",
            scope: Some("ingest"),
            parameters: json!([]),
            request: Some(json!({"multipart/form-data": {"schema": {
                "type": "object",
                "required": ["datasource", "file"],
                "properties": {
                    "datasource": {"type": "string", "maxLength": 63,
                        "description": "snake_case name of a new or uploaded datasource"},
                    "replace": {"type": "string", "enum": ["true", "false"],
                        "description": "Replace tables that exist already (default false)"},
                    "encoding": {"type": "string", "enum": ["utf8", "latin1"],
                        "description": "Text encoding of the CSV files (default utf8)"},
                    "file": {"type": "string", "format": "binary", "description": "The ZIP archive"}
                }
            }}})),
            success: ("202", json_content(upload_accepted)),
            errors: &["400", "401", "403", "404", "413", "503"],
        },
        Operation {
            method: "get",
            path: "/v1/uploads",
            summary: "The most recent uploads, newest first",
            scope: Some("ingest"),
            parameters: json!([{"name": "limit", "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": 100}}]),
            request: None,
            success: ("200", json_content(upload_list)),
            errors: &["400", "401", "403", "404"],
        },
        Operation {
            method: "get",
            path: "/v1/uploads/{id}",
            summary: "One upload: status, per-file results, loaded tables or the reason it failed",
            scope: Some("ingest"),
            parameters: json!([{"name": "id", "in": "path", "required": true,
                "schema": {"type": "string", "format": "uuid"}, "description": "Upload id"}]),
            request: None,
            success: ("200", json_content(upload_view)),
            errors: &["400", "401", "403", "404"],
        },
        Operation {
            method: "get",
            path: "/v1/admin/memory/{kind}",
            summary: "Cache entries or few-shot examples, newest first",
            scope: Some("admin"),
            parameters: json!([
                memory_kind,
                {"name": "datasource", "in": "query", "schema": {"type": "string"}},
                {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}}
            ]),
            request: None,
            success: ("200", json_content(memory_list)),
            errors: &["400", "401", "403"],
        },
        Operation {
            method: "delete",
            path: "/v1/admin/memory/{kind}/{entry_id}",
            summary: "Delete one cache entry or few-shot example",
            scope: Some("admin"),
            parameters: json!([
                memory_kind,
                {"name": "entry_id", "in": "path", "required": true, "schema": {"type": "string"}}
            ]),
            request: None,
            success: ("204", Value::Null),
            errors: &["400", "401", "403", "404"],
        },
        Operation {
            method: "get",
            path: "/v1/admin/keys",
            summary: "API keys, oldest first (never their plaintext or hash)",
            scope: Some("admin"),
            parameters: json!([]),
            request: None,
            success: ("200", json_content(key_list)),
            errors: &["401", "403"],
        },
        Operation {
            method: "post",
            path: "/v1/admin/keys",
            summary: "Create an API key; its plaintext is in this response only",
            scope: Some("admin"),
            parameters: json!([]),
            request: Some(json_content(create_key)),
            success: ("201", json_content(created_key)),
            errors: &["400", "401", "403", "413", "415"],
        },
        Operation {
            method: "delete",
            path: "/v1/admin/keys/{key_id}",
            summary: "Revoke an API key",
            scope: Some("admin"),
            parameters: json!([{"name": "key_id", "in": "path", "required": true, "schema": {"type": "string"}}]),
            request: None,
            success: ("204", Value::Null),
            errors: &["400", "401", "403", "404"],
        },
        Operation {
            method: "get",
            path: "/metrics",
            summary: "Prometheus metrics",
            scope: Some("admin"),
            parameters: json!([]),
            request: None,
            success: ("200", json!({"text/plain": {"schema": {"type": "string"}}})),
            errors: &["401", "403"],
        },
        Operation {
            method: "get",
            path: "/openapi.json",
            summary: "This document",
            scope: Some("ask"),
            parameters: json!([]),
            request: None,
            success: ("200", json_content(json!({"type": "object"}))),
            errors: &["401", "403"],
        },
    ];

    let mut paths = Map::new();
    for operation in operations {
        let mut responses = Map::new();
        let (status, content) = operation.success;
        let mut success = json!({"description": "Success"});
        if !content.is_null() {
            success["content"] = content;
        }
        responses.insert(status.to_owned(), success);
        // Any request can outlast the request timeout; keyed ones can also hit the rate limit.
        let common_errors: &[&str] = if operation.scope.is_some() {
            &["408", "429"]
        } else {
            &["408"]
        };
        for error_status in operation.errors.iter().chain(common_errors) {
            if *error_status == "202" {
                responses.insert(
                    "202".to_owned(),
                    json!({"description": "A JSON-RPC notification or response, accepted; no body"}),
                );
                continue;
            }
            responses.insert(
                (*error_status).to_owned(),
                json!({
                    "description": error_description(error_status),
                    "content": json_content(error_body.clone()),
                }),
            );
        }
        let mut entry = json!({
            "summary": operation.summary,
            "operationId": format!("{}_{}", operation.method, operation.path.trim_matches('/').replace(['/', '{', '}', '.'], "_")),
            "parameters": operation.parameters,
            "responses": responses,
        });
        match operation.scope {
            Some(scope) => {
                entry["security"] = json!([{"bearer": []}, {"api_key": []}]);
                entry["description"] = if scope == "any" {
                    json!(
                        "Needs an active API key of any scope; each tool needs its route's scope."
                    )
                } else {
                    json!(format!("Needs an API key with the `{scope}` scope."))
                };
            }
            None => entry["security"] = json!([]),
        }
        if let Some(request) = operation.request {
            entry["requestBody"] = json!({"required": true, "content": request});
        }
        let path_item = paths
            .entry(operation.path.to_owned())
            .or_insert_with(|| json!({}));
        path_item[operation.method] = entry;
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Analyst API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Ask questions about your data in plain English; submit, then poll the job."
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "api_key": {"type": "apiKey", "in": "header", "name": "x-api-key"}
            }
        }
    })
}

/// A reference to `T`'s schema, which is added to the generator's components.
fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    serde_json::to_value(generator.subschema_for::<T>()).expect("a schema always serializes")
}

fn json_content(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}})
}

fn error_description(status: &str) -> &'static str {
    match status {
        "400" => "Malformed input",
        "401" => "Missing or invalid API key",
        "403" => "The key lacks the needed scope",
        "406" => "The Accept header does not admit the answer's media types",
        "404" => {
            "No such job, upload, datasource, entry or route; a job or conversation of another key is answered the same way"
        }
        "408" => "The request took longer than the server's request timeout",
        "409" => "Conflicts with the job's or the memory's state",
        "413" => "Body or uploaded archive too large",
        "415" => "Body is not JSON",
        "422" => "The corrected SQL was refused or failed",
        "429" => "Too many requests for this key; see Retry-After",
        "503" => "A service the request needs is unavailable",
        _ => "Error",
    }
}

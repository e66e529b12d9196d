//! A scripted language model and a scripted engine, plus a pipeline wired to the real SQLite store.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use contracts::result::{ColumnType, ResultColumn, ResultSet};
use contracts::stages::Intent;
use ports::datasource::{Datasource, Datasources};
use ports::job_store::ConversationTurn;
use ports::language_model::{
    Classification, LanguageModel, LlmError, ModelReply, ModelUsage, SqlDraft, SqlGenerationInput,
};
use ports::schema::{ColumnSchema, SchemaSnapshot, SchemaStore, TableSchema};
use ports::sql_engine::{Dialect, EngineError, QueryLimits, SqlEngine};
use serde_json::json;

pub(crate) struct ScriptedModel {
    pub(crate) intent: Intent,
    pub(crate) sql_replies: Mutex<VecDeque<Result<String, LlmError>>>,
    pub(crate) repair_errors_seen: Mutex<Vec<String>>,
}

impl ScriptedModel {
    pub(crate) fn new(intent: Intent, sql_replies: Vec<Result<&str, LlmError>>) -> Arc<Self> {
        Arc::new(ScriptedModel {
            intent,
            sql_replies: Mutex::new(
                sql_replies
                    .into_iter()
                    .map(|reply| reply.map(str::to_owned))
                    .collect(),
            ),
            repair_errors_seen: Mutex::new(Vec::new()),
        })
    }
}

#[async_trait]
impl LanguageModel for ScriptedModel {
    fn model_id(&self) -> &str {
        "scripted"
    }

    async fn rewrite_follow_up(
        &self,
        question: &str,
        turns: &[ConversationTurn],
    ) -> Result<ModelReply<String>, LlmError> {
        let standalone = match turns.first() {
            Some(first) => format!("{} ({question})", first.question),
            None => question.to_owned(),
        };
        Ok(scripted_reply(standalone))
    }

    async fn classify(
        &self,
        _question: &str,
        _schema: &SchemaSnapshot,
    ) -> Result<ModelReply<Classification>, LlmError> {
        let guidance = matches!(self.intent, Intent::Chat | Intent::OutOfScope)
            .then(|| "Hello! Ask me about restaurants.".to_owned());
        Ok(scripted_reply(Classification {
            intent: self.intent,
            guidance,
        }))
    }

    async fn generate_sql(
        &self,
        input: SqlGenerationInput<'_>,
    ) -> Result<ModelReply<SqlDraft>, LlmError> {
        if let Some(repair) = input.repair {
            self.repair_errors_seen
                .lock()
                .unwrap()
                .push(repair.error.clone());
        }
        let reply = self
            .sql_replies
            .lock()
            .unwrap()
            .pop_front()
            .expect("the test scripted enough SQL replies");
        reply.map(|sql| scripted_reply(SqlDraft { sql }))
    }

    async fn explain(
        &self,
        _question: &str,
        _sql: &str,
        result: &ResultSet,
    ) -> Result<ModelReply<String>, LlmError> {
        Ok(scripted_reply(format!("{} rows.", result.rows.len())))
    }
}

fn scripted_reply<T>(value: T) -> ModelReply<T> {
    ModelReply {
        value,
        usage: ModelUsage::none("scripted", "scripted@v1"),
    }
}

/// An engine that answers `SELECT COUNT(*) FROM restaurant` and fails everything else.
pub(crate) struct ScriptedEngine {
    pub(crate) executed: Mutex<Vec<String>>,
}

#[async_trait]
impl SqlEngine for ScriptedEngine {
    fn dialect(&self) -> Dialect {
        Dialect::Embedded
    }

    async fn execute(&self, sql: &str, _limits: &QueryLimits) -> Result<ResultSet, EngineError> {
        self.executed.lock().unwrap().push(sql.to_owned());
        if sql == "SELECT COUNT(*) AS n FROM restaurant" {
            Ok(ResultSet {
                columns: vec![ResultColumn {
                    name: "n".into(),
                    column_type: ColumnType::Integer,
                }],
                rows: vec![vec![json!(11)]],
                truncated: false,
                total_rows: Some(1),
            })
        } else {
            Err(EngineError::QueryFailed(format!(
                "Catalog Error: cannot run {sql}"
            )))
        }
    }

    async fn extract_tables(&self) -> Result<Vec<TableSchema>, EngineError> {
        Ok(restaurant_tables())
    }
}

pub(crate) fn restaurant_tables() -> Vec<TableSchema> {
    vec![TableSchema {
        name: "restaurant".into(),
        description: None,
        columns: vec![ColumnSchema {
            name: "id".into(),
            data_type: "BIGINT".into(),
            description: None,
            sample_values: vec![],
        }],
        n_rows: Some(11),
    }]
}

pub(crate) struct Harness {
    pub(crate) pipeline: Arc<pipeline::LocalPipeline>,
    pub(crate) store: Arc<store_sqlite::SqliteStore>,
    pub(crate) engine: Arc<ScriptedEngine>,
    pub(crate) model: Arc<ScriptedModel>,
    /// The same stage handlers the pipeline uses, for driving single task messages.
    pub(crate) handlers: pipeline::StageHandlers,
}

pub(crate) async fn harness(model: Arc<ScriptedModel>) -> Harness {
    let store = Arc::new(store_sqlite::SqliteStore::open_in_memory().unwrap());
    store
        .save_snapshot(&SchemaSnapshot::new("restaurants", restaurant_tables()))
        .await
        .unwrap();
    let engine = Arc::new(ScriptedEngine {
        executed: Mutex::new(Vec::new()),
    });
    let datasources = Datasources::default();
    datasources.insert(Datasource {
        name: "restaurants".into(),
        description: None,
        engine_name: "embedded".into(),
        engine: engine.clone(),
        allowed_relations: None,
    });
    let settings = pipeline::PipelineSettings {
        retry_interval_scale: 0.001,
        ..Default::default()
    };
    let deps = pipeline::StageDeps {
        job_store: store.clone(),
        schema_store: store.clone(),
        pair_store: store.clone(),
        embedder: Arc::new(embedder_offline::HashingEmbedder::default()),
        llm: model.clone(),
        datasources,
        settings,
    };
    Harness {
        handlers: pipeline::StageHandlers::new(&deps),
        pipeline: pipeline::LocalPipeline::start(deps).unwrap(),
        store,
        engine,
        model,
    }
}

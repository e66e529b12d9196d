//! The language model behind classification, SQL generation and explanation.
//!
//! Every call returns its value with a [`ModelUsage`], so callers can record tokens per job.
//!
//! Invariant: implementations return structured values; callers never parse free text.

use async_trait::async_trait;
use contracts::api::ModelCall;
use contracts::error::ErrorKind;
use contracts::result::ResultSet;
use contracts::stages::{Intent, RepairContext};

use crate::job_store::ConversationTurn;
use crate::memory_store::ScoredPair;
use crate::schema::SchemaSnapshot;
use crate::sql_engine::Dialect;

/// A model call failed or the model declined.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    /// The question cannot be answered from this datasource; the reason is shown to the user.
    #[error("{0}")]
    CannotAnswer(String),
    /// The provider throttled or timed out; retrying may help.
    #[error("language model unavailable: {0}")]
    Unavailable(String),
    /// The model's output did not match the expected structure, even after a re-ask.
    #[error("language model answered in an unusable shape: {0}")]
    Malformed(String),
    /// The provider refused the request (bad credentials, unknown model, prompt too long);
    /// retrying will not help.
    #[error("language model rejected the request: {0}")]
    Rejected(String),
}

impl LlmError {
    /// Retry class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            LlmError::CannotAnswer(_) => ErrorKind::InvalidInput,
            LlmError::Unavailable(_) => ErrorKind::Transient,
            LlmError::Malformed(_) | LlmError::Rejected(_) => ErrorKind::Fatal,
        }
    }
}

/// The classifier's decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    /// Chosen intent.
    pub intent: Intent,
    /// Message for chat and out-of-scope questions.
    pub guidance: Option<String>,
}

/// Everything the generator may use to write SQL.
#[derive(Debug, Clone, Copy)]
pub struct SqlGenerationInput<'a> {
    /// Standalone question.
    pub question: &'a str,
    /// Schema of the datasource, with descriptions and sampled values.
    pub schema: &'a SchemaSnapshot,
    /// Dialect to write.
    pub dialect: Dialect,
    /// Retrieved few-shot examples, best first.
    pub examples: &'a [ScoredPair],
    /// The failed attempt to repair, if any.
    pub repair: Option<&'a RepairContext>,
}

/// A model's SQL answer.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlDraft {
    /// One query.
    pub sql: String,
}

/// What one trait call cost, summed over every model invocation it needed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelUsage {
    /// Model that answered, as [`LanguageModel::model_id`] reports it.
    pub model_id: String,
    /// Versions of the prompt templates used, joined by `+` in call order
    /// (`table_selection@v1+sql_few_shot@v1`); `offline` when no prompt was sent.
    pub prompt_version: String,
    /// Tokens sent to the model, as the provider counted them (0 when it reports none).
    pub input_tokens: u64,
    /// Tokens the model produced, as the provider counted them (0 when it reports none).
    pub output_tokens: u64,
    /// Model invocations that returned an answer, re-asks and table selection included.
    pub calls: u32,
    /// Price in US dollars from the configured token prices; `None` when none is configured.
    pub cost_usd: Option<f64>,
}

impl ModelUsage {
    /// Usage of a call that invoked no model: no tokens, no invocations, no cost.
    pub fn none(model_id: impl Into<String>, prompt_version: impl Into<String>) -> Self {
        ModelUsage {
            model_id: model_id.into(),
            prompt_version: prompt_version.into(),
            input_tokens: 0,
            output_tokens: 0,
            calls: 0,
            cost_usd: Some(0.0),
        }
    }

    /// The job record of this usage, for a call made by `stage` that took `duration_ms`
    /// milliseconds.
    pub fn model_call(&self, stage: &str, duration_ms: u64) -> ModelCall {
        ModelCall {
            stage: stage.to_owned(),
            model_id: self.model_id.clone(),
            prompt_version: self.prompt_version.clone(),
            input_tokens: self.input_tokens,
            output_tokens: self.output_tokens,
            duration_ms,
            cost_usd: self.cost_usd,
        }
    }
}

/// Records one model call on job `job_id` (taking the time since `started`) and logs its
/// counts, never its prompt.
pub async fn record_model_call(
    job_store: &dyn crate::job_store::JobStore,
    job_id: uuid::Uuid,
    stage: &str,
    usage: &ModelUsage,
    started: std::time::Instant,
) -> Result<(), crate::store_error::StoreError> {
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let model_call = usage.model_call(stage, duration_ms);
    tracing::info!(
        stage,
        model_id = %model_call.model_id,
        prompt_version = %model_call.prompt_version,
        input_tokens = model_call.input_tokens,
        output_tokens = model_call.output_tokens,
        duration_ms,
        "model called"
    );
    job_store
        .update(job_id, crate::job_store::JobUpdate::ModelCalled(model_call))
        .await
}

/// A model's answer together with what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelReply<T> {
    /// The answer.
    pub value: T,
    /// Tokens and invocations spent on it.
    pub usage: ModelUsage,
}

/// A language model provider.
#[async_trait]
pub trait LanguageModel: Send + Sync {
    /// Provider and model identifier recorded on jobs (`offline-planner`, a Bedrock model id, ...).
    fn model_id(&self) -> &str;

    /// Rewrites a follow-up ("and for February?") into a question that stands alone, using the
    /// earlier turns of its conversation (oldest first); a question that already stands alone
    /// comes back unchanged.
    async fn rewrite_follow_up(
        &self,
        question: &str,
        turns: &[ConversationTurn],
    ) -> Result<ModelReply<String>, LlmError>;

    /// Chooses the intent of a question.
    async fn classify(
        &self,
        question: &str,
        schema: &SchemaSnapshot,
    ) -> Result<ModelReply<Classification>, LlmError>;

    /// Writes SQL for a question, or declines with [`LlmError::CannotAnswer`].
    async fn generate_sql(
        &self,
        input: SqlGenerationInput<'_>,
    ) -> Result<ModelReply<SqlDraft>, LlmError>;

    /// Explains a result in a few sentences grounded in its rows.
    async fn explain(
        &self,
        question: &str,
        sql: &str,
        result: &ResultSet,
    ) -> Result<ModelReply<String>, LlmError>;
}

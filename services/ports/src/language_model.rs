//! The language model behind classification, SQL generation and explanation.
//!
//! Invariant: implementations return structured values; callers never parse free text.

use async_trait::async_trait;
use contracts::error::ErrorKind;
use contracts::result::ResultSet;
use contracts::stages::{Intent, RepairContext};

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
}

impl LlmError {
    /// Retry class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            LlmError::CannotAnswer(_) => ErrorKind::InvalidInput,
            LlmError::Unavailable(_) => ErrorKind::Transient,
            LlmError::Malformed(_) => ErrorKind::Fatal,
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

/// A language model provider.
#[async_trait]
pub trait LanguageModel: Send + Sync {
    /// Provider and model identifier recorded on jobs (`offline-planner`, a Bedrock model id, ...).
    fn model_id(&self) -> &str;

    /// Chooses the intent of a question.
    async fn classify(
        &self,
        question: &str,
        schema: &SchemaSnapshot,
    ) -> Result<Classification, LlmError>;

    /// Writes SQL for a question, or declines with [`LlmError::CannotAnswer`].
    async fn generate_sql(&self, input: SqlGenerationInput<'_>) -> Result<SqlDraft, LlmError>;

    /// Explains a result in a few sentences grounded in its rows.
    async fn explain(
        &self,
        question: &str,
        sql: &str,
        result: &ResultSet,
    ) -> Result<String, LlmError>;
}

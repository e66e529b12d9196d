//! planner-offline: the built-in language model that needs no model at all. It classifies
//! questions with word rules, writes SQL with a deterministic schema-linking planner (count,
//! list, aggregate, top-N, value and numeric filters, joins along key-like columns) and explains
//! results with templates grounded in the returned rows.
//!
//! Invariant: it declines with `LlmError::CannotAnswer` rather than write SQL it is not sure
//! of, and it never performs I/O.

mod classify;
mod explain;
mod follow_up;
mod join_path;
mod linker;
mod plan;
mod query_assembly;
mod schema_index;
mod shape;
mod sql_builder;
#[cfg(test)]
mod test_schemas;
mod tokenizer;
mod vocabulary;

use async_trait::async_trait;
use contracts::result::ResultSet;
use ports::job_store::ConversationTurn;
use ports::language_model::{
    Classification, LanguageModel, LlmError, ModelReply, ModelUsage, SqlDraft, SqlGenerationInput,
};
use ports::schema::SchemaSnapshot;

/// Model identifier recorded on jobs answered by the offline planner.
pub const MODEL_ID: &str = "offline-planner-v1";

/// Prompt version recorded on the usage of every answer: the planner sends no prompt.
pub const PROMPT_VERSION: &str = "offline";

/// The offline language model.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflinePlanner;

impl OfflinePlanner {
    /// A planner; it holds no state.
    pub fn new() -> Self {
        OfflinePlanner
    }
}

#[async_trait]
impl LanguageModel for OfflinePlanner {
    fn model_id(&self) -> &str {
        MODEL_ID
    }

    async fn rewrite_follow_up(
        &self,
        question: &str,
        turns: &[ConversationTurn],
    ) -> Result<ModelReply<String>, LlmError> {
        Ok(free_reply(follow_up::rewrite(question, turns)))
    }

    async fn classify(
        &self,
        question: &str,
        schema: &SchemaSnapshot,
    ) -> Result<ModelReply<Classification>, LlmError> {
        Ok(free_reply(classify::classify(question, schema)))
    }

    async fn generate_sql(
        &self,
        input: SqlGenerationInput<'_>,
    ) -> Result<ModelReply<SqlDraft>, LlmError> {
        if let Some(repair) = input.repair {
            return Err(LlmError::CannotAnswer(format!(
                "The offline planner cannot repair its own query; the previous attempt failed with: {}",
                repair.error
            )));
        }
        match plan::plan_sql(input.question, input.schema) {
            Ok(sql) => Ok(free_reply(SqlDraft { sql })),
            Err(reason) => Err(LlmError::CannotAnswer(format!(
                "The offline planner cannot answer this: {reason}."
            ))),
        }
    }

    async fn explain(
        &self,
        question: &str,
        _sql: &str,
        result: &ResultSet,
    ) -> Result<ModelReply<String>, LlmError> {
        Ok(free_reply(explain::explain(question, result)))
    }
}

/// An answer that cost no tokens and no model invocation.
fn free_reply<T>(value: T) -> ModelReply<T> {
    ModelReply {
        value,
        usage: ModelUsage::none(MODEL_ID, PROMPT_VERSION),
    }
}

//! [`RemoteLanguageModel`]: the [`LanguageModel`] port over a chat model (Bedrock or
//! OpenAI-compatible): renders the versioned prompts, invokes the model with retries, reads its
//! JSON answer, re-asks once when the answer is malformed, and adds up the tokens.
//!
//! Invariant: at most two invocations per prompt (the answer and one re-ask), and never a
//! prompt or an answer in a log line or an error message.

use async_trait::async_trait;
use aws_config::SdkConfig;
use contracts::result::ResultSet;
use ports::job_store::ConversationTurn;
use ports::language_model::{
    Classification, LanguageModel, LlmError, ModelReply, ModelUsage, SqlDraft, SqlGenerationInput,
};
use ports::schema::{SchemaSnapshot, TableSchema};

use crate::bedrock::{BedrockConverse, BedrockSettings};
use crate::chat::{ChatMessage, ChatRequest, ChatRole, Completion, StopKind, Transport};
use crate::chat_settings::{ChatSettings, TableSelection, TokenPrices};
use crate::openai_compatible::{OpenAiChat, OpenAiCompatibleSettings};
use crate::prompt_context::{
    dialect_name, dialect_notes, examples_text, rows_text, schema_text, table_summaries,
};
use crate::prompt_template::{PROMPTS, RenderedPrompt};
use crate::settings::LlmSettingsError;
use crate::structured_output::{self, OutputProblem};

/// Assistant turn sent back in a re-ask when the model's answer was empty; providers refuse
/// empty turns.
const EMPTY_ANSWER: &str = "(empty answer)";

/// A language model reached over a chat API.
#[derive(Debug)]
pub struct RemoteLanguageModel {
    transport: Transport,
    model_id: String,
    chat: ChatSettings,
}

impl RemoteLanguageModel {
    /// A Bedrock model using the credentials and HTTP client of `sdk_config` (tests pass static
    /// credentials and `settings.endpoint_url`).
    pub fn bedrock(
        sdk_config: &SdkConfig,
        settings: BedrockSettings,
    ) -> Result<Self, LlmSettingsError> {
        let model_id = settings.model_id.clone();
        let chat = settings.chat.clone();
        Ok(RemoteLanguageModel {
            transport: Transport::Bedrock(BedrockConverse::new(sdk_config, settings)?),
            model_id,
            chat,
        })
    }

    /// A Bedrock model with credentials from the default AWS provider chain (environment,
    /// profile, container or instance role).
    pub async fn bedrock_with_default_credentials(
        settings: BedrockSettings,
    ) -> Result<Self, LlmSettingsError> {
        let model_id = settings.model_id.clone();
        let chat = settings.chat.clone();
        Ok(RemoteLanguageModel {
            transport: Transport::Bedrock(
                BedrockConverse::with_default_credentials(settings).await?,
            ),
            model_id,
            chat,
        })
    }

    /// A model behind an OpenAI-compatible chat-completions endpoint.
    pub fn openai_compatible(settings: OpenAiCompatibleSettings) -> Result<Self, LlmSettingsError> {
        let model_id = settings.model.clone();
        let chat = settings.chat.clone();
        Ok(RemoteLanguageModel {
            transport: Transport::OpenAiCompatible(OpenAiChat::new(settings)?),
            model_id,
            chat,
        })
    }

    /// Sends `prompt`, reads the answer with `read`, and re-asks once with the reason when the
    /// answer is malformed.
    async fn ask<T>(
        &self,
        prompt: RenderedPrompt,
        meter: &mut UsageMeter,
        read: impl Fn(&str) -> Result<T, OutputProblem>,
    ) -> Result<T, LlmError> {
        meter.prompt_used(prompt.version);
        let mut messages = vec![ChatMessage {
            role: ChatRole::User,
            text: prompt.user,
        }];
        let first = self.invoke(&prompt.system, &messages, meter).await?;
        let problem = match self.read_completion(&first, &read) {
            Ok(value) => return Ok(value),
            Err(OutputProblem::Declined(reason)) => return Err(LlmError::CannotAnswer(reason)),
            Err(OutputProblem::Malformed(problem)) => problem,
        };
        tracing::info!(model_id = %self.model_id, prompt_version = prompt.version, "model answer malformed, asking again");

        let correction = PROMPTS
            .format_correction
            .render(&[("problem", problem.as_str())]);
        meter.prompt_used(correction.version);
        let previous_answer = if first.text.trim().is_empty() {
            EMPTY_ANSWER.to_owned()
        } else {
            first.text
        };
        messages.push(ChatMessage {
            role: ChatRole::Assistant,
            text: previous_answer,
        });
        messages.push(ChatMessage {
            role: ChatRole::User,
            text: correction.user,
        });
        let second = self.invoke(&prompt.system, &messages, meter).await?;
        match self.read_completion(&second, &read) {
            Ok(value) => Ok(value),
            Err(OutputProblem::Declined(reason)) => Err(LlmError::CannotAnswer(reason)),
            Err(OutputProblem::Malformed(problem)) => Err(LlmError::Malformed(format!(
                "{} answer unusable after a re-ask: {problem}",
                prompt.version
            ))),
        }
    }

    /// One invocation with retries; its tokens are added to `meter`.
    async fn invoke(
        &self,
        system: &str,
        messages: &[ChatMessage],
        meter: &mut UsageMeter,
    ) -> Result<Completion, LlmError> {
        let request = ChatRequest { system, messages };
        let completion = self
            .chat
            .retry
            .run(&self.model_id, || self.transport.complete(request))
            .await?;
        meter.completion_received(&completion);
        if completion.stop == StopKind::ContentFiltered {
            return Err(LlmError::CannotAnswer(
                "The model's content filter withheld an answer to this question.".to_owned(),
            ));
        }
        Ok(completion)
    }

    fn read_completion<T>(
        &self,
        completion: &Completion,
        read: &impl Fn(&str) -> Result<T, OutputProblem>,
    ) -> Result<T, OutputProblem> {
        read(&completion.text).map_err(|problem| match problem {
            OutputProblem::Malformed(problem) if completion.stop == StopKind::MaxTokens => {
                OutputProblem::Malformed(format!(
                    "{problem} (the answer was cut off at the limit of {} output tokens; answer more briefly)",
                    self.chat.max_tokens
                ))
            }
            other => other,
        })
    }

    /// The tables the SQL prompt shows: all of them, or those a first invocation picks when
    /// the schema is large and selection is on.
    async fn tables_for_sql<'s>(
        &self,
        question: &str,
        schema: &'s SchemaSnapshot,
        meter: &mut UsageMeter,
    ) -> Result<Vec<&'s TableSchema>, LlmError> {
        let all_tables = schema.tables.iter().collect();
        let TableSelection::Relevant { min_tables } = self.chat.table_selection else {
            return Ok(all_tables);
        };
        if schema.tables.len() < min_tables.max(1) {
            return Ok(all_tables);
        }
        let summaries = table_summaries(&schema.tables, &schema.metrics);
        let prompt = PROMPTS.table_selection.render(&[
            ("datasource", schema.datasource.as_str()),
            ("tables", summaries.as_str()),
            ("question", question),
        ]);
        let chosen = self
            .ask(prompt, meter, |text| {
                structured_output::table_selection(text, &schema.tables)
            })
            .await?;
        tracing::debug!(
            n_tables = schema.tables.len(),
            n_chosen = chosen.len(),
            "tables selected"
        );
        if chosen.is_empty() {
            return Ok(all_tables);
        }
        Ok(chosen
            .into_iter()
            .map(|table_idx| &schema.tables[table_idx])
            .collect())
    }
}

#[async_trait]
impl LanguageModel for RemoteLanguageModel {
    fn model_id(&self) -> &str {
        &self.model_id
    }

    async fn rewrite_follow_up(
        &self,
        question: &str,
        turns: &[ConversationTurn],
    ) -> Result<ModelReply<String>, LlmError> {
        let mut meter = UsageMeter::new(&self.model_id, self.chat.prices);
        if turns.is_empty() {
            return Ok(meter.reply(question.to_owned()));
        }
        let history = history_text(turns);
        let prompt = PROMPTS
            .question_rewrite
            .render(&[("history", history.as_str()), ("question", question)]);
        let standalone = self
            .ask(prompt, &mut meter, structured_output::standalone_question)
            .await?;
        Ok(meter.reply(standalone))
    }

    async fn classify(
        &self,
        question: &str,
        schema: &SchemaSnapshot,
    ) -> Result<ModelReply<Classification>, LlmError> {
        let mut meter = UsageMeter::new(&self.model_id, self.chat.prices);
        let summaries = table_summaries(&schema.tables, &schema.metrics);
        let prompt = PROMPTS.intent_classification.render(&[
            ("datasource", schema.datasource.as_str()),
            ("tables", summaries.as_str()),
            ("question", question),
        ]);
        let classification = self
            .ask(prompt, &mut meter, structured_output::classification)
            .await?;
        Ok(meter.reply(classification))
    }

    async fn generate_sql(
        &self,
        input: SqlGenerationInput<'_>,
    ) -> Result<ModelReply<SqlDraft>, LlmError> {
        let mut meter = UsageMeter::new(&self.model_id, self.chat.prices);
        let tables = self
            .tables_for_sql(input.question, input.schema, &mut meter)
            .await?;
        let schema = schema_text(&tables, &input.schema.metrics);
        let examples = examples_text(input.examples);
        let common = [
            ("dialect", dialect_name(input.dialect)),
            ("dialect_notes", dialect_notes(input.dialect)),
            ("datasource", input.schema.datasource.as_str()),
            ("schema", schema.as_str()),
            ("examples", examples.as_str()),
            ("question", input.question),
        ];
        let prompt = match input.repair {
            Some(repair) => {
                let attempt = repair.attempt.to_string();
                let mut values = common.to_vec();
                values.extend([
                    ("attempt", attempt.as_str()),
                    ("failed_sql", repair.failed_sql.as_str()),
                    ("error", repair.error.as_str()),
                ]);
                PROMPTS.sql_repair.render(&values)
            }
            None if input.examples.is_empty() => PROMPTS.sql_zero_shot.render(&common),
            None => PROMPTS.sql_few_shot.render(&common),
        };
        let draft = self
            .ask(prompt, &mut meter, structured_output::sql_draft)
            .await?;
        Ok(meter.reply(draft))
    }

    async fn explain(
        &self,
        question: &str,
        sql: &str,
        result: &ResultSet,
    ) -> Result<ModelReply<String>, LlmError> {
        let mut meter = UsageMeter::new(&self.model_id, self.chat.prices);
        let (rows, rows_note) = rows_text(result, self.chat.explain_max_rows);
        let prompt = PROMPTS.explanation.render(&[
            ("question", question),
            ("sql", sql),
            ("rows_note", rows_note.as_str()),
            ("rows", rows.as_str()),
        ]);
        let answer = self
            .ask(prompt, &mut meter, structured_output::explanation)
            .await?;
        Ok(meter.reply(answer))
    }
}

/// Adds up the prompts used and the tokens spent by one trait call.
struct UsageMeter {
    usage: ModelUsage,
    prompt_versions: Vec<&'static str>,
    prices: Option<TokenPrices>,
}

impl UsageMeter {
    fn new(model_id: &str, prices: Option<TokenPrices>) -> Self {
        UsageMeter {
            usage: ModelUsage::none(model_id, ""),
            prompt_versions: Vec::new(),
            prices,
        }
    }

    fn prompt_used(&mut self, version: &'static str) {
        self.prompt_versions.push(version);
    }

    fn completion_received(&mut self, completion: &Completion) {
        self.usage.input_tokens += completion.input_tokens;
        self.usage.output_tokens += completion.output_tokens;
        self.usage.calls += 1;
    }

    fn reply<T>(mut self, value: T) -> ModelReply<T> {
        self.usage.prompt_version = self.prompt_versions.join("+");
        self.usage.cost_usd = self
            .prices
            .map(|prices| prices.cost(self.usage.input_tokens, self.usage.output_tokens));
        tracing::debug!(
            model_id = %self.usage.model_id,
            prompt_version = %self.usage.prompt_version,
            input_tokens = self.usage.input_tokens,
            output_tokens = self.usage.output_tokens,
            calls = self.usage.calls,
            "model answered"
        );
        ModelReply {
            value,
            usage: self.usage,
        }
    }
}

/// The earlier turns as the rewrite prompt shows them: question, SQL and answer of each.
fn history_text(turns: &[ConversationTurn]) -> String {
    let mut text = String::new();
    for (turn_idx, turn) in turns.iter().enumerate() {
        text.push_str(&format!("{}. Question: {}\n", turn_idx + 1, turn.question));
        if let Some(sql) = &turn.sql {
            text.push_str(&format!(
                "   SQL: {}\n",
                sql.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
        }
        if let Some(answer) = &turn.answer {
            text.push_str(&format!("   Answer: {answer}\n"));
        }
    }
    text
}

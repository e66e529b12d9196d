//! Real language models behind the [`ports::language_model::LanguageModel`] port: any model on
//! Amazon Bedrock (Converse API) and any OpenAI-compatible chat-completions server, with
//! versioned prompt templates (`prompts/`), JSON-only answers read into typed values with one
//! re-ask, bounded retries with backoff, per-attempt timeouts and token accounting; plus
//! [`LlmSettings`] to choose one (or the offline planner) at start-up.
//!
//! Invariant: a model's free text is never interpreted; an answer is a JSON object of the
//! requested shape or it is an error.

mod bedrock;
mod chat;
mod chat_settings;
mod openai_compatible;
mod prompt_context;
mod prompt_template;
mod remote_model;
mod settings;
mod structured_output;

/// One failed attempt of a provider call, as the shared retry policy sees it.
type AttemptError = ports::retry::AttemptError<ports::language_model::LlmError>;

pub use bedrock::BedrockSettings;
pub use chat_settings::{ChatSettings, TableSelection, TokenPrices};
pub use openai_compatible::OpenAiCompatibleSettings;
pub use ports::retry::RetryPolicy;
pub use remote_model::RemoteLanguageModel;
pub use settings::{LlmSettings, LlmSettingsError};

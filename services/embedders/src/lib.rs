//! Remote text embedders behind the [`ports::embedder::Embedder`] port: any OpenAI-compatible
//! `/v1/embeddings` server and Amazon Bedrock (Titan Text Embeddings v2, Cohere Embed v3), plus
//! [`EmbedderSettings`] to choose one (or the offline hashing embedder) at start-up and
//! [`check_dimension`] to prove it matches the vector store.
//!
//! Invariant: every vector returned has exactly the configured number of components and unit
//! length; a provider answering another size is a [`ports::embedder::EmbedError::BadResponse`].

mod bedrock;
mod bedrock_model;
mod openai_compatible;
mod settings;
mod startup_check;
mod unit_vector;

/// One failed attempt of a provider call, as the shared retry policy sees it.
type AttemptError = ports::retry::AttemptError<ports::embedder::EmbedError>;

pub use bedrock::{BedrockEmbedder, BedrockSettings};
pub use bedrock_model::{BedrockModel, BedrockModelError};
pub use openai_compatible::{
    OpenAiCompatibleEmbedder, OpenAiCompatibleSettings, OpenAiSettingsError,
};
pub use ports::retry::RetryPolicy;
pub use secrecy::SecretString;
pub use settings::{EmbedderSettings, EmbedderSettingsError};
pub use startup_check::{StartupCheckError, check_dimension};

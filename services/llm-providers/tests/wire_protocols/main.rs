//! Black-box tests of the language models against local servers speaking each provider's wire
//! protocol (OpenAI chat completions, Bedrock Converse) with scripted replies.
//!
//! Invariant: every request goes to a server on 127.0.0.1; no test reaches a hosted API.

mod bedrock;
mod fixtures;
mod openai_compatible;

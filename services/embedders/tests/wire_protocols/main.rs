//! Black-box tests of the embedders against local servers speaking each provider's wire
//! protocol with scripted replies.
//!
//! Invariant: every request goes to a server on 127.0.0.1; no test reaches a hosted API.

mod bedrock;
mod openai_compatible;

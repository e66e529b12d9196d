//! A deterministic offline embedder: questions become feature-hashed bags of stemmed words and
//! word pairs, so the semantic cache and few-shot retrieval work without any model or network.
//! It catches rewordings that share words ("How many restaurants are there?" and "how many
//! restaurants are there"), not synonyms ("count" and "how many").
//!
//! Invariant: the same text always gives the same vector, on every machine and every run.

mod feature_hashing;
mod hashing_embedder;
mod text_terms;

pub use hashing_embedder::HashingEmbedder;

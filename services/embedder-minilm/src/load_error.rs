//! Why a model directory could not be turned into an embedder.
//!
//! Invariant: every variant names the file it is about.

use std::path::PathBuf;

/// The model directory is incomplete or holds something other than all-MiniLM-L6-v2.
#[derive(Debug, thiserror::Error)]
pub enum MiniLmLoadError {
    /// A required file is absent; the weights were probably never installed.
    #[error(
        "model file {} is missing; run scripts/install-minilm to install the all-MiniLM-L6-v2 weights",
        path.display()
    )]
    ModelFileMissing {
        /// The file that should exist.
        path: PathBuf,
    },
    /// A required file exists but could not be read.
    #[error("model file {} could not be read", path.display())]
    ModelFileUnreadable {
        /// The file that failed to read.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `config.json` is not a BERT configuration.
    #[error("model config {} is not a BERT configuration", path.display())]
    ConfigInvalid {
        /// The configuration file.
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// `config.json` describes a model whose vectors have another length.
    #[error("model config {} describes {found}-dimensional vectors, expected {expected}", path.display())]
    DimensionUnexpected {
        /// The configuration file.
        path: PathBuf,
        /// `hidden_size` in the configuration.
        found: usize,
        /// The dimension of all-MiniLM-L6-v2.
        expected: usize,
    },
    /// `tokenizer.json` could not be parsed.
    #[error("tokenizer {} could not be loaded", path.display())]
    TokenizerInvalid {
        /// The tokenizer file.
        path: PathBuf,
        #[source]
        source: tokenizers::Error,
    },
    /// `model.safetensors` is corrupt or lacks tensors the model needs.
    #[error("weights {} could not be loaded", path.display())]
    WeightsInvalid {
        /// The weights file.
        path: PathBuf,
        #[source]
        source: candle_core::Error,
    },
}

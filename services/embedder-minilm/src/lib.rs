//! A local sentence embedder: all-MiniLM-L6-v2 (a six-layer BERT) run on the CPU with candle,
//! mean-pooled over the attention mask and scaled to unit length, as sentence-transformers does
//! for this model.
//! The weights come from a model directory that `scripts/install-minilm` fills; callers build its
//! path from their cache directory and [`INSTALL_SUBDIR`].
//!
//! Invariant: never downloads anything and never reads environment variables; a missing file is a
//! load error that names the file.

mod load_error;
mod mean_pooling;
mod minilm_embedder;
mod model_dir;

pub use load_error::MiniLmLoadError;
pub use minilm_embedder::{DIMENSION, MAX_WORD_PIECES, MODEL_NAME, MiniLmEmbedder};
pub use model_dir::INSTALL_SUBDIR;

//! [`MiniLmEmbedder`]: all-MiniLM-L6-v2 behind the `Embedder` port.
//!
//! Invariant: inference never runs on an async worker thread; it runs on tokio's blocking pool.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use candle_core::{Device, Tensor};
use candle_transformers::models::bert::BertModel;
use ports::embedder::{EmbedError, Embedder};
use tokenizers::{Tokenizer, TruncationParams};

use crate::load_error::MiniLmLoadError;
use crate::mean_pooling::{mean_pool, normalize_rows};
use crate::model_dir::ModelFiles;

/// Name recorded with every vector this embedder produces.
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";

/// Number of components of every vector.
pub const DIMENSION: usize = 384;

/// Longest input, in word pieces including `[CLS]` and `[SEP]`; longer texts are cut at the end.
/// This is `max_seq_length` in the model's `sentence_bert_config.json`, the length it was trained
/// on; `tokenizer.json` itself says 128, which sentence-transformers overrides.
pub const MAX_WORD_PIECES: usize = 256;

/// all-MiniLM-L6-v2 on the CPU: one text in, one unit-length 384-dimensional vector out.
/// Cloning is cheap and shares the loaded weights.
#[derive(Clone)]
pub struct MiniLmEmbedder {
    model: Arc<LoadedModel>,
}

struct LoadedModel {
    tokenizer: Tokenizer,
    bert: BertModel,
    device: Device,
}

impl MiniLmEmbedder {
    /// Loads the model from a directory holding `config.json`, `tokenizer.json` and
    /// `model.safetensors` (what `scripts/install-minilm` installs under [`crate::INSTALL_SUBDIR`]).
    /// Reads about 90 MB; call it once at start-up, from a blocking context.
    pub fn load(model_dir: &Path) -> Result<Self, MiniLmLoadError> {
        let model_files = ModelFiles::locate(model_dir)?;
        let config = model_files.read_config(DIMENSION)?;
        let mut tokenizer = model_files.read_tokenizer()?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_WORD_PIECES,
                ..TruncationParams::default()
            }))
            .expect("a 256-piece limit leaves room for the two special tokens");
        let device = Device::Cpu;
        let bert = model_files.read_model(&config, &device)?;
        Ok(MiniLmEmbedder {
            model: Arc::new(LoadedModel {
                tokenizer,
                bert,
                device,
            }),
        })
    }
}

impl fmt::Debug for MiniLmEmbedder {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("MiniLmEmbedder")
            .field("model_name", &MODEL_NAME)
            .field("dimension", &DIMENSION)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Embedder for MiniLmEmbedder {
    fn dimension(&self) -> usize {
        DIMENSION
    }

    fn model_name(&self) -> &str {
        MODEL_NAME
    }

    async fn embed(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let model = Arc::clone(&self.model);
        let text = text.to_owned();
        tokio::task::spawn_blocking(move || model.embed(&text))
            .await
            .map_err(|join_error| {
                if join_error.is_cancelled() {
                    EmbedError::Unavailable("minilm inference was cancelled".to_owned())
                } else {
                    EmbedError::BadResponse(format!("minilm inference panicked: {join_error}"))
                }
            })?
    }
}

impl LoadedModel {
    /// Tokenizes, runs the encoder, mean-pools and normalizes; CPU-bound.
    fn embed(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| EmbedError::BadResponse(format!("minilm tokenizer failed: {e}")))?;
        self.embed_word_pieces(
            encoding.get_ids(),
            encoding.get_type_ids(),
            encoding.get_attention_mask(),
        )
        .map_err(|e| EmbedError::BadResponse(format!("minilm inference failed: {e}")))
    }

    fn embed_word_pieces(
        &self,
        token_ids: &[u32],
        type_ids: &[u32],
        attention_mask: &[u32],
    ) -> candle_core::Result<Vec<f32>> {
        let token_ids = Tensor::new(token_ids, &self.device)?.unsqueeze(0)?;
        let type_ids = Tensor::new(type_ids, &self.device)?.unsqueeze(0)?;
        let attention_mask = Tensor::new(attention_mask, &self.device)?.unsqueeze(0)?;
        let token_vectors = self
            .bert
            .forward(&token_ids, &type_ids, Some(&attention_mask))?;
        let sentence_vectors = normalize_rows(&mean_pool(&token_vectors, &attention_mask)?)?;
        sentence_vectors.squeeze(0)?.to_vec1::<f32>()
    }
}

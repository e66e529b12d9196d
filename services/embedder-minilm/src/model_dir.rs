//! The files of an installed all-MiniLM-L6-v2 model directory and how to read each of them.
//!
//! Invariant: only reads files under the directory it is given; never fetches a missing one.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::Tokenizer;

use crate::load_error::MiniLmLoadError;

/// Where `scripts/install-minilm` puts the model, relative to the analyst cache directory
/// (`$ANALYST_CACHE_DIR`, by default `~/.cache/analyst`).
pub const INSTALL_SUBDIR: &str = "models/all-MiniLM-L6-v2";

const CONFIG_FILE: &str = "config.json";
const TOKENIZER_FILE: &str = "tokenizer.json";
const WEIGHTS_FILE: &str = "model.safetensors";

/// The three files the embedder needs, checked to exist before any of them is read.
pub(crate) struct ModelFiles {
    config: PathBuf,
    tokenizer: PathBuf,
    weights: PathBuf,
}

impl ModelFiles {
    /// Fails with [`MiniLmLoadError::ModelFileMissing`] naming the first absent file.
    pub(crate) fn locate(model_dir: &Path) -> Result<Self, MiniLmLoadError> {
        let model_files = ModelFiles {
            config: model_dir.join(CONFIG_FILE),
            tokenizer: model_dir.join(TOKENIZER_FILE),
            weights: model_dir.join(WEIGHTS_FILE),
        };
        for path in [
            &model_files.config,
            &model_files.tokenizer,
            &model_files.weights,
        ] {
            if !path.is_file() {
                return Err(MiniLmLoadError::ModelFileMissing { path: path.clone() });
            }
        }
        Ok(model_files)
    }

    /// Parses `config.json` and checks that it describes vectors of `expected_dimension`.
    pub(crate) fn read_config(&self, expected_dimension: usize) -> Result<Config, MiniLmLoadError> {
        let bytes = read_file(&self.config)?;
        let config: Config =
            serde_json::from_slice(&bytes).map_err(|source| MiniLmLoadError::ConfigInvalid {
                path: self.config.clone(),
                source,
            })?;
        if config.hidden_size != expected_dimension {
            return Err(MiniLmLoadError::DimensionUnexpected {
                path: self.config.clone(),
                found: config.hidden_size,
                expected: expected_dimension,
            });
        }
        Ok(config)
    }

    /// Parses `tokenizer.json` as it is; the caller sets truncation and padding.
    pub(crate) fn read_tokenizer(&self) -> Result<Tokenizer, MiniLmLoadError> {
        let bytes = read_file(&self.tokenizer)?;
        Tokenizer::from_bytes(bytes).map_err(|source| MiniLmLoadError::TokenizerInvalid {
            path: self.tokenizer.clone(),
            source,
        })
    }

    /// Reads `model.safetensors` into memory (no memory map: that needs `unsafe`) and builds the
    /// BERT encoder from it in 32-bit floats.
    pub(crate) fn read_model(
        &self,
        config: &Config,
        device: &Device,
    ) -> Result<BertModel, MiniLmLoadError> {
        let bytes = read_file(&self.weights)?;
        let weights_invalid = |source| MiniLmLoadError::WeightsInvalid {
            path: self.weights.clone(),
            source,
        };
        let tensors =
            candle_core::safetensors::load_buffer(&bytes, device).map_err(weights_invalid)?;
        let var_builder = VarBuilder::from_tensors(tensors, DType::F32, device);
        BertModel::load(var_builder, config).map_err(weights_invalid)
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, MiniLmLoadError> {
    std::fs::read(path).map_err(|source| MiniLmLoadError::ModelFileUnreadable {
        path: path.to_owned(),
        source,
    })
}

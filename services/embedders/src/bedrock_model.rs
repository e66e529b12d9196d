//! [`BedrockModel`]: the embedding model families reachable through Bedrock `InvokeModel`, each
//! with its own request and response JSON.
//!
//! Invariant: a request body is only ever built for, and a response only ever read as, the
//! family its model id names.

use ports::embedder::EmbedError;
use serde::{Deserialize, Serialize};

/// Prefixes of cross-region inference profiles, which name a model with a geography in front.
const INFERENCE_PROFILE_PREFIXES: [&str; 4] = ["us.", "eu.", "apac.", "global."];
/// Vector sizes Titan Text Embeddings v2 can produce.
const TITAN_V2_DIMENSIONS: [usize; 3] = [256, 512, 1024];
/// Vector size of every Cohere Embed v3 model.
const COHERE_V3_DIMENSION: usize = 1024;

/// An embedding model family on Bedrock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BedrockModel {
    /// Amazon Titan Text Embeddings v2 (`amazon.titan-embed-text-v2:0`).
    TitanTextV2,
    /// Cohere Embed v3 (`cohere.embed-english-v3`, `cohere.embed-multilingual-v3`).
    CohereEmbedV3,
}

/// The model id or dimension names no model this crate can call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BedrockModelError {
    /// The model id is neither Titan Text Embeddings v2 nor Cohere Embed v3.
    #[error(
        "bedrock model {0} is not supported; use amazon.titan-embed-text-v2:0, \
         cohere.embed-english-v3 or cohere.embed-multilingual-v3"
    )]
    UnsupportedModel(String),
    /// The model cannot produce vectors of the configured size.
    #[error("bedrock model {model} cannot return {dimension} dimensions (it supports {supported})")]
    UnsupportedDimension {
        model: String,
        dimension: usize,
        supported: String,
    },
}

impl BedrockModelError {
    /// Retry class of this error.
    pub fn kind(&self) -> contracts::error::ErrorKind {
        match self {
            BedrockModelError::UnsupportedModel(_)
            | BedrockModelError::UnsupportedDimension { .. } => contracts::error::ErrorKind::Fatal,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TitanRequest<'a> {
    input_text: &'a str,
    dimensions: usize,
    normalize: bool,
}

#[derive(Deserialize)]
struct TitanResponse {
    embedding: Vec<f32>,
}

#[derive(Serialize)]
struct CohereRequest<'a> {
    texts: [&'a str; 1],
    input_type: &'static str,
    truncate: &'static str,
}

#[derive(Deserialize)]
struct CohereResponse {
    embeddings: Vec<Vec<f32>>,
}

impl BedrockModel {
    /// The family of `model_id`, checked to be able to produce `dimension` components.
    pub fn for_model_id(model_id: &str, dimension: usize) -> Result<Self, BedrockModelError> {
        let base_id = INFERENCE_PROFILE_PREFIXES
            .iter()
            .find_map(|prefix| model_id.strip_prefix(prefix))
            .unwrap_or(model_id);
        let model = if base_id.starts_with("amazon.titan-embed-text-v2") {
            BedrockModel::TitanTextV2
        } else if base_id.starts_with("cohere.embed-english-v3")
            || base_id.starts_with("cohere.embed-multilingual-v3")
        {
            BedrockModel::CohereEmbedV3
        } else {
            return Err(BedrockModelError::UnsupportedModel(model_id.to_owned()));
        };
        let supported = match model {
            BedrockModel::TitanTextV2 => TITAN_V2_DIMENSIONS.contains(&dimension),
            BedrockModel::CohereEmbedV3 => dimension == COHERE_V3_DIMENSION,
        };
        if supported {
            Ok(model)
        } else {
            Err(BedrockModelError::UnsupportedDimension {
                model: model_id.to_owned(),
                dimension,
                supported: model.supported_dimensions(),
            })
        }
    }

    fn supported_dimensions(self) -> String {
        match self {
            BedrockModel::TitanTextV2 => "256, 512 or 1024".to_owned(),
            BedrockModel::CohereEmbedV3 => COHERE_V3_DIMENSION.to_string(),
        }
    }

    /// The `InvokeModel` body asking for the embedding of `text` as a search query.
    pub(crate) fn request_body(self, text: &str, dimension: usize) -> Vec<u8> {
        let body = match self {
            BedrockModel::TitanTextV2 => serde_json::to_vec(&TitanRequest {
                input_text: text,
                dimensions: dimension,
                normalize: true,
            }),
            BedrockModel::CohereEmbedV3 => serde_json::to_vec(&CohereRequest {
                texts: [text],
                input_type: "search_query",
                truncate: "END",
            }),
        };
        body.expect("a struct of strings and numbers always serializes")
    }

    /// The vector in an `InvokeModel` response body.
    pub(crate) fn read_response(self, body: &[u8], model_id: &str) -> Result<Vec<f32>, EmbedError> {
        let unexpected = |error: serde_json::Error| {
            EmbedError::BadResponse(format!(
                "bedrock model {model_id} answered unexpected json: {error}"
            ))
        };
        match self {
            BedrockModel::TitanTextV2 => serde_json::from_slice::<TitanResponse>(body)
                .map(|response| response.embedding)
                .map_err(unexpected),
            BedrockModel::CohereEmbedV3 => serde_json::from_slice::<CohereResponse>(body)
                .map_err(unexpected)?
                .embeddings
                .into_iter()
                .next()
                .ok_or_else(|| {
                    EmbedError::BadResponse(format!(
                        "bedrock model {model_id} answered an empty embeddings list"
                    ))
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn model_ids_choose_the_family_by_prefix() {
        assert_eq!(
            BedrockModel::for_model_id("amazon.titan-embed-text-v2:0", 512),
            Ok(BedrockModel::TitanTextV2)
        );
        assert_eq!(
            BedrockModel::for_model_id("cohere.embed-multilingual-v3", 1024),
            Ok(BedrockModel::CohereEmbedV3)
        );
        assert_eq!(
            BedrockModel::for_model_id("us.cohere.embed-english-v3", 1024),
            Ok(BedrockModel::CohereEmbedV3)
        );
    }

    #[test]
    fn an_unknown_model_id_is_rejected() {
        assert!(matches!(
            BedrockModel::for_model_id("anthropic.claude-v2", 1024),
            Err(BedrockModelError::UnsupportedModel(_))
        ));
    }

    #[test]
    fn a_dimension_the_model_cannot_produce_is_rejected() {
        let error = BedrockModel::for_model_id("amazon.titan-embed-text-v2:0", 384).unwrap_err();

        assert_eq!(
            error.to_string(),
            "bedrock model amazon.titan-embed-text-v2:0 cannot return 384 dimensions \
             (it supports 256, 512 or 1024)"
        );
    }

    #[test]
    fn the_titan_request_asks_for_a_normalised_vector_of_the_configured_size() {
        let body = BedrockModel::TitanTextV2.request_body("hello", 256);

        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body,
            json!({"inputText": "hello", "dimensions": 256, "normalize": true})
        );
    }

    #[test]
    fn the_cohere_request_embeds_one_search_query() {
        let body = BedrockModel::CohereEmbedV3.request_body("hello", 1024);

        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body,
            json!({"texts": ["hello"], "input_type": "search_query", "truncate": "END"})
        );
    }

    #[test]
    fn a_cohere_response_without_embeddings_is_a_bad_response() {
        let result = BedrockModel::CohereEmbedV3.read_response(br#"{"embeddings": []}"#, "c");

        assert!(matches!(result, Err(EmbedError::BadResponse(_))));
    }
}

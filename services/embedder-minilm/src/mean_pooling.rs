//! Sentence-transformers pooling for all-MiniLM-L6-v2: the mean of the token vectors that the
//! attention mask keeps, then scaled to unit length (`1_Pooling/config.json` and `2_Normalize`).
//!
//! Invariant: padding positions never contribute to a sentence vector.

use candle_core::{D, DType, Result, Tensor};

/// Smallest norm divided by, as in `torch.nn.functional.normalize`; keeps an all-zero vector finite.
const NORM_EPSILON: f64 = 1e-12;

/// Averages `token_vectors` (batch, tokens, hidden) over the tokens whose `attention_mask`
/// (batch, tokens) entry is 1, giving (batch, hidden).
pub(crate) fn mean_pool(token_vectors: &Tensor, attention_mask: &Tensor) -> Result<Tensor> {
    let mask = attention_mask.to_dtype(DType::F32)?.unsqueeze(D::Minus1)?;
    let masked_sum = token_vectors.broadcast_mul(&mask)?.sum(1)?;
    // Sentence-transformers clamps the token count to 1e-9 so an all-padding row divides safely.
    let n_tokens = mask.sum(1)?.maximum(1e-9)?;
    masked_sum.broadcast_div(&n_tokens)
}

/// Divides each row of `vectors` (batch, hidden) by its Euclidean norm.
pub(crate) fn normalize_rows(vectors: &Tensor) -> Result<Tensor> {
    let norms = vectors
        .sqr()?
        .sum_keepdim(D::Minus1)?
        .sqrt()?
        .maximum(NORM_EPSILON)?;
    vectors.broadcast_div(&norms)
}

#[cfg(test)]
mod tests {
    use candle_core::Device;

    use super::*;

    #[test]
    fn mean_pool_ignores_padding_positions() {
        let token_vectors =
            Tensor::new(&[[[1.0f32, 2.0], [3.0, 4.0], [100.0, 100.0]]], &Device::Cpu).unwrap();
        let attention_mask = Tensor::new(&[[1u32, 1, 0]], &Device::Cpu).unwrap();

        let pooled = mean_pool(&token_vectors, &attention_mask).unwrap();

        assert_eq!(pooled.to_vec2::<f32>().unwrap(), vec![vec![2.0, 3.0]]);
    }

    #[test]
    fn mean_pool_pools_each_sentence_of_a_batch_separately() {
        let token_vectors = Tensor::new(
            &[[[1.0f32, 1.0], [3.0, 3.0]], [[5.0, 7.0], [9.0, 9.0]]],
            &Device::Cpu,
        )
        .unwrap();
        let attention_mask = Tensor::new(&[[1u32, 1], [1, 0]], &Device::Cpu).unwrap();

        let pooled = mean_pool(&token_vectors, &attention_mask).unwrap();

        assert_eq!(
            pooled.to_vec2::<f32>().unwrap(),
            vec![vec![2.0, 2.0], vec![5.0, 7.0]]
        );
    }

    #[test]
    fn normalize_rows_scales_each_row_to_unit_length() {
        let vectors = Tensor::new(&[[3.0f32, 4.0], [0.0, -2.0]], &Device::Cpu).unwrap();

        let normalized = normalize_rows(&vectors).unwrap();

        assert_eq!(
            normalized.to_vec2::<f32>().unwrap(),
            vec![vec![0.6, 0.8], vec![0.0, -1.0]]
        );
    }

    #[test]
    fn normalize_rows_leaves_an_all_zero_row_finite() {
        let vectors = Tensor::new(&[[0.0f32, 0.0]], &Device::Cpu).unwrap();

        let normalized = normalize_rows(&vectors).unwrap();

        assert_eq!(normalized.to_vec2::<f32>().unwrap(), vec![vec![0.0, 0.0]]);
    }
}

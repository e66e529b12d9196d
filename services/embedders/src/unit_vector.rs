//! Scaling provider vectors to unit length, so cosine similarity equals the dot product and
//! vectors of every provider compare the same way.
//!
//! Invariant: a returned vector has the length of its input and is either unit length or all
//! zeros.

use ports::embedder::EmbedError;

/// `vector` scaled to unit Euclidean length; an all-zero vector stays all zeros.
///
/// A component that is NaN or infinite is a bad response: no scaling can repair it.
pub(crate) fn l2_normalised(mut vector: Vec<f32>, model: &str) -> Result<Vec<f32>, EmbedError> {
    if vector.iter().any(|component| !component.is_finite()) {
        return Err(EmbedError::BadResponse(format!(
            "model {model} returned a vector with a non-finite component"
        )));
    }
    let norm = vector
        .iter()
        .map(|component| f64::from(*component) * f64::from(*component))
        .sum::<f64>()
        .sqrt();
    if norm > 0.0 {
        for component in &mut vector {
            *component = (f64::from(*component) / norm) as f32;
        }
    }
    Ok(vector)
}

/// Checks that a provider vector has the configured number of components.
pub(crate) fn require_dimension(
    vector: &[f32],
    expected: usize,
    model: &str,
) -> Result<(), EmbedError> {
    if vector.len() == expected {
        Ok(())
    } else {
        Err(EmbedError::BadResponse(format!(
            "model {model} returned {} dimensions, expected {expected}",
            vector.len()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vector_is_scaled_to_unit_length() {
        let vector = l2_normalised(vec![3.0, 4.0], "m").unwrap();

        assert_eq!(vector, vec![0.6, 0.8]);
    }

    #[test]
    fn an_all_zero_vector_stays_all_zeros() {
        assert_eq!(l2_normalised(vec![0.0; 3], "m").unwrap(), vec![0.0; 3]);
    }

    #[test]
    fn a_non_finite_component_is_a_bad_response() {
        let error = l2_normalised(vec![1.0, f32::NAN], "m").unwrap_err();

        assert!(matches!(error, EmbedError::BadResponse(_)));
    }

    #[test]
    fn a_wrong_dimension_names_both_numbers() {
        let error = require_dimension(&[1.0; 1024], 384, "titan").unwrap_err();

        assert_eq!(
            error.to_string(),
            "embedder answered badly: model titan returned 1024 dimensions, expected 384"
        );
    }
}

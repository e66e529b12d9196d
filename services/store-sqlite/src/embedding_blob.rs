//! Embeddings as stored: a BLOB of little-endian `f32` values, 4 bytes per component.
//!
//! Invariant: decoding checks the byte length against the stored dimension.

use crate::sqlite_error::SqliteError;

/// Bytes of one embedding component.
const BYTES_PER_COMPONENT: usize = 4;

/// The BLOB holding `embedding`.
pub(crate) fn embedding_to_blob(embedding: &[f32]) -> Vec<u8> {
    embedding
        .iter()
        .flat_map(|component| component.to_le_bytes())
        .collect()
}

/// The embedding held by `blob`, which must have exactly `dimension` components.
pub(crate) fn embedding_from_blob(blob: &[u8], dimension: usize) -> Result<Vec<f32>, SqliteError> {
    if blob.len() != dimension * BYTES_PER_COMPONENT {
        return Err(SqliteError::UnreadableValue(format!(
            "embedding of {} bytes does not hold {dimension} components",
            blob.len()
        )));
    }
    let embedding = blob
        .chunks_exact(BYTES_PER_COMPONENT)
        .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
        .collect();
    Ok(embedding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_embedding_round_trips_through_its_blob() {
        let embedding = vec![0.25, -1.5, f32::MIN_POSITIVE, 0.0];

        let blob = embedding_to_blob(&embedding);

        assert_eq!(blob.len(), 16);
        assert_eq!(&blob[..4], &0.25f32.to_le_bytes());
        assert_eq!(embedding_from_blob(&blob, 4).unwrap(), embedding);
    }

    #[test]
    fn a_blob_of_the_wrong_length_is_unreadable() {
        let blob = embedding_to_blob(&[1.0, 2.0]);

        assert!(matches!(
            embedding_from_blob(&blob, 3),
            Err(SqliteError::UnreadableValue(_))
        ));
    }
}

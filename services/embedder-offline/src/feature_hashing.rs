//! Feature hashing of terms into a fixed-size vector with 64-bit FNV-1a, then L2
//! normalization.
//!
//! Invariant: the hash is fixed (FNV-1a, fixed offset and prime), never a seeded hasher, so
//! vectors are identical across processes, machines and releases.

use crate::text_terms::Term;

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The unit-length hashed vector of `terms` with `dimension` components (all zeros when there
/// are no terms).
pub(crate) fn hashed_vector(terms: &[Term], dimension: usize) -> Vec<f32> {
    let mut vector = vec![0.0f32; dimension];
    for term in terms {
        let hash = term_hash(term);
        let component = usize::try_from(hash % dimension as u64)
            .expect("a remainder below a usize fits a usize");
        let sign = if hash >> 63 == 0 { 1.0 } else { -1.0 };
        vector[component] += sign;
    }
    let norm = vector.iter().map(|value| value * value).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|value| *value /= norm);
    }
    vector
}

/// FNV-1a of the term, prefixed by its kind so a unigram never collides with a bigram by design.
fn term_hash(term: &Term) -> u64 {
    match term {
        Term::Unigram(word) => fnv1a([b"u:", word.as_bytes()]),
        Term::Bigram(first, second) => fnv1a([b"b:", first.as_bytes(), b" ", second.as_bytes()]),
    }
}

fn fnv1a<const N: usize>(parts: [&[u8]; N]) -> u64 {
    parts
        .iter()
        .flat_map(|part| part.iter())
        .fold(FNV_OFFSET_BASIS, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(FNV_PRIME)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        assert_eq!(fnv1a([b""]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a([b"a"]), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a([b"foo", b"bar"]), fnv1a([b"foobar"]));
        assert_eq!(fnv1a([b"foobar"]), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_vector_has_unit_length() {
        let terms = [
            Term::Unigram("restaurant".into()),
            Term::Bigram("how".into(), "many".into()),
        ];

        let vector = hashed_vector(&terms, 64);

        let norm: f32 = vector.iter().map(|value| value * value).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-6);
    }

    #[test]
    fn no_terms_give_the_zero_vector() {
        assert_eq!(hashed_vector(&[], 8), vec![0.0; 8]);
    }
}

use ports::embedder::Embedder;

use crate::installed_model::installed_embedder;

/// First five components of the sentence-transformers embedding of "hello world", as pinned by
/// fastembed's test suite (`CANONICAL_VECTOR_VALUES`, compared there with an absolute tolerance of 1e-3).
const HELLO_WORLD_PREFIX: [f32; 5] = [-0.034478, 0.03102, 0.00673, 0.02611, -0.039362];

#[tokio::test]
async fn hello_world_matches_the_published_reference_values() {
    let embedder = installed_embedder();

    let vector = embedder.embed("hello world").await.unwrap();

    for (component_idx, (actual, expected)) in vector.iter().zip(HELLO_WORLD_PREFIX).enumerate() {
        assert!(
            (actual - expected).abs() < 1e-4,
            "component {component_idx}: {actual} vs reference {expected}"
        );
    }
}

use embedder_minilm::{DIMENSION, MODEL_NAME};
use ports::embedder::Embedder;

use crate::installed_model::installed_embedder;

#[tokio::test]
async fn embed_returns_a_384_dimensional_unit_vector() {
    let embedder = installed_embedder();

    let vector = embedder
        .embed("how many restaurants are there")
        .await
        .unwrap();

    assert_eq!(vector.len(), 384);
    assert_eq!(embedder.dimension(), DIMENSION);
    assert_eq!(embedder.model_name(), MODEL_NAME);
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-5, "norm is {norm}");
}

#[tokio::test]
async fn embed_gives_the_same_vector_for_the_same_text() {
    let embedder = installed_embedder();

    let first = embedder.embed("total sales by month").await.unwrap();
    let second = embedder.embed("total sales by month").await.unwrap();

    assert_eq!(first, second);
}

#[tokio::test]
async fn embed_accepts_empty_text() {
    let embedder = installed_embedder();

    let vector = embedder.embed("").await.unwrap();

    assert_eq!(vector.len(), 384);
    assert!(vector.iter().all(|x| x.is_finite()));
}

#[tokio::test]
async fn embed_truncates_text_longer_than_the_model_accepts() {
    let embedder = installed_embedder();
    let first_words = "revenue by region ".repeat(100);

    let long = embedder
        .embed(&format!("{first_words} and then something else entirely"))
        .await
        .unwrap();
    let cut = embedder
        .embed(&format!("{first_words} but a different ending"))
        .await
        .unwrap();

    assert_eq!(long.len(), 384);
    assert_eq!(
        long, cut,
        "words past the 256th word piece must not change the vector"
    );
}

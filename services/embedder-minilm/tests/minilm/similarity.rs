use ports::embedder::{Embedder, cosine_similarity};

use crate::installed_model::installed_embedder;

#[tokio::test]
async fn a_rewording_is_closer_than_an_unrelated_question() {
    let embedder = installed_embedder();

    let question = embedder
        .embed("how many restaurants are there")
        .await
        .unwrap();
    let rewording = embedder.embed("count the restaurants").await.unwrap();
    let unrelated = embedder
        .embed("what is the average salary of professors")
        .await
        .unwrap();

    let rewording_similarity = cosine_similarity(&question, &rewording);
    let unrelated_similarity = cosine_similarity(&question, &unrelated);
    assert!(
        rewording_similarity > unrelated_similarity + 0.3,
        "rewording {rewording_similarity}, unrelated {unrelated_similarity}"
    );
}

#[tokio::test]
async fn case_and_punctuation_barely_move_the_vector() {
    let embedder = installed_embedder();

    let plain = embedder
        .embed("how many restaurants are there")
        .await
        .unwrap();
    let written = embedder
        .embed("How many restaurants are there?")
        .await
        .unwrap();

    let similarity = cosine_similarity(&plain, &written);
    assert!(similarity > 0.9, "similarity {similarity}");
}

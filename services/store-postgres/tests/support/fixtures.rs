//! Jobs, pairs and vectors shared by the store's own tests.
//!
//! Invariant: every job gets a fresh random id; every time is a whole second.

use chrono::{TimeZone, Utc};
use ports::job_store::NewJob;
use ports::memory_store::VerifiedPair;
use uuid::Uuid;

/// A queued job on `restaurants`, submitted `second` seconds after a fixed instant.
pub(crate) fn new_job(second: u32) -> NewJob {
    let job_id = Uuid::new_v4();
    NewJob {
        job_id,
        correlation_id: format!("req-{}", job_id.simple()),
        question: "How many restaurants are there?".into(),
        datasource: "restaurants".into(),
        conversation_id: None,
        provided_sql: None,
        owner_key_id: None,
        idempotency_key: None,
        submitted_at: Utc
            .with_ymd_and_hms(2024, 5, 1, 12, 0, second)
            .single()
            .expect("a valid fixed time"),
    }
}

/// A pair of schema version `v1` on `datasource`.
pub(crate) fn pair(datasource: &str, question: &str, embedding: Vec<f32>) -> VerifiedPair {
    VerifiedPair {
        entry_id: String::new(),
        datasource: datasource.into(),
        schema_version: "v1".into(),
        question: question.into(),
        sql: "SELECT 1".into(),
        embedding,
        embedding_model: "test-model".into(),
        approved_by: "reviewer".into(),
        approved_at: Utc
            .with_ymd_and_hms(2024, 5, 1, 8, 0, 0)
            .single()
            .expect("a valid fixed time"),
        source_job_id: None,
    }
}

/// Deterministic pseudo-random vectors (a linear congruential generator), so runs repeat.
pub(crate) fn pseudo_random_vectors(
    n_vectors: usize,
    dimension: usize,
    seed: u64,
) -> Vec<Vec<f32>> {
    let mut state = seed;
    let mut next_component = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let unit =
            f64::from(u32::try_from(state >> 40).expect("24 bits fit")) / f64::from(1u32 << 24);
        (unit * 2.0 - 1.0) as f32
    };
    (0..n_vectors)
        .map(|_| (0..dimension).map(|_| next_component()).collect())
        .collect()
}

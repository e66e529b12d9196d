//! Checks for [`PairStore`]: lookups are scoped by memory kind, datasource and (for the cache)
//! schema version, and come back best first.
//!
//! Invariant: every check uses datasource names of its own.

use chrono::{TimeZone, Utc};
use uuid::Uuid;

use crate::memory_store::{MemoryKind, PairStore, ScoredPair, VerifiedPair};

/// Cache lookups see only pairs of the asked datasource and schema version (every version when
/// none is asked); few-shot lookups ignore the schema version; the two memories never mix.
/// Stored pairs come back intact with their new identifier.
pub async fn pairs_are_scoped_by_datasource_and_schema_version(store: &dyn PairStore) {
    let datasource = format!("contract_{}", Uuid::new_v4().simple());
    let other_datasource = format!("contract_{}", Uuid::new_v4().simple());
    let query = [1.0, 0.0, 0.0];
    let cache_v1 = pair(&datasource, "v1", "cache v1", [1.0, 0.0, 0.0]);
    let cache_v2 = pair(&datasource, "v2", "cache v2", [0.6, 0.8, 0.0]);
    let cache_other = pair(&other_datasource, "v1", "cache other", [1.0, 0.0, 0.0]);
    let example_v1 = pair(&datasource, "v1", "example v1", [0.0, 1.0, 0.0]);
    let example_v2 = pair(&datasource, "v2", "example v2", [1.0, 0.0, 0.0]);
    let example_other = pair(&other_datasource, "v1", "example other", [1.0, 0.0, 0.0]);

    let cache_v1_id = insert(store, MemoryKind::Cache, &cache_v1).await;
    let cache_v2_id = insert(store, MemoryKind::Cache, &cache_v2).await;
    insert(store, MemoryKind::Cache, &cache_other).await;
    insert(store, MemoryKind::FewShot, &example_v1).await;
    insert(store, MemoryKind::FewShot, &example_v2).await;
    insert(store, MemoryKind::FewShot, &example_other).await;

    let cache_hits = nearest(
        store,
        MemoryKind::Cache,
        &datasource,
        Some("v1"),
        &query,
        10,
    )
    .await;
    assert_ne!(cache_v1_id, cache_v2_id, "identifiers are unique");
    assert!(!cache_v1_id.is_empty(), "the store assigns an identifier");
    assert_eq!(
        cache_hits.len(),
        1,
        "the cache is scoped by datasource and schema version"
    );
    let expected = VerifiedPair {
        entry_id: cache_v1_id,
        ..cache_v1
    };
    assert_eq!(cache_hits[0].pair, expected, "a pair round-trips intact");
    assert!(
        (cache_hits[0].similarity - 1.0).abs() < 1e-5,
        "identical vectors score 1.0"
    );
    let any_version = nearest(store, MemoryKind::Cache, &datasource, None, &query, 10).await;
    assert_eq!(questions(&any_version), ["cache v1", "cache v2"]);
    let examples = nearest(
        store,
        MemoryKind::FewShot,
        &datasource,
        Some("v1"),
        &query,
        10,
    )
    .await;
    assert_eq!(
        questions(&examples),
        ["example v2", "example v1"],
        "few-shot ignores the version"
    );
    let unknown = nearest(
        store,
        MemoryKind::Cache,
        "contract_unknown_datasource",
        None,
        &query,
        10,
    )
    .await;
    assert!(unknown.is_empty());
}

/// Results are ordered by descending cosine similarity and cut to `k`.
pub async fn nearest_pairs_come_best_first(store: &dyn PairStore) {
    let datasource = format!("contract_{}", Uuid::new_v4().simple());
    let stored = [
        ("orthogonal", [0.0, 1.0, 0.0]),
        ("best", [2.0, 0.0, 0.0]),
        ("opposite", [-1.0, 0.0, 0.0]),
        ("close", [0.8, 0.6, 0.0]),
    ];
    for (question, embedding) in stored {
        insert(
            store,
            MemoryKind::FewShot,
            &pair(&datasource, "v1", question, embedding),
        )
        .await;
    }
    let query = [3.0, 0.0, 0.0];

    let top_three = nearest(store, MemoryKind::FewShot, &datasource, None, &query, 3).await;
    let all = nearest(store, MemoryKind::FewShot, &datasource, None, &query, 10).await;
    let none = nearest(store, MemoryKind::FewShot, &datasource, None, &query, 0).await;

    assert_eq!(questions(&top_three), ["best", "close", "orthogonal"]);
    let similarities: Vec<f32> = all.iter().map(|scored| scored.similarity).collect();
    let expected = [1.0, 0.8, 0.0, -1.0];
    assert_eq!(
        similarities.len(),
        expected.len(),
        "k larger than the store returns every pair"
    );
    for (similarity, expected) in similarities.iter().zip(expected) {
        assert!(
            (similarity - expected).abs() < 1e-5,
            "similarity {similarity} is not {expected}"
        );
    }
    assert!(none.is_empty(), "k = 0 returns nothing");
}

fn pair(
    datasource: &str,
    schema_version: &str,
    question: &str,
    embedding: [f32; 3],
) -> VerifiedPair {
    VerifiedPair {
        entry_id: String::new(),
        datasource: datasource.into(),
        schema_version: schema_version.into(),
        question: question.into(),
        sql: format!("SELECT '{question}'"),
        embedding: embedding.to_vec(),
        embedding_model: "contract-model".into(),
        approved_by: "reviewer".into(),
        approved_at: Utc
            .with_ymd_and_hms(2024, 5, 1, 8, 0, 0)
            .single()
            .expect("a valid fixed time"),
    }
}

async fn insert(store: &dyn PairStore, kind: MemoryKind, pair: &VerifiedPair) -> String {
    store
        .insert_pair(kind, pair.clone())
        .await
        .expect("insert pair")
}

async fn nearest(
    store: &dyn PairStore,
    kind: MemoryKind,
    datasource: &str,
    schema_version: Option<&str>,
    embedding: &[f32],
    k: usize,
) -> Vec<ScoredPair> {
    store
        .nearest_pairs(kind, datasource, schema_version, embedding, k)
        .await
        .expect("nearest pairs")
}

fn questions(scored_pairs: &[ScoredPair]) -> Vec<&str> {
    scored_pairs
        .iter()
        .map(|scored| scored.pair.question.as_str())
        .collect()
}

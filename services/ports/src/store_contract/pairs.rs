//! Checks for [`PairStore`]: lookups are scoped by memory kind, datasource and (for the cache)
//! schema version, and come back best first.
//!
//! Invariant: every check uses datasource names of its own.

use chrono::{TimeZone, Utc};
use uuid::Uuid;

use crate::memory_store::{
    MemoryKind, PageRequest, PairStore, ScoredPair, VerifiedPair, question_key,
};

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

/// Pairs are found by question key within their scope only.
pub async fn pairs_are_found_by_question_key(store: &dyn PairStore) {
    let datasource = format!("contract_{}", Uuid::new_v4().simple());
    let other_datasource = format!("contract_{}", Uuid::new_v4().simple());
    let asked = pair(
        &datasource,
        "v1",
        "How many restaurants are there?",
        [1.0, 0.0, 0.0],
    );
    let other_version = pair(
        &datasource,
        "v2",
        "how many restaurants are there",
        [1.0, 0.0, 0.0],
    );
    let elsewhere = pair(
        &other_datasource,
        "v1",
        "How many restaurants are there?",
        [1.0, 0.0, 0.0],
    );
    let different = pair(
        &datasource,
        "v1",
        "How many cities are there?",
        [1.0, 0.0, 0.0],
    );
    let asked_id = insert(store, MemoryKind::Cache, &asked).await;
    insert(store, MemoryKind::Cache, &other_version).await;
    insert(store, MemoryKind::Cache, &elsewhere).await;
    insert(store, MemoryKind::Cache, &different).await;
    let key = question_key("how many restaurants are there ?");

    let in_version = store
        .pairs_with_question(MemoryKind::Cache, &datasource, Some("v1"), &key)
        .await
        .expect("pairs with question");
    let any_version = store
        .pairs_with_question(MemoryKind::Cache, &datasource, None, &key)
        .await
        .expect("pairs with question");
    let in_few_shot = store
        .pairs_with_question(MemoryKind::FewShot, &datasource, None, &key)
        .await
        .expect("pairs with question");

    assert_eq!(
        in_version,
        [VerifiedPair {
            entry_id: asked_id,
            ..asked
        }]
    );
    assert_eq!(
        any_version.len(),
        2,
        "both schema versions match without a version"
    );
    assert!(in_few_shot.is_empty(), "the memories never mix");
}

/// Listings come newest first, page by page, optionally per datasource; deleted pairs are gone
/// from listings and lookups, and deleting twice reports that nothing was there.
pub async fn pairs_are_listed_by_page_and_deleted(store: &dyn PairStore) {
    let datasource = format!("contract_{}", Uuid::new_v4().simple());
    let mut inserted_ids = Vec::new();
    for minute in 0..5u32 {
        let mut stored = pair(
            &datasource,
            "v1",
            &format!("question {minute}"),
            [1.0, 0.0, 0.0],
        );
        stored.approved_at = Utc
            .with_ymd_and_hms(2024, 5, 1, 8, minute, 0)
            .single()
            .expect("a valid fixed time");
        inserted_ids.push(insert(store, MemoryKind::FewShot, &stored).await);
    }

    let first_page = list(store, &datasource, 0, 2).await;
    let last_page = list(store, &datasource, 4, 2).await;
    let deleted = store
        .delete_pair(MemoryKind::FewShot, &inserted_ids[4])
        .await
        .expect("delete pair");
    let deleted_again = store
        .delete_pair(MemoryKind::FewShot, &inserted_ids[4])
        .await
        .expect("delete pair again");
    let wrong_memory = store
        .delete_pair(MemoryKind::Cache, &inserted_ids[3])
        .await
        .expect("delete from the other memory");
    let after_delete = list(store, &datasource, 0, 10).await;
    let nearest_after = nearest(
        store,
        MemoryKind::FewShot,
        &datasource,
        None,
        &[1.0, 0.0, 0.0],
        10,
    )
    .await;

    assert_eq!(
        first_page
            .iter()
            .map(|p| p.question.as_str())
            .collect::<Vec<_>>(),
        ["question 4", "question 3"],
        "newest first"
    );
    assert_eq!(
        last_page
            .iter()
            .map(|p| p.question.as_str())
            .collect::<Vec<_>>(),
        ["question 0"]
    );
    assert!(deleted);
    assert!(!deleted_again, "a second delete finds nothing");
    assert!(
        !wrong_memory,
        "an entry is deleted only from its own memory"
    );
    assert_eq!(after_delete.len(), 4);
    assert_eq!(
        nearest_after.len(),
        4,
        "a deleted pair is never found again"
    );
    let everywhere = store
        .list_pairs(
            MemoryKind::FewShot,
            None,
            PageRequest {
                offset: 0,
                limit: 1000,
            },
        )
        .await
        .expect("list every datasource");
    assert!(
        everywhere
            .iter()
            .filter(|p| p.datasource == datasource)
            .count()
            == 4,
        "listing without a datasource includes this one"
    );
}

async fn list(
    store: &dyn PairStore,
    datasource: &str,
    offset: u64,
    limit: u32,
) -> Vec<VerifiedPair> {
    store
        .list_pairs(
            MemoryKind::FewShot,
            Some(datasource),
            PageRequest { offset, limit },
        )
        .await
        .expect("list pairs")
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
        source_job_id: Some(Uuid::new_v4()),
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

//! Pair lookups of a `PostgresStore` beyond the shared contract: the embedding dimension and
//! HNSW recall against the exact scan. Each test runs on a database of its own.
//!
//! Invariant: tests only read the database directly to inspect what the store wrote.

mod support;

use ports::memory_store::{MemoryKind, PairStore};
use ports::store_error::StoreError;
use support::fixtures::{pair, pseudo_random_vectors};
use support::{CONTRACT_DIMENSION, TestDatabase};

#[tokio::test]
async fn an_embedding_of_another_dimension_is_refused_and_finds_nothing() {
    let database = TestDatabase::create().await;
    let store = database.store(1, CONTRACT_DIMENSION).await;
    let three_components = pair("restaurants", "three", vec![1.0, 0.0, 0.0]);
    store
        .insert_pair(MemoryKind::FewShot, three_components)
        .await
        .unwrap();

    let inserted = store
        .insert_pair(
            MemoryKind::FewShot,
            pair("restaurants", "two", vec![1.0, 0.0]),
        )
        .await;
    let found = store
        .nearest_pairs(MemoryKind::FewShot, "restaurants", None, &[1.0, 0.0], 5)
        .await
        .unwrap();

    assert!(
        matches!(inserted, Err(StoreError::Conflict(_))),
        "{inserted:?}"
    );
    assert!(found.is_empty());
}

#[tokio::test]
async fn hnsw_and_exact_lookups_agree_on_a_small_set() {
    const DIMENSION: usize = 8;
    let database = TestDatabase::create().await;
    // New connections to this database avoid sequential scans, so the approximate lookup
    // really goes through the HNSW index.
    database
        .client()
        .await
        .batch_execute(&format!(
            "ALTER DATABASE {} SET enable_seqscan = off",
            database.name()
        ))
        .await
        .unwrap();
    let store = database.store(2, DIMENSION).await;
    let vectors = pseudo_random_vectors(60, DIMENSION, 7);
    for (index, embedding) in vectors.into_iter().enumerate() {
        let datasource = if index % 3 == 0 {
            "other"
        } else {
            "restaurants"
        };
        for kind in [MemoryKind::Cache, MemoryKind::FewShot] {
            let question = format!("question {index}");
            store
                .insert_pair(kind, pair(datasource, &question, embedding.clone()))
                .await
                .unwrap();
        }
    }
    let explain = format!(
        "EXPLAIN SELECT entry_id FROM cache_entries WHERE datasource = 'restaurants'
         ORDER BY embedding <=> '[{}]' LIMIT 5",
        ["0.5"; DIMENSION].join(",")
    );
    let plan: Vec<String> = database
        .client()
        .await
        .query(&explain, &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert!(
        plan.iter()
            .any(|line| line.contains("cache_entries_embedding_hnsw")),
        "the lookup uses the HNSW index: {plan:?}"
    );

    for query in pseudo_random_vectors(10, DIMENSION, 99) {
        for kind in [MemoryKind::Cache, MemoryKind::FewShot] {
            let approximate = store
                .nearest_pairs(kind, "restaurants", Some("v1"), &query, 5)
                .await
                .unwrap();
            let exact = store
                .nearest_pairs_exact(kind, "restaurants", Some("v1"), &query, 5)
                .await
                .unwrap();

            assert_eq!(approximate.len(), 5);
            assert!(
                approximate
                    .iter()
                    .all(|scored| scored.pair.datasource == "restaurants")
            );
            assert_eq!(approximate, exact, "HNSW and exact lookups agree");
        }
    }
}

//! `PairStore` over two pgvector tables, `cache_entries` and `few_shot_examples`, searched by
//! cosine distance through their HNSW indexes, plus an exact (sequential scan) lookup used to
//! measure the index's recall.
//!
//! Invariant: a lookup reads only rows of the asked datasource (and, for the cache, of the asked
//! schema version when one is given): the filter is part of the query; a query vector whose
//! dimension differs from the store's finds nothing.

use async_trait::async_trait;
use pgvector::Vector;
use ports::memory_store::{
    MemoryKind, PageRequest, PairStore, ScoredPair, VerifiedPair, question_key,
};
use ports::store_error::StoreError;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::postgres_error::PostgresError;
use crate::postgres_store::PostgresStore;

/// Candidate list size of an HNSW search; bounds how many rows a filtered lookup can see.
const HNSW_EF_SEARCH: u32 = 100;

/// How a lookup finds its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LookupPlan {
    /// Let the planner use the HNSW index (approximate).
    Approximate,
    /// Forbid index scans, so every row of the datasource is compared (exact).
    Exact,
}

impl LookupPlan {
    /// The setting applied to the lookup's transaction.
    fn setting(self) -> String {
        match self {
            LookupPlan::Approximate => format!("SET LOCAL hnsw.ef_search = {HNSW_EF_SEARCH}"),
            LookupPlan::Exact => "SET LOCAL enable_indexscan = off".to_owned(),
        }
    }
}

#[async_trait]
impl PairStore for PostgresStore {
    async fn insert_pair(
        &self,
        kind: MemoryKind,
        pair: VerifiedPair,
    ) -> Result<String, StoreError> {
        if pair.embedding.len() != self.embedding_dimension() {
            return Err(PostgresError::ConstraintViolated(format!(
                "embedding has {} components but this store holds vectors of dimension {}",
                pair.embedding.len(),
                self.embedding_dimension()
            ))
            .into());
        }
        let entry_id = Uuid::new_v4();
        let sql = format!(
            "INSERT INTO {} (entry_id, datasource, schema_version, question, sql, embedding,
                             embedding_model, approved_by, approved_at, question_key, source_job_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            table_name(kind)
        );
        let client = self.client().await?;
        client
            .execute(
                &sql,
                &[
                    &entry_id,
                    &pair.datasource,
                    &pair.schema_version,
                    &pair.question,
                    &pair.sql,
                    &Vector::from(pair.embedding),
                    &pair.embedding_model,
                    &pair.approved_by,
                    &pair.approved_at,
                    &question_key(&pair.question),
                    &pair.source_job_id,
                ],
            )
            .await
            .map_err(PostgresError::from)?;
        Ok(entry_id.to_string())
    }

    async fn nearest_pairs(
        &self,
        kind: MemoryKind,
        datasource: &str,
        schema_version: Option<&str>,
        embedding: &[f32],
        k: usize,
    ) -> Result<Vec<ScoredPair>, StoreError> {
        self.lookup(
            LookupPlan::Approximate,
            kind,
            datasource,
            schema_version,
            embedding,
            k,
        )
        .await
    }

    async fn pairs_with_question(
        &self,
        kind: MemoryKind,
        datasource: &str,
        schema_version: Option<&str>,
        question_key: &str,
    ) -> Result<Vec<VerifiedPair>, StoreError> {
        let sql = format!(
            "SELECT {PAIR_COLUMNS} FROM {} WHERE datasource = $1 AND question_key = $2
               AND ($3::text IS NULL OR schema_version = $3)
             ORDER BY inserted_seq",
            table_name(kind)
        );
        let client = self.client().await?;
        let rows = client
            .query(&sql, &[&datasource, &question_key, &schema_version])
            .await
            .map_err(PostgresError::from)?;
        Ok(rows
            .iter()
            .map(pair_from_row)
            .collect::<Result<Vec<_>, _>>()?)
    }

    async fn list_pairs(
        &self,
        kind: MemoryKind,
        datasource: Option<&str>,
        page: PageRequest,
    ) -> Result<Vec<VerifiedPair>, StoreError> {
        let sql = format!(
            "SELECT {PAIR_COLUMNS} FROM {} WHERE ($1::text IS NULL OR datasource = $1)
             ORDER BY approved_at DESC, inserted_seq DESC LIMIT $2 OFFSET $3",
            table_name(kind)
        );
        let limit = i64::from(page.limit);
        let offset = i64::try_from(page.offset).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let rows = client
            .query(&sql, &[&datasource, &limit, &offset])
            .await
            .map_err(PostgresError::from)?;
        Ok(rows
            .iter()
            .map(pair_from_row)
            .collect::<Result<Vec<_>, _>>()?)
    }

    async fn delete_pair(&self, kind: MemoryKind, entry_id: &str) -> Result<bool, StoreError> {
        let Ok(entry_id) = Uuid::parse_str(entry_id) else {
            return Ok(false);
        };
        let sql = format!("DELETE FROM {} WHERE entry_id = $1", table_name(kind));
        let client = self.client().await?;
        let n_deleted = client
            .execute(&sql, &[&entry_id])
            .await
            .map_err(PostgresError::from)?;
        Ok(n_deleted > 0)
    }
}

/// Columns read by [`pair_from_row`], in its order.
const PAIR_COLUMNS: &str = "entry_id, datasource, schema_version, question, sql, embedding, \
    embedding_model, approved_by, approved_at, source_job_id";

impl PostgresStore {
    /// Same as [`PairStore::nearest_pairs`], but compares every row of the datasource instead of
    /// searching the HNSW index, so the answer is exact; for measuring the index's recall.
    pub async fn nearest_pairs_exact(
        &self,
        kind: MemoryKind,
        datasource: &str,
        schema_version: Option<&str>,
        embedding: &[f32],
        k: usize,
    ) -> Result<Vec<ScoredPair>, StoreError> {
        self.lookup(
            LookupPlan::Exact,
            kind,
            datasource,
            schema_version,
            embedding,
            k,
        )
        .await
    }

    async fn lookup(
        &self,
        plan: LookupPlan,
        kind: MemoryKind,
        datasource: &str,
        schema_version: Option<&str>,
        embedding: &[f32],
        k: usize,
    ) -> Result<Vec<ScoredPair>, StoreError> {
        if k == 0 || embedding.len() != self.embedding_dimension() {
            return Ok(Vec::new());
        }
        let schema_version = match kind {
            MemoryKind::Cache => schema_version,
            MemoryKind::FewShot => None,
        };
        let limit = i64::try_from(k).unwrap_or(i64::MAX);
        // `$3 IS NULL` turns the version filter off when no version is asked.
        let sql = format!(
            "SELECT {PAIR_COLUMNS}, inserted_seq, 1 - (embedding <=> $1) AS similarity
             FROM {} WHERE datasource = $2 AND ($3::text IS NULL OR schema_version = $3)
             ORDER BY embedding <=> $1 LIMIT $4",
            table_name(kind)
        );
        let query = Vector::from(embedding.to_vec());
        let mut client = self.client().await?;
        let transaction = client
            .build_transaction()
            .read_only(true)
            .start()
            .await
            .map_err(PostgresError::from)?;
        transaction
            .batch_execute(&plan.setting())
            .await
            .map_err(PostgresError::from)?;
        let rows = transaction
            .query(&sql, &[&query, &datasource, &schema_version, &limit])
            .await
            .map_err(PostgresError::from)?;
        transaction.commit().await.map_err(PostgresError::from)?;
        let mut scored = rows
            .iter()
            .map(scored_pair_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        // Equal similarities keep insertion order, as in every other store.
        scored.sort_by(|(a, a_seq), (b, b_seq)| {
            b.similarity.total_cmp(&a.similarity).then(a_seq.cmp(b_seq))
        });
        Ok(scored.into_iter().map(|(pair, _)| pair).collect())
    }
}

/// The table holding pairs of `kind`.
fn table_name(kind: MemoryKind) -> &'static str {
    match kind {
        MemoryKind::Cache => "cache_entries",
        MemoryKind::FewShot => "few_shot_examples",
    }
}

/// The pair of a row read with [`PAIR_COLUMNS`].
fn pair_from_row(row: &Row) -> Result<VerifiedPair, PostgresError> {
    let entry_id: Uuid = row.try_get(0)?;
    let embedding: Vector = row.try_get(5)?;
    Ok(VerifiedPair {
        entry_id: entry_id.to_string(),
        datasource: row.try_get(1)?,
        schema_version: row.try_get(2)?,
        question: row.try_get(3)?,
        sql: row.try_get(4)?,
        embedding: embedding.to_vec(),
        embedding_model: row.try_get(6)?,
        approved_by: row.try_get(7)?,
        approved_at: row.try_get(8)?,
        source_job_id: row.try_get(9)?,
    })
}

/// The scored pair of one lookup row ([`PAIR_COLUMNS`], sequence number, similarity), with its
/// insertion sequence number.
fn scored_pair_from_row(row: &Row) -> Result<(ScoredPair, i64), PostgresError> {
    let pair = pair_from_row(row)?;
    let similarity: f64 = row.try_get(11)?;
    // pgvector's cosine distance to a zero vector is NaN; like `cosine_similarity`, call it 0.
    let similarity = if similarity.is_nan() {
        0.0
    } else {
        similarity as f32
    };
    Ok((ScoredPair { pair, similarity }, row.try_get(10)?))
}

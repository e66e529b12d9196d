//! `PairStore` over two tables, `cache_entries` and `few_shot_examples`, scanned exactly by
//! cosine similarity.
//!
//! Invariant: a lookup reads only rows of the asked datasource (and, for the cache, of the asked
//! schema version when one is given); rows whose dimension differs from the query's are skipped.

use async_trait::async_trait;
use ports::embedder::cosine_similarity;
use ports::memory_store::{
    MemoryKind, PageRequest, PairStore, ScoredPair, VerifiedPair, question_key,
};
use ports::store_error::StoreError;
use rusqlite::Row;
use uuid::Uuid;

use crate::embedding_blob::{embedding_from_blob, embedding_to_blob};
use crate::sqlite_error::SqliteError;
use crate::sqlite_store::SqliteStore;
use crate::timestamp_text::{timestamp_from_text, timestamp_to_text};

#[async_trait]
impl PairStore for SqliteStore {
    async fn insert_pair(
        &self,
        kind: MemoryKind,
        pair: VerifiedPair,
    ) -> Result<String, StoreError> {
        let entry_id = Uuid::new_v4().to_string();
        let stored_id = entry_id.clone();
        self.run(move |connection| {
            let sql = format!(
                "INSERT INTO {} (entry_id, datasource, schema_version, question, sql, embedding, embedding_model,
                                 embedding_dim, approved_by, approved_at, question_key, source_job_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                table_name(kind)
            );
            connection.execute(
                &sql,
                rusqlite::params![
                    &stored_id,
                    &pair.datasource,
                    &pair.schema_version,
                    &pair.question,
                    &pair.sql,
                    embedding_to_blob(&pair.embedding),
                    &pair.embedding_model,
                    i64::try_from(pair.embedding.len()).unwrap_or(i64::MAX),
                    &pair.approved_by,
                    timestamp_to_text(pair.approved_at),
                    question_key(&pair.question),
                    pair.source_job_id.map(|job_id| job_id.to_string()),
                ],
            )?;
            Ok(())
        })
        .await?;
        Ok(entry_id)
    }

    async fn nearest_pairs(
        &self,
        kind: MemoryKind,
        datasource: &str,
        schema_version: Option<&str>,
        embedding: &[f32],
        k: usize,
    ) -> Result<Vec<ScoredPair>, StoreError> {
        if k == 0 {
            return Ok(Vec::new());
        }
        let datasource = datasource.to_owned();
        let schema_version = match kind {
            MemoryKind::Cache => schema_version.map(str::to_owned),
            MemoryKind::FewShot => None,
        };
        let query = embedding.to_vec();
        self.run(move |connection| {
            // `?2 IS NULL` turns the version filter off when no version is asked.
            let sql = format!(
                "SELECT {PAIR_COLUMNS} FROM {} WHERE datasource = ?1 AND (?2 IS NULL OR schema_version = ?2)
                 ORDER BY rowid",
                table_name(kind)
            );
            let mut statement = connection.prepare(&sql)?;
            let rows = statement.query_map((&datasource, &schema_version), StoredPair::read)?;
            let mut scored_pairs = Vec::new();
            for row in rows {
                let stored = row?;
                if usize::try_from(stored.embedding_dim).ok() != Some(query.len()) {
                    continue;
                }
                let pair = stored.into_pair()?;
                let similarity = cosine_similarity(&query, &pair.embedding);
                scored_pairs.push(ScoredPair { pair, similarity });
            }
            // Stable sort: equal similarities keep insertion order.
            scored_pairs.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
            scored_pairs.truncate(k);
            Ok(scored_pairs)
        })
        .await
    }

    async fn pairs_with_question(
        &self,
        kind: MemoryKind,
        datasource: &str,
        schema_version: Option<&str>,
        question_key: &str,
    ) -> Result<Vec<VerifiedPair>, StoreError> {
        let datasource = datasource.to_owned();
        let schema_version = schema_version.map(str::to_owned);
        let question_key = question_key.to_owned();
        self.run(move |connection| {
            let sql = format!(
                "SELECT {PAIR_COLUMNS} FROM {} WHERE datasource = ?1 AND question_key = ?2
                   AND (?3 IS NULL OR schema_version = ?3)
                 ORDER BY rowid",
                table_name(kind)
            );
            let mut statement = connection.prepare(&sql)?;
            let rows = statement.query_map(
                (&datasource, &question_key, &schema_version),
                StoredPair::read,
            )?;
            read_pairs(rows)
        })
        .await
    }

    async fn list_pairs(
        &self,
        kind: MemoryKind,
        datasource: Option<&str>,
        page: PageRequest,
    ) -> Result<Vec<VerifiedPair>, StoreError> {
        let datasource = datasource.map(str::to_owned);
        let offset = i64::try_from(page.offset).unwrap_or(i64::MAX);
        self.run(move |connection| {
            let sql = format!(
                "SELECT {PAIR_COLUMNS} FROM {} WHERE (?1 IS NULL OR datasource = ?1)
                 ORDER BY approved_at DESC, rowid DESC LIMIT ?2 OFFSET ?3",
                table_name(kind)
            );
            let mut statement = connection.prepare(&sql)?;
            let rows = statement.query_map((&datasource, page.limit, offset), StoredPair::read)?;
            read_pairs(rows)
        })
        .await
    }

    async fn delete_pair(&self, kind: MemoryKind, entry_id: &str) -> Result<bool, StoreError> {
        let entry_id = entry_id.to_owned();
        self.run(move |connection| {
            let sql = format!("DELETE FROM {} WHERE entry_id = ?1", table_name(kind));
            Ok(connection.execute(&sql, [&entry_id])? > 0)
        })
        .await
    }
}

/// Columns read by [`StoredPair::read`], in its order.
const PAIR_COLUMNS: &str = "entry_id, datasource, schema_version, question, sql, embedding, \
    embedding_model, embedding_dim, approved_by, approved_at, source_job_id";

fn read_pairs(
    rows: impl Iterator<Item = rusqlite::Result<StoredPair>>,
) -> Result<Vec<VerifiedPair>, SqliteError> {
    let mut pairs = Vec::new();
    for row in rows {
        pairs.push(row?.into_pair()?);
    }
    Ok(pairs)
}

/// The table holding pairs of `kind`.
fn table_name(kind: MemoryKind) -> &'static str {
    match kind {
        MemoryKind::Cache => "cache_entries",
        MemoryKind::FewShot => "few_shot_examples",
    }
}

/// The columns of one pair row, as stored.
struct StoredPair {
    entry_id: String,
    datasource: String,
    schema_version: String,
    question: String,
    sql: String,
    embedding: Vec<u8>,
    embedding_model: String,
    embedding_dim: i64,
    approved_by: String,
    approved_at: String,
    source_job_id: Option<String>,
}

impl StoredPair {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(StoredPair {
            entry_id: row.get(0)?,
            datasource: row.get(1)?,
            schema_version: row.get(2)?,
            question: row.get(3)?,
            sql: row.get(4)?,
            embedding: row.get(5)?,
            embedding_model: row.get(6)?,
            embedding_dim: row.get(7)?,
            approved_by: row.get(8)?,
            approved_at: row.get(9)?,
            source_job_id: row.get(10)?,
        })
    }

    fn into_pair(self) -> Result<VerifiedPair, SqliteError> {
        let dimension = usize::try_from(self.embedding_dim).map_err(|_| {
            SqliteError::UnreadableValue(format!("embedding dimension {}", self.embedding_dim))
        })?;
        Ok(VerifiedPair {
            entry_id: self.entry_id,
            datasource: self.datasource,
            schema_version: self.schema_version,
            question: self.question,
            sql: self.sql,
            embedding: embedding_from_blob(&self.embedding, dimension)?,
            embedding_model: self.embedding_model,
            approved_by: self.approved_by,
            approved_at: timestamp_from_text(&self.approved_at)?,
            source_job_id: self
                .source_job_id
                .as_deref()
                .map(|text| {
                    Uuid::parse_str(text)
                        .map_err(|_| SqliteError::UnreadableValue(format!("job id {text}")))
                })
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn pair_with_embedding(embedding: Vec<f32>) -> VerifiedPair {
        VerifiedPair {
            entry_id: String::new(),
            datasource: "restaurants".into(),
            schema_version: "v1".into(),
            question: format!("question with {} components", embedding.len()),
            sql: "SELECT 1".into(),
            embedding,
            embedding_model: "test-model".into(),
            approved_by: "reviewer".into(),
            approved_at: Utc.with_ymd_and_hms(2024, 5, 1, 8, 0, 0).single().unwrap(),
            source_job_id: None,
        }
    }

    #[tokio::test]
    async fn pairs_of_another_dimension_are_skipped() {
        let store = SqliteStore::open_in_memory().unwrap();
        store
            .insert_pair(MemoryKind::Cache, pair_with_embedding(vec![1.0, 0.0]))
            .await
            .unwrap();
        store
            .insert_pair(MemoryKind::Cache, pair_with_embedding(vec![1.0, 0.0, 0.0]))
            .await
            .unwrap();

        let nearest = store
            .nearest_pairs(
                MemoryKind::Cache,
                "restaurants",
                Some("v1"),
                &[1.0, 0.0, 0.0],
                5,
            )
            .await
            .unwrap();

        assert_eq!(nearest.len(), 1);
        assert_eq!(nearest[0].pair.embedding.len(), 3);
    }

    #[tokio::test]
    async fn the_embedding_is_stored_as_a_little_endian_f32_blob_with_its_dimension() {
        let store = SqliteStore::open_in_memory().unwrap();
        let entry_id = store
            .insert_pair(MemoryKind::FewShot, pair_with_embedding(vec![0.5, -2.0]))
            .await
            .unwrap();

        let (blob, dimension) = store
            .run(move |connection| {
                Ok(connection.query_row(
                    "SELECT embedding, embedding_dim FROM few_shot_examples WHERE entry_id = ?1",
                    [&entry_id],
                    |row| Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, i64>(1)?)),
                )?)
            })
            .await
            .unwrap();

        assert_eq!(dimension, 2);
        assert_eq!(
            blob,
            [0.5f32.to_le_bytes(), (-2.0f32).to_le_bytes()].concat()
        );
    }
}

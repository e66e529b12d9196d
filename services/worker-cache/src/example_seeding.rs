//! [`ExampleSeeder`]: admits question/SQL pairs from a file to the few-shot memory, each
//! checked by the guard (and run, unless verification is off) on its datasource first.
//!
//! Invariant: seeding only ever adds few-shot examples; it never touches the semantic cache
//! and never adds a second example of a question its datasource already has.

use std::sync::Arc;

use chrono::Utc;
use ports::datasource::Datasources;
use ports::embedder::Embedder;
use ports::memory_store::{MemoryKind, PairStore, VerifiedPair, question_key};
use ports::schema::SchemaStore;
use ports::sql_engine::{EngineError, QueryLimits};
use ports::store_error::StoreError;

/// One question/SQL pair to seed.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleRow {
    /// Datasource the SQL runs on.
    pub datasource: String,
    /// The question.
    pub question: String,
    /// Accepted answers, best first; the first that passes is stored.
    pub sql_candidates: Vec<String>,
}

/// What happened to one row.
#[derive(Debug, Clone, PartialEq)]
pub enum SeedOutcome {
    /// Stored under this entry id.
    Loaded(String),
    /// The datasource already has an example of this question.
    AlreadyPresent,
    /// Not stored, for this reason.
    Skipped(String),
}

/// Seeding had to stop.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The embedder or an engine is unreachable.
    #[error("{0}")]
    Unavailable(String),
}

/// What seeding needs.
#[derive(Clone)]
pub struct ExampleSeeder {
    /// Few-shot memory.
    pub pair_store: Arc<dyn PairStore>,
    /// Schema snapshots, for the version recorded with each example.
    pub schema_store: Arc<dyn SchemaStore>,
    /// Embeds questions.
    pub embedder: Arc<dyn Embedder>,
    /// Datasources the examples run on.
    pub datasources: Datasources,
    /// Limits of the verification run.
    pub limits: QueryLimits,
    /// Run each query before storing it (the guard check always happens).
    pub verify: bool,
    /// Recorded as the approver (`csv:<file name>`).
    pub approved_by: String,
}

impl ExampleSeeder {
    /// Seeds one row.
    pub async fn seed(&self, row: &ExampleRow) -> Result<SeedOutcome, SeedError> {
        let question = row.question.trim();
        if question.is_empty() {
            return Ok(SeedOutcome::Skipped("the question is empty".to_owned()));
        }
        let Some(datasource) = self.datasources.get(&row.datasource) else {
            return Ok(SeedOutcome::Skipped(format!(
                "datasource '{}' does not exist",
                row.datasource
            )));
        };
        let existing = self
            .pair_store
            .pairs_with_question(
                MemoryKind::FewShot,
                &row.datasource,
                None,
                &question_key(question),
            )
            .await?;
        if !existing.is_empty() {
            return Ok(SeedOutcome::AlreadyPresent);
        }
        let Some(schema) = self.schema_store.latest_snapshot(&row.datasource).await? else {
            return Ok(SeedOutcome::Skipped(format!(
                "datasource '{}' has no schema",
                row.datasource
            )));
        };
        let mut last_problem = "no SQL given".to_owned();
        let mut admitted_sql = None;
        for candidate in &row.sql_candidates {
            let outcome = if self.verify {
                sql_guard::run_guarded(&datasource, candidate, &self.limits)
                    .await
                    .map(|_| ())
            } else {
                sql_guard::check_with_policy(
                    candidate,
                    datasource.engine.dialect(),
                    &sql_guard::datasource_policy(&datasource),
                )
                .map(|_| ())
                .map_err(|rejection| EngineError::QueryFailed(rejection.to_string()))
            };
            match outcome {
                Ok(()) => {
                    admitted_sql = Some(candidate.trim().to_owned());
                    break;
                }
                Err(EngineError::Unavailable(message)) => {
                    return Err(SeedError::Unavailable(format!(
                        "engine unavailable: {message}"
                    )));
                }
                Err(query_error) => last_problem = query_error.to_string(),
            }
        }
        let Some(sql) = admitted_sql else {
            return Ok(SeedOutcome::Skipped(last_problem));
        };
        let embedding = self
            .embedder
            .embed(question)
            .await
            .map_err(|error| SeedError::Unavailable(error.to_string()))?;
        let pair = VerifiedPair {
            entry_id: String::new(),
            datasource: row.datasource.clone(),
            schema_version: schema.version,
            question: question.to_owned(),
            sql,
            embedding,
            embedding_model: self.embedder.model_name().to_owned(),
            approved_by: self.approved_by.clone(),
            approved_at: Utc::now(),
            source_job_id: None,
        };
        let entry_id = self
            .pair_store
            .insert_pair(MemoryKind::FewShot, pair)
            .await?;
        Ok(SeedOutcome::Loaded(entry_id))
    }
}

//! [`ApprovalDesk`]: records reviewers' feedback and admits approved question/SQL pairs to the
//! semantic cache and the few-shot memory.
//!
//! Invariant: a corrected query is admitted only after it passed the guard and ran on its
//! datasource; an approved pair of the same question with other SQL is replaced only when the
//! reviewer asked for it, and its id is then recorded on the feedback.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use contracts::api::{FeedbackRecord, JobView, Verdict};
use ports::approval::{ApprovalError, Approvals, FeedbackInput};
use ports::datasource::Datasources;
use ports::embedder::Embedder;
use ports::job_store::JobStore;
use ports::memory_store::{MemoryKind, PairStore, VerifiedPair, question_key};
use ports::schema::SchemaStore;
use ports::sql_engine::{EngineError, QueryLimits};

/// Largest accepted comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2_000;

/// What the approval loop needs.
#[derive(Clone)]
pub struct ApprovalDesk {
    /// Job records and their feedback.
    pub job_store: Arc<dyn JobStore>,
    /// Cache entries and few-shot examples.
    pub pair_store: Arc<dyn PairStore>,
    /// Schema snapshots, for the version a cache entry is verified against.
    pub schema_store: Arc<dyn SchemaStore>,
    /// Embeds approved questions.
    pub embedder: Arc<dyn Embedder>,
    /// Datasources, to re-run corrected SQL.
    pub datasources: Datasources,
    /// Limits of the re-run.
    pub limits: QueryLimits,
}

#[async_trait]
impl Approvals for ApprovalDesk {
    #[tracing::instrument(skip_all, fields(job_id = %input.job_id, verdict = input.verdict.as_str()))]
    async fn record_feedback(&self, input: FeedbackInput) -> Result<FeedbackRecord, ApprovalError> {
        check_comment(input.comment.as_deref())?;
        let job = self
            .job_store
            .get_job(input.job_id)
            .await?
            .ok_or(ApprovalError::UnknownJob(input.job_id))?;
        if !job.status.is_terminal() {
            return Err(ApprovalError::NotFinished(input.job_id));
        }
        let record = match input.verdict {
            Verdict::Reject => rejection(&input)?,
            Verdict::Approve => self.approve(&job, &input).await?,
        };
        self.job_store.record_feedback(&record).await?;
        metrics::counter!("analyst_feedback_total", "verdict" => input.verdict.as_str())
            .increment(1);
        tracing::info!(
            cache_entry_id = ?record.cache_entry_id,
            n_replaced = record.replaced_entry_ids.len(),
            "feedback recorded"
        );
        Ok(record)
    }
}

impl ApprovalDesk {
    async fn approve(
        &self,
        job: &JobView,
        input: &FeedbackInput,
    ) -> Result<FeedbackRecord, ApprovalError> {
        let sql = match &input.corrected_sql {
            Some(corrected_sql) => {
                self.rerun(&job.datasource, corrected_sql).await?;
                corrected_sql.trim().to_owned()
            }
            None => approvable_sql(job)?,
        };
        let schema = self
            .schema_store
            .latest_snapshot(&job.datasource)
            .await?
            .ok_or_else(|| {
                ApprovalError::Invalid(format!("datasource '{}' has no schema", job.datasource))
            })?;
        let key = question_key(&job.question);

        let mut replaced_entry_ids = Vec::new();
        let mut stored_ids = Vec::new();
        let mut to_insert = Vec::new();
        for (kind, schema_version) in [
            (MemoryKind::Cache, Some(schema.version.as_str())),
            (MemoryKind::FewShot, None),
        ] {
            let existing = self
                .pair_store
                .pairs_with_question(kind, &job.datasource, schema_version, &key)
                .await?;
            let (same, different): (Vec<_>, Vec<_>) = existing
                .into_iter()
                .partition(|pair| same_sql(&pair.sql, &sql));
            if !different.is_empty() && !input.replace_existing {
                return Err(ApprovalError::Conflict {
                    entry_ids: different.into_iter().map(|pair| pair.entry_id).collect(),
                });
            }
            replaced_entry_ids.push(different);
            match same.into_iter().next() {
                Some(pair) => stored_ids.push(Some(pair.entry_id)),
                None => {
                    stored_ids.push(None);
                    to_insert.push(kind);
                }
            }
        }

        let mut replaced_ids = Vec::new();
        for (kind, different) in [MemoryKind::Cache, MemoryKind::FewShot]
            .into_iter()
            .zip(replaced_entry_ids)
        {
            for pair in different {
                self.pair_store.delete_pair(kind, &pair.entry_id).await?;
                replaced_ids.push(pair.entry_id);
            }
        }
        if !to_insert.is_empty() {
            let embedding = self
                .embedder
                .embed(&job.question)
                .await
                .map_err(|error| ApprovalError::Unavailable(error.to_string()))?;
            let now = Utc::now();
            for kind in to_insert {
                let pair = VerifiedPair {
                    entry_id: String::new(),
                    datasource: job.datasource.clone(),
                    schema_version: schema.version.clone(),
                    question: job.question.clone(),
                    sql: sql.clone(),
                    embedding: embedding.clone(),
                    embedding_model: self.embedder.model_name().to_owned(),
                    approved_by: input.given_by.clone(),
                    approved_at: now,
                    source_job_id: Some(job.job_id),
                };
                let entry_id = self.pair_store.insert_pair(kind, pair).await?;
                let slot = match kind {
                    MemoryKind::Cache => 0,
                    MemoryKind::FewShot => 1,
                };
                stored_ids[slot] = Some(entry_id);
            }
        }
        let [cache_entry_id, few_shot_entry_id]: [Option<String>; 2] =
            stored_ids.try_into().expect("one slot per memory kind");
        Ok(FeedbackRecord {
            job_id: input.job_id,
            verdict: Verdict::Approve,
            corrected: input.corrected_sql.is_some(),
            sql: Some(sql),
            comment: input.comment.clone(),
            given_by: input.given_by.clone(),
            given_at: Utc::now(),
            cache_entry_id,
            few_shot_entry_id,
            replaced_entry_ids: replaced_ids,
        })
    }

    /// Runs a corrected query through the guard on the job's datasource.
    async fn rerun(&self, datasource_name: &str, sql: &str) -> Result<(), ApprovalError> {
        if sql.trim().is_empty() {
            return Err(ApprovalError::Invalid("corrected_sql is empty".to_owned()));
        }
        let datasource = self
            .datasources
            .resolve(datasource_name)
            .await
            .map_err(|lookup_error| {
                tracing::warn!(datasource = datasource_name, error.message = %lookup_error, "datasource lookup failed");
                ApprovalError::Unavailable(format!(
                    "datasource '{datasource_name}' could not be looked up"
                ))
            })?
            .ok_or_else(|| {
                ApprovalError::Invalid(format!("datasource '{datasource_name}' no longer exists"))
            })?;
        match sql_guard::run_guarded(&datasource, sql, &self.limits).await {
            Ok(_) => Ok(()),
            Err(EngineError::Unavailable(message)) => Err(ApprovalError::Unavailable(format!(
                "engine unavailable: {message}"
            ))),
            Err(query_error) => Err(ApprovalError::SqlRejected(query_error.to_string())),
        }
    }
}

/// The feedback of a rejection; a correction only makes sense with an approval.
fn rejection(input: &FeedbackInput) -> Result<FeedbackRecord, ApprovalError> {
    if input.corrected_sql.is_some() {
        return Err(ApprovalError::Invalid(
            "corrected_sql comes with the verdict approve".to_owned(),
        ));
    }
    Ok(FeedbackRecord {
        job_id: input.job_id,
        verdict: Verdict::Reject,
        sql: None,
        corrected: false,
        comment: input.comment.clone(),
        given_by: input.given_by.clone(),
        given_at: Utc::now(),
        cache_entry_id: None,
        few_shot_entry_id: None,
        replaced_entry_ids: Vec::new(),
    })
}

/// The SQL of an answered job, when it has one.
fn approvable_sql(job: &JobView) -> Result<String, ApprovalError> {
    match (&job.sql, job.error.is_some()) {
        (Some(sql), false) => Ok(sql.clone()),
        _ => Err(ApprovalError::NothingToApprove(
            "this job produced no SQL to approve; send corrected_sql to approve a correction"
                .to_owned(),
        )),
    }
}

fn check_comment(comment: Option<&str>) -> Result<(), ApprovalError> {
    match comment {
        Some(comment) if comment.chars().count() > MAX_COMMENT_CHARS => {
            Err(ApprovalError::Invalid(format!(
                "comment is longer than {MAX_COMMENT_CHARS} characters"
            )))
        }
        _ => Ok(()),
    }
}

/// `true` when two queries differ at most in whitespace and trailing semicolons.
fn same_sql(a: &str, b: &str) -> bool {
    let normalize = |sql: &str| {
        sql.trim()
            .trim_end_matches(';')
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    normalize(a) == normalize(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_differing_only_in_whitespace_are_the_same() {
        assert!(same_sql("SELECT 1;", "  SELECT\n  1 "));
        assert!(!same_sql("SELECT 1", "SELECT 2"));
    }
}

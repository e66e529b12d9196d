//! `JobStore` over the job tables: creating jobs, applying updates, reading views, storing
//! result rows and listing unfinished jobs.
//!
//! Invariant: each update runs in its own transaction that locks the job row first, so
//! concurrent updates of one job apply one after the other and a view never shows half of one.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use contracts::api::{FeedbackRecord, JobStatus, JobView};
use contracts::result::ResultSet;
use ports::job_store::{ConversationTurn, JobOwner, JobStore, JobUpdate, NewJob};
use ports::store_error::StoreError;
use tokio_postgres::types::Json;
use tokio_postgres::{IsolationLevel, Row};
use uuid::Uuid;

use crate::job_results::{ResultToStore, load_result_set, store_result_set};
use crate::job_updates::apply_job_update;
use crate::job_view::load_job_view;
use crate::postgres_error::PostgresError;
use crate::postgres_store::PostgresStore;

#[async_trait]
impl JobStore for PostgresStore {
    async fn create_job(&self, job: NewJob) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO jobs (job_id, correlation_id, conversation_id, question, datasource, status,
                                   submitted_at, provided_sql, idempotency_key, owner_key_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    &job.job_id,
                    &job.correlation_id,
                    &job.conversation_id,
                    &job.question,
                    &job.datasource,
                    &JobStatus::Queued.as_str(),
                    &job.submitted_at,
                    &job.provided_sql,
                    &job.idempotency_key,
                    &job.owner_key_id,
                ],
            )
            .await
            .map_err(PostgresError::from)?;
        Ok(())
    }

    async fn completed_task_output(
        &self,
        task_token: &str,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT output FROM job_task_outputs WHERE task_token = $1",
                &[&task_token],
            )
            .await
            .map_err(PostgresError::from)?;
        Ok(row
            .map(|row| row.try_get::<_, Json<serde_json::Value>>(0))
            .transpose()
            .map_err(PostgresError::from)?
            .map(|Json(output)| output))
    }

    async fn record_task_output(
        &self,
        job_id: Uuid,
        task_token: &str,
        stage: &str,
        output: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO job_task_outputs (task_token, job_id, stage, output, completed_at)
                 VALUES ($1, $2, $3, $4, now()) ON CONFLICT (task_token) DO NOTHING",
                &[&task_token, &job_id, &stage, &Json(output)],
            )
            .await
            .map_err(PostgresError::from)?;
        Ok(())
    }

    async fn job_for_idempotency_key(
        &self,
        idempotency_key: &str,
    ) -> Result<Option<Uuid>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT job_id FROM jobs WHERE idempotency_key = $1",
                &[&idempotency_key],
            )
            .await
            .map_err(PostgresError::from)?;
        Ok(row
            .map(|row| row.try_get(0))
            .transpose()
            .map_err(PostgresError::from)?)
    }

    async fn update(&self, job_id: Uuid, update: JobUpdate) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(PostgresError::from)?;
        apply_job_update(&transaction, job_id, &update).await?;
        transaction.commit().await.map_err(PostgresError::from)?;
        Ok(())
    }

    async fn job_status(&self, job_id: Uuid) -> Result<Option<JobStatus>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT status FROM jobs WHERE job_id = $1", &[&job_id])
            .await
            .map_err(PostgresError::from)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let status: String = row.try_get(0).map_err(PostgresError::from)?;
        Ok(Some(crate::job_columns::job_status_from_text(&status)?))
    }

    async fn job_owner(&self, job_id: Uuid) -> Result<Option<JobOwner>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT owner_key_id FROM jobs WHERE job_id = $1",
                &[&job_id],
            )
            .await
            .map_err(PostgresError::from)?;
        owner_from_row(row)
    }

    async fn conversation_owner(
        &self,
        conversation_id: &str,
    ) -> Result<Option<JobOwner>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT owner_key_id FROM jobs WHERE conversation_id = $1
                 ORDER BY submitted_at, created_seq LIMIT 1",
                &[&conversation_id],
            )
            .await
            .map_err(PostgresError::from)?;
        owner_from_row(row)
    }

    async fn get_job(&self, job_id: Uuid) -> Result<Option<JobView>, StoreError> {
        let mut client = self.client().await?;
        // One repeatable-read transaction, so the view is a single consistent snapshot.
        let transaction = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(PostgresError::from)?;
        let expiry_cutoff = self.result_retention().expiry_cutoff(Utc::now());
        let job_view = load_job_view(&transaction, job_id, expiry_cutoff).await?;
        transaction.commit().await.map_err(PostgresError::from)?;
        Ok(job_view)
    }

    async fn store_result(
        &self,
        job_id: Uuid,
        result_ref: &str,
        result: &ResultSet,
    ) -> Result<(), StoreError> {
        let result_json = serde_json::to_string(result).expect("result sets always serialize");
        let result_to_store = ResultToStore {
            job_id,
            result_ref,
            n_bytes: result_json.len() as u64,
            result_json,
        };
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(PostgresError::from)?;
        store_result_set(
            &transaction,
            &result_to_store,
            Utc::now(),
            self.result_retention(),
        )
        .await?;
        transaction.commit().await.map_err(PostgresError::from)?;
        Ok(())
    }

    async fn load_result(&self, result_ref: &str) -> Result<Option<ResultSet>, StoreError> {
        let mut client = self.client().await?;
        let transaction = client
            .build_transaction()
            .read_only(true)
            .start()
            .await
            .map_err(PostgresError::from)?;
        let expiry_cutoff = self.result_retention().expiry_cutoff(Utc::now());
        let result_set = load_result_set(&transaction, result_ref, expiry_cutoff).await?;
        transaction.commit().await.map_err(PostgresError::from)?;
        Ok(result_set)
    }

    async fn unfinished_jobs(&self) -> Result<Vec<NewJob>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT job_id, correlation_id, question, datasource, conversation_id, submitted_at,
                        provided_sql, owner_key_id
                 FROM jobs WHERE status IN ('queued', 'running')
                 ORDER BY submitted_at, created_seq",
                &[],
            )
            .await
            .map_err(PostgresError::from)?;
        let unfinished = rows
            .iter()
            .map(new_job_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(unfinished)
    }

    async fn record_interruption(&self, job_id: Uuid) -> Result<u32, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "UPDATE jobs SET n_interruptions = n_interruptions + 1 WHERE job_id = $1
                 RETURNING n_interruptions",
                &[&job_id],
            )
            .await
            .map_err(PostgresError::from)?;
        let Some(row) = row else {
            return Err(PostgresError::UnknownJob(job_id.to_string()).into());
        };
        let n_interruptions: i32 = row.try_get(0).map_err(PostgresError::from)?;
        Ok(u32::try_from(n_interruptions).unwrap_or(0))
    }

    async fn conversation_turns(
        &self,
        conversation_id: &str,
        before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ConversationTurn>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT COALESCE(standalone_question, question), sql, answer FROM jobs
                 WHERE conversation_id = $1 AND submitted_at < $2 AND status = 'succeeded'
                   AND owner_key_id IS NOT DISTINCT FROM (
                       SELECT first.owner_key_id FROM jobs AS first
                       WHERE first.conversation_id = $1
                       ORDER BY first.submitted_at, first.created_seq LIMIT 1)
                 ORDER BY submitted_at DESC, created_seq DESC LIMIT $3",
                &[&conversation_id, &before, &limit],
            )
            .await
            .map_err(PostgresError::from)?;
        let mut turns = rows
            .iter()
            .map(|row| {
                Ok(ConversationTurn {
                    question: row.try_get(0)?,
                    sql: row.try_get(1)?,
                    answer: row.try_get(2)?,
                })
            })
            .collect::<Result<Vec<_>, PostgresError>>()?;
        turns.reverse();
        Ok(turns)
    }

    async fn record_feedback(&self, feedback: &FeedbackRecord) -> Result<(), StoreError> {
        let client = self.client().await?;
        // The insert selects from `jobs`, so feedback on an unknown job inserts nothing.
        let n_inserted = client
            .execute(
                "INSERT INTO job_feedback (job_id, record, given_at)
                 SELECT job_id, $2, $3 FROM jobs WHERE job_id = $1",
                &[&feedback.job_id, &Json(feedback), &feedback.given_at],
            )
            .await
            .map_err(PostgresError::from)?;
        if n_inserted == 0 {
            return Err(PostgresError::UnknownJob(feedback.job_id.to_string()).into());
        }
        Ok(())
    }
}

/// The owner held by a row of `SELECT owner_key_id`; `None` when there was no row.
fn owner_from_row(row: Option<Row>) -> Result<Option<JobOwner>, StoreError> {
    let Some(row) = row else {
        return Ok(None);
    };
    let key_id: Option<String> = row.try_get(0).map_err(PostgresError::from)?;
    Ok(Some(JobOwner { key_id }))
}

/// The submission fields of one `jobs` row.
fn new_job_from_row(row: &Row) -> Result<NewJob, PostgresError> {
    Ok(NewJob {
        job_id: row.try_get(0)?,
        correlation_id: row.try_get(1)?,
        question: row.try_get(2)?,
        datasource: row.try_get(3)?,
        conversation_id: row.try_get(4)?,
        provided_sql: row.try_get(6)?,
        owner_key_id: row.try_get(7)?,
        idempotency_key: None,
        submitted_at: row.try_get(5)?,
    })
}

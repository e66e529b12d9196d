//! `JobStore` over the job tables: creating jobs, applying updates, reading views, storing
//! result rows and listing unfinished jobs.
//!
//! Invariant: each update runs in its own immediate transaction, so a view never shows half of
//! one update.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use contracts::api::{FeedbackRecord, JobStatus, JobView};
use contracts::result::ResultSet;
use ports::job_store::{ConversationTurn, JobOwner, JobStore, JobUpdate, NewJob};
use ports::store_error::StoreError;
use rusqlite::{OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use crate::job_columns::job_id_from_text;
use crate::job_results::{ResultToStore, load_result_set, store_result_set};
use crate::job_updates::apply_job_update;
use crate::job_view::load_job_view;
use crate::sqlite_error::SqliteError;
use crate::sqlite_store::SqliteStore;
use crate::timestamp_text::{timestamp_from_text, timestamp_to_text};

#[async_trait]
impl JobStore for SqliteStore {
    async fn create_job(&self, job: NewJob) -> Result<(), StoreError> {
        self.run(move |connection| {
            connection.execute(
                "INSERT INTO jobs (job_id, correlation_id, conversation_id, question, datasource, status,
                                   submitted_at, provided_sql, idempotency_key, owner_key_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                (
                    job.job_id.to_string(),
                    &job.correlation_id,
                    &job.conversation_id,
                    &job.question,
                    &job.datasource,
                    JobStatus::Queued.as_str(),
                    timestamp_to_text(job.submitted_at),
                    &job.provided_sql,
                    &job.idempotency_key,
                    &job.owner_key_id,
                ),
            )?;
            Ok(())
        })
        .await
    }

    async fn completed_task_output(
        &self,
        task_token: &str,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        let task_token = task_token.to_owned();
        self.run(move |connection| {
            let output_json: Option<String> = connection
                .query_row(
                    "SELECT output_json FROM job_task_outputs WHERE task_token = ?1",
                    [&task_token],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(output_json
                .as_deref()
                .map(serde_json::from_str)
                .transpose()?)
        })
        .await
    }

    async fn record_task_output(
        &self,
        job_id: Uuid,
        task_token: &str,
        stage: &str,
        output: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let task_token = task_token.to_owned();
        let stage = stage.to_owned();
        let output_json = output.to_string();
        self.run(move |connection| {
            connection.execute(
                "INSERT INTO job_task_outputs (task_token, job_id, stage, output_json, completed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (task_token) DO NOTHING",
                (
                    &task_token,
                    job_id.to_string(),
                    &stage,
                    &output_json,
                    timestamp_to_text(Utc::now()),
                ),
            )?;
            Ok(())
        })
        .await
    }

    async fn job_for_idempotency_key(
        &self,
        idempotency_key: &str,
    ) -> Result<Option<Uuid>, StoreError> {
        let idempotency_key = idempotency_key.to_owned();
        self.run(move |connection| {
            let job_id: Option<String> = connection
                .query_row(
                    "SELECT job_id FROM jobs WHERE idempotency_key = ?1",
                    [&idempotency_key],
                    |row| row.get(0),
                )
                .optional()?;
            job_id.as_deref().map(job_id_from_text).transpose()
        })
        .await
    }

    async fn update(&self, job_id: Uuid, update: JobUpdate) -> Result<(), StoreError> {
        self.run(move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            apply_job_update(&transaction, job_id, &update)?;
            transaction.commit()?;
            Ok(())
        })
        .await
    }

    async fn job_status(&self, job_id: Uuid) -> Result<Option<JobStatus>, StoreError> {
        let job_id = job_id.to_string();
        self.run(move |connection| {
            let status: Option<String> = connection
                .query_row(
                    "SELECT status FROM jobs WHERE job_id = ?1",
                    [&job_id],
                    |row| row.get(0),
                )
                .optional()?;
            status
                .as_deref()
                .map(crate::job_columns::job_status_from_text)
                .transpose()
        })
        .await
    }

    async fn job_owner(&self, job_id: Uuid) -> Result<Option<JobOwner>, StoreError> {
        let job_id = job_id.to_string();
        self.run(move |connection| {
            let owner_key_id: Option<Option<String>> = connection
                .query_row(
                    "SELECT owner_key_id FROM jobs WHERE job_id = ?1",
                    [&job_id],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(owner_key_id.map(|key_id| JobOwner { key_id }))
        })
        .await
    }

    async fn conversation_owner(
        &self,
        conversation_id: &str,
    ) -> Result<Option<JobOwner>, StoreError> {
        let conversation_id = conversation_id.to_owned();
        self.run(move |connection| {
            let owner_key_id: Option<Option<String>> = connection
                .query_row(
                    "SELECT owner_key_id FROM jobs WHERE conversation_id = ?1
                     ORDER BY submitted_at, rowid LIMIT 1",
                    [&conversation_id],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(owner_key_id.map(|key_id| JobOwner { key_id }))
        })
        .await
    }

    async fn get_job(&self, job_id: Uuid) -> Result<Option<JobView>, StoreError> {
        let expiry_cutoff = self.result_retention().expiry_cutoff(Utc::now());
        self.run(move |connection| {
            // One read transaction, so the view is a single consistent snapshot.
            let transaction = connection.transaction()?;
            let job_view = load_job_view(&transaction, job_id, expiry_cutoff)?;
            transaction.commit()?;
            Ok(job_view)
        })
        .await
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
            result_ref: result_ref.to_owned(),
            n_bytes: result_json.len() as u64,
            result_json,
        };
        let retention = self.result_retention();
        self.run(move |connection| {
            store_result_set(connection, &result_to_store, Utc::now(), retention)
        })
        .await
    }

    async fn load_result(&self, result_ref: &str) -> Result<Option<ResultSet>, StoreError> {
        let result_ref = result_ref.to_owned();
        let expiry_cutoff = self.result_retention().expiry_cutoff(Utc::now());
        self.run(move |connection| load_result_set(connection, &result_ref, expiry_cutoff))
            .await
    }

    async fn unfinished_jobs(&self) -> Result<Vec<NewJob>, StoreError> {
        self.run(|connection| {
            let mut statement = connection.prepare(
                "SELECT job_id, correlation_id, question, datasource, conversation_id, submitted_at,
                        provided_sql, owner_key_id
                 FROM jobs WHERE status IN ('queued', 'running')
                 ORDER BY submitted_at, rowid",
            )?;
            let rows = statement.query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get::<_, String>(5)?,
                    row.get(6)?,
                    row.get(7)?,
                ))
            })?;
            let mut unfinished = Vec::new();
            for row in rows {
                let (
                    job_id,
                    correlation_id,
                    question,
                    datasource,
                    conversation_id,
                    submitted_at,
                    provided_sql,
                    owner_key_id,
                ) = row?;
                unfinished.push(NewJob {
                    job_id: job_id_from_text(&job_id)?,
                    correlation_id,
                    question,
                    datasource,
                    conversation_id,
                    provided_sql,
                    owner_key_id,
                    idempotency_key: None,
                    submitted_at: timestamp_from_text(&submitted_at)?,
                });
            }
            Ok(unfinished)
        })
        .await
    }

    async fn record_interruption(&self, job_id: Uuid) -> Result<u32, StoreError> {
        let job_id = job_id.to_string();
        self.run(move |connection| {
            let n_interruptions: Option<u32> = connection
                .query_row(
                    "UPDATE jobs SET n_interruptions = n_interruptions + 1 WHERE job_id = ?1
                     RETURNING n_interruptions",
                    [&job_id],
                    |row| row.get(0),
                )
                .optional()?;
            n_interruptions.ok_or(SqliteError::UnknownJob(job_id))
        })
        .await
    }

    async fn conversation_turns(
        &self,
        conversation_id: &str,
        before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ConversationTurn>, StoreError> {
        let conversation_id = conversation_id.to_owned();
        let before = timestamp_to_text(before);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |connection| {
            let mut statement = connection.prepare(
                "SELECT COALESCE(standalone_question, question), sql, answer FROM jobs
                 WHERE conversation_id = ?1 AND submitted_at < ?2 AND status = 'succeeded'
                   AND owner_key_id IS (SELECT first.owner_key_id FROM jobs AS first
                                        WHERE first.conversation_id = ?1
                                        ORDER BY first.submitted_at, first.rowid LIMIT 1)
                 ORDER BY submitted_at DESC, rowid DESC LIMIT ?3",
            )?;
            let rows = statement.query_map((&conversation_id, &before, limit), |row| {
                Ok(ConversationTurn {
                    question: row.get(0)?,
                    sql: row.get(1)?,
                    answer: row.get(2)?,
                })
            })?;
            let mut turns = rows.collect::<Result<Vec<_>, _>>()?;
            turns.reverse();
            Ok(turns)
        })
        .await
    }

    async fn record_feedback(&self, feedback: &FeedbackRecord) -> Result<(), StoreError> {
        let job_id = feedback.job_id.to_string();
        let record_json = serde_json::to_string(feedback).map_err(SqliteError::from)?;
        let given_at = timestamp_to_text(feedback.given_at);
        self.run(move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let exists = transaction
                .query_row(
                    "SELECT 1 FROM jobs WHERE job_id = ?1",
                    [&job_id],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if !exists {
                return Err(SqliteError::UnknownJob(job_id));
            }
            transaction.execute(
                "INSERT INTO job_feedback (job_id, record_json, given_at) VALUES (?1, ?2, ?3)",
                (&job_id, &record_json, &given_at),
            )?;
            transaction.commit()?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[tokio::test]
    async fn an_update_to_an_unknown_job_is_a_conflict() {
        let store = SqliteStore::open_in_memory().unwrap();

        let outcome = store
            .update(
                Uuid::new_v4(),
                JobUpdate::Answered {
                    answer: "42".into(),
                    chart: None,
                },
            )
            .await;

        assert!(matches!(outcome, Err(StoreError::Conflict(_))));
    }

    #[tokio::test]
    async fn creating_the_same_job_twice_is_a_conflict() {
        let store = SqliteStore::open_in_memory().unwrap();
        let new_job = NewJob {
            job_id: Uuid::new_v4(),
            correlation_id: "req-1".into(),
            question: "How many restaurants are there?".into(),
            datasource: "restaurants".into(),
            conversation_id: None,
            provided_sql: None,
            owner_key_id: None,
            idempotency_key: None,
            submitted_at: Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).single().unwrap(),
        };
        store.create_job(new_job.clone()).await.unwrap();

        let outcome = store.create_job(new_job).await;

        assert!(matches!(outcome, Err(StoreError::Conflict(_))));
    }
}

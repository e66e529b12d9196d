//! Small in-memory implementations of the ports the router uses.
//!
//! Invariant: fakes keep state in memory only and never fail unless a test asks them to.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::Utc;
use contracts::api::{FeedbackRecord, JobStatus, JobView};
use contracts::envelope::JobEnvelope;
use contracts::result::ResultSet;
use contracts::stages::ClassifyRequest;
use ports::approval::{ApprovalError, Approvals, FeedbackInput};
use ports::job_launcher::JobLauncher;
use ports::job_store::{ConversationTurn, JobOwner, JobStore, JobUpdate, NewJob};
use ports::key_store::{ApiKeyRecord, KeyScope, KeyStore, hash_api_key};
use ports::schema::{SchemaSnapshot, SchemaStore, TableSchema};
use ports::schema_metadata::DatasourceMetadata;
use ports::sql_engine::{Dialect, EngineError, QueryLimits, SqlEngine};
use ports::step_error::StepError;
use ports::store_error::StoreError;
use uuid::Uuid;

#[derive(Default)]
pub(crate) struct FakeJobStore {
    pub(crate) jobs: Mutex<HashMap<Uuid, (NewJob, JobStatus)>>,
}

impl FakeJobStore {
    /// Stores a queued job owned by `owner_key_id` and returns its id.
    pub(crate) fn insert_job_owned_by(&self, owner_key_id: &str) -> Uuid {
        let job = NewJob {
            job_id: Uuid::new_v4(),
            correlation_id: "req-test".into(),
            question: "How many restaurants are there?".into(),
            datasource: "restaurants".into(),
            conversation_id: None,
            provided_sql: None,
            owner_key_id: Some(owner_key_id.to_owned()),
            idempotency_key: None,
            submitted_at: Utc::now(),
        };
        let job_id = job.job_id;
        self.jobs
            .lock()
            .unwrap()
            .insert(job_id, (job, JobStatus::Queued));
        job_id
    }
}

#[async_trait]
impl JobStore for FakeJobStore {
    async fn create_job(&self, job: NewJob) -> Result<(), StoreError> {
        if let Some(key) = &job.idempotency_key
            && self
                .jobs
                .lock()
                .unwrap()
                .values()
                .any(|(stored, _)| stored.idempotency_key.as_ref() == Some(key))
        {
            return Err(StoreError::Conflict("idempotency key".into()));
        }
        self.jobs
            .lock()
            .unwrap()
            .insert(job.job_id, (job, JobStatus::Queued));
        Ok(())
    }

    async fn completed_task_output(
        &self,
        _task_token: &str,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        Ok(None)
    }

    async fn record_task_output(
        &self,
        _job_id: Uuid,
        _task_token: &str,
        _stage: &str,
        _output: &serde_json::Value,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    async fn job_for_idempotency_key(
        &self,
        idempotency_key: &str,
    ) -> Result<Option<Uuid>, StoreError> {
        let jobs = self.jobs.lock().unwrap();
        Ok(jobs
            .values()
            .find(|(job, _)| job.idempotency_key.as_deref() == Some(idempotency_key))
            .map(|(job, _)| job.job_id))
    }

    async fn update(&self, job_id: Uuid, update: JobUpdate) -> Result<(), StoreError> {
        if let JobUpdate::Failed(_) = update
            && let Some((_, status)) = self.jobs.lock().unwrap().get_mut(&job_id)
        {
            *status = JobStatus::Failed;
        }
        Ok(())
    }

    async fn job_status(&self, job_id: Uuid) -> Result<Option<JobStatus>, StoreError> {
        Ok(self
            .jobs
            .lock()
            .unwrap()
            .get(&job_id)
            .map(|(_, status)| *status))
    }

    async fn job_owner(&self, job_id: Uuid) -> Result<Option<JobOwner>, StoreError> {
        Ok(self
            .jobs
            .lock()
            .unwrap()
            .get(&job_id)
            .map(|(job, _)| JobOwner {
                key_id: job.owner_key_id.clone(),
            }))
    }

    async fn conversation_owner(
        &self,
        conversation_id: &str,
    ) -> Result<Option<JobOwner>, StoreError> {
        let jobs = self.jobs.lock().unwrap();
        Ok(jobs
            .values()
            .filter(|(job, _)| job.conversation_id.as_deref() == Some(conversation_id))
            .min_by_key(|(job, _)| job.submitted_at)
            .map(|(job, _)| JobOwner {
                key_id: job.owner_key_id.clone(),
            }))
    }

    async fn get_job(&self, job_id: Uuid) -> Result<Option<JobView>, StoreError> {
        let jobs = self.jobs.lock().unwrap();
        Ok(jobs.get(&job_id).map(|(job, status)| JobView {
            job_id: job.job_id,
            status: *status,
            stage: None,
            question: job.question.clone(),
            datasource: job.datasource.clone(),
            intent: None,
            standalone_question: None,
            timings: Vec::new(),
            sql: None,
            attempts: Vec::new(),
            cache_hit: false,
            cache_similarity: None,
            cache_entry_id: None,
            model_calls: Vec::new(),
            feedback: Vec::new(),
            result: None,
            result_expired: false,
            answer: None,
            chart: None,
            error: None,
            submitted_at: job.submitted_at,
            finished_at: None,
        }))
    }

    async fn store_result(
        &self,
        _job_id: Uuid,
        _result_ref: &str,
        _result: &ResultSet,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    async fn load_result(&self, _result_ref: &str) -> Result<Option<ResultSet>, StoreError> {
        Ok(None)
    }

    async fn unfinished_jobs(&self) -> Result<Vec<NewJob>, StoreError> {
        Ok(Vec::new())
    }

    async fn record_interruption(&self, _job_id: Uuid) -> Result<u32, StoreError> {
        Ok(1)
    }

    async fn record_feedback(&self, _feedback: &FeedbackRecord) -> Result<(), StoreError> {
        Ok(())
    }

    async fn conversation_turns(
        &self,
        _conversation_id: &str,
        _before: chrono::DateTime<Utc>,
        _limit: usize,
    ) -> Result<Vec<ConversationTurn>, StoreError> {
        Ok(Vec::new())
    }
}

/// Records every feedback input and answers with the scripted outcome.
#[derive(Default)]
pub(crate) struct FakeApprovals {
    pub(crate) inputs: Mutex<Vec<FeedbackInput>>,
    pub(crate) refusal: Mutex<Option<ApprovalError>>,
}

#[async_trait]
impl Approvals for FakeApprovals {
    async fn record_feedback(&self, input: FeedbackInput) -> Result<FeedbackRecord, ApprovalError> {
        self.inputs.lock().unwrap().push(input.clone());
        if let Some(refusal) = self.refusal.lock().unwrap().take() {
            return Err(refusal);
        }
        Ok(FeedbackRecord {
            job_id: input.job_id,
            verdict: input.verdict,
            sql: input.corrected_sql.clone(),
            corrected: input.corrected_sql.is_some(),
            comment: input.comment,
            given_by: input.given_by,
            given_at: Utc::now(),
            cache_entry_id: Some("c-1".to_owned()),
            few_shot_entry_id: Some("f-1".to_owned()),
            replaced_entry_ids: Vec::new(),
        })
    }
}

#[derive(Default)]
pub(crate) struct FakeKeyStore {
    pub(crate) keys: Mutex<Vec<ApiKeyRecord>>,
}

impl FakeKeyStore {
    pub(crate) fn add_key(&self, plaintext: &str, scopes: &[KeyScope]) {
        self.keys.lock().unwrap().push(ApiKeyRecord {
            key_id: fake_key_id(plaintext),
            key_hash: hash_api_key(plaintext),
            name: format!("key-{plaintext}"),
            scopes: scopes.to_vec(),
            created_at: Utc::now(),
            revoked_at: None,
        });
    }
}

/// The key id [`FakeKeyStore::add_key`] gives the key `plaintext`.
pub(crate) fn fake_key_id(plaintext: &str) -> String {
    format!("key-{}", plaintext.len())
}

#[async_trait]
impl KeyStore for FakeKeyStore {
    async fn insert_key(&self, record: ApiKeyRecord) -> Result<(), StoreError> {
        self.keys.lock().unwrap().push(record);
        Ok(())
    }

    async fn find_active_key(&self, key_hash: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let keys = self.keys.lock().unwrap();
        Ok(keys
            .iter()
            .find(|key| key.key_hash == key_hash && key.revoked_at.is_none())
            .cloned())
    }

    async fn count_keys(&self) -> Result<u64, StoreError> {
        Ok(self.keys.lock().unwrap().len() as u64)
    }

    async fn list_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        Ok(self.keys.lock().unwrap().clone())
    }

    async fn revoke_key(
        &self,
        key_id: &str,
        at: chrono::DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut keys = self.keys.lock().unwrap();
        match keys
            .iter_mut()
            .find(|key| key.key_id == key_id && key.revoked_at.is_none())
        {
            Some(key) => {
                key.revoked_at = Some(at);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

#[derive(Default)]
pub(crate) struct FakeLauncher {
    pub(crate) launched: Mutex<Vec<JobEnvelope<ClassifyRequest>>>,
    pub(crate) fail_with: Mutex<Option<StepError>>,
}

#[async_trait]
impl JobLauncher for FakeLauncher {
    async fn launch(&self, envelope: JobEnvelope<ClassifyRequest>) -> Result<(), StepError> {
        if let Some(step_error) = self.fail_with.lock().unwrap().clone() {
            return Err(step_error);
        }
        self.launched.lock().unwrap().push(envelope);
        Ok(())
    }
}

#[derive(Default)]
pub(crate) struct FakeSchemaStore {
    pub(crate) snapshots: Mutex<HashMap<String, SchemaSnapshot>>,
    pub(crate) metadata: Mutex<HashMap<String, DatasourceMetadata>>,
}

impl FakeSchemaStore {
    pub(crate) fn with_tables(datasource: &str, table_names: &[&str]) -> Self {
        let tables = table_names
            .iter()
            .map(|name| TableSchema {
                name: (*name).to_owned(),
                description: None,
                columns: Vec::new(),
                n_rows: None,
            })
            .collect();
        let fake_schema_store = FakeSchemaStore::default();
        fake_schema_store.snapshots.lock().unwrap().insert(
            datasource.to_owned(),
            SchemaSnapshot::new(datasource, tables),
        );
        fake_schema_store
    }
}

#[async_trait]
impl SchemaStore for FakeSchemaStore {
    async fn save_snapshot(&self, snapshot: &SchemaSnapshot) -> Result<bool, StoreError> {
        self.snapshots
            .lock()
            .unwrap()
            .insert(snapshot.datasource.clone(), snapshot.clone());
        Ok(true)
    }

    async fn latest_snapshot(
        &self,
        datasource: &str,
    ) -> Result<Option<SchemaSnapshot>, StoreError> {
        Ok(self.snapshots.lock().unwrap().get(datasource).cloned())
    }

    async fn save_metadata(
        &self,
        datasource: &str,
        metadata: &DatasourceMetadata,
    ) -> Result<(), StoreError> {
        self.metadata
            .lock()
            .unwrap()
            .insert(datasource.to_owned(), metadata.clone());
        Ok(())
    }

    async fn load_metadata(
        &self,
        datasource: &str,
    ) -> Result<Option<DatasourceMetadata>, StoreError> {
        Ok(self.metadata.lock().unwrap().get(datasource).cloned())
    }
}

pub(crate) struct FakeSqlEngine;

#[async_trait]
impl SqlEngine for FakeSqlEngine {
    fn dialect(&self) -> Dialect {
        Dialect::Embedded
    }

    async fn execute(&self, _sql: &str, _limits: &QueryLimits) -> Result<ResultSet, EngineError> {
        Err(EngineError::Unavailable(
            "the fake engine runs nothing".to_owned(),
        ))
    }

    async fn extract_tables(&self) -> Result<Vec<TableSchema>, EngineError> {
        Ok(Vec::new())
    }
}

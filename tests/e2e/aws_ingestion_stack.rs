//! [`IngestionStack`]: the emulated AWS ingestion path of one test. A ZIP put to S3 under
//! `uploads/<datasource>/`, S3's `Object Created` event through EventBridge (moto delivers it
//! to an SQS target, not to a Step Functions target, so the test starts the execution with the
//! delivered event, which is the input the rule would give it), the real
//! `statemachines/ingestion.asl.json` executed by moto, and a separate `analyst-worker` process
//! consuming the `ingest` and `record_ingestion_failure` queues.
//!
//! Invariant: each stack has a moto server of its own (moto 5.2.1 runs one execution per
//! server process, see `infra/README.md`).

use std::time::Duration;

use contracts::uploads::UploadView;
use serde_json::{Value, json};
use tokio::time::Instant;
use uuid::Uuid;

use crate::analyst_server::TempDataDir;
use crate::aws_moto::{AwsProcess, Moto, platform_args, queue_prefix, spawn_aws_process_with_env};
use crate::aws_s3::{
    create_bucket_with_eventbridge, forward_upload_events_to_queue, get_object, put_object,
    receive_one,
};
use crate::iam_audit::{AuditedProcess, audit};
use crate::postgres_datasource::ScratchDatabase;

/// Athena workgroup of the test processes; with it, a successful ingestion stores the
/// datasource's schema snapshot and the question processes find the datasource in Glue.
pub(crate) const ATHENA_WORKGROUP: &str = "analyst-test";

/// The definition Step Functions runs.
const INGESTION_STATE_MACHINE: &str = include_str!("../../statemachines/ingestion.asl.json");

/// How long one execution may take.
const EXECUTION_TIMEOUT: Duration = Duration::from_secs(180);

/// Moto, the state store, the uploads bucket with its event rule, the ingestion queues and
/// state machine, and the ingestion worker process.
pub(crate) struct IngestionStack {
    pub(crate) moto: Moto,
    pub(crate) database: ScratchDatabase,
    pub(crate) data_dir: TempDataDir,
    pub(crate) bucket: String,
    pub(crate) events_queue_url: String,
    pub(crate) ingest_queue_url: String,
    pub(crate) state_machine_arn: String,
    _worker: AwsProcess,
}

impl IngestionStack {
    pub(crate) async fn start() -> Self {
        let moto = Moto::start().await;
        moto.execute_state_machines().await;
        let database = ScratchDatabase::create_empty().await;
        let data_dir = TempDataDir::new();
        let prefix = queue_prefix();
        let bucket = format!("{prefix}-uploads");
        create_bucket_with_eventbridge(&moto, &bucket).await;
        let events_queue_name = format!("{prefix}-upload-events");
        let events_queue_url = moto.create_queue(&prefix, "upload-events").await;
        forward_upload_events_to_queue(
            &moto,
            &format!("{prefix}-upload-created"),
            &bucket,
            &events_queue_name,
        )
        .await;
        let ingest_queue_url = moto.create_queue(&prefix, "ingest").await;
        let record_queue_url = moto.create_queue(&prefix, "record-ingestion-failure").await;
        let definition = INGESTION_STATE_MACHINE
            .replace("${IngestQueueUrl}", &ingest_queue_url)
            .replace("${RecordIngestionFailureQueueUrl}", &record_queue_url);
        let created = moto
            .call(
                "states",
                "AWSStepFunctions.CreateStateMachine",
                json!({
                    "name": format!("{prefix}-ingestion"),
                    "definition": definition,
                    "roleArn": "arn:aws:iam::123456789012:role/analyst-ingestion-state-machine",
                }),
            )
            .await;
        let state_machine_arn = created["stateMachineArn"].as_str().unwrap().to_owned();
        let mut args = platform_args(&moto, &data_dir.path, &database.url);
        args.extend([
            "--stage".to_owned(),
            format!("ingest={ingest_queue_url}"),
            "--stage".to_owned(),
            format!("record_ingestion_failure={record_queue_url}"),
            "--staging-dir".to_owned(),
            data_dir.path.join("staging").display().to_string(),
            "--wait-seconds".to_owned(),
            "1".to_owned(),
            "--heartbeat-seconds".to_owned(),
            "5".to_owned(),
            "--athena-workgroup".to_owned(),
            ATHENA_WORKGROUP.to_owned(),
        ]);
        let call_log = data_dir.path.join("ingestion-worker-calls.jsonl");
        let worker = spawn_aws_process_with_env(
            "analyst-worker",
            &args,
            &[(
                aws_call_log::CALL_LOG_ENV.to_owned(),
                call_log.display().to_string(),
            )],
            "worker ready",
        )
        .await;
        IngestionStack {
            moto,
            database,
            data_dir,
            bucket,
            events_queue_url,
            ingest_queue_url,
            state_machine_arn,
            _worker: worker,
        }
    }

    /// Checks every AWS call the ingestion worker made so far against the role of the ingest
    /// function (the worker also runs the failure recorder, whose role allows a subset of it);
    /// panics on a call the role does not allow.
    pub(crate) fn assert_calls_allowed_by_the_ingest_role(&self) {
        let report = audit(&[AuditedProcess {
            function: "IngestFunction",
            log: self.data_dir.path.join("ingestion-worker-calls.jsonl"),
        }]);
        assert!(
            report.calls > 0,
            "the ingestion worker recorded no AWS call"
        );
        eprintln!(
            "IAM audit of the ingestion worker: {}",
            report.actions.join("; ")
        );
        assert!(
            report.denied.is_empty(),
            "calls the ingest role does not allow:\n  {}\n(all: {})",
            report.denied.join("\n  "),
            report.actions.join("; ")
        );
    }

    /// Puts `zip_path`'s bytes as `key` and returns the `Object Created` event EventBridge
    /// delivered for it.
    pub(crate) async fn upload(&self, key: &str, zip_path: &std::path::Path) -> Value {
        put_object(
            &self.moto,
            &self.bucket,
            key,
            std::fs::read(zip_path).unwrap(),
        )
        .await;
        let event = receive_one(&self.moto, &self.events_queue_url).await;
        assert_eq!(event["detail-type"], "Object Created", "{event}");
        assert_eq!(event["detail"]["object"]["key"], key, "{event}");
        event
    }

    /// Starts an execution with `event` as its input (what the rule's Step Functions target
    /// does) and waits for it to end.
    pub(crate) async fn run_execution(&self, event: &Value) -> Value {
        let started = self
            .moto
            .call(
                "states",
                "AWSStepFunctions.StartExecution",
                json!({
                    "stateMachineArn": self.state_machine_arn,
                    "name": Uuid::new_v4().to_string(),
                    "input": event.to_string(),
                }),
            )
            .await;
        let execution_arn = started["executionArn"].as_str().unwrap().to_owned();
        let deadline = Instant::now() + EXECUTION_TIMEOUT;
        loop {
            let execution = self
                .moto
                .call(
                    "states",
                    "AWSStepFunctions.DescribeExecution",
                    json!({ "executionArn": execution_arn }),
                )
                .await;
            if execution["status"] != "RUNNING" {
                return execution;
            }
            assert!(
                Instant::now() < deadline,
                "execution still running: {execution}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// The upload as the state store holds it.
    pub(crate) async fn upload_view(&self, upload_id: Uuid) -> UploadView {
        let text = self
            .query_text(
                "SELECT view_json::text FROM uploads WHERE upload_id = $1",
                &[&upload_id],
            )
            .await
            .expect("the upload is recorded");
        serde_json::from_str(&text).unwrap()
    }

    /// Table names of `datasource`'s latest stored schema snapshot, `None` without one.
    pub(crate) async fn snapshot_tables(&self, datasource: &str) -> Option<Vec<String>> {
        let text = self
            .query_text(
                "SELECT snapshot::text FROM schema_snapshots WHERE datasource = $1 \
                 ORDER BY saved_at DESC LIMIT 1",
                &[&datasource],
            )
            .await?;
        let snapshot: Value = serde_json::from_str(&text).unwrap();
        Some(
            snapshot["tables"]
                .as_array()
                .unwrap()
                .iter()
                .map(|table| table["name"].as_str().unwrap().to_owned())
                .collect(),
        )
    }

    /// The first column of the first row `sql` returns from the state store, as text.
    async fn query_text(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Option<String> {
        let (client, connection) =
            tokio_postgres::connect(&self.database.url, tokio_postgres::NoTls)
                .await
                .unwrap();
        let connection_task = tokio::spawn(connection);
        let row = client.query_opt(sql, params).await.unwrap();
        drop(client);
        let _ = connection_task.await;
        row.map(|row| row.get::<_, String>(0))
    }

    /// An in-memory DuckDB with one view per table over its Parquet object of `upload_id`,
    /// downloaded from S3.
    pub(crate) async fn parquet_views(
        &self,
        datasource: &str,
        upload_id: Uuid,
        tables: &[&str],
    ) -> duckdb::Connection {
        let parquet_dir = self.data_dir.path.join(format!("downloaded-{upload_id}"));
        std::fs::create_dir_all(&parquet_dir).unwrap();
        let connection = duckdb::Connection::open_in_memory().unwrap();
        for table in tables {
            let key = format!("data/{datasource}/{table}/{upload_id}/part-0.parquet");
            let path = parquet_dir.join(format!("{table}.parquet"));
            std::fs::write(&path, get_object(&self.moto, &self.bucket, &key).await).unwrap();
            connection
                .execute_batch(&format!(
                    "CREATE VIEW {table} AS SELECT * FROM read_parquet('{}')",
                    path.display()
                ))
                .unwrap();
        }
        connection
    }

    /// `GetTables` of `database`; `None` when the database does not exist.
    pub(crate) async fn glue_tables(&self, database: &str) -> Option<Vec<Value>> {
        let (status, reply) = self
            .moto
            .try_call(
                "glue",
                "AWSGlue.GetTables",
                json!({ "DatabaseName": database }),
            )
            .await;
        if !status.is_success() {
            assert_eq!(reply["__type"], "EntityNotFoundException", "{reply}");
            return None;
        }
        let mut tables = reply["TableList"].as_array().cloned().unwrap_or_default();
        tables.sort_by_key(|table| table["Name"].as_str().unwrap_or_default().to_owned());
        Some(tables)
    }
}

/// The upload id the worker derives: UUID v5 (URL namespace) of the object's URL with its
/// version (the ETag in an unversioned bucket).
pub(crate) fn expected_upload_id(bucket: &str, event: &Value) -> Uuid {
    let object = &event["detail"]["object"];
    let etag = object["eTag"]
        .as_str()
        .or(object["etag"].as_str())
        .unwrap()
        .trim_matches('"');
    let key = object["key"].as_str().unwrap();
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("s3://{bucket}/{key}?version={etag}").as_bytes(),
    )
}

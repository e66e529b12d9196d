//! ZIP ingestion on the emulated AWS path: a ZIP put to S3 under `uploads/<datasource>/`, S3's
//! `Object Created` event through EventBridge (moto delivers it to an SQS target, not to a
//! Step Functions target, so the test starts the execution with the delivered event, which is
//! the input the rule would give it), the real `statemachines/ingestion.asl.json` executed by
//! moto, and a separate `analyst-worker` process consuming the `ingest` and
//! `record_ingestion_failure` queues: Parquet objects under `data/`, Glue tables with types and
//! comments, and the upload's outcome in the PostgreSQL state store.
//!
//! Invariant: each test that runs an execution has a moto server of its own (moto 5.2.1 runs
//! one execution per server process, see `infra/README.md`).

use std::time::Duration;

use contracts::uploads::{UploadFileStatus, UploadStatus, UploadView};
use serde_json::{Value, json};
use tokio::time::Instant;
use uuid::Uuid;

use crate::analyst_server::TempDataDir;
use crate::aws_moto::{AwsProcess, Moto, platform_args, queue_prefix, spawn_aws_process};
use crate::aws_s3::{
    create_bucket_with_eventbridge, forward_upload_events_to_queue, get_object, list_keys,
    put_object, receive_one,
};
use crate::postgres_datasource::ScratchDatabase;
use crate::seed_archive::{CUSTOMERS_CSV, seed_zip, write_zip};

/// The definition Step Functions runs.
const INGESTION_STATE_MACHINE: &str = include_str!("../../statemachines/ingestion.asl.json");

/// How long one execution may take.
const EXECUTION_TIMEOUT: Duration = Duration::from_secs(180);

/// Moto, the state store, the uploads bucket with its event rule, the ingestion queues and
/// state machine, and the ingestion worker process.
struct IngestionStack {
    moto: Moto,
    database: ScratchDatabase,
    data_dir: TempDataDir,
    bucket: String,
    events_queue_url: String,
    ingest_queue_url: String,
    state_machine_arn: String,
    _worker: AwsProcess,
}

impl IngestionStack {
    async fn start() -> Self {
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
        ]);
        let worker = spawn_aws_process("analyst-worker", &args, "worker ready").await;
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

    /// Puts `zip_path`'s bytes as `key` and returns the `Object Created` event EventBridge
    /// delivered for it.
    async fn upload(&self, key: &str, zip_path: &std::path::Path) -> Value {
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
    async fn run_execution(&self, event: &Value) -> Value {
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
    async fn upload_view(&self, upload_id: Uuid) -> UploadView {
        let (client, connection) =
            tokio_postgres::connect(&self.database.url, tokio_postgres::NoTls)
                .await
                .unwrap();
        let connection_task = tokio::spawn(connection);
        let row = client
            .query_one(
                "SELECT view_json::text FROM uploads WHERE upload_id = $1",
                &[&upload_id],
            )
            .await
            .unwrap();
        drop(client);
        let _ = connection_task.await;
        serde_json::from_str(row.get::<_, &str>(0)).unwrap()
    }

    /// `GetTables` of `database`; `None` when the database does not exist.
    async fn glue_tables(&self, database: &str) -> Option<Vec<Value>> {
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
fn expected_upload_id(bucket: &str, event: &Value) -> Uuid {
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

#[tokio::test]
async fn a_zip_put_under_uploads_becomes_glue_tables_over_parquet_that_answer_a_join() {
    let stack = IngestionStack::start().await;
    let zip_path = seed_zip(&stack.data_dir.path);

    let event = stack
        .upload("uploads/shop/your_database.zip", &zip_path)
        .await;
    let execution = stack.run_execution(&event).await;

    assert_eq!(execution["status"], "SUCCEEDED", "{execution}");
    let output: Value = serde_json::from_str(execution["output"].as_str().unwrap()).unwrap();
    let upload_id = expected_upload_id(&stack.bucket, &event);
    assert_eq!(
        output["ingestion"]["upload_id"],
        upload_id.to_string(),
        "{output}"
    );
    assert_eq!(output["ingestion"]["glue_database"], "analyst_shop");
    assert_eq!(output["ingestion"]["n_rows"], 13);

    let upload = stack.upload_view(upload_id).await;
    assert_eq!(upload.status, UploadStatus::Succeeded, "{upload:?}");
    assert_eq!(upload.datasource, "shop");
    let row_counts: Vec<(&str, u64)> = upload
        .tables
        .iter()
        .map(|table| (table.name.as_str(), table.n_rows))
        .collect();
    assert_eq!(
        row_counts,
        [
            ("customers", 3),
            ("orders", 5),
            ("products", 2),
            ("sales", 3)
        ]
    );
    assert_eq!(upload.files.len(), 5);
    assert!(
        upload
            .files
            .iter()
            .all(|file| file.status == UploadFileStatus::Passed)
    );

    let tables = stack.glue_tables("analyst_shop").await.unwrap();
    let names: Vec<&str> = tables.iter().map(|t| t["Name"].as_str().unwrap()).collect();
    assert_eq!(names, ["customers", "orders", "products", "sales"]);
    let orders = &tables[1];
    let columns: Vec<(&str, &str, &str)> = orders["StorageDescriptor"]["Columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|column| {
            (
                column["Name"].as_str().unwrap(),
                column["Type"].as_str().unwrap(),
                column["Comment"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        columns,
        [
            ("order_id", "bigint", "Order ID"),
            ("customer_id", "bigint", "Customer ID"),
            ("order_date", "date", "Order Date"),
            ("total_amount", "double", "Total Amount"),
        ]
    );
    assert_eq!(
        orders["StorageDescriptor"]["Location"],
        format!("s3://{}/data/shop/orders/{upload_id}/", stack.bucket)
    );
    assert_eq!(
        orders["Description"],
        "Ingested from orders/ (your_database/orders/orders.csv) of uploads/shop/your_database.zip"
    );

    let keys = list_keys(&stack.moto, &stack.bucket, "data/").await;
    let expected_keys: Vec<String> = ["customers", "orders", "products", "sales"]
        .iter()
        .map(|table| format!("data/shop/{table}/{upload_id}/part-0.parquet"))
        .collect();
    assert_eq!(keys, expected_keys);

    let parquet_dir = stack.data_dir.path.join("downloaded");
    std::fs::create_dir_all(&parquet_dir).unwrap();
    let connection = duckdb::Connection::open_in_memory().unwrap();
    for (table, key) in ["customers", "orders", "products", "sales"]
        .iter()
        .zip(&keys)
    {
        let path = parquet_dir.join(format!("{table}.parquet"));
        std::fs::write(&path, get_object(&stack.moto, &stack.bucket, key).await).unwrap();
        connection
            .execute_batch(&format!(
                "CREATE VIEW {table} AS SELECT * FROM read_parquet('{}')",
                path.display()
            ))
            .unwrap();
    }
    let orders_per_customer: Vec<(String, i64)> = connection
        .prepare(
            "SELECT customers.customer_name, count(*) AS number_of_orders \
             FROM orders JOIN customers ON customers.customer_id = orders.customer_id \
             GROUP BY customers.customer_name ORDER BY customers.customer_name",
        )
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        orders_per_customer,
        [
            ("Ann Lee".to_owned(), 3),
            ("Bo Chen".to_owned(), 1),
            ("Cy Diaz".to_owned(), 1)
        ]
    );
    let n_sales_2024: i64 = connection
        .query_row(
            "SELECT count(*) FROM sales WHERE sold_on >= DATE '2024-01-01'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(n_sales_2024, 2);
}

#[tokio::test]
async fn a_zip_with_a_ragged_row_ends_failed_with_the_entry_named_and_leaves_nothing_behind() {
    let stack = IngestionStack::start().await;
    let zip_path = stack.data_dir.path.join("bad.zip");
    write_zip(
        &zip_path,
        &[
            ("customers/customers.csv", CUSTOMERS_CSV),
            ("orders/orders.csv", "Order ID,Customer ID\n1,1\n2\n"),
        ],
    );

    let event = stack.upload("uploads/shop/bad.zip", &zip_path).await;
    let execution = stack.run_execution(&event).await;

    assert_eq!(execution["status"], "FAILED", "{execution}");
    let upload = stack
        .upload_view(expected_upload_id(&stack.bucket, &event))
        .await;
    assert_eq!(upload.status, UploadStatus::Failed, "{upload:?}");
    let failure = upload.failure.clone().unwrap();
    assert_eq!(failure.entry.as_deref(), Some("orders/orders.csv"));
    assert_eq!(
        failure.message,
        "`orders/orders.csv` line 3: 1 cells, but the header has 2"
    );
    let file_outcomes: Vec<(&str, UploadFileStatus)> = upload
        .files
        .iter()
        .map(|file| (file.entry.as_str(), file.status))
        .collect();
    assert_eq!(
        file_outcomes,
        [
            ("customers/customers.csv", UploadFileStatus::Passed),
            ("orders/orders.csv", UploadFileStatus::Failed)
        ]
    );
    assert_eq!(stack.glue_tables("analyst_shop").await, None);
    assert_eq!(
        list_keys(&stack.moto, &stack.bucket, "data/").await,
        Vec::<String>::new()
    );
    let staged: Vec<_> = std::fs::read_dir(stack.data_dir.path.join("staging"))
        .unwrap()
        .collect();
    assert!(staged.is_empty(), "{staged:?}");
}

/// Sends the `ingest` task message the state machine would send for `event`, with a reply
/// token (the interpreter transport's), and returns the worker's reply. Runs no execution, so
/// one moto server serves several uploads.
async fn ingest_through_queue(
    stack: &IngestionStack,
    reply_queue_url: &str,
    event: &Value,
) -> Value {
    let detail = &event["detail"];
    let task_message = json!({
        "task_token": format!("sqs-reply|{reply_queue_url}|{}", Uuid::new_v4()),
        "stage": "ingest",
        "envelope": {
            "schema_version": 1,
            "job_id": Uuid::new_v4(),
            "correlation_id": event["id"],
            "attempt": 0,
            "submitted_at": event["time"],
            "payload": {
                "bucket": detail["bucket"]["name"],
                "key": detail["object"]["key"],
                "size_bytes": detail["object"]["size"],
                "object": detail["object"],
            }
        }
    });
    stack
        .moto
        .call(
            "sqs",
            "AmazonSQS.SendMessage",
            json!({ "QueueUrl": stack.ingest_queue_url, "MessageBody": task_message.to_string() }),
        )
        .await;
    receive_one(&stack.moto, reply_queue_url).await
}

#[tokio::test]
async fn existing_tables_are_refused_unless_the_key_asks_to_replace_them() {
    let stack = IngestionStack::start().await;
    let reply_queue_url = stack.moto.create_queue(&queue_prefix(), "replies").await;
    let seed_path = seed_zip(&stack.data_dir.path);
    let more_path = stack.data_dir.path.join("more.zip");
    write_zip(
        &more_path,
        &[
            (
                "customers/customers.csv",
                "Customer ID,Customer Name\n7,Di Eng\n",
            ),
            ("suppliers/suppliers.csv", "Supplier ID,Name\n1,Acme\n"),
        ],
    );
    let first_event = stack
        .upload("uploads/shop/your_database.zip", &seed_path)
        .await;
    let first = ingest_through_queue(&stack, &reply_queue_url, &first_event).await;
    assert!(first["output"]["upload_id"].is_string(), "{first}");
    let first_upload_id = expected_upload_id(&stack.bucket, &first_event);

    let refused_event = stack.upload("uploads/shop/more.zip", &more_path).await;
    let refused = ingest_through_queue(&stack, &reply_queue_url, &refused_event).await;
    let replaced_event = stack
        .upload("uploads/shop/replace/more.zip", &more_path)
        .await;
    let replaced = ingest_through_queue(&stack, &reply_queue_url, &replaced_event).await;

    assert_eq!(refused["error"], "InvalidInput", "{refused}");
    let refused_upload = stack
        .upload_view(expected_upload_id(&stack.bucket, &refused_event))
        .await;
    assert_eq!(refused_upload.status, UploadStatus::Failed);
    assert_eq!(
        refused_upload.failure.unwrap().message,
        "tables already exist in analyst_shop: customers; upload to uploads/shop/replace/more.zip to replace them"
    );
    assert!(replaced["output"]["upload_id"].is_string(), "{replaced}");
    let replaced_upload_id = expected_upload_id(&stack.bucket, &replaced_event);
    let replaced_upload = stack.upload_view(replaced_upload_id).await;
    let outcomes: Vec<(&str, u64, bool)> = replaced_upload
        .tables
        .iter()
        .map(|table| (table.name.as_str(), table.n_rows, table.replaced))
        .collect();
    assert_eq!(outcomes, [("customers", 1, true), ("suppliers", 1, false)]);
    let tables = stack.glue_tables("analyst_shop").await.unwrap();
    let locations: Vec<(&str, &str)> = tables
        .iter()
        .map(|table| {
            (
                table["Name"].as_str().unwrap(),
                table["StorageDescriptor"]["Location"].as_str().unwrap(),
            )
        })
        .collect();
    let location = |table: &str, upload_id: Uuid| {
        format!("s3://{}/data/shop/{table}/{upload_id}/", stack.bucket)
    };
    assert_eq!(
        locations,
        [
            (
                "customers",
                location("customers", replaced_upload_id).as_str()
            ),
            ("orders", location("orders", first_upload_id).as_str()),
            ("products", location("products", first_upload_id).as_str()),
            ("sales", location("sales", first_upload_id).as_str()),
            (
                "suppliers",
                location("suppliers", replaced_upload_id).as_str()
            ),
        ]
    );
    let keys = list_keys(&stack.moto, &stack.bucket, "data/shop/customers/").await;
    assert_eq!(
        keys,
        [format!(
            "data/shop/customers/{replaced_upload_id}/part-0.parquet"
        )]
    );
}

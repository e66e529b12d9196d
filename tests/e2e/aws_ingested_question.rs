//! A question across two tables of an upload ingested on the emulated AWS path, asked through
//! the AWS pipeline: the API and one worker process for every question stage exchange task
//! messages through SQS, find the datasource in Glue and send the generated SQL to Athena in
//! the platform's workgroup.
//!
//! moto records Athena queries but does not run them (every result is empty), so the rows of
//! the answer are checked by running the SQL the pipeline sent to Athena over the upload's
//! Parquet objects with DuckDB.

use std::time::Duration;

use crate::analyst_server::wait_for_job_end;
use crate::aws_ingestion_stack::{ATHENA_WORKGROUP, IngestionStack, expected_upload_id};
use crate::aws_moto::{
    create_stage_queues, platform_args, queue_prefix, spawn_api, spawn_aws_process,
};
use crate::seed_archive::seed_zip;
use serde_json::{Value, json};

/// How long the question may take.
const JOB_TIMEOUT: Duration = Duration::from_secs(120);

/// The seed's tables.
const SEED_TABLES: [&str; 4] = ["customers", "orders", "products", "sales"];

#[tokio::test]
async fn a_question_across_two_ingested_tables_is_sent_to_athena_and_its_sql_answers_it() {
    let stack = IngestionStack::start().await;
    let event = stack
        .upload(
            "uploads/shop/your_database.zip",
            &seed_zip(&stack.data_dir.path),
        )
        .await;
    let execution = stack.run_execution(&event).await;
    assert_eq!(execution["status"], "SUCCEEDED", "{execution}");
    let upload_id = expected_upload_id(&stack.bucket, &event);
    let (base_url, admin_key, _processes) = start_question_processes(&stack).await;
    let http = reqwest::Client::new();

    // Asked first, so the API finds the datasource when the question names it.
    let job = ask(
        &http,
        &base_url,
        &admin_key,
        "How many orders are there for each customer name?",
    )
    .await;
    let listed: Value = http
        .get(format!("{base_url}/v1/datasources"))
        .bearer_auth(&admin_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(
        listed,
        json!([{
            "name": "shop",
            "engine": "athena",
            "description": "Tables of the uploaded datasource shop",
            "tables": SEED_TABLES,
        }]),
    );
    assert_eq!(job["status"], "succeeded", "{job}");
    let sql = job["sql"].as_str().unwrap();
    assert!(
        sql.contains("JOIN customers ON customers.customer_id = orders.customer_id"),
        "{sql}"
    );
    let athena_queries = athena_queries(&stack).await;
    assert_eq!(athena_queries.len(), 1, "{athena_queries:?}");
    let (database, athena_sql) = &athena_queries[0];
    assert_eq!(database, "analyst_shop");
    // Athena runs the guard's rendering of the job's SQL: the same statement, laid out anew.
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words(athena_sql).starts_with(&words(sql.trim_end_matches(';'))),
        "{athena_sql}\n{sql}"
    );
    let connection = stack.parquet_views("shop", upload_id, &SEED_TABLES).await;
    let mut rows: Vec<(String, i64)> = connection
        .prepare(athena_sql)
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.sort();
    assert_eq!(
        rows,
        [
            ("Ann Lee".to_owned(), 3),
            ("Bo Chen".to_owned(), 1),
            ("Cy Diaz".to_owned(), 1)
        ]
    );
}

/// Creates the Athena workgroup (as `infra/template.yaml` does), then starts the API (SQS
/// interpreter) and one worker consuming every question stage, both without demo databases
/// and with the workgroup; returns the API's URL, its admin key
/// and the processes.
async fn start_question_processes(
    stack: &IngestionStack,
) -> (String, String, Vec<crate::aws_moto::AwsProcess>) {
    stack
        .moto
        .call(
            "athena",
            "AmazonAthena.CreateWorkGroup",
            json!({
                "Name": ATHENA_WORKGROUP,
                "Configuration": {
                    "ResultConfiguration": {
                        "OutputLocation": format!("s3://{}/athena-results/", stack.bucket)
                    },
                    "EnforceWorkGroupConfiguration": true,
                    "BytesScannedCutoffPerQuery": 1_073_741_824_u64
                }
            }),
        )
        .await;
    let prefix = queue_prefix();
    let stage_queues = create_stage_queues(&stack.moto, &prefix).await;
    let reply_queue_url = stack.moto.create_queue(&prefix, "replies").await;
    let shared_args = [
        "--no-demo".to_owned(),
        "--athena-workgroup".to_owned(),
        ATHENA_WORKGROUP.to_owned(),
    ];
    let mut api_args = vec![
        "--launcher".to_owned(),
        "sqs-interpreter".to_owned(),
        "--reply-queue-url".to_owned(),
        reply_queue_url,
        "--retry-interval-scale".to_owned(),
        "0.05".to_owned(),
    ];
    api_args.extend(shared_args.iter().cloned());
    let mut worker_args = platform_args(&stack.moto, &stack.data_dir.path, &stack.database.url);
    worker_args.extend(shared_args.iter().cloned());
    worker_args.extend([
        "--wait-seconds".to_owned(),
        "1".to_owned(),
        "--heartbeat-seconds".to_owned(),
        "5".to_owned(),
    ]);
    for (stage, queue_url) in &stage_queues {
        api_args.extend(["--stage-queue".to_owned(), format!("{stage}={queue_url}")]);
        worker_args.extend(["--stage".to_owned(), format!("{stage}={queue_url}")]);
    }
    let (api, base_url, admin_key) = spawn_api(
        &stack.moto,
        &stack.data_dir.path,
        &stack.database.url,
        &api_args,
    )
    .await;
    let worker = spawn_aws_process("analyst-worker", &worker_args, "worker ready").await;
    (base_url, admin_key, vec![api, worker])
}

/// Submits `question` about `shop` and polls its job until it ends.
async fn ask(http: &reqwest::Client, base_url: &str, admin_key: &str, question: &str) -> Value {
    let accepted: Value = http
        .post(format!("{base_url}/v1/questions"))
        .bearer_auth(admin_key)
        .json(&json!({ "question": question, "datasource": "shop" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let job_id = accepted["job_id"].as_str().expect("a job id");
    wait_for_job_end(
        http,
        &format!("{base_url}/v1/questions/{job_id}"),
        admin_key,
        JOB_TIMEOUT,
    )
    .await
}

/// `(database, query)` of every query Athena received in the platform's workgroup.
async fn athena_queries(stack: &IngestionStack) -> Vec<(String, String)> {
    let listed = stack
        .moto
        .call(
            "athena",
            "AmazonAthena.ListQueryExecutions",
            json!({ "WorkGroup": ATHENA_WORKGROUP }),
        )
        .await;
    let mut queries = Vec::new();
    for query_execution_id in listed["QueryExecutionIds"].as_array().unwrap() {
        let execution = stack
            .moto
            .call(
                "athena",
                "AmazonAthena.GetQueryExecution",
                json!({ "QueryExecutionId": query_execution_id }),
            )
            .await;
        let execution = &execution["QueryExecution"];
        queries.push((
            execution["QueryExecutionContext"]["Database"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            execution["Query"].as_str().unwrap().to_owned(),
        ));
    }
    queries
}

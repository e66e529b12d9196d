//! ZIP ingestion on the emulated AWS path (see [`IngestionStack`]): Parquet objects under
//! `data/`, Glue tables with types and comments, and the upload's outcome in the PostgreSQL
//! state store.

use contracts::uploads::{UploadFileStatus, UploadStatus};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::aws_ingestion_stack::{IngestionStack, expected_upload_id};
use crate::aws_moto::queue_prefix;
use crate::aws_s3::{list_keys, receive_one};
use crate::seed_archive::{CUSTOMERS_CSV, seed_zip, write_zip};

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
    assert_eq!(
        stack.snapshot_tables("shop").await.unwrap(),
        names,
        "the ingest stage stores the datasource's schema snapshot"
    );
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

    let connection = stack
        .parquet_views(
            "shop",
            upload_id,
            &["customers", "orders", "products", "sales"],
        )
        .await;
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
    stack.assert_calls_allowed_by_the_ingest_role();
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
    assert_eq!(stack.snapshot_tables("shop").await, None);
    assert_eq!(
        list_keys(&stack.moto, &stack.bucket, "data/").await,
        Vec::<String>::new()
    );
    let staged: Vec<_> = std::fs::read_dir(stack.data_dir.path.join("staging"))
        .unwrap()
        .collect();
    assert!(staged.is_empty(), "{staged:?}");
    stack.assert_calls_allowed_by_the_ingest_role();
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

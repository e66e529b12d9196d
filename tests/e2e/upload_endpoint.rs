//! `POST /v1/uploads` on a running `analyst serve`: the seed layout is uploaded, followed to
//! `succeeded` file by file, and answered across two tables without a restart; a bad archive
//! fails naming its file and leaves nothing; bad requests, oversized archives and keys without
//! the `ingest` scope are refused; existing tables need `replace`.

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::analyst_server::{AnalystServer, TempDataDir};
use crate::seed_archive::{CUSTOMERS_CSV, seed_zip, write_zip};

/// How long an upload may take to finish.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(60);

fn upload_form(zip_path: &Path, fields: &[(&str, &str)]) -> Form {
    let bytes = std::fs::read(zip_path).unwrap();
    let file_name = zip_path.file_name().unwrap().to_string_lossy().into_owned();
    let mut form = Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    form.part("file", Part::bytes(bytes).file_name(file_name))
}

async fn post_upload(server: &AnalystServer, key: &str, form: Form) -> reqwest::Response {
    server
        .http
        .post(server.url("/v1/uploads"))
        .bearer_auth(key)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// A request that must be refused: API key, ZIP, form fields, then the expected status and
/// error code.
type RefusedUpload<'a> = (
    &'a str,
    &'a Path,
    &'a [(&'a str, &'a str)],
    StatusCode,
    &'a str,
);

/// Uploads and polls until the upload ends; returns every distinct status seen and the end view.
async fn upload_and_wait(
    server: &AnalystServer,
    zip_path: &Path,
    fields: &[(&str, &str)],
) -> (Vec<String>, Value) {
    let response = post_upload(server, &server.admin_key, upload_form(zip_path, fields)).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let accepted: Value = response.json().await.unwrap();
    assert_eq!(accepted["status_url"], location);
    assert_eq!(accepted["upload"]["status"], "queued");
    let mut statuses = vec!["queued".to_owned()];
    let deadline = Instant::now() + UPLOAD_TIMEOUT;
    loop {
        let view: Value = server
            .http
            .get(server.url(&location))
            .bearer_auth(&server.admin_key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let status = view["status"].as_str().unwrap().to_owned();
        if statuses.last() != Some(&status) {
            statuses.push(status.clone());
        }
        if status == "succeeded" || status == "failed" {
            return (statuses, view);
        }
        assert!(Instant::now() < deadline, "upload did not end: {view}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn datasource_names(server: &AnalystServer) -> Vec<String> {
    let listed: Value = server
        .http
        .get(server.url("/v1/datasources"))
        .bearer_auth(&server.admin_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|datasource| datasource["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_uploaded_zip_is_askable_at_once_and_existing_tables_need_replace() {
    let server = AnalystServer::start().await;
    let scratch = TempDataDir::new();
    let zip_path = seed_zip(&scratch.path);

    let (statuses, view) = upload_and_wait(&server, &zip_path, &[("datasource", "shop")]).await;

    assert_eq!(view["status"], "succeeded", "{view}");
    assert_eq!(statuses.first().map(String::as_str), Some("queued"));
    let files: Vec<(String, String, u64)> = view["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| {
            (
                file["entry"].as_str().unwrap().to_owned(),
                file["status"].as_str().unwrap().to_owned(),
                file["n_rows"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            (
                "your_database/customers/customers.csv".into(),
                "passed".into(),
                3
            ),
            ("your_database/orders/orders.csv".into(), "passed".into(), 5),
            (
                "your_database/products/products.csv".into(),
                "passed".into(),
                2
            ),
            (
                "your_database/sales/sales_2023.csv".into(),
                "passed".into(),
                1
            ),
            (
                "your_database/sales/sales_2024.csv".into(),
                "passed".into(),
                2
            ),
        ]
    );
    let tables: Vec<(&str, u64)> = view["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|table| {
            (
                table["name"].as_str().unwrap(),
                table["n_rows"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tables,
        [
            ("customers", 3),
            ("orders", 5),
            ("products", 2),
            ("sales", 3)
        ]
    );
    assert_eq!(
        view["tables"][1]["columns"][3],
        json!({"name": "total_amount", "original_name": "Total Amount", "data_type": "DOUBLE"})
    );
    assert!(datasource_names(&server).await.contains(&"shop".to_owned()));

    let job = server
        .ask("How many orders are there for each customer name?", "shop")
        .await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let mut rows: Vec<Value> = job["result"]["rows"].as_array().unwrap().clone();
    rows.sort_by_key(|row| row[0].as_str().unwrap_or_default().to_owned());
    assert_eq!(
        rows,
        [
            json!(["Ann Lee", 3]),
            json!(["Bo Chen", 1]),
            json!(["Cy Diaz", 1])
        ]
    );

    let more_zip = scratch.path.join("more.zip");
    write_zip(
        &more_zip,
        &[(
            "customers/customers.csv",
            "Customer ID,Customer Name\n7,Di Eng\n",
        )],
    );
    let (_, refused) = upload_and_wait(&server, &more_zip, &[("datasource", "shop")]).await;
    assert_eq!(refused["status"], "failed");
    assert!(
        refused["failure"]["message"]
            .as_str()
            .unwrap()
            .contains("tables already exist: customers"),
        "{refused}"
    );
    let (_, replaced) = upload_and_wait(
        &server,
        &more_zip,
        &[("datasource", "shop"), ("replace", "true")],
    )
    .await;
    assert_eq!(replaced["status"], "succeeded", "{replaced}");
    assert_eq!(replaced["tables"][0]["replaced"], true);
    let count = server.ask("How many customers are there?", "shop").await;
    assert_eq!(count["result"]["rows"], json!([[1]]), "{count}");
}

#[tokio::test]
async fn a_bad_archive_fails_naming_its_file_and_leaves_nothing() {
    let data_dir = TempDataDir::new();
    let server = AnalystServer::start_in(&data_dir.path, &[], &[], None).await;
    let zip_path = data_dir.path.join("bad.zip");
    write_zip(
        &zip_path,
        &[
            ("customers/customers.csv", CUSTOMERS_CSV),
            ("orders/orders.csv", "id,customer_id\n1,1\n2\n"),
        ],
    );

    let (_, view) = upload_and_wait(&server, &zip_path, &[("datasource", "broken")]).await;

    assert_eq!(view["status"], "failed", "{view}");
    assert_eq!(view["failure"]["kind"], "invalid_input");
    assert_eq!(view["failure"]["entry"], "orders/orders.csv");
    assert_eq!(view["files"][0]["status"], "passed");
    assert_eq!(view["files"][1]["status"], "failed");
    assert!(
        view["files"][1]["error"]
            .as_str()
            .unwrap()
            .contains("`orders/orders.csv` line 3: 1 cells, but the header has 2"),
        "{view}"
    );
    assert!(
        !datasource_names(&server)
            .await
            .contains(&"broken".to_owned())
    );
    let leftovers: Vec<_> = std::fs::read_dir(data_dir.path.join("ingested"))
        .map(|dir| dir.map(|entry| entry.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(!data_dir.path.join("staging").exists());
    let received: Vec<_> = std::fs::read_dir(data_dir.path.join("uploads-incoming"))
        .unwrap()
        .collect();
    assert!(received.is_empty(), "the received archive is removed");
    server.kill().await;
}

#[tokio::test]
async fn bad_requests_large_archives_and_keys_without_ingest_are_refused() {
    let server =
        AnalystServer::start_with(&[OsStr::new("--max-upload-mib"), OsStr::new("1")], &[]).await;
    let scratch = TempDataDir::new();
    let zip_path = seed_zip(&scratch.path);
    let created: Value = server
        .http
        .post(server.url("/v1/admin/keys"))
        .bearer_auth(&server.admin_key)
        .json(&json!({"name": "asker", "scopes": ["ask"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ask_only_key = created["api_key"].as_str().unwrap().to_owned();
    let large_zip = scratch.path.join("large.zip");
    std::fs::write(&large_zip, vec![b'x'; 1_100_000]).unwrap();

    let admin_key = server.admin_key.as_str();
    let cases: [RefusedUpload; 6] = [
        (
            &ask_only_key,
            &zip_path,
            &[("datasource", "shop")],
            StatusCode::FORBIDDEN,
            "insufficient_scope",
        ),
        (
            admin_key,
            &zip_path,
            &[],
            StatusCode::BAD_REQUEST,
            "invalid_upload",
        ),
        (
            admin_key,
            &zip_path,
            &[("datasource", "My Shop")],
            StatusCode::BAD_REQUEST,
            "invalid_upload",
        ),
        (
            admin_key,
            &zip_path,
            &[("datasource", "restaurants")],
            StatusCode::BAD_REQUEST,
            "invalid_upload",
        ),
        (
            admin_key,
            &zip_path,
            &[("datasource", "shop"), ("encoding", "ebcdic")],
            StatusCode::BAD_REQUEST,
            "invalid_upload",
        ),
        (
            admin_key,
            &large_zip,
            &[("datasource", "shop")],
            StatusCode::PAYLOAD_TOO_LARGE,
            "upload_too_large",
        ),
    ];

    for (index, (api_key, zip, fields, status, code)) in cases.into_iter().enumerate() {
        let response = post_upload(&server, api_key, upload_form(zip, fields)).await;
        assert_eq!(response.status(), status, "case {index}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "case {index}: {body}");
    }
    let not_multipart = server
        .http
        .post(server.url("/v1/uploads"))
        .bearer_auth(&server.admin_key)
        .json(&json!({"datasource": "shop"}))
        .send()
        .await
        .unwrap();
    assert_eq!(not_multipart.status(), StatusCode::BAD_REQUEST);
    let body: Value = not_multipart.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_upload", "{body}");
    let bad_limit = server
        .http
        .get(server.url("/v1/uploads?limit=many"))
        .bearer_auth(&server.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(bad_limit.status(), StatusCode::BAD_REQUEST);
    let body: Value = bad_limit.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_parameter", "{body}");
    let unknown = server
        .http
        .get(server.url("/v1/uploads/0b6f5d2e-4c1a-4f7e-9a51-3f2d9c8b7a10"))
        .bearer_auth(&server.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let listed: Value = server
        .http
        .get(server.url("/v1/uploads"))
        .bearer_auth(&server.admin_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([]), "no refused request became an upload");
}

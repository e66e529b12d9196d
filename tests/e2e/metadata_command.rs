//! `analyst metadata import` end to end: the example files of `docs/examples/` are imported
//! for the `restaurants` demo datasource into a PostgreSQL state store, and the snapshot saved
//! by a later process carries the descriptions and metrics; a bad file is refused with its line.
//!
//! Invariant: each test uses its own data directory and scratch state-store database.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tokio::process::Command;
use tokio_postgres::NoTls;

use crate::analyst_server::{TempDataDir, analyst_binary};
use crate::postgres_datasource::ScratchDatabase;

fn example(file_name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/examples")
        .join(file_name)
}

/// Runs `analyst <args> --data-dir <dir> --state-store-url <url>`; returns (success, stdout
/// and stderr).
async fn analyst(args: &[&str], data_dir: &Path, state_store_url: &str) -> (bool, String) {
    let output = Command::new(analyst_binary())
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--state-store-url")
        .arg(state_store_url)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("run the analyst binary");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// The latest stored snapshot of `datasource`, as JSON.
async fn latest_snapshot(state_store_url: &str, datasource: &str) -> Value {
    let (client, connection) = tokio_postgres::connect(state_store_url, NoTls)
        .await
        .unwrap();
    let connection_task = tokio::spawn(connection);
    let row = client
        .query_one(
            "SELECT snapshot FROM schema_snapshots WHERE datasource = $1
             ORDER BY snapshot_id DESC LIMIT 1",
            &[&datasource],
        )
        .await
        .unwrap();
    drop(client);
    let _ = connection_task.await;
    row.get(0)
}

fn table<'s>(snapshot: &'s Value, name: &str) -> &'s Value {
    snapshot["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|table| table["name"] == name)
        .unwrap()
}

#[tokio::test]
async fn imported_metadata_reaches_the_snapshot_saved_by_the_next_start() {
    let state_store = ScratchDatabase::create_empty().await;
    let data_dir = TempDataDir::new();
    let yaml = example("restaurants-metadata.yaml");

    let (imported, import_output) = analyst(
        &[
            "metadata",
            "import",
            yaml.to_str().unwrap(),
            "--datasource",
            "restaurants",
        ],
        &data_dir.path,
        &state_store.url,
    )
    .await;
    let (refreshed, refresh_output) =
        analyst(&["schema", "refresh"], &data_dir.path, &state_store.url).await;
    let snapshot = latest_snapshot(&state_store.url, "restaurants").await;

    assert!(imported, "{import_output}");
    assert!(
        import_output.contains("imported metadata for restaurants: 2 table descriptions, 3 column descriptions, 2 metrics"),
        "{import_output}"
    );
    assert!(refreshed, "{refresh_output}");
    assert!(
        refresh_output.contains("restaurants: first version "),
        "{refresh_output}"
    );
    let restaurant = table(&snapshot, "restaurant");
    assert_eq!(
        restaurant["description"],
        "One row per restaurant, with its cuisine and guest rating"
    );
    let rating = restaurant["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|column| column["name"] == "rating")
        .unwrap();
    assert_eq!(
        rating["description"],
        "Average guest rating from 0 (worst) to 5 (best)"
    );
    assert_eq!(snapshot["metrics"][0]["name"], "average_rating");
    assert_eq!(snapshot["metrics"][0]["sql"], "AVG(rating)");
    assert_eq!(snapshot["metrics"][1]["name"], "restaurant_count");
}

#[tokio::test]
async fn importing_again_resaves_the_current_snapshot_at_once() {
    let state_store = ScratchDatabase::create_empty().await;
    let data_dir = TempDataDir::new();
    let (refreshed, refresh_output) =
        analyst(&["schema", "refresh"], &data_dir.path, &state_store.url).await;
    assert!(refreshed, "{refresh_output}");
    let before = latest_snapshot(&state_store.url, "restaurants").await;
    let csv = example("restaurants-metadata.csv");

    let (imported, import_output) = analyst(
        &[
            "metadata",
            "import",
            csv.to_str().unwrap(),
            "--datasource",
            "restaurants",
        ],
        &data_dir.path,
        &state_store.url,
    )
    .await;
    let after = latest_snapshot(&state_store.url, "restaurants").await;

    assert!(imported, "{import_output}");
    assert!(
        import_output.contains(&format!(
            "schema snapshot of restaurants: new version {}",
            after["version"].as_str().unwrap()
        )),
        "{import_output}"
    );
    assert_ne!(before["version"], after["version"]);
    assert_eq!(
        table(&after, "geographic")["description"],
        "Which county and region each city lies in"
    );
}

#[tokio::test]
async fn a_row_with_an_unknown_kind_is_refused_with_its_line_and_nothing_is_stored() {
    let state_store = ScratchDatabase::create_empty().await;
    let data_dir = TempDataDir::new();
    let bad_csv = data_dir.path.join("metadata.csv");
    std::fs::write(
        &bad_csv,
        "kind,table,name,description\ntable,restaurant,,Restaurants\nmeasure,restaurant,rating,Rating\n",
    )
    .unwrap();

    let (imported, output) = analyst(
        &[
            "metadata",
            "import",
            bad_csv.to_str().unwrap(),
            "--datasource",
            "restaurants",
        ],
        &data_dir.path,
        &state_store.url,
    )
    .await;

    assert!(!imported, "{output}");
    assert!(
        output.contains("line 3: unknown kind `measure` (expected table, column or metric)"),
        "{output}"
    );
}

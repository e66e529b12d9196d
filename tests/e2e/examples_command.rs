//! `analyst examples load`: seeding the few-shot memory from a CSV in the sql-eval format.

use std::path::PathBuf;

use tokio::process::Command;
use uuid::Uuid;

use crate::analyst_server::analyst_binary;

const EXAMPLES_CSV: &str = r#"question,query,db_name,query_category,instructions
How many restaurants are there?,SELECT COUNT(*) FROM restaurant;,restaurants,basic,
Which cities have restaurants?,"SELECT {location.city_name, restaurant.city_name} FROM location JOIN restaurant ON location.restaurant_id = restaurant.id GROUP BY {};",restaurants,group_by,
Delete everything,DELETE FROM restaurant;,restaurants,basic,
How many flights?,SELECT COUNT(*) FROM flight;,no_such_database,basic,
"#;

async fn load(data_dir: &PathBuf, csv_path: &PathBuf) -> String {
    let output = Command::new(analyst_binary())
        .arg("examples")
        .arg("load")
        .arg(csv_path)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--embedder", "offline"])
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn examples_are_checked_loaded_once_and_bad_rows_reported() {
    let data_dir = std::env::temp_dir().join(format!("analyst-e2e-examples-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let csv_path = data_dir.join("examples.csv");
    std::fs::write(&csv_path, EXAMPLES_CSV).unwrap();

    let first = load(&data_dir, &csv_path).await;
    let second = load(&data_dir, &csv_path).await;
    let _ = std::fs::remove_dir_all(&data_dir);

    assert!(
        first.contains("loaded 2 examples, 0 already present, 2 skipped"),
        "first load: {first}"
    );
    assert!(
        first.contains("line 4: rejected before running"),
        "first load: {first}"
    );
    assert!(
        first.contains("line 5: datasource 'no_such_database' does not exist"),
        "first load: {first}"
    );
    assert!(
        second.contains("loaded 0 examples, 2 already present, 2 skipped"),
        "second load: {second}"
    );
}

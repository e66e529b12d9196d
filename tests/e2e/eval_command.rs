//! `analyst eval`: execution accuracy on a small question file in the sql-eval format, with the
//! offline planner and embedder, so the verdicts are known in advance.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tokio::process::Command;
use uuid::Uuid;

use crate::analyst_server::analyst_binary;

/// Two answerable questions (the second's gold has a wrong first alternative), one whose gold
/// is deliberately wrong, one the planner declines, and one past `--limit`.
const QUESTIONS_CSV: &str = r#"question,query,db_name,query_category,instructions
How many restaurants are there?,SELECT COUNT(*) FROM restaurant;,restaurants,counting,
How many cars are there?,SELECT COUNT(*) + 1 FROM cars;SELECT COUNT(*) AS n FROM cars;,car_dealership,counting,
How many authors are there?,SELECT COUNT(*) + 1 FROM author;,academic,wrong_gold,
What will the weather be in Paris tomorrow?,SELECT 1;,restaurants,out_of_scope,
How many salespersons are there?,SELECT COUNT(*) FROM salespersons;,car_dealership,never_reached,
"#;

/// A scratch directory holding the question file; removed on drop.
struct EvalDir {
    path: PathBuf,
}

impl EvalDir {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("analyst-e2e-eval-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("questions.csv"), QUESTIONS_CSV).unwrap();
        EvalDir { path }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for EvalDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Runs `analyst eval` on the question file with `extra_args`; returns stdout and stderr.
async fn eval(eval_dir: &EvalDir, extra_args: &[&str]) -> (String, String) {
    let output = Command::new(analyst_binary())
        .arg("eval")
        .arg(eval_dir.file("questions.csv"))
        .arg("--data-dir")
        .arg(eval_dir.file("data"))
        .args(["--embedder", "offline", "--concurrency", "2"])
        .args(extra_args)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    (stdout, stderr)
}

/// The cells of the table line that starts with `category`.
fn table_row<'a>(stdout: &'a str, category: &str) -> Vec<&'a str> {
    stdout
        .lines()
        .find(|line| line.split_whitespace().next() == Some(category))
        .unwrap_or_else(|| panic!("no `{category}` line in:\n{stdout}"))
        .split_whitespace()
        .collect()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[tokio::test]
async fn eval_reports_accuracy_per_category_with_a_wrong_gold_and_a_decline() {
    let eval_dir = EvalDir::new();
    let json_path = eval_dir.file("report.json");

    let (stdout, stderr) = eval(
        &eval_dir,
        &["--limit", "4", "--json", json_path.to_str().unwrap()],
    )
    .await;

    // category, n, correct, incorrect, declined, failed, lost, gold_failed, accuracy
    assert_eq!(
        table_row(&stdout, "counting"),
        ["counting", "2", "2", "0", "0", "0", "0", "0", "100.0%"]
    );
    assert_eq!(
        table_row(&stdout, "wrong_gold"),
        ["wrong_gold", "1", "0", "1", "0", "0", "0", "0", "0.0%"]
    );
    assert_eq!(
        table_row(&stdout, "out_of_scope"),
        ["out_of_scope", "1", "0", "0", "1", "0", "0", "0", "0.0%"]
    );
    assert_eq!(
        table_row(&stdout, "overall"),
        ["overall", "4", "2", "1", "1", "0", "0", "0", "50.0%"]
    );
    assert!(!stdout.contains("never_reached"), "stdout: {stdout}");
    assert!(
        table_row(&stdout, "generate_sql").len() == 4,
        "stdout: {stdout}"
    );
    assert!(
        stdout.contains("tokens          input 0, output 0"),
        "stdout: {stdout}"
    );
    assert!(stdout.contains("submit-to-done  mean"), "stdout: {stdout}");
    assert!(
        stderr.contains("4/4 questions, 2 correct"),
        "stderr: {stderr}"
    );

    let report = read_json(&json_path);
    assert_eq!(report["summary"]["overall"]["n_correct"], 2);
    let questions = report["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 4);
    assert_eq!(questions[1]["outcome"], "correct");
    assert_eq!(questions[1]["matched_gold_idx"], 1);
    assert_eq!(questions[2]["outcome"], "incorrect");
    assert_eq!(questions[3]["outcome"], "declined");
}

//! `analyst examples load FILE`: seeds the few-shot memory from a CSV of question/SQL pairs in
//! the format of defog's sql-eval (`question`, `query`, `db_name` columns; `sql` is accepted
//! for `query`, and `--datasource` replaces `db_name`).
//!
//! Invariant: every stored example passed the guard (and ran, unless `--no-verify`) on its
//! datasource; re-loading a file adds nothing new.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use worker_cache::{ExampleRow, ExampleSeeder, SeedOutcome};

use crate::cli::LoadExamplesArgs;
use crate::embedder_choice::build_embedder;
use crate::platform::open_datasources;
use crate::state_stores::open_state_stores;

/// Largest accepted CSV file, in bytes.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Most rows read from one file.
const MAX_ROWS: usize = 100_000;
/// Rows between two progress lines.
const PROGRESS_EVERY: usize = 25;

/// Tally of one load.
#[derive(Debug, Default, PartialEq)]
pub struct LoadReport {
    /// Rows stored.
    pub n_loaded: usize,
    /// Rows whose question was already present.
    pub n_already_present: usize,
    /// Rows skipped, with the reason, by CSV line.
    pub skipped: BTreeMap<usize, String>,
}

/// Loads the file and prints a summary; fails only when the file cannot be read at all.
pub async fn run_load(load_args: LoadExamplesArgs) -> anyhow::Result<()> {
    let rows = read_example_rows(&load_args.file, load_args.datasource.as_deref())?;
    let platform_args = &load_args.platform_args;
    let embedder = build_embedder(&platform_args.embedder_args).await?;
    let stores = open_state_stores(
        &load_args.data_dir,
        &platform_args.store_args,
        embedder.dimension(),
    )
    .await?;
    let (datasources, _) = open_datasources(
        &load_args.data_dir,
        &platform_args.datasource_args,
        stores.schema_store.as_ref(),
    )
    .await?;
    let file_name = load_args
        .file
        .file_name()
        .map_or_else(|| "examples".into(), |name| name.to_string_lossy());
    let seeder = ExampleSeeder {
        pair_store: stores.pair_store.clone(),
        schema_store: stores.schema_store.clone(),
        embedder,
        datasources,
        limits: ports::sql_engine::QueryLimits::default(),
        verify: !load_args.no_verify,
        approved_by: format!("csv:{file_name}"),
    };
    let report = seed_rows(&seeder, &rows).await?;
    println!(
        "loaded {} examples, {} already present, {} skipped",
        report.n_loaded,
        report.n_already_present,
        report.skipped.len()
    );
    for (line, reason) in &report.skipped {
        println!("  line {line}: {reason}");
    }
    Ok(())
}

/// Seeds every row, printing progress to stderr.
pub async fn seed_rows(
    seeder: &ExampleSeeder,
    rows: &[(usize, ExampleRow)],
) -> anyhow::Result<LoadReport> {
    let mut report = LoadReport::default();
    for (row_idx, (line, row)) in rows.iter().enumerate() {
        match seeder
            .seed(row)
            .await
            .with_context(|| format!("seed line {line}"))?
        {
            SeedOutcome::Loaded(_) => report.n_loaded += 1,
            SeedOutcome::AlreadyPresent => report.n_already_present += 1,
            SeedOutcome::Skipped(reason) => {
                report.skipped.insert(*line, reason);
            }
        }
        if (row_idx + 1) % PROGRESS_EVERY == 0 || row_idx + 1 == rows.len() {
            eprintln!("{}/{} rows", row_idx + 1, rows.len());
        }
    }
    Ok(report)
}

/// The rows of the CSV with their line numbers (the header is line 1).
pub fn read_example_rows(
    path: &Path,
    datasource_override: Option<&str>,
) -> anyhow::Result<Vec<(usize, ExampleRow)>> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("read {}", path.display()))?
        .len();
    if size > MAX_FILE_BYTES {
        anyhow::bail!(
            "{} is {size} bytes; the limit is {MAX_FILE_BYTES}",
            path.display()
        );
    }
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("open {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("read the header of {}", path.display()))?
        .clone();
    let column = |names: &[&str]| {
        headers
            .iter()
            .position(|header| names.contains(&header.trim()))
    };
    let question_column = column(&["question"]).context("the CSV has no `question` column")?;
    let sql_column =
        column(&["query", "sql"]).context("the CSV has no `query` (or `sql`) column")?;
    let datasource_column = column(&["db_name", "datasource"]);
    if datasource_override.is_none() && datasource_column.is_none() {
        anyhow::bail!("the CSV has no `db_name` column: pass --datasource");
    }
    let mut rows = Vec::new();
    for (record_idx, record) in reader.records().enumerate() {
        let line = record_idx + 2;
        if rows.len() == MAX_ROWS {
            anyhow::bail!("{} has more than {MAX_ROWS} rows", path.display());
        }
        let record = record.with_context(|| format!("read line {line} of {}", path.display()))?;
        let cell = |column_idx: usize| record.get(column_idx).unwrap_or_default().to_owned();
        let datasource = match (datasource_override, datasource_column) {
            (Some(datasource), _) => datasource.to_owned(),
            (None, Some(column_idx)) => cell(column_idx),
            (None, None) => unreachable!("checked above"),
        };
        rows.push((
            line,
            ExampleRow {
                datasource,
                question: cell(question_column),
                sql_candidates: sql_eval_format::concrete_queries(&cell(sql_column)),
            },
        ));
    }
    Ok(rows)
}

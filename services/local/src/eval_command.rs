//! `analyst eval FILE`: execution accuracy of the platform on a question/gold-SQL file in the
//! defog sql-eval format. An in-process platform (the wiring of `serve`) answers every question
//! through the HTTP API and the real pipeline; the gold queries run on the same datasources'
//! engines, and the crate `evaluation` judges and summarises.
//!
//! Invariant: the work is bounded (file size, rows, questions in flight, a deadline per job),
//! every selected question gets exactly one outcome, and gold SQL reaches an engine only
//! through the SQL guard.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context;
use contracts::api::JobView;
use evaluation::eval_report::{EvalReport, QuestionRecord, summarize};
use evaluation::gold_judging::judge_answer;
use evaluation::job_metrics::{JobMetrics, job_metrics};
use evaluation::question_file::{EvalQuestion, read_question_file};
use evaluation::question_outcome::{JobEnd, QuestionOutcome, job_end};
use evaluation::summary_table::render_summary;
use ports::datasource::Datasources;
use ports::key_store::KeyScope;
use ports::sql_engine::QueryLimits;

use crate::analyst_client::AnalystClient;
use crate::api_key_issue::issue_api_key;
use crate::cli::EvalArgs;
use crate::platform::{RunningPlatform, launch_loopback_platform, open_datasources};

/// Largest accepted question file, in bytes.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Most rows read from one file.
const MAX_ROWS: usize = 10_000;
/// Questions between two progress lines on stderr.
const PROGRESS_EVERY: usize = 10;
/// Pause between two polls of one job.
const POLL_INTERVAL: Duration = Duration::from_millis(25);

/// Everything one question's evaluation needs, shared by the concurrent clients.
struct EvalContext {
    client: AnalystClient,
    datasources: Datasources,
    limits: QueryLimits,
    with_instructions: bool,
    job_timeout: Duration,
}

/// Runs the evaluation, prints the summary and writes the JSON report when asked.
pub async fn run(eval_args: EvalArgs) -> anyhow::Result<()> {
    let eval_questions = select_questions(&eval_args)?;
    let data_dir = match &eval_args.data_dir {
        Some(data_dir) => data_dir.clone(),
        None => {
            std::env::temp_dir().join(format!("analyst-eval-{}", uuid::Uuid::new_v4().simple()))
        }
    };
    let launched = launch_loopback_platform(&data_dir, &eval_args.platform_args).await;
    let (evaluated, waited) = match launched {
        Ok((platform, stop_server)) => {
            let evaluated =
                evaluate_questions(&platform, &data_dir, &eval_args, eval_questions).await;
            let _ = stop_server.send(());
            (evaluated, platform.wait().await)
        }
        Err(launch_error) => (Ok(Vec::new()), Err(launch_error)),
    };
    if eval_args.data_dir.is_none() {
        let _ = std::fs::remove_dir_all(&data_dir);
    }
    let records = evaluated?;
    waited?;

    let eval_report = EvalReport {
        summary: summarize(&records),
        questions: records,
    };
    print!("{}", render_summary(&eval_report.summary));
    if let Some(json_path) = &eval_args.json {
        write_json_report(json_path, &eval_report)?;
        println!("\nreport written to {}", json_path.display());
    }
    Ok(())
}

/// The file's questions after `--category` and `--limit`.
fn select_questions(eval_args: &EvalArgs) -> anyhow::Result<Vec<EvalQuestion>> {
    let path = &eval_args.file;
    let size = std::fs::metadata(path)
        .with_context(|| format!("read {}", path.display()))?
        .len();
    anyhow::ensure!(
        size <= MAX_FILE_BYTES,
        "{} is {size} bytes; the limit is {MAX_FILE_BYTES}",
        path.display()
    );
    let file_bytes = std::fs::read(path).with_context(|| format!("read {}", path.display()))?;
    let eval_questions = read_question_file(&file_bytes, eval_args.datasource.as_deref(), MAX_ROWS)
        .with_context(|| format!("read the questions of {}", path.display()))?;
    let selected: Vec<EvalQuestion> = eval_questions
        .into_iter()
        .filter(|eval_question| {
            eval_args
                .category
                .as_deref()
                .is_none_or(|category| eval_question.category == category)
        })
        .take(eval_args.limit.unwrap_or(usize::MAX))
        .collect();
    anyhow::ensure!(
        !selected.is_empty(),
        "no question of {} is selected (check --category and --limit)",
        path.display()
    );
    Ok(selected)
}

/// Asks every question through the API with `--concurrency` clients and judges the answers.
async fn evaluate_questions(
    platform: &RunningPlatform,
    data_dir: &Path,
    eval_args: &EvalArgs,
    eval_questions: Vec<EvalQuestion>,
) -> anyhow::Result<Vec<QuestionRecord>> {
    let (datasources, _) = open_datasources(
        data_dir,
        &eval_args.platform_args.datasource_args,
        platform.stores.schema_store.as_ref(),
    )
    .await
    .context("open the datasources for the gold queries")?;
    let unknown: BTreeSet<&str> = eval_questions
        .iter()
        .map(|eval_question| eval_question.datasource.as_str())
        .filter(|name| datasources.get(name).is_none())
        .collect();
    anyhow::ensure!(
        unknown.is_empty(),
        "the file names datasources that do not exist: {}",
        unknown.into_iter().collect::<Vec<_>>().join(", ")
    );
    let api_key = issue_api_key(platform.key_store.as_ref(), "eval", &[KeyScope::Ask]).await?;
    let eval_context = Arc::new(EvalContext {
        client: AnalystClient::new(&platform.base_url, &api_key),
        datasources,
        limits: pipeline::PipelineSettings::default().query_limits,
        with_instructions: eval_args.with_instructions,
        job_timeout: Duration::from_secs(eval_args.job_timeout_secs),
    });

    let eval_questions = Arc::new(eval_questions);
    let n_questions = eval_questions.len();
    let next_question = Arc::new(AtomicUsize::new(0));
    let n_done = Arc::new(AtomicUsize::new(0));
    let n_correct = Arc::new(AtomicUsize::new(0));
    eprintln!("evaluating {n_questions} questions");
    let mut clients = Vec::new();
    for _ in 0..eval_args.concurrency.max(1) {
        let eval_context = eval_context.clone();
        let eval_questions = eval_questions.clone();
        let (next_question, n_done, n_correct) =
            (next_question.clone(), n_done.clone(), n_correct.clone());
        clients.push(tokio::spawn(async move {
            let mut records = Vec::new();
            loop {
                let question_idx = next_question.fetch_add(1, Ordering::SeqCst);
                let Some(eval_question) = eval_questions.get(question_idx) else {
                    return records;
                };
                let record = evaluate_question(&eval_context, eval_question).await;
                if record.outcome == QuestionOutcome::Correct {
                    n_correct.fetch_add(1, Ordering::SeqCst);
                }
                let n_finished = n_done.fetch_add(1, Ordering::SeqCst) + 1;
                if n_finished % PROGRESS_EVERY == 0 || n_finished == n_questions {
                    eprintln!(
                        "{n_finished}/{n_questions} questions, {} correct",
                        n_correct.load(Ordering::SeqCst)
                    );
                }
                records.push((question_idx, record));
            }
        }));
    }
    let mut indexed_records = Vec::with_capacity(n_questions);
    for client_task in clients {
        indexed_records.extend(client_task.await.context("join an eval client")?);
    }
    indexed_records.sort_by_key(|(question_idx, _)| *question_idx);
    Ok(indexed_records
        .into_iter()
        .map(|(_, record)| record)
        .collect())
}

/// Asks one question, waits for its job and judges the answer.
async fn evaluate_question(
    eval_context: &EvalContext,
    eval_question: &EvalQuestion,
) -> QuestionRecord {
    let mut record = QuestionRecord {
        line: eval_question.line,
        datasource: eval_question.datasource.clone(),
        category: eval_question.category.clone(),
        question: question_text(eval_question, eval_context.with_instructions),
        outcome: QuestionOutcome::Lost,
        detail: None,
        job_id: None,
        generated_sql: None,
        matched_gold_idx: None,
        n_gold_queries: eval_question.gold_queries.len(),
        truncated: false,
        metrics: JobMetrics::default(),
    };
    let client = &eval_context.client;
    let accepted = match client
        .submit(&record.question, Some(&eval_question.datasource))
        .await
    {
        Ok(accepted) => accepted,
        Err(client_error) => {
            record.detail = Some(format!("submit: {client_error}"));
            return record;
        }
    };
    record.job_id = Some(accepted.job_id.to_string());
    let job_view: JobView = match client
        .wait_for_job(accepted.job_id, POLL_INTERVAL, eval_context.job_timeout)
        .await
    {
        Ok(job_view) => job_view,
        Err(client_error) => {
            record.detail = Some(client_error.to_string());
            return record;
        }
    };
    record.metrics = job_metrics(&job_view);
    record.generated_sql = job_view.sql.clone();
    match job_end(&job_view) {
        JobEnd::Answered(generated) => {
            record.truncated = generated.truncated;
            let datasource = eval_context
                .datasources
                .get(&eval_question.datasource)
                .expect("every datasource was checked before asking");
            let gold_verdict =
                judge_answer(&datasource, eval_question, generated, &eval_context.limits).await;
            record.outcome = gold_verdict.outcome;
            record.matched_gold_idx = gold_verdict.matched_gold_idx;
            record.detail = gold_verdict.detail;
        }
        JobEnd::Declined(reason) => {
            record.outcome = QuestionOutcome::Declined;
            record.detail = Some(reason);
        }
        JobEnd::Failed(message) => {
            record.outcome = QuestionOutcome::Failed;
            record.detail = Some(message);
        }
        JobEnd::Unfinished => {
            record.detail = Some("the job did not finish".to_owned());
        }
    }
    record
}

/// The question as submitted: with the row's instructions appended when asked.
fn question_text(eval_question: &EvalQuestion, with_instructions: bool) -> String {
    match (&eval_question.instructions, with_instructions) {
        (Some(instructions), true) => {
            format!("{}\nInstructions: {instructions}", eval_question.question)
        }
        _ => eval_question.question.clone(),
    }
}

fn write_json_report(json_path: &Path, eval_report: &EvalReport) -> anyhow::Result<()> {
    let json = serde_json::to_vec_pretty(eval_report).context("serialize the eval report")?;
    std::fs::write(json_path, json).with_context(|| format!("write {}", json_path.display()))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn eval_args(args: &[&str]) -> EvalArgs {
        let cli = Cli::try_parse_from(["analyst", "eval"].iter().chain(args)).unwrap();
        match cli.command {
            Command::Eval(eval_args) => eval_args,
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn category_and_limit_select_the_first_questions_of_the_category() {
        let csv_path =
            std::env::temp_dir().join(format!("analyst-eval-{}.csv", uuid::Uuid::new_v4()));
        std::fs::write(
            &csv_path,
            "question,query,db_name,query_category\n\
             a?,SELECT 1,x,keep\nb?,SELECT 2,x,drop\nc?,SELECT 3,x,keep\nd?,SELECT 4,x,keep\n",
        )
        .unwrap();
        let path = csv_path.to_str().unwrap();

        let selected = select_questions(&eval_args(&[path, "--category", "keep", "--limit", "2"]));
        let nothing = select_questions(&eval_args(&[path, "--category", "absent"]));
        let _ = std::fs::remove_file(&csv_path);

        let questions: Vec<String> = selected
            .unwrap()
            .into_iter()
            .map(|eval_question| eval_question.question)
            .collect();
        assert_eq!(questions, ["a?", "c?"]);
        assert!(nothing.is_err());
    }

    #[test]
    fn instructions_are_appended_only_when_asked() {
        let eval_question = EvalQuestion {
            line: 2,
            question: "Which authors?".to_owned(),
            datasource: "academic".to_owned(),
            category: "instruct".to_owned(),
            instructions: Some("Use exact names".to_owned()),
            gold_queries: vec!["SELECT name FROM author".to_owned()],
        };

        assert_eq!(question_text(&eval_question, false), "Which authors?");
        assert_eq!(
            question_text(&eval_question, true),
            "Which authors?\nInstructions: Use exact names"
        );
    }
}

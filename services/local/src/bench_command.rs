//! `analyst bench`: measures the local pipeline's own overhead. An in-process platform with the
//! offline planner answers a fixed mix of demo questions submitted over HTTP by concurrent
//! clients; the report gives jobs per second and submit-to-done latency percentiles.
//!
//! Invariant: the load is bounded (a fixed number of questions, loopback only, a deadline per
//! job) and every submitted job is accounted for: done, failed, or lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use ports::key_store::KeyScope;

use crate::analyst_client::AnalystClient;
use crate::api_key_issue::issue_api_key;
use crate::cli::BenchArgs;
use crate::platform::launch_loopback_platform;

/// Questions the offline planner answers, over several demo databases.
const QUESTION_MIX: &[(&str, &str)] = &[
    ("restaurants", "How many restaurants are there?"),
    (
        "restaurants",
        "What is the average rating of restaurants in each city?",
    ),
    ("restaurants", "Show the top 3 restaurants by rating"),
    ("restaurants", "Which restaurants serve Italian food?"),
    ("car_dealership", "How many cars are there?"),
    ("car_dealership", "How many salespersons are there?"),
    ("broker", "How many customers are there?"),
    ("academic", "How many authors are there?"),
];

/// Longest a single job may take before it counts as lost.
const JOB_DEADLINE: Duration = Duration::from_secs(60);

/// How one submitted job ended.
enum JobEnd {
    Done(Duration),
    Failed(Duration),
    Lost,
}

/// Runs the benchmark and prints its report.
pub async fn run(bench_args: BenchArgs) -> anyhow::Result<()> {
    let data_dir = match &bench_args.data_dir {
        Some(data_dir) => data_dir.clone(),
        None => std::env::temp_dir().join(format!("analyst-bench-{}", std::process::id())),
    };
    let (platform, stop_server) =
        launch_loopback_platform(&data_dir, &bench_args.platform_args).await?;
    let api_key = issue_api_key(platform.key_store.as_ref(), "bench", &[KeyScope::Ask]).await?;
    let client = AnalystClient::new(&platform.base_url, &api_key);

    let n_questions = bench_args.questions;
    let next_question = Arc::new(AtomicUsize::new(0));
    let poll_interval = Duration::from_millis(bench_args.poll_interval_ms);
    let started = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..bench_args.concurrency.max(1) {
        let client = client.clone();
        let next_question = next_question.clone();
        clients.push(tokio::spawn(async move {
            let mut ends = Vec::new();
            loop {
                let question_idx = next_question.fetch_add(1, Ordering::SeqCst);
                if question_idx >= n_questions {
                    return ends;
                }
                let (datasource, question) = QUESTION_MIX[question_idx % QUESTION_MIX.len()];
                ends.push(ask_once(&client, datasource, question, poll_interval).await);
            }
        }));
    }
    let mut ends = Vec::new();
    for client_task in clients {
        ends.extend(client_task.await.context("join a bench client")?);
    }
    let wall_time = started.elapsed();

    print_report(&ends, wall_time, &bench_args);
    let _ = stop_server.send(());
    platform.wait().await?;
    if bench_args.data_dir.is_none() {
        let _ = std::fs::remove_dir_all(&data_dir);
    }
    let n_lost = ends
        .iter()
        .filter(|end| matches!(end, JobEnd::Lost))
        .count();
    anyhow::ensure!(n_lost == 0, "{n_lost} jobs were lost");
    Ok(())
}

async fn ask_once(
    client: &AnalystClient,
    datasource: &str,
    question: &str,
    poll_interval: Duration,
) -> JobEnd {
    let submitted = Instant::now();
    let Ok(accepted) = client.submit(question, Some(datasource)).await else {
        return JobEnd::Lost;
    };
    while submitted.elapsed() < JOB_DEADLINE {
        match client.get_job(accepted.job_id).await {
            Ok(job) if job.status == contracts::api::JobStatus::Succeeded => {
                return JobEnd::Done(submitted.elapsed());
            }
            Ok(job) if job.status == contracts::api::JobStatus::Failed => {
                return JobEnd::Failed(submitted.elapsed());
            }
            Ok(_) | Err(_) => tokio::time::sleep(poll_interval).await,
        }
    }
    JobEnd::Lost
}

fn print_report(ends: &[JobEnd], wall_time: Duration, bench_args: &BenchArgs) {
    let mut latencies: Vec<Duration> = ends
        .iter()
        .filter_map(|end| match end {
            JobEnd::Done(latency) | JobEnd::Failed(latency) => Some(*latency),
            JobEnd::Lost => None,
        })
        .collect();
    latencies.sort();
    let n_done = ends
        .iter()
        .filter(|end| matches!(end, JobEnd::Done(_)))
        .count();
    let n_failed = ends
        .iter()
        .filter(|end| matches!(end, JobEnd::Failed(_)))
        .count();
    let n_lost = ends.len() - n_done - n_failed;
    let jobs_per_second = (n_done + n_failed) as f64 / wall_time.as_secs_f64();
    println!("questions      {}", ends.len());
    println!("concurrency    {}", bench_args.concurrency);
    println!("poll interval  {} ms", bench_args.poll_interval_ms);
    println!("succeeded      {n_done}");
    println!("failed         {n_failed}");
    println!("lost           {n_lost}");
    println!("wall time      {:.2} s", wall_time.as_secs_f64());
    println!("throughput     {jobs_per_second:.1} jobs/s");
    for (label, quantile) in [("p50", 0.50), ("p90", 0.90), ("p99", 0.99)] {
        println!(
            "latency {label}    {:.1} ms",
            percentile(&latencies, quantile).as_secs_f64() * 1000.0
        );
    }
    println!(
        "latency max    {:.1} ms",
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
}

/// Nearest-rank percentile of sorted latencies (zero when there are none).
fn percentile(sorted_latencies: &[Duration], quantile: f64) -> Duration {
    if sorted_latencies.is_empty() {
        return Duration::ZERO;
    }
    let rank = (quantile * sorted_latencies.len() as f64).ceil() as usize;
    sorted_latencies[rank.clamp(1, sorted_latencies.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let latencies: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();

        assert_eq!(percentile(&latencies, 0.50), Duration::from_millis(50));
        assert_eq!(percentile(&latencies, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }
}

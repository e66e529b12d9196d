//! `analyst ask`: submit one question over HTTP, wait for the job, print SQL, rows and answer.
//! Without `--url` the platform starts in this process on a free port and stops afterwards.
//!
//! Invariant: a failed job makes the command fail, so the exit code tells success from failure.

use std::net::{Ipv4Addr, SocketAddr};

use anyhow::Context;
use contracts::api::JobStatus;
use ports::key_store::KeyScope;
use tokio::sync::oneshot;

use crate::analyst_client::AnalystClient;
use crate::answer_print::{failure_message, render_answer};
use crate::api_key_issue::issue_api_key;
use crate::cli::AskArgs;
use crate::platform::launch_platform;

/// Name of the internal key of an in-process `ask`.
const IN_PROCESS_KEY_NAME: &str = "cli-ask";

/// Asks the question and prints the answer block; fails when the job failed.
pub async fn run(ask_args: AskArgs) -> anyhow::Result<()> {
    match &ask_args.url {
        Some(base_url) => {
            let api_key = ask_args
                .key
                .as_deref()
                .context("--url needs an API key: pass --key or set ANALYST_API_KEY")?;
            ask_and_print(&AnalystClient::new(base_url, api_key), &ask_args).await
        }
        None => ask_in_process(&ask_args).await,
    }
}

async fn ask_in_process(ask_args: &AskArgs) -> anyhow::Result<()> {
    let (stop_sender, stop_receiver) = oneshot::channel::<()>();
    let stop = async move {
        // A dropped sender also means stop.
        let _ = stop_receiver.await;
    };
    let any_free_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let running_platform = launch_platform(
        &ask_args.data_dir,
        &ask_args.platform_args,
        any_free_port,
        stop,
    )
    .await?;
    let outcome = match issue_api_key(
        running_platform.key_store.as_ref(),
        IN_PROCESS_KEY_NAME,
        &[KeyScope::Ask],
    )
    .await
    {
        Ok(internal_key) => {
            ask_and_print(
                &AnalystClient::new(&running_platform.base_url, &internal_key),
                ask_args,
            )
            .await
        }
        Err(issue_error) => Err(issue_error),
    };
    // The receiver lives until the server stops, so a failed send only means it already stopped.
    let _ = stop_sender.send(());
    running_platform.wait().await?;
    outcome
}

async fn ask_and_print(analyst_client: &AnalystClient, ask_args: &AskArgs) -> anyhow::Result<()> {
    let job_view = analyst_client
        .ask(&ask_args.question, ask_args.datasource.as_deref())
        .await?;
    let answer_block = render_answer(&job_view);
    if !answer_block.is_empty() {
        println!("{answer_block}");
    }
    if job_view.status == JobStatus::Failed {
        anyhow::bail!(failure_message(&job_view));
    }
    Ok(())
}

//! `analyst serve`: run the platform until ctrl-c or SIGTERM, refreshing the schemas every
//! `--schema-refresh-seconds`, optionally asking one question through the API once it listens.
//!
//! Invariant: the startup question goes through the public HTTP API, exactly like any client.

use std::time::Duration;

use ports::key_store::KeyScope;

use crate::analyst_client::AnalystClient;
use crate::answer_print::{failure_message, render_answer};
use crate::api_key_issue::issue_api_key;
use crate::cli::ServeArgs;
use crate::platform::launch_platform;
use crate::schema_refresh_timer::spawn_schema_refresh;
use crate::shutdown_signal::shutdown_signal;

/// Name of the internal key that asks the `--ask` question.
const STARTUP_QUESTION_KEY_NAME: &str = "startup-question";

/// Runs the server until it is asked to stop.
pub async fn run(serve_args: ServeArgs) -> anyhow::Result<()> {
    let running_platform = launch_platform(
        &serve_args.data_dir,
        &serve_args.platform_args,
        serve_args.addr,
        shutdown_signal(),
    )
    .await?;
    println!("listening on {}", running_platform.base_url);
    let schema_refresh = (serve_args.schema_refresh_seconds > 0).then(|| {
        spawn_schema_refresh(
            running_platform.datasources.clone(),
            running_platform.stores.schema_store.clone(),
            Duration::from_secs(serve_args.schema_refresh_seconds),
        )
    });
    if let Some(question) = serve_args.ask {
        let internal_key = issue_api_key(
            running_platform.key_store.as_ref(),
            STARTUP_QUESTION_KEY_NAME,
            &[KeyScope::Ask],
        )
        .await?;
        let analyst_client = AnalystClient::new(&running_platform.base_url, &internal_key);
        tokio::spawn(async move {
            match analyst_client.ask(&question, None).await {
                Ok(job_view) => {
                    println!("{}", render_answer(&job_view));
                    if job_view.status == contracts::api::JobStatus::Failed {
                        println!("{}", failure_message(&job_view));
                    }
                }
                Err(client_error) => println!("startup question failed: {client_error}"),
            }
        });
    }
    let served = running_platform.wait().await;
    if let Some(schema_refresh) = schema_refresh {
        schema_refresh.abort();
    }
    served
}

//! `analyst-aws-api --addr <addr>`: the HTTP API of the AWS mode as an axum server (ECS/EC2, or
//! the emulator tests), launching jobs on Step Functions or over the SQS stage queues.

use std::net::SocketAddr;

use anyhow::Context;
use clap::Parser;
use lambda::{
    ApiArgs, EmbedderUse, build_app_state, open_platform, print_admin_key_on_first_start,
    shutdown_signal,
};
use tokio::net::TcpListener;

/// Serves the API until SIGTERM.
#[derive(Debug, Parser)]
#[command(name = "analyst-aws-api")]
struct ServerArgs {
    #[command(flatten)]
    api: ApiArgs,
    /// Address to listen on.
    #[arg(long, env = "ANALYST_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// HTTP timeouts and connection caps.
    #[command(flatten)]
    connection_limits: api::ConnectionLimits,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    bootstrap::init_tracing("analyst-aws-api");
    let args = ServerArgs::parse();
    let platform = open_platform(&args.api.platform, EmbedderUse::Embeds)
        .await
        .context("open the platform")?;
    let admin_key = args.api.configured_admin_key().await?;
    print_admin_key_on_first_start(platform.key_store.as_ref(), admin_key.as_deref()).await?;
    let app_state = build_app_state(&args.api, &platform).await?;
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("bind {}", args.addr))?;
    let local_addr = listener.local_addr().context("read the bound address")?;
    #[allow(clippy::print_stdout)]
    {
        println!("listening on http://{local_addr}");
    }
    api::serve(
        listener,
        app_state,
        args.connection_limits,
        shutdown_signal(),
    )
    .await
    .context("serve http")
}

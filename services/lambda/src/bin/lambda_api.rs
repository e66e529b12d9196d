//! The HTTP API as a Lambda function behind API Gateway (`lambda_http`), launching jobs on Step
//! Functions.

use anyhow::Context;
use clap::Parser;
use lambda::{
    ApiArgs, EmbedderUse, build_app_state, open_platform, print_admin_key_on_first_start,
    reporting_init_error,
};

/// Environment variables only.
#[derive(Debug, Parser)]
struct LambdaApiArgs {
    #[command(flatten)]
    api: ApiArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    bootstrap::init_tracing("lambda-api");
    let app_state = reporting_init_error(async {
        let args = LambdaApiArgs::try_parse_from(["lambda-api"])?;
        let platform = open_platform(&args.api.platform, EmbedderUse::Embeds)
            .await
            .context("open the platform")?;
        // On Lambda the first admin key comes from Secrets Manager; a generated one would only
        // reach the logs.
        match args.api.configured_admin_key().await? {
            Some(admin_key) => {
                print_admin_key_on_first_start(platform.key_store.as_ref(), Some(&admin_key))
                    .await?;
            }
            None => tracing::warn!("no admin key configured; set ANALYST_ADMIN_API_KEY_SECRET_ID"),
        }
        build_app_state(&args.api, &platform).await
    })
    .await?;
    let app = api::router(app_state).layer(axum::middleware::from_fn(lambda::redirect_stage_root));
    lambda_http::run(app)
        .await
        .map_err(|err| anyhow::anyhow!("lambda runtime stopped: {err}"))
}

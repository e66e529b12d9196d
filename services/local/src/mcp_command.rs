//! `analyst mcp`: the MCP server over stdio for desktop clients, its tools calling a running
//! server's API with one key.
//!
//! Invariant: writes nothing to stdout but the MCP messages (logs go to stderr).

use anyhow::Context;
use secrecy::ExposeSecret;

use crate::cli::McpArgs;

/// Serves MCP on stdin/stdout until the client closes it.
pub async fn run(mcp_args: McpArgs) -> anyhow::Result<()> {
    api::serve_mcp_stdio(&mcp_args.url, mcp_args.key.expose_secret())
        .await
        .with_context(|| format!("serve MCP over stdio for {}", mcp_args.url))
}

//! Serving the router on a bound listener until a shutdown signal, so binaries never touch the
//! HTTP framework themselves.
//!
//! Invariant: in-flight requests finish before `serve` returns after the shutdown signal.

use std::future::Future;

use tokio::net::TcpListener;

use crate::app_state::AppState;
use crate::router;

/// Serves the API on `listener` until `shutdown` completes, then drains open requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

//! Serving the router on a bound listener until a shutdown signal, under the
//! [`ConnectionLimits`], so binaries never touch the HTTP framework themselves.
//!
//! Invariant: in-flight requests finish before `serve` returns after the shutdown signal; no
//! connection outlives its timeouts, and the open connections never exceed the caps.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::pin;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::api_error::ApiError;
use crate::app_state::AppState;
use crate::connection_limits::ConnectionLimits;
use crate::connection_table::{AdmittedConnection, ConnectionTable, Refusal};
use crate::idle_timeout_io::IdleTimeoutIo;
use crate::router;

/// The body a refused connection reads before it is closed.
const REFUSED_BODY: &str = r#"{"error":{"code":"too_many_connections","message":"too many open connections; try again later"}}"#;

/// Pause after an accept error such as running out of file descriptors.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(50);

/// Serves the API on `listener` under `limits` until `shutdown` completes, then drains open
/// requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let router = router(state);
    let table = ConnectionTable::new(
        limits.max_connections_count(),
        limits.max_connections_per_client_count(),
    );
    let (closing, closing_signal) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                continue;
            }
        };
        match table.admit(peer.ip()) {
            Ok(admitted) => {
                connections.spawn(serve_connection(
                    stream,
                    admitted,
                    router.clone(),
                    limits.clone(),
                    closing_signal.clone(),
                ));
            }
            Err(refusal) => refuse(&stream, refusal),
        }
    }
    let _ = closing.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// Answers 503 without waiting for the socket and leaves closing it to the caller.
fn refuse(stream: &TcpStream, refusal: Refusal) {
    tracing::debug!(?refusal, "connection refused");
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{REFUSED_BODY}",
        REFUSED_BODY.len()
    );
    let _ = stream.try_write(response.as_bytes());
}

/// Serves one connection until it closes, times out, is evicted or the server shuts down.
async fn serve_connection(
    stream: TcpStream,
    admitted: AdmittedConnection,
    router: Router,
    limits: ConnectionLimits,
    mut closing_signal: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let slot = admitted.slot().clone();
    let io = TokioIo::new(IdleTimeoutIo::new(
        stream,
        limits.idle_timeout(),
        slot.clone(),
    ));
    let request_slot = slot.clone();
    let header_timeout = limits.header_timeout();
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let in_flight = request_slot.request_started();
        let router = router.clone();
        let timeout_secs = limits.request_timeout_secs_for(request.method(), request.uri().path());
        async move {
            let _in_flight = in_flight;
            let response = tokio::time::timeout(
                Duration::from_secs(timeout_secs),
                router.oneshot(request.map(Body::new)),
            )
            .await;
            Ok::<Response<Body>, Infallible>(match response {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                Err(_elapsed) => ApiError::RequestTimeout { timeout_secs }.into_response(),
            })
        }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let mut connection = pin!(builder.serve_connection(io, service));
    let mut closing = false;
    loop {
        tokio::select! {
            served = connection.as_mut() => {
                if let Err(error) = served {
                    tracing::trace!(%error, "connection ended with an error");
                }
                break;
            }
            () = slot.evicted() => break,
            changed = closing_signal.changed(), if !closing => {
                closing = true;
                if changed.is_ok() {
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
    drop(admitted);
}

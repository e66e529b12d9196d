//! A moto server (the AWS mock) for Glue: the one named by `ANALYST_TEST_MOTO_URL`, or a
//! `python3 -m moto.server` child on a free local port that is killed when dropped.
//!
//! Invariant: the server listens on 127.0.0.1 only.

use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

/// How long moto may take to start listening.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// A running moto server.
pub(crate) struct MotoServer {
    endpoint_url: String,
    _child: Option<Child>,
}

impl MotoServer {
    /// The server of `ANALYST_TEST_MOTO_URL`, or a new child process once it accepts
    /// connections.
    pub(crate) async fn start() -> Self {
        if let Ok(endpoint_url) = std::env::var("ANALYST_TEST_MOTO_URL") {
            return MotoServer {
                endpoint_url,
                _child: None,
            };
        }
        // moto_server cannot bind port 0, so a free port is found first and released.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 with moto[server] is installed");
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("moto server exited during start-up: {status}");
            }
            assert!(
                started.elapsed() < STARTUP_TIMEOUT,
                "moto server did not listen on port {port} within {STARTUP_TIMEOUT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        MotoServer {
            endpoint_url: format!("http://127.0.0.1:{port}"),
            _child: Some(child),
        }
    }

    /// Base URL of the server.
    pub(crate) fn endpoint_url(&self) -> &str {
        &self.endpoint_url
    }
}

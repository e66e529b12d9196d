//! A moto server (the AWS emulator) for the Glue tests of this crate: the one named by
//! `ANALYST_TEST_MOTO_URL`, or a `moto_server` child on a free loopback port, killed on drop;
//! and a Glue client pointed at it with static test credentials.
//!
//! Invariant: clients built here never reach AWS; every endpoint is 127.0.0.1.

use std::process::Stdio;
use std::time::{Duration, Instant};

use aws_sdk_glue::config::{BehaviorVersion, Credentials, Region};
use tokio::process::{Child, Command};

/// How long moto may take to start listening.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// A running moto server.
pub(crate) struct MotoServer {
    endpoint_url: String,
    _child: Option<Child>,
}

impl MotoServer {
    /// The server of `ANALYST_TEST_MOTO_URL`, or a new one.
    pub(crate) async fn start() -> Self {
        if let Ok(endpoint_url) = std::env::var("ANALYST_TEST_MOTO_URL") {
            return MotoServer {
                endpoint_url,
                _child: None,
            };
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("moto_server is installed (pip install 'moto[server]==5.2.1')");
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("moto server exited during start-up: {status}");
            }
            assert!(started.elapsed() < STARTUP_TIMEOUT, "moto did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        MotoServer {
            endpoint_url: format!("http://127.0.0.1:{port}"),
            _child: Some(child),
        }
    }

    /// A Glue client of this server.
    pub(crate) fn glue(&self) -> aws_sdk_glue::Client {
        let config = aws_sdk_glue::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .endpoint_url(&self.endpoint_url)
            .build();
        aws_sdk_glue::Client::from_conf(config)
    }
}

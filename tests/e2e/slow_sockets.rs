//! 20,000 slow sockets against the real `analyst serve`: `/health` and the API keep answering,
//! and the server holds no more connections than its cap.
//!
//! The sockets are held by child processes (this test binary run again on
//! [`hold_slow_sockets`]), at most 10,000 each and fewer when the open-files limit is lower, as
//! one process cannot hold them all. They come from 100 loopback addresses (127.0.0.2 to
//! 127.0.0.101), so the per-client limit alone does not stop them: the connection cap has to
//! close the slow ones for new clients.

use std::ffi::OsStr;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};
use tokio::process::Command;

use crate::analyst_server::AnalystServer;

const SLOW_SOCKETS: usize = 20_000;
const SOURCE_ADDRESSES: usize = 100;
const MAX_CONNECTIONS: usize = 1024;

/// Environment variable telling [`hold_slow_sockets`] where to connect.
const TARGET_ENV: &str = "ANALYST_SLOW_SOCKETS_TARGET";
/// Environment variable with the holder's first socket and its number of sockets (`first:n`).
const HOLDER_ENV: &str = "ANALYST_SLOW_SOCKETS_HOLDER";

/// Sockets one holder opens: 10,000, or fewer when this process may open fewer files.
fn sockets_per_holder() -> usize {
    let soft_limit = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            let line = limits
                .lines()
                .find(|line| line.starts_with("Max open files"))?
                .to_owned();
            line.split_whitespace().nth(3)?.parse::<usize>().ok()
        });
    soft_limit.map_or(10_000, |limit| limit.saturating_sub(128).clamp(100, 10_000))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_while_twenty_thousand_slow_sockets_are_open() {
    let max_connections = MAX_CONNECTIONS.to_string();
    let server = AnalystServer::start_with(
        &[
            OsStr::new("--http-max-connections"),
            OsStr::new(&max_connections),
            OsStr::new("--http-max-connections-per-client"),
            OsStr::new("256"),
            // Long enough that the header timeout frees nothing during the test: the cap alone
            // has to keep room for new clients.
            OsStr::new("--http-header-timeout-secs"),
            OsStr::new("600"),
        ],
        &[],
    )
    .await;
    let target = server.base_url.trim_start_matches("http://").to_owned();

    let per_holder = sockets_per_holder();
    let mut holders = Vec::new();
    for first in (0..SLOW_SOCKETS).step_by(per_holder) {
        let n_sockets = per_holder.min(SLOW_SOCKETS - first);
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "slow_sockets::hold_slow_sockets",
                "--exact",
                "--ignored",
                "--nocapture",
            ])
            .env(TARGET_ENV, &target)
            .env(HOLDER_ENV, format!("{first}:{n_sockets}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        holders.push((
            child,
            tokio::spawn(async move {
                while let Some(line) = lines.next_line().await.unwrap() {
                    if let Some(opened) = line.strip_prefix("slow sockets opened: ") {
                        return opened.trim().parse::<usize>().unwrap();
                    }
                }
                panic!("a socket holder exited before opening its sockets");
            }),
        ));
    }
    let mut opened = 0;
    for (_, report) in &mut holders {
        opened += tokio::time::timeout(Duration::from_secs(240), report)
            .await
            .expect("the holders opened their sockets in time")
            .unwrap();
    }
    assert_eq!(opened, SLOW_SOCKETS);

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    for _ in 0..5 {
        let health = http.get(server.url("/health")).send().await.unwrap();
        assert_eq!(health.status(), reqwest::StatusCode::OK);
    }
    let datasources = http
        .get(server.url("/v1/datasources"))
        .bearer_auth(&server.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(datasources.status(), reqwest::StatusCode::OK);
    let server_descriptors = std::fs::read_dir(format!("/proc/{}/fd", server.pid()))
        .unwrap()
        .count();
    assert!(
        server_descriptors < MAX_CONNECTIONS + 200,
        "the server holds {server_descriptors} descriptors; its connection cap is {MAX_CONNECTIONS}"
    );
    for (mut child, _) in holders {
        drop(child.stdin.take());
        let _ = tokio::time::timeout(Duration::from_secs(30), child.wait()).await;
    }
}

/// Run by [`health_answers_while_twenty_thousand_slow_sockets_are_open`] in a child process:
/// opens its share of connections, each sending an unfinished request head, prints how many
/// connected, then sends one more header line a second on each until stdin closes.
#[tokio::test]
#[ignore = "started by health_answers_while_twenty_thousand_slow_sockets_are_open"]
async fn hold_slow_sockets() {
    let (Ok(target), Ok(holder)) = (std::env::var(TARGET_ENV), std::env::var(HOLDER_ENV)) else {
        return;
    };
    let target: SocketAddr = target.parse().unwrap();
    let (first, n_sockets) = holder.split_once(':').unwrap();
    let first: usize = first.parse().unwrap();
    let end = first + n_sockets.parse::<usize>().unwrap();
    let mut sockets = Vec::with_capacity(end - first);
    for batch_start in (first..end).step_by(500) {
        let mut batch = tokio::task::JoinSet::new();
        for index in batch_start..(batch_start + 500).min(end) {
            let address = 2 + index % SOURCE_ADDRESSES;
            let source = Ipv4Addr::new(127, 0, 0, u8::try_from(address).unwrap());
            batch.spawn(open_slow_socket(source, target));
        }
        while let Some(stream) = batch.join_next().await {
            sockets.push(stream.unwrap());
        }
    }
    println!("slow sockets opened: {}", sockets.len());
    let mut stdin_closed = tokio::task::spawn_blocking(|| {
        let mut ignored = [0_u8; 1];
        let _ = std::io::Read::read(&mut std::io::stdin(), &mut ignored);
    });
    loop {
        tokio::select! {
            _ = &mut stdin_closed => return,
            () = tokio::time::sleep(Duration::from_secs(1)) => {
                for socket in &mut sockets {
                    let _ = socket.try_write(b"x-slow: 1\r\n");
                }
            }
        }
    }
}

async fn open_slow_socket(source: Ipv4Addr, target: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(IpAddr::V4(source), 0)).unwrap();
    let mut stream = tokio::time::timeout(Duration::from_secs(60), socket.connect(target))
        .await
        .expect("connected in time")
        .unwrap();
    let _ = stream
        .write_all(b"GET /health HTTP/1.1\r\nhost: slow\r\n")
        .await;
    stream
}

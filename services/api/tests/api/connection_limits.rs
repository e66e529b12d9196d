//! The server's timeouts and connection caps over real sockets: `api::serve` on a loopback port,
//! raw HTTP/1.1 written and read by hand so a test can be as slow as an attacker.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use api::ConnectionLimits;
use ports::key_store::KeyScope;
use store_sqlite::SqliteStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::oneshot;

use crate::fakes::{FakeApprovals, FakeJobStore, FakeKeyStore, FakeLauncher};
use crate::test_app::{ASK_KEY, app_state};

/// Longest a test waits for the server to close or answer before it fails.
const PATIENCE: Duration = Duration::from_secs(10);

struct TestServer {
    addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

async fn serve_with(limits: ConnectionLimits) -> TestServer {
    let key_store = Arc::new(FakeKeyStore::default());
    key_store.add_key(ASK_KEY, &[KeyScope::Ask]);
    let state = app_state(
        Arc::new(FakeJobStore::default()),
        key_store,
        Arc::new(FakeLauncher::default()),
        Arc::new(FakeApprovals::default()),
        Arc::new(SqliteStore::open_in_memory().unwrap()),
        None,
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(api::serve(listener, state, limits, async move {
        let _ = stopped.await;
    }));
    TestServer { addr, _stop: stop }
}

fn limits() -> ConnectionLimits {
    ConnectionLimits {
        header_timeout_secs: 30,
        request_timeout_secs: 30,
        upload_timeout_secs: 30,
        idle_timeout_secs: 30,
        max_connections: 64,
        max_connections_per_client: 0,
    }
}

/// A connection from `source` (any 127.0.0.0/8 address) to the server.
async fn connect_from(source: Ipv4Addr, server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(IpAddr::V4(source), 0)).unwrap();
    socket.connect(server).await.unwrap()
}

async fn connect(server: SocketAddr) -> TcpStream {
    TcpStream::connect(server).await.unwrap()
}

/// Sends `GET /health` and reads the whole response (the server closes after it).
async fn health(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET /health HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    read_until_closed(stream).await
}

/// Reads until the server closes the connection, failing after [`PATIENCE`].
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    match tokio::time::timeout(PATIENCE, stream.read_to_end(&mut received)).await {
        Ok(Ok(_)) | Ok(Err(_)) => String::from_utf8_lossy(&received).into_owned(),
        Err(_) => panic!("the server kept the connection open for {PATIENCE:?}"),
    }
}

/// Whether the connection is still open after `wait` (no byte and no close from the server).
async fn still_open_after(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut byte = [0_u8; 1];
    tokio::time::timeout(wait, stream.read(&mut byte))
        .await
        .is_err()
}

#[tokio::test]
async fn headers_not_finished_within_the_header_timeout_close_the_connection() {
    let server = serve_with(ConnectionLimits {
        header_timeout_secs: 1,
        ..limits()
    })
    .await;
    let mut slow = connect(server.addr).await;
    slow.write_all(b"GET /health HTTP/1.1\r\nhost: te")
        .await
        .unwrap();

    let received = read_until_closed(&mut slow).await;

    assert!(!received.contains("200 OK"), "{received}");
    assert!(
        health(&mut connect(server.addr).await)
            .await
            .starts_with("HTTP/1.1 200")
    );
}

#[tokio::test]
async fn a_body_trickling_past_the_request_timeout_gets_a_json_408() {
    let server = serve_with(ConnectionLimits {
        request_timeout_secs: 1,
        ..limits()
    })
    .await;
    let mut slow = connect(server.addr).await;
    let head = format!(
        "POST /v1/questions HTTP/1.1\r\nhost: test\r\nx-api-key: {ASK_KEY}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"question\""
    );
    slow.write_all(head.as_bytes()).await.unwrap();

    let received = read_until_closed(&mut slow).await;

    assert!(received.starts_with("HTTP/1.1 408"), "{received}");
    assert!(
        received.contains("\"code\":\"request_timeout\""),
        "{received}"
    );
}

#[tokio::test]
async fn a_keep_alive_connection_idle_past_the_idle_timeout_is_closed() {
    let server = serve_with(ConnectionLimits {
        idle_timeout_secs: 1,
        ..limits()
    })
    .await;
    let mut kept = connect(server.addr).await;
    kept.write_all(b"GET /health HTTP/1.1\r\nhost: test\r\n\r\n")
        .await
        .unwrap();
    let mut first = vec![0_u8; 4096];
    let n = kept.read(&mut first).await.unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));

    let after = read_until_closed(&mut kept).await;

    assert_eq!(after, "", "nothing more is sent before the close");
}

#[tokio::test]
async fn a_full_server_closes_the_longest_open_idle_connection_for_a_new_one() {
    let server = serve_with(ConnectionLimits {
        max_connections: 2,
        ..limits()
    })
    .await;
    let mut oldest = connect(server.addr).await;
    oldest.write_all(b"GET /hea").await.unwrap();
    let mut second = connect(server.addr).await;
    second.write_all(b"GET /hea").await.unwrap();
    assert!(still_open_after(&mut oldest, Duration::from_millis(200)).await);

    let answer = health(&mut connect(server.addr).await).await;

    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(read_until_closed(&mut oldest).await, "");
    assert!(still_open_after(&mut second, Duration::from_millis(200)).await);
}

#[tokio::test]
async fn a_full_server_whose_connections_are_all_busy_refuses_with_503() {
    let server = serve_with(ConnectionLimits {
        max_connections: 1,
        ..limits()
    })
    .await;
    let mut busy = connect(server.addr).await;
    let head = format!(
        "POST /v1/questions HTTP/1.1\r\nhost: test\r\nx-api-key: {ASK_KEY}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{"
    );
    busy.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let refused = read_until_closed(&mut connect(server.addr).await).await;

    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains("too_many_connections"), "{refused}");
    assert!(still_open_after(&mut busy, Duration::from_millis(200)).await);
}

#[tokio::test]
async fn a_client_past_its_connection_share_is_refused_while_others_are_served() {
    let server = serve_with(ConnectionLimits {
        max_connections_per_client: 2,
        ..limits()
    })
    .await;
    let greedy = Ipv4Addr::new(127, 0, 0, 2);
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = connect_from(greedy, server.addr).await;
        stream.write_all(b"GET /hea").await.unwrap();
        held.push(stream);
    }

    let refused = read_until_closed(&mut connect_from(greedy, server.addr).await).await;
    let other = health(&mut connect_from(Ipv4Addr::new(127, 0, 0, 3), server.addr).await).await;

    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(other.starts_with("HTTP/1.1 200"), "{other}");
    for stream in &mut held {
        assert!(still_open_after(stream, Duration::from_millis(100)).await);
    }
}

//! A recording WebSocket proxy: forwards every frame between clients and an upstream
//! server and records them, so tests can compare what two clients put on the wire.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::Message;

/// One event the proxy saw, in the order seen; `conn` numbers the client connections from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// The upgrade request's path (with query) and headers, lower-cased names.
    Handshake {
        /// Which client connection this was (1 for the first accepted).
        conn: usize,
        /// The request path with its query string, e.g. `/diffusion?v=29&ty=WB`.
        path: String,
        /// Every request header as (lower-case name, value), hop headers included, in the client's
        /// order.
        headers: Vec<(String, String)>,
    },
    /// A binary frame the client sent, forwarded to the upstream server.
    ClientToServer {
        /// Which client connection this was.
        conn: usize,
        /// The frame's payload: one Diffusion message.
        bytes: Vec<u8>,
    },
    /// A binary frame the upstream server sent, forwarded to the client.
    ServerToClient {
        /// Which client connection this was.
        conn: usize,
        /// The frame's payload: one Diffusion message.
        bytes: Vec<u8>,
    },
}

/// A WebSocket proxy on a free loopback port that records every binary frame both ways; stops when
/// dropped.
pub struct RecordingProxy {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

/// Headers that belong to one WebSocket hop, not to the protocol being recorded.
const HOP_HEADERS: [&str; 7] = [
    "host",
    "upgrade",
    "connection",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
    "sec-websocket-protocol",
];

impl RecordingProxy {
    /// Starts the proxy in front of a plain `ws://` server at `upstream`.
    pub async fn start(upstream: SocketAddr) -> RecordingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn({
            let log = log.clone();
            async move {
                let mut conn = 0;
                while let Ok((stream, _)) = listener.accept().await {
                    conn += 1;
                    tokio::spawn(relay(stream, upstream, conn, log.clone()));
                }
            }
        });
        RecordingProxy { addr, log, task }
    }

    /// The `ws://` URL clients use instead of the upstream server's.
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// Everything recorded so far, and a fresh log.
    pub fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn relay(
    stream: TcpStream,
    upstream: SocketAddr,
    conn: usize,
    log: Arc<Mutex<Vec<Recorded>>>,
) {
    let mut seen: Option<(String, Vec<(String, String)>)> = None;
    // The callback's signature, large error type included, is tungstenite's.
    #[allow(clippy::result_large_err)]
    let cb = |req: &Request, resp: Response| {
        let path = req
            .uri()
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default();
        let headers = req
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    v.to_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        seen = Some((path, headers));
        Ok(resp)
    };
    let Ok(client) = tokio_tungstenite::accept_hdr_async(stream, cb).await else {
        return;
    };
    let (path, headers) = seen.expect("handshake seen");
    let mut req = format!("ws://{upstream}{path}")
        .into_client_request()
        .unwrap();
    for (k, v) in &headers {
        if !HOP_HEADERS.contains(&k.as_str()) {
            req.headers_mut().insert(
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
    }
    log.lock().unwrap().push(Recorded::Handshake {
        conn,
        path,
        headers,
    });
    let Ok((server, _)) = tokio_tungstenite::connect_async(req).await else {
        return;
    };
    let (mut client_tx, mut client_rx) = client.split();
    let (mut server_tx, mut server_rx) = server.split();
    loop {
        tokio::select! {
            m = client_rx.next() => match m {
                Some(Ok(Message::Binary(b))) => {
                    log.lock().unwrap().push(Recorded::ClientToServer { conn, bytes: b.to_vec() });
                    if server_tx.send(Message::Binary(b)).await.is_err() { break; }
                }
                Some(Ok(Message::Close(f))) => { let _ = server_tx.send(Message::Close(f)).await; break; }
                Some(Ok(_)) => {}
                _ => break,
            },
            m = server_rx.next() => match m {
                Some(Ok(Message::Binary(b))) => {
                    log.lock().unwrap().push(Recorded::ServerToClient { conn, bytes: b.to_vec() });
                    if client_tx.send(Message::Binary(b)).await.is_err() { break; }
                }
                Some(Ok(Message::Close(f))) => { let _ = client_tx.send(Message::Close(f)).await; break; }
                Some(Ok(_)) => {}
                _ => break,
            },
        }
    }
}

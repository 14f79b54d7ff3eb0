//! Opening the WebSocket: TCP (with TLS for `wss://`), then the HTTP upgrade that carries
//! the connection parameters as headers. tungstenite writes the request and derives the
//! accept key it checks; httparse reads the response; what follows it in the same read
//! (the server's first frame, often) goes to the frame layer, `websocket.rs`.

use std::sync::Arc;

use bytes::{Buf, BytesMut};
use rustls_pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::client::{generate_request, Request};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

use crate::websocket::{Io, WebSocket};

/// The longest response head taken (tungstenite's limit was its read buffer's).
const MAX_HEAD: usize = 64 * 1024;

/// Connects to the request's URL, `ws://` or `wss://` (then with `tls`), and upgrades
/// the connection. The error says what failed, for `ClientError::Connect`.
pub(crate) async fn open(
    request: Request,
    tls: Option<Arc<rustls::ClientConfig>>,
    read_size: usize,
) -> Result<WebSocket, String> {
    let uri = request.uri();
    let secure = match uri.scheme_str() {
        Some("ws") => false,
        Some("wss") => true,
        other => return Err(format!("URL scheme not supported: {other:?}")),
    };
    let host = uri.host().ok_or("URL without a host")?;
    // An IPv6 address is written in brackets in a URL, not in a socket address.
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
        .to_owned();
    let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
    let tcp = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| e.to_string())?;
    // Requests are batched by the driver and flushed once: no need to wait for more.
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut io: Box<dyn Io> = match (secure, tls) {
        (false, _) => Box::new(tcp),
        (true, Some(config)) => {
            let name = ServerName::try_from(host).map_err(|e| e.to_string())?;
            let stream = tokio_rustls::TlsConnector::from(config)
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS: {e}"))?;
            Box::new(stream)
        }
        (true, None) => return Err("a wss:// URL needs a TLS configuration".into()),
    };
    let (bytes, key) = generate_request(request).map_err(|e| e.to_string())?;
    io.write_all(&bytes).await.map_err(|e| e.to_string())?;
    io.flush().await.map_err(|e| e.to_string())?;
    let mut head = BytesMut::with_capacity(4096);
    let used = loop {
        if io.read_buf(&mut head).await.map_err(|e| e.to_string())? == 0 {
            return Err("closed during the WebSocket handshake".into());
        }
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(&head) {
            Ok(httparse::Status::Complete(used)) => {
                accepted(&response, &key)?;
                break used;
            }
            Ok(httparse::Status::Partial) if head.len() < MAX_HEAD => {}
            Ok(httparse::Status::Partial) => {
                return Err(format!("a handshake response over {MAX_HEAD} bytes"))
            }
            Err(e) => return Err(format!("a malformed handshake response: {e}")),
        }
    };
    head.advance(used);
    Ok(WebSocket::new(io, head, read_size))
}

/// Whether the response accepts the upgrade, as RFC 6455 §4.1 asks the client to check.
fn accepted(response: &httparse::Response<'_, '_>, key: &str) -> Result<(), String> {
    let code = response.code.unwrap_or(0);
    if code != 101 {
        return Err(format!(
            "HTTP error: {code} {}",
            response.reason.unwrap_or_default()
        ));
    }
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).into_owned())
    };
    let has = |name: &str, token: &str| {
        header(name).is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    if !has("Upgrade", "websocket") || !has("Connection", "upgrade") {
        return Err("the handshake response does not upgrade to a WebSocket".into());
    }
    if header("Sec-WebSocket-Accept").as_deref() != Some(derive_accept_key(key.as_bytes()).as_str())
    {
        return Err("the handshake response's Sec-WebSocket-Accept does not match its key".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `accepted` on a response head given as text.
    fn check(head: &str, key: &str) -> Result<(), String> {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        assert!(response.parse(head.as_bytes()).unwrap().is_complete());
        accepted(&response, key)
    }

    // RFC 6455 §1.3's example key and its accept value.
    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
    const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    #[test]
    fn an_upgrade_with_the_keys_accept_value_is_taken_in_any_case_of_its_tokens() {
        let ok = format!(
            "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\n\
             connection: keep-alive, Upgrade\r\nsec-websocket-accept: {ACCEPT}\r\n\r\n"
        );
        assert_eq!(check(&ok, KEY), Ok(()));
    }

    #[test]
    fn a_refusal_a_missing_upgrade_and_a_wrong_accept_value_are_errors_saying_which() {
        let refused = "HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(
            check(refused, KEY),
            Err("HTTP error: 401 Unauthorized".into())
        );
        let plain = format!(
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {ACCEPT}\r\n\r\n"
        );
        assert!(check(&plain, KEY).unwrap_err().contains("does not upgrade"));
        let wrong = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                     Connection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n";
        assert!(check(wrong, KEY)
            .unwrap_err()
            .contains("Sec-WebSocket-Accept"));
    }
}

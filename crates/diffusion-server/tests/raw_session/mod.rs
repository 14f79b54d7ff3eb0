//! A session opened over a raw WebSocket, as the Python SDK opens one (its parameters as
//! headers), for the tests that choose every byte they send.

use diffusion_server::ServerHandle;
use diffusion_wire::connection::ConnectionResponse;
use diffusion_wire::Credentials;
use futures_util::StreamExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as Ws;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens a session as `admin` with `password`; the socket and the server's answer.
pub async fn open(server: &ServerHandle, password: &str) -> (Socket, ConnectionResponse) {
    let mut req = format!("{}/diffusion", server.url())
        .into_client_request()
        .unwrap();
    let h = req.headers_mut();
    h.insert("v", "25".parse().unwrap());
    h.insert("ca", "10".parse().unwrap());
    h.insert("ty", "PY".parse().unwrap());
    h.insert("username", "admin".parse().unwrap());
    let creds = Credentials::Password(password.into()).to_param();
    h.insert("password", creds.parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let Some(Ok(Ws::Binary(b))) = ws.next().await else {
        panic!("no connection response")
    };
    (ws, ConnectionResponse::decode(&b).unwrap())
}

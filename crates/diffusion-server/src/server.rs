//! Binding, accepting connections, and shutting down.

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::ServerConfig;
use crate::tree::{ServerStats, Tree};

/// State shared by every session of one server.
pub(crate) struct Shared {
    pub(crate) config: ServerConfig,
    pub(crate) tree: Mutex<Tree>,
    /// Distinguishes this server's session ids from another's, as in a cluster.
    pub(crate) server_id: u64,
    pub(crate) next_session: AtomicU64,
}

impl Shared {
    /// The tree lock is never held across an await, so a poisoned lock means a panic in
    /// tree code; carry on with the data as it is rather than take every session down.
    pub(crate) fn tree(&self) -> std::sync::MutexGuard<'_, Tree> {
        self.tree.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Entry point of the embedded server: [`Server::bind`] starts one.
pub struct Server;

impl Server {
    /// Binds the listener and starts serving in the background.
    pub async fn bind(config: ServerConfig) -> std::io::Result<ServerHandle> {
        let tls = config.tls.as_ref().map(crate::tls::acceptor).transpose()?;
        let listener = TcpListener::bind(config.listen).await?;
        let local_addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            config,
            tree: Mutex::new(Tree::default()),
            server_id: rand::random(),
            next_session: AtomicU64::new(1),
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let scheme = if tls.is_some() { "wss" } else { "ws" };
        let task = tokio::spawn(accept_loop(listener, tls, shared.clone(), stop_rx));
        tracing::info!(url = %format!("{scheme}://{local_addr}"), "embedded Diffusion server listening");
        Ok(ServerHandle {
            local_addr,
            scheme,
            shared,
            stop: stop_tx,
            task: Some(task),
        })
    }
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut sessions = JoinSet::new();
    let removals = tokio::spawn(removal_timer(shared.clone()));
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let (shared, stop) = (shared.clone(), stop.clone());
                    match tls.clone() {
                        None => { sessions.spawn(crate::session::run(stream, peer, shared, stop)); }
                        // The TLS handshake runs in the session's task, never in the accept loop.
                        Some(acceptor) => { sessions.spawn(async move {
                            match acceptor.accept(stream).await {
                                Ok(stream) => crate::session::run(stream, peer, shared, stop).await,
                                Err(e) => tracing::info!(%peer, error = %e, "TLS handshake failed"),
                            }
                        }); }
                    }
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    removals.abort();
    // Sessions see the same signal and close their WebSockets; give them a moment.
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while sessions.join_next().await.is_some() {}
    })
    .await;
}

/// How often REMOVAL policies are evaluated. Diffusion also evaluates them periodically
/// ("every few seconds"), so removal times are approximate there too; once a second keeps
/// the tests short.
const REMOVAL_PERIOD: Duration = Duration::from_secs(1);

/// Evaluates the topics' REMOVAL policies every [`REMOVAL_PERIOD`]. A tick with no such
/// topics takes the tree lock and returns at once.
async fn removal_timer(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(REMOVAL_PERIOD);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        shared
            .tree()
            .expire(std::time::Instant::now(), std::time::SystemTime::now());
    }
}

/// A running server. Dropping it stops the server in the background; [`shutdown`] stops it
/// and waits until every session has been closed.
///
/// [`shutdown`]: ServerHandle::shutdown
pub struct ServerHandle {
    local_addr: SocketAddr,
    scheme: &'static str,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl ServerHandle {
    /// The address the server listens on, with the actual port when the configuration asked for
    /// port 0.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The URL clients connect to (the SDKs append `/diffusion` themselves).
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.local_addr)
    }

    /// A snapshot of the server's counters, taken under the topic tree's lock.
    pub fn stats(&self) -> ServerStats {
        self.shared.tree().stats()
    }

    /// Stops accepting connections, closes every session and waits (up to about 5 s for sessions)
    /// until the server has stopped.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

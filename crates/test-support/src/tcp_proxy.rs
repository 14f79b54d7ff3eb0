//! A TCP proxy for fault tests: forwards bytes both ways until told to freeze (a silent
//! partition: nothing flows, nothing closes), to cut (every connection reset), or to delay
//! every chunk it forwards (a slow link).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A TCP proxy on a free loopback port in front of one upstream address, for fault tests; stops
/// accepting when dropped.
pub struct TcpProxy {
    addr: SocketAddr,
    frozen: Arc<AtomicBool>,
    delay_ms: Arc<AtomicU64>,
    cut: watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl TcpProxy {
    /// Starts the proxy in front of `upstream`; each accepted client gets its own upstream
    /// connection.
    pub async fn start(upstream: SocketAddr) -> TcpProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().unwrap();
        let frozen = Arc::new(AtomicBool::new(false));
        let delay_ms = Arc::new(AtomicU64::new(0));
        let (cut, cut_rx) = watch::channel(0u64);
        let task = tokio::spawn({
            let frozen = frozen.clone();
            let delay_ms = delay_ms.clone();
            async move {
                while let Ok((client, _)) = listener.accept().await {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        continue;
                    };
                    tokio::spawn(pump(
                        client,
                        server,
                        frozen.clone(),
                        delay_ms.clone(),
                        cut_rx.clone(),
                    ));
                }
            }
        });
        TcpProxy {
            addr,
            frozen,
            delay_ms,
            cut,
            task,
        }
    }

    /// The loopback address clients connect to instead of the upstream.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops forwarding without closing anything.
    pub fn freeze(&self) {
        self.frozen.store(true, Ordering::SeqCst);
    }

    /// Resumes forwarding after [`freeze`](Self::freeze); whatever was held back then flows.
    pub fn thaw(&self) {
        self.frozen.store(false, Ordering::SeqCst);
    }

    /// Holds every chunk this long before forwarding it (zero: no delay).
    pub fn set_delay(&self, delay: std::time::Duration) {
        self.delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// Resets every open connection (new ones are still accepted).
    pub fn cut(&self) {
        self.cut.send_modify(|n| *n += 1);
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pump(
    mut a: TcpStream,
    mut b: TcpStream,
    frozen: Arc<AtomicBool>,
    delay_ms: Arc<AtomicU64>,
    mut cut: watch::Receiver<u64>,
) {
    let delay = || async {
        let ms = delay_ms.load(Ordering::SeqCst);
        if ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
    };
    let _ = a.set_nodelay(true);
    let _ = b.set_nodelay(true);
    cut.borrow_and_update();
    let (mut ar, mut aw) = a.split();
    let (mut br, mut bw) = b.split();
    let mut abuf = vec![0u8; 16 * 1024];
    let mut bbuf = vec![0u8; 16 * 1024];
    loop {
        if frozen.load(Ordering::SeqCst) {
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_millis(10)) => continue,
                _ = cut.changed() => break,
            }
        }
        tokio::select! {
            n = ar.read(&mut abuf) => match n {
                Ok(0) | Err(_) => break,
                Ok(n) => { delay().await; if bw.write_all(&abuf[..n]).await.is_err() { break } },
            },
            n = br.read(&mut bbuf) => match n {
                Ok(0) | Err(_) => break,
                Ok(n) => { delay().await; if aw.write_all(&bbuf[..n]).await.is_err() { break } },
            },
            _ = cut.changed() => break,
            // Re-check the freeze flag now and then even when nothing flows.
            _ = tokio::time::sleep(std::time::Duration::from_millis(10)) => {}
        }
    }
    // Dropping both sockets with SO_LINGER 0 would be a hard reset; a close is enough here.
}

//! Test helpers shared by every crate's integration tests: the real Kafka-protocol broker,
//! the official Diffusion SDKs as subprocesses, Apache Kafka's own Single Message Transforms
//! as a referee for ours ([`smt::run_kafka`]), free ports and unique names.
//!
//! Tools come from the project-local folder that `scripts/setup.sh` fills (`.tools/`, or
//! `$DKC_TOOLS`). A missing tool fails the test with the command that installs it.

#![warn(missing_docs)]

pub mod broker;
pub mod kafka;
pub mod process;
pub mod proxy;
pub mod registry;
pub mod rest;
pub mod sdk;
pub mod smt;
pub mod tcp_proxy;
pub mod tls;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

pub use broker::Broker;
pub use process::Process;
pub use registry::SchemaRegistry;

/// The project-local tools folder.
pub fn tools_dir() -> PathBuf {
    std::env::var_os("DKC_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".tools"))
}

/// The workspace's root folder (two levels above this crate), where `scripts/` and `.tools/` live.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// A port that was free a moment ago on 127.0.0.1, below the kernel's ephemeral range:
/// fault tests stop a server and start it again on the same port, and a port from the
/// ephemeral range may meanwhile become the local port of some outgoing connection (a
/// client reconnecting, a broker connection), which makes the restart fail. Successive
/// calls in one process walk the range from a per-process start, so parallel tests do
/// not pick the same port.
pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    const LOWEST: u32 = 10_000;
    let below = ephemeral_start();
    if below > LOWEST + 1_000 {
        let span = below - LOWEST;
        let start = std::process::id().wrapping_mul(7_919) % span;
        for _ in 0..span {
            let port = LOWEST + (start + NEXT.fetch_add(1, Ordering::Relaxed)) % span;
            if std::net::TcpListener::bind(("127.0.0.1", port as u16)).is_ok() {
                return port as u16;
            }
        }
    }
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port on 127.0.0.1")
}

/// The first port the kernel hands out for outgoing connections (Linux's default 32768).
fn ephemeral_start() -> u32 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(32_768)
}

/// A name no other test in this run uses: tests share one broker, never topics.
pub fn unique_name(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub(crate) fn missing_tool(what: &str, path: &std::path::Path) -> ! {
    panic!(
        "{what} not found at {}: run scripts/setup.sh (or set DKC_TOOLS to a folder it filled)",
        path.display()
    )
}

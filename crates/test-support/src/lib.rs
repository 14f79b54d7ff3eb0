//! Test helpers shared by every crate's integration tests: the real Kafka-protocol broker,
//! the official Diffusion SDKs as subprocesses, free ports and unique names.
//!
//! Tools come from the project-local folder that `scripts/setup.sh` fills (`.tools/`, or
//! `$DKC_TOOLS`). A missing tool fails the test with the command that installs it.

pub mod broker;
pub mod kafka;
pub mod process;
pub mod proxy;
pub mod rest;
pub mod sdk;
pub mod tcp_proxy;
pub mod tls;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

pub use broker::Broker;
pub use process::Process;

/// The project-local tools folder.
pub fn tools_dir() -> PathBuf {
    std::env::var_os("DKC_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".tools"))
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port on 127.0.0.1")
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

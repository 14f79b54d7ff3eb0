//! The stall suite: the sink's memory while Diffusion is frozen under load.

use std::process::{Command, Stdio};
use std::time::Duration;

use test_support::{unique_name, Broker};

use super::*;
use crate::support::ServerProcess;
use crate::Row;

/// Memory while Diffusion stalls under load: the sink (its own process) takes records at
/// 10k/s while its Diffusion link is frozen for 10 s (a proxy that stops forwarding),
/// then thawed; every record must still be confirmed. RSS before, during and after.
pub async fn stall(smoke: bool) -> Result<Vec<Row>, String> {
    let (rate, before, frozen, after) = if smoke {
        (2_000u64, 2, 2, 2)
    } else {
        (10_000, 5, 10, 5)
    };
    let n = rate * (before + frozen + after);
    let broker = Broker::shared();
    let bootstrap = broker.bootstrap();
    let topic = unique_name("bench-stall");
    broker.create_topic(&topic, 1).await;
    let server = ServerProcess::start()?;
    let upstream: std::net::SocketAddr = server
        .url
        .trim_start_matches("ws://")
        .parse()
        .map_err(|e| format!("server address: {e}"))?;
    let proxy = test_support::tcp_proxy::TcpProxy::start(upstream).await;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = Command::new(exe)
        .args([
            SINK_CHILD,
            &bootstrap,
            &topic,
            &format!("ws://{}", proxy.addr()),
            &n.to_string(),
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| e.to_string())?;
    let pid = child.id();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (b, t) = (bootstrap.clone(), topic.clone());
    let producing = tokio::task::spawn_blocking(move || paced_produce(&b, &t, n, rate));
    tokio::time::sleep(Duration::from_secs(before)).await;
    let rss_before = crate::support::rss_kib(pid);
    proxy.freeze();
    let mut rss_stalled = 0;
    for _ in 0..frozen * 10 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        rss_stalled = rss_stalled.max(crate::support::rss_kib(pid));
    }
    proxy.thaw();
    producing.await.map_err(|e| e.to_string())?;
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err("the sink did not confirm every record after the stall".into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let peak = text.split_whitespace().nth(1).unwrap_or("?").to_owned();
    Ok(vec![Row {
        name: format!("sink RSS with Diffusion stalled {frozen} s at {rate} records/s: before / during / peak (all {n} confirmed after)"),
        ours: format!("{rss_before} KiB / {rss_stalled} KiB / {peak} KiB"),
        baseline: "-".into(),
        ratio: "-".into(),
        target: "bounded".into(),
    }])
}

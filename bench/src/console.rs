//! The console suite (issue 24): what the live page costs the worker. The binary runs its
//! demo (sample sink and source, `--rate` records each way, the embedded Diffusion server)
//! against the test broker; its CPU time is measured over equal spells with no page open
//! and with `/ui` open in headless Chromium (charts over the last minute, the topic tree
//! opened to a live value), alternating, in the same run. Chromium's own CPU is not the
//! worker's and is not counted.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use test_support::Broker;

use crate::support::process_cpu_secs;
use crate::Row;

/// The worker binary beside this one (`cargo build [--release] -p worker` puts it there).
fn worker_binary() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin = exe
        .parent()
        .ok_or("no directory")?
        .join("diffusion-kafka-connect");
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!(
            "{} is missing: build it first (cargo build [--release] -p worker)",
            bin.display()
        ))
    }
}

struct Demo(Child);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub async fn console(smoke: bool) -> Result<Vec<Row>, String> {
    let (rate, spell, rounds) = if smoke { (200, 3, 1) } else { (1000, 30, 3) };
    let modules = test_support::tools_dir().join("js/node_modules");
    if !modules.join("playwright-core").exists() {
        return Err(format!(
            "playwright-core is not in {}: run scripts/setup.sh",
            modules.display()
        ));
    }
    let broker = Broker::shared();
    let rest = test_support::free_port();
    let diffusion = test_support::free_port();
    let demo = Demo(
        Command::new(worker_binary()?)
            .args(["demo", "--bootstrap-servers", &broker.bootstrap()])
            .args(["--rate", &rate.to_string()])
            .args(["--rest-listen", &format!("127.0.0.1:{rest}")])
            .args(["--diffusion-listen", &format!("127.0.0.1:{diffusion}")])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the demo: {e}"))?,
    );
    let pid = demo.0.id();
    let url = format!("http://127.0.0.1:{rest}/ui");
    // Up, and data flowing for a while (consumer joined, caches warm).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while ureq::get(&format!("http://127.0.0.1:{rest}/connectors"))
        .call()
        .is_err()
    {
        if tokio::time::Instant::now() > deadline {
            return Err("the demo's REST API did not answer within 60 s".into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(if smoke { 3 } else { 15 })).await;

    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("js/hold_console.js");
    let (mut closed, mut open) = (0.0, 0.0);
    for _ in 0..rounds {
        closed += cpu_over(pid, spell).await;
        let mut page = Command::new("node")
            .arg(&script)
            .arg(&url)
            .arg((spell + 10).to_string())
            .env("NODE_PATH", &modules)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start node: {e}"))?;
        // Measured once the page is up and following the tree.
        let stdout = page.stdout.take().ok_or("no stdout")?;
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).map(|_| line)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
        if line.trim() != "open" {
            let _ = page.kill();
            return Err(format!("the page did not open: {line:?}"));
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        open += cpu_over(pid, spell).await;
        let _ = page.kill();
        let _ = page.wait();
    }
    let total = (spell * rounds) as f64;
    let pct = |cpu: f64| format!("{:.1}% of a core", cpu / total * 100.0);
    Ok(vec![Row {
        name: format!(
            "worker CPU at {rate} records/s each way (demo), /ui open in Chromium (charts, tree at a live topic) vs closed, {rounds}x{spell} s each, alternating"
        ),
        ours: pct(open),
        baseline: format!("{} (no page)", pct(closed)),
        ratio: format!("{:.3}", open / closed.max(1e-9)),
        target: "<= 1.05".into(),
    }])
}

/// The process's CPU seconds over the next `secs` seconds.
async fn cpu_over(pid: u32, secs: u64) -> f64 {
    let before = process_cpu_secs(pid);
    tokio::time::sleep(Duration::from_secs(secs)).await;
    process_cpu_secs(pid) - before
}

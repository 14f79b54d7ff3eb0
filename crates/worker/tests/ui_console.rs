//! The `/ui` console in headless Chromium (Debian's, driven by playwright-core;
//! `tests/ui/console.js`): against the demo, charts fill, pausing the sink from the page
//! stops `kafka/price` and drops its chart to 0, a bad key shows its error inline, a
//! connector is created from the sample, edited to a wrong password (its task fails and
//! the trace shows) and deleted, the topic tree opens to a live value and a selector
//! narrows it; against a worker with REST basic auth, the page asks for credentials and
//! then works, its stream of topic values included. Screenshots are saved to the test's temp dir; their paths are printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diffusion_client::{Session, SessionOptions, TopicSpecification, TopicType, Value};
use test_support::{free_port, Broker, Process};

/// Runs the page script; prints the screenshots' paths and returns what it saw.
async fn console(args: Vec<String>) -> serde_json::Value {
    let run = tokio::task::spawn_blocking(move || {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/console.js");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        test_support::sdk::node(&script, &args)
    })
    .await
    .unwrap();
    let last = run.stdout().lines().last().unwrap_or("{}").to_owned();
    let seen: serde_json::Value = serde_json::from_str(&last).unwrap_or_default();
    for shot in seen["screenshots"].as_array().into_iter().flatten() {
        eprintln!("screenshot: {}", shot.as_str().unwrap_or_default());
    }
    run.assert_success();
    eprintln!("the page saw: {seen}");
    seen
}

fn wait_for_page(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while ureq::get(format!("http://127.0.0.1:{port}/ui"))
        .call()
        .is_err()
    {
        assert!(Instant::now() < deadline, "the page never came up");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn shots(name: &str) -> PathBuf {
    test_support::tls::temp_dir(name)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_charts_acts_validates_and_shows_the_tree() {
    let broker = Broker::shared();
    let (d, r) = (free_port(), free_port());
    let mut demo = Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
            .args(["demo", "--bootstrap-servers", &broker.bootstrap()])
            .args([
                "--diffusion-listen",
                &format!("127.0.0.1:{d}"),
                "--rest-listen",
                &format!("127.0.0.1:{r}"),
            ])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null()),
    );
    tokio::task::block_in_place(|| wait_for_page(r));
    let dir = shots("ui-console");
    let seen = console(vec![
        "demo".into(),
        format!("http://127.0.0.1:{r}/ui"),
        dir.display().to_string(),
    ])
    .await;

    // Charts got points while the demo ran, with the sink's latency among them.
    let running = &seen["running"];
    let points: u64 = running["rate"]["points"].as_str().unwrap().parse().unwrap();
    assert!(points >= 10, "{seen}");
    let p50: f64 = running["latency"]["lastP50_ms"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap_or(0.0);
    assert!(p50 > 0.0, "no publish latency charted: {seen}");
    assert!(
        running["source"]["lastOut"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
            > 0.0,
        "the source's acknowledged rate is not charted: {seen}"
    );
    let hover = seen["hover_legend"].as_array().unwrap();
    assert!(
        hover.len() == 3 && hover[2].as_str().unwrap().starts_with("at "),
        "{seen}"
    );
    // Paused from the page: no data, the chart at 0; resumed: data again.
    assert_eq!(seen["paused"]["state"], "PAUSED", "{seen}");
    assert_eq!(seen["paused"]["rate"]["lastIn"], "0", "{seen}");
    assert_eq!(
        seen["paused"]["price_changed_while_paused"], false,
        "{seen}"
    );
    assert!(seen["resumed"]["lastIn"].as_str().unwrap() != "0", "{seen}");
    // The bad key's error, inline; only that key.
    let error = seen["invalid"]["error"].as_str().unwrap();
    assert!(
        error.contains("none, all") && error.contains("sometimes"),
        "{seen}"
    );
    assert_eq!(
        seen["invalid"]["others_with_errors"],
        serde_json::json!(["errors.tolerance"]),
        "{seen}"
    );
    assert_eq!(seen["created"], true, "{seen}");
    // Edited to a wrong password from the page: FAILED, with the reason shown; deleted.
    assert!(
        seen["failed"]["state"].as_str().unwrap().contains("FAILED"),
        "{seen}"
    );
    assert!(
        !seen["failed"]["trace"].as_str().unwrap().is_empty(),
        "{seen}"
    );
    assert_eq!(seen["deleted"], true, "{seen}");
    // The tree: a live value with its type and rate, pretty in the detail pane.
    assert_eq!(seen["tree"]["value"]["symbol"], "ACME", "{seen}");
    assert_eq!(seen["tree"]["type"], "json", "{seen}");
    assert!(
        seen["tree"]["detail"]
            .as_str()
            .unwrap()
            .contains("\n  \"symbol\": \"ACME\""),
        "{seen}"
    );
    // The selector showed source/kafka/price and not kafka/price.
    let shown = seen["search"]["shown"].to_string();
    assert!(
        shown.contains("\"source/kafka/price\"") && !shown.contains("\"kafka/price\""),
        "{seen}"
    );
    // No request left the worker; no script error.
    assert_eq!(
        seen["origins"],
        serde_json::json!([format!("http://127.0.0.1:{r}")]),
        "{seen}"
    );
    assert!(seen["page_errors"].is_null(), "{seen}");

    assert!(demo.signal(libc::SIGINT).success());
}

#[tokio::test(flavor = "multi_thread")]
async fn with_basic_auth_the_console_asks_for_credentials() {
    let dir = shots("ui-console-auth");
    let (port, d) = (free_port(), free_port());
    // A Diffusion server with one topic, for the page's stream of values (which needs the
    // credentials too).
    let _diffusion = Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
            .args(["diffusion-server", "--listen", &format!("127.0.0.1:{d}")])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null()),
    );
    let url = format!("ws://127.0.0.1:{d}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let publisher = loop {
        match Session::connect(&url, "admin", "password", SessionOptions::default()).await {
            Ok(s) => break s,
            Err(e) => assert!(Instant::now() < deadline, "no Diffusion server: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    publisher
        .add_and_set(
            "auth/check",
            TopicSpecification::new(TopicType::Json),
            &Value::Json(serde_json::json!({"ok": true})),
        )
        .await
        .unwrap();
    std::fs::write(
        dir.join("worker.properties"),
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\nconfig.storage.file.filename={}\n\
             rest.basic.auth.username=ops\nrest.basic.auth.password=letmein\nui.diffusion.url={url}\n",
            Broker::shared().bootstrap(),
            dir.join("connectors.json").display()
        ),
    )
    .unwrap();
    let mut worker = Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
            .arg("worker")
            .arg(dir.join("worker.properties"))
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null()),
    );
    tokio::task::block_in_place(|| wait_for_page(port));
    // The page and its scripts are public; its data is not, and the console's requests
    // get no challenge (which would raise the browser's own dialog).
    let status = |path: &str, console: bool| {
        let mut req = ureq::get(format!("http://127.0.0.1:{port}{path}"));
        if console {
            req = req.header("X-DKC-Console", "1");
        }
        let resp = req
            .config()
            .http_status_as_error(false)
            .build()
            .call()
            .unwrap();
        (
            resp.status().as_u16(),
            resp.headers().contains_key("www-authenticate"),
        )
    };
    tokio::task::block_in_place(|| {
        assert_eq!(status("/ui", false), (200, false));
        assert_eq!(status("/ui/static/api.js", false), (200, false));
        assert_eq!(status("/ui/stats", false), (401, true));
        assert_eq!(status("/ui/series", true), (401, false));
        assert_eq!(status("/ui/static/../stats", false).0, 401);
    });
    let seen = console(vec![
        "auth".into(),
        format!("http://127.0.0.1:{port}/ui"),
        dir.display().to_string(),
        "ops".into(),
        "letmein".into(),
    ])
    .await;
    assert_eq!(seen["signed_in"], true, "{seen}");
    assert_eq!(seen["empty"], true, "{seen}");
    assert_eq!(seen["topic"], serde_json::json!({"ok": true}), "{seen}");
    publisher.close().await;
    assert!(worker.signal(libc::SIGTERM).success());
}

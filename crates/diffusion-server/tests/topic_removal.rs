//! The REMOVAL topic property through the official Python SDK: topics it adds with removal
//! policies disappear when their conditions hold, and not before; policies the server does
//! not accept refuse the add with the reason. See `tests/sdk/removal.py` for the cases.

use diffusion_server::{Server, ServerConfig};
use test_support::{sdk, unique_name};

/// The server evaluates policies once a second, so a removal comes up to a second after its
/// condition begins to hold, plus the SDK's round trips on a loaded machine (the upper
/// bound only proves it came; a busy machine may take long); never before.
fn within(lines: &[String], key: &str, from: f64, to: f64) {
    let line = lines
        .iter()
        .find(|l| l.starts_with(&format!("{key} ")) && !l.contains(" held "))
        .unwrap_or_else(|| panic!("no {key:?} line in {lines:#?}"));
    let secs: f64 = line[key.len() + 1..].parse().expect(line);
    assert!(
        (from..=to).contains(&secs),
        "{key}: removed after {secs} s, expected {from}..={to} s"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn removal_policies_through_the_python_sdk() {
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let p = unique_name("removal");
    let (url, prefix) = (server.url(), p.clone());
    let run = tokio::task::spawn_blocking(move || {
        sdk::python(
            &sdk::script(env!("CARGO_MANIFEST_DIR"), "removal.py"),
            &[&url, &prefix],
        )
    })
    .await
    .unwrap();
    run.assert_success();
    let lines = run.lines();
    let has = |l: &str| lines.iter().any(|x| x == l);
    let all = lines.join("\n");

    // The properties go to subscribers as given.
    assert!(has("props 'when no updates for 1h' True"), "{all}");
    within(&lines, "idle", 1.9, 30.0);
    assert!(has("lonely held EXISTS"), "{all}");
    within(&lines, "lonely", 1.9, 30.0);
    within(&lines, "timed", 1.9, 30.0);
    assert!(
        has(&format!("group {p}/group/policy {p}/group/x {p}/group/y")),
        "{all}"
    );

    let invalid: Vec<&String> = lines.iter().filter(|l| l.starts_with("invalid ")).collect();
    assert_eq!(invalid.len(), 4, "{all}");
    for (line, reason) in invalid.iter().zip([
        r#"invalid REMOVAL property "when no updates for 10": expected a period, as 10s at offset 20, found "10""#,
        "'no session has' conditions are not supported by the embedded server",
        "expected 'when' at offset 0",
        "expected a condition",
    ]) {
        assert!(
            line.starts_with("invalid InvalidTopicSpecificationError "),
            "{line}"
        );
        assert!(line.contains(reason), "{line} does not give {reason:?}");
    }
    server.shutdown().await;
}

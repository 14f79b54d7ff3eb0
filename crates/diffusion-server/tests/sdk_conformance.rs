//! The official SDKs, as independent clients, against the embedded server: good and bad
//! passwords, topics of each type, every selector form from two sessions, initial values,
//! updates and deltas in order, removal with unsubscription, and 100 topics x 100 updates.
//!
//! Both SDK programs print the same event lines (see `tests/sdk/conformance.py`), so one
//! set of expectations judges both.

use diffusion_server::{Server, ServerConfig, ServerHandle};
use test_support::{sdk, unique_name};

async fn server() -> ServerHandle {
    Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

fn check(lines: &[String], p: &str) {
    let has = |l: &str| lines.iter().any(|x| x == l);
    let all = lines.join("\n");
    let expect = |l: String| assert!(has(&l), "missing {l:?} in:\n{all}");

    expect("auth AUTHENTICATION_FAILED".into());
    // Adding an existing topic with the same specification is not an error.
    let adds: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with(&format!("add {p}/json ")))
        .collect();
    assert_eq!(
        adds,
        [
            &format!("add {p}/json CREATED"),
            &format!("add {p}/json EXISTS")
        ]
    );
    for t in ["string", "int", "double", "binary"] {
        expect(format!("add {p}/{t} CREATED"));
    }
    expect("removed 2".into());

    // Per session and topic: the subscription first, then every value in order.
    // "<session> <kind> <path> <rest>" -> "<kind> <rest>", values re-serialised so that
    // both SDKs' JSON spacing compares equal.
    let events = |session: &str, topic: &str| -> Vec<String> {
        let path = format!("{p}/{topic}");
        lines
            .iter()
            .filter_map(|l| {
                let mut parts = l.splitn(4, ' ');
                let (s, kind, at, rest) =
                    (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
                if s != session || at != path {
                    return None;
                }
                let rest = match kind {
                    "val" => serde_json::from_str::<serde_json::Value>(rest)
                        .expect("value is JSON")
                        .to_string(),
                    _ => rest.to_owned(),
                };
                Some(format!("{kind} {rest}"))
            })
            .collect()
    };
    let json = [
        "sub JSON",
        r#"val {"bid":1.5,"sym":"ABC"}"#,
        r#"val {"bid":2.5,"sym":"ABC"}"#,
        r#"val {"bid":3.5,"sym":"ABC"}"#,
    ];
    // a subscribed with `?p/.*//` before the topics existed; b by path, full-path pattern
    // and selector set after the first value was set.
    for session in ["a", "b"] {
        assert_eq!(events(session, "json"), json, "session {session}");
        assert_eq!(
            events(session, "string"),
            ["sub STRING", r#"val "hello""#, r#"val "world""#],
            "session {session}"
        );
    }
    assert_eq!(events("a", "int"), ["sub INT64", "val 42", "unsub REMOVAL"]);
    assert_eq!(
        events("a", "double"),
        ["sub DOUBLE", "val 2.5", "unsub REMOVAL"]
    );
    assert_eq!(events("a", "binary"), ["sub BINARY", r#"val "raw""#]);
    // b's selectors do not cover these.
    for t in ["int", "double", "binary"] {
        assert!(events("b", t).is_empty(), "b saw {t}: {:?}", events("b", t));
    }

    let load: Vec<&String> = lines.iter().filter(|l| l.starts_with("load ")).collect();
    assert_eq!(load.len(), 100, "{all}");
    for l in load {
        assert!(l.ends_with(" 100 True"), "incomplete or out of order: {l}");
    }
}

async fn conformance(run: impl FnOnce(String, String) -> sdk::SdkRun + Send + 'static) {
    let server = server().await;
    let p = unique_name("conformance");
    let (url, prefix) = (server.url(), p.clone());
    let run = tokio::task::spawn_blocking(move || run(url, prefix))
        .await
        .unwrap();
    run.assert_success();
    check(&run.lines(), &p);
    let stats = server.stats();
    // The SDK applied the server's deltas: the values above are right only if it did.
    assert!(stats.deltas_sent > 0, "{stats:?}");
    assert_eq!(stats.slow_sessions_closed, 0);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn official_python_sdk() {
    conformance(|url, p| {
        sdk::python(
            &sdk::script(env!("CARGO_MANIFEST_DIR"), "conformance.py"),
            &[&url, &p],
        )
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn official_javascript_sdk() {
    conformance(|url, p| {
        sdk::node(
            &sdk::script(env!("CARGO_MANIFEST_DIR"), "conformance.js"),
            &[&url, &p],
        )
    })
    .await;
}

//! Apache Kafka's own Single Message Transforms as a test referee: [`run_kafka`] runs JSON
//! cases through `org.apache.kafka:connect-transforms` (the broker's Kafka version) so a test
//! can compare our transforms' output with Kafka's.
//!
//! `scripts/setup.sh` installs the jars into `<tools>/smt-harness/lib` and compiles
//! `scripts/smt-harness/SmtHarness.java` into `<tools>/smt-harness/classes`; that file's top
//! comment describes the case and result format. Test-time only: nothing of it is shipped.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `cases` (a JSON array of cases in SmtHarness's format) through Kafka's own
/// transforms and returns its JSON array of results, one per case, in order.
///
/// A case is `{"name", "kind": "sink"|"source", "transforms": [{"type", "config",
/// "predicate"?, "negate"?}], "record"?: {...}}` (no `record`: configure only). A result is
/// `{"name", "ok": true, "dropped", "record"?}` or `{"name", "ok": false, "stage":
/// "configure"|"input"|"apply", "exception", "message", "cause"?}`.
///
/// Panics if the referee is not installed (with the command that installs it), if it is
/// older than its source, or if the JVM fails (with what it wrote to stderr).
pub fn run_kafka(cases: &serde_json::Value) -> serde_json::Value {
    let home = crate::tools_dir().join("smt-harness");
    let classes = home.join("classes");
    if !classes.join("SmtHarness.class").exists() {
        crate::missing_tool("Apache Kafka's SMT referee (SmtHarness)", &classes);
    }
    let source = crate::workspace_root().join("scripts/smt-harness/SmtHarness.java");
    let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(src), Some(built)) = (modified(&source), modified(&classes.join(".compiled"))) {
        assert!(
            src <= built,
            "{} changed since it was compiled into {}: run scripts/setup.sh",
            source.display(),
            classes.display()
        );
    }

    let input = serde_json::to_vec(cases).expect("cases serialise");
    let mut child = Command::new(crate::broker::java())
        .args([
            "-Duser.timezone=UTC",
            "-Duser.language=en",
            "-Duser.country=US",
            "-cp",
        ])
        .arg(format!(
            "{}:{}/*",
            classes.display(),
            home.join("lib").display()
        ))
        .arg("SmtHarness")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start java for the SMT referee: {e}"));
    // Written from another thread: the harness prints while it reads, and a full pipe
    // either way would otherwise stall both sides.
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("the SMT referee did not finish: {e}"));
    let written = writer.join().expect("stdin writer");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        panic!(
            "the SMT referee (SmtHarness) failed: {}\nstderr:\n{stderr}",
            out.status
        );
    }
    written.unwrap_or_else(|e| panic!("cannot write the cases to the SMT referee: {e}"));
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "the SMT referee printed no JSON ({e}):\n{}\nstderr:\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let (Some(got), Some(sent)) = (results.as_array(), cases.as_array()) else {
        panic!("the SMT referee takes and prints JSON arrays; it printed {results}");
    };
    assert_eq!(
        got.len(),
        sent.len(),
        "the SMT referee printed {} results for {} cases",
        got.len(),
        sent.len()
    );
    results
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn kafka_routes_extracts_and_refuses_a_bad_config() {
        let results = super::run_kafka(&json!([
            {
                "name": "route",
                "kind": "sink",
                "transforms": [{
                    "type": "org.apache.kafka.connect.transforms.RegexRouter",
                    "config": {"regex": "orders-(.*)", "replacement": "by-region-$1"}
                }],
                "record": {"topic": "orders-eu", "partition": 0, "offset": 3,
                           "keySchema": null, "key": null,
                           "valueSchema": {"type": "string", "optional": false}, "value": "v"}
            },
            {
                "name": "extract",
                "kind": "sink",
                "transforms": [{
                    "type": "org.apache.kafka.connect.transforms.ExtractField$Value",
                    "config": {"field": "id"}
                }],
                "record": {"topic": "t", "valueSchema": null, "value": {"id": 7, "x": 1}}
            },
            {
                "name": "no-keys",
                "transforms": [{
                    "type": "org.apache.kafka.connect.transforms.InsertField$Value",
                    "config": {}
                }]
            }
        ]));

        let route = &results[0];
        assert_eq!(route["name"], "route");
        assert_eq!(route["ok"], true, "{route}");
        assert_eq!(route["dropped"], false, "{route}");
        assert_eq!(route["record"]["topic"], "by-region-eu", "{route}");
        assert_eq!(route["record"]["offset"], 3, "{route}");
        assert_eq!(route["record"]["value"], "v", "{route}");

        let extract = &results[1];
        assert_eq!(extract["ok"], true, "{extract}");
        assert_eq!(extract["record"]["value"], 7, "{extract}");
        assert_eq!(extract["record"]["valueSchema"], json!(null), "{extract}");

        let bad = &results[2];
        assert_eq!(bad["ok"], false, "{bad}");
        assert_eq!(bad["stage"], "configure", "{bad}");
        assert_eq!(
            bad["exception"], "org.apache.kafka.common.config.ConfigException",
            "{bad}"
        );
        assert_eq!(bad["message"], "No field insertion configured", "{bad}");
    }
}

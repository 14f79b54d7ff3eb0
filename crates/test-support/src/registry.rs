//! The test Schema Registry: Karapace (Aiven's Confluent-compatible registry, installed by
//! `scripts/setup.sh`), started through `scripts/schema-registry.sh` against a test broker,
//! and Confluent's own Python serdes (`confluent-kafka`) as the referee of the bytes our
//! registry converters read and write.
//!
//! Each registry keeps its schemas in a topic of its own, so that the registries of one
//! test binary, sharing its broker, are independent of each other.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::sdk::SdkRun;
use crate::Broker;

/// Karapace takes about 2 s to replay its topic on a quiet machine; far longer beside a build.
const READY_WITHIN: Duration = Duration::from_secs(120);

/// How a registry is started: plain, with basic auth, over TLS.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// `user:password` that every request must carry (HTTP basic auth).
    pub user: Option<String>,
    /// Serve HTTPS with this PEM certificate and key.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// The schemas topic; by default one of its own. Two registries given the same topic
    /// form one registry (a primary and a replica), as a fail-over test needs.
    pub topic: Option<String>,
}

/// A running Karapace, killed when dropped (and when the test process exits).
pub struct SchemaRegistry {
    port: u16,
    dir: PathBuf,
    bootstrap: String,
    topic: String,
    options: RegistryOptions,
    child: Mutex<Option<Child>>,
}

impl SchemaRegistry {
    /// Starts a plain HTTP registry on `broker` and waits until it answers.
    pub fn start(broker: &Broker) -> SchemaRegistry {
        SchemaRegistry::start_with(broker, RegistryOptions::default())
    }

    /// Starts a registry with `options` on `broker` and waits until it answers.
    pub fn start_with(broker: &Broker, options: RegistryOptions) -> SchemaRegistry {
        let karapace = crate::tools_dir().join("karapace/bin/karapace");
        if !karapace.exists() {
            crate::missing_tool("Karapace (the test Schema Registry)", &karapace);
        }
        let port = crate::free_port();
        let topic = options
            .topic
            .clone()
            .unwrap_or_else(|| crate::unique_name("_schemas"));
        let registry = SchemaRegistry {
            port,
            dir: crate::tls::temp_dir(&format!("schema-registry-{port}")),
            bootstrap: broker.bootstrap(),
            topic,
            options,
            child: Mutex::new(None),
        };
        registry.resume();
        registry
    }

    /// Starts the registry (again, after [`stop`](Self::stop)) on the same port and topic,
    /// so that it serves the same schemas under the same ids, and waits until it answers.
    pub fn resume(&self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("registry log");
        let mut cmd = Command::new("bash");
        cmd.arg(crate::workspace_root().join("scripts/schema-registry.sh"))
            .arg("--dir")
            .arg(&self.dir)
            .args(["--port", &self.port.to_string()])
            .args(["--bootstrap", &self.bootstrap])
            .args(["--topic", &self.topic]);
        if let Some(user) = &self.options.user {
            cmd.args(["--user", user]);
        }
        if let Some((cert, key)) = &self.options.tls {
            cmd.arg("--tls").arg(cert).arg(key);
        }
        cmd.env("DKC_TOOLS", crate::tools_dir())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("registry log"))
            .stderr(log);
        *self.child.lock().unwrap() = Some(crate::broker::spawn_tied_to_process(cmd));
        eprintln!(
            "[test-support] Schema Registry (Karapace) at {}, log: {}",
            self.url(),
            self.log_path().display()
        );
        self.wait_ready();
    }

    /// The registry's URL (`http://` or `https://127.0.0.1:PORT`), without credentials.
    pub fn url(&self) -> String {
        let scheme = if self.options.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// The registry's log file.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("registry.log")
    }

    /// Kills the registry; [`resume`](Self::resume) brings it back.
    pub fn stop(&self) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            // The launcher execs Karapace, so the child is Karapace itself.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Calls the registry's REST API with curl (which every test machine has and which
    /// takes the test CA): the HTTP status and the body as JSON (null when empty).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut cmd = Command::new("curl");
        cmd.args(["-s", "-X", method, "-w", "\n%{http_code}"])
            .args(["-H", "Content-Type: application/vnd.schemaregistry.v1+json"]);
        if let Some(user) = &self.options.user {
            cmd.args(["-u", user]);
        }
        if let Some((cert, _)) = &self.options.tls {
            cmd.arg("--cacert").arg(cert);
        }
        if let Some(body) = body {
            cmd.args(["--data", &body.to_string()]);
        }
        cmd.arg(format!("{}{path}", self.url()));
        let out = cmd.output().expect("curl");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
        let json = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
        (code.trim().parse().unwrap_or(0), json)
    }

    /// Registers `schema` (its text) of `schema_type` (AVRO, JSON, PROTOBUF) under `subject`;
    /// its id.
    pub fn register(&self, subject: &str, schema_type: &str, schema: &str) -> u32 {
        let body = serde_json::json!({"schema": schema, "schemaType": schema_type});
        let (code, reply) = self.call(
            "POST",
            &format!("/subjects/{subject}/versions"),
            Some(&body),
        );
        assert_eq!(code, 200, "registering under {subject}: {reply}");
        reply["id"].as_u64().expect("schema id") as u32
    }

    fn wait_ready(&self) {
        let started = Instant::now();
        loop {
            if self.call("GET", "/subjects", None).0 == 200 {
                return;
            }
            if let Some(status) = self
                .child
                .lock()
                .unwrap()
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!(
                    "the Schema Registry exited ({status}) before answering; see {}",
                    self.log_path().display()
                );
            }
            assert!(
                started.elapsed() < READY_WITHIN,
                "the Schema Registry did not answer within {READY_WITHIN:?}; see {}",
                self.log_path().display()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for SchemaRegistry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs a Python program with Confluent's `confluent-kafka` serdes (Avro, JSON Schema,
/// Protobuf) importable: the referee for registry-framed bytes.
pub fn python_referee(script: &Path, args: &[&str]) -> SdkRun {
    let py = crate::tools_dir().join("sr-referee/bin/python");
    if !py.exists() {
        crate::missing_tool("confluent-kafka's serdes (the registry referee)", &py);
    }
    let mut cmd = Command::new(py);
    cmd.arg(script).args(args);
    SdkRun::run(cmd, script)
}

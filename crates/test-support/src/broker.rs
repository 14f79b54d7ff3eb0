//! The test broker: Apache Kafka itself (installed by `scripts/setup.sh`), a single KRaft
//! node on free loopback ports, started through `scripts/kafka-broker.sh` (the one launcher
//! the tests, the benchmarks and the demo share). One broker per test binary, plus brokers
//! of their own for tests that kill one or need its security listeners.
//!
//! Each broker lives in a folder of its own under the system's temp dir
//! (`dkc-kafka/<pid>-<n>`): its settings, its data (kept across `stop`/`resume`) and its
//! log, `broker.log`, whose path is printed when it starts, so a failing test's output
//! says where to read what the broker did. Data of brokers whose test process has ended
//! is removed when the next one starts; their logs are kept for a day.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};

use crate::tls::TestPki;

/// How long a broker may take to answer after its start: seconds on a quiet machine, much
/// longer when the JVM shares two cores with a build or other tests.
const READY_WITHIN: Duration = Duration::from_secs(180);

/// A single-node Apache Kafka broker (KRaft) on free loopback ports, killed when the test process
/// exits.
pub struct Broker {
    dir: PathBuf,
    port: u16,
    controller_port: u16,
    secure: Option<SecureListeners>,
    /// The running broker; `None` while stopped by a fault test.
    child: Mutex<Option<Child>>,
}

/// The listeners of a broker started with [`Broker::start_secured`].
struct SecureListeners {
    ssl_port: u16,
    sasl_ssl_port: u16,
    pki: TestPki,
}

impl Broker {
    /// The broker shared by all tests of this binary, started on first use.
    pub fn shared() -> &'static Broker {
        static BROKER: OnceLock<Broker> = OnceLock::new();
        BROKER.get_or_init(Broker::start)
    }

    /// Starts a broker of the caller's own (it dies with the test process), with one
    /// PLAINTEXT listener.
    pub fn start() -> Broker {
        Broker::launch(None)
    }

    /// Starts a broker that also has an SSL listener and a SASL_SSL listener taking
    /// SCRAM-SHA-512 logins, both with a certificate for 127.0.0.1 signed by a test CA
    /// ([`Broker::ca_cert`]). Users are added with [`Broker::create_scram_user`]; the
    /// PLAINTEXT listener stays open for the tests' own admin work.
    pub fn start_secured() -> Broker {
        let dir = broker_dir();
        let pki = TestPki::create(&dir.join("pki"));
        Broker::launch_in(
            dir,
            Some(SecureListeners {
                ssl_port: crate::free_port(),
                sasl_ssl_port: crate::free_port(),
                pki,
            }),
        )
    }

    fn launch(secure: Option<SecureListeners>) -> Broker {
        Broker::launch_in(broker_dir(), secure)
    }

    fn launch_in(dir: PathBuf, secure: Option<SecureListeners>) -> Broker {
        let broker = Broker {
            dir,
            port: crate::free_port(),
            controller_port: crate::free_port(),
            secure,
            child: Mutex::new(None),
        };
        broker.resume();
        broker
    }

    /// Kills the broker (a crash, for fault tests); `resume` brings it back on the same
    /// ports with the same data.
    pub fn stop(&self) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the broker (again) and waits until its Admin API answers.
    pub fn resume(&self) {
        let launcher = crate::workspace_root().join("scripts/kafka-broker.sh");
        let kafka = crate::tools_dir().join("kafka/lib");
        if !kafka.exists() {
            crate::missing_tool("Apache Kafka (the test broker)", &kafka);
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("broker log file");
        let mut cmd = Command::new("bash");
        cmd.arg(&launcher)
            .arg("--dir")
            .arg(&self.dir)
            .args(["--port", &self.port.to_string()])
            .args(["--controller-port", &self.controller_port.to_string()]);
        for setting in self.security_settings() {
            cmd.args(["--set", &setting]);
        }
        cmd.env("DKC_TOOLS", crate::tools_dir())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("broker log file"))
            .stderr(log);
        eprintln!(
            "[test-support] Apache Kafka on 127.0.0.1:{}, log: {}",
            self.port,
            self.log_path().display()
        );
        *self.child.lock().unwrap() = Some(spawn_tied_to_process(cmd));
        self.wait_ready();
    }

    /// The settings that add the SSL and SASL_SSL listeners, if this broker has them.
    fn security_settings(&self) -> Vec<String> {
        let Some(s) = &self.secure else {
            return Vec::new();
        };
        let (p, c, ssl, sasl) = (self.port, self.controller_port, s.ssl_port, s.sasl_ssl_port);
        // Kafka reads a PEM key store as one file: the private key, then the chain.
        let keystore = self.dir.join("pki/server-keystore.pem");
        let key = std::fs::read_to_string(&s.pki.server_key).expect("server key");
        let cert = std::fs::read_to_string(&s.pki.server_cert).expect("server cert");
        std::fs::write(&keystore, format!("{key}{cert}")).expect("key store");
        vec![
            format!(
                "listeners=PLAINTEXT://127.0.0.1:{p},CONTROLLER://127.0.0.1:{c},\
                 SSL://127.0.0.1:{ssl},SASL_SSL://127.0.0.1:{sasl}"
            ),
            format!(
                "advertised.listeners=PLAINTEXT://127.0.0.1:{p},SSL://127.0.0.1:{ssl},\
                 SASL_SSL://127.0.0.1:{sasl}"
            ),
            "ssl.keystore.type=PEM".into(),
            format!("ssl.keystore.location={}", keystore.display()),
            "sasl.enabled.mechanisms=SCRAM-SHA-512".into(),
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=\
             org.apache.kafka.common.security.scram.ScramLoginModule required;"
                .into(),
        ]
    }

    /// The PLAINTEXT listener.
    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The SSL listener of a [`Broker::start_secured`] broker.
    pub fn ssl_bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.secured().ssl_port)
    }

    /// The SASL_SSL (SCRAM-SHA-512) listener of a [`Broker::start_secured`] broker.
    pub fn sasl_ssl_bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.secured().sasl_ssl_port)
    }

    /// The PEM certificate of the CA that signed the secured listeners' certificate.
    pub fn ca_cert(&self) -> &Path {
        &self.secured().pki.ca_cert
    }

    fn secured(&self) -> &SecureListeners {
        self.secure
            .as_ref()
            .expect("this broker has no SSL listeners: start it with Broker::start_secured")
    }

    /// Where the broker writes its log.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("broker.log")
    }

    /// Adds (or changes) a SCRAM-SHA-512 user through the Admin API
    /// (`AlterUserScramCredentials`), with Kafka's own `kafka-configs` tool, as an operator
    /// would: librdkafka has the call but rust-rdkafka does not expose it.
    pub fn create_scram_user(&self, name: &str, password: &str) {
        let out = Command::new(java())
            .arg("-cp")
            .arg(crate::tools_dir().join("kafka/lib/*"))
            .arg(format!(
                "-Dlog4j2.configurationFile={}",
                crate::workspace_root()
                    .join("scripts/kafka/log4j2.properties")
                    .display()
            ))
            .arg("org.apache.kafka.tools.ConfigCommand")
            .args(["--bootstrap-server", &self.bootstrap()])
            .args(["--alter", "--entity-type", "users", "--entity-name", name])
            .args([
                "--add-config",
                &format!("SCRAM-SHA-512=[iterations=4096,password={password}]"),
            ])
            .output()
            .expect("run kafka-configs");
        assert!(
            out.status.success(),
            "kafka-configs could not add user {name}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Waits until the broker answers a metadata request, failing with its log's end if it
    /// exits or does not answer in time.
    fn wait_ready(&self) {
        let started = Instant::now();
        let probe: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", self.bootstrap())
            .set("log_level", "0")
            .create()
            .expect("probe client");
        loop {
            if probe
                .fetch_metadata(None, Duration::from_secs(2))
                .is_ok_and(|m| !m.brokers().is_empty())
            {
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
                    "Apache Kafka exited ({status}) before answering; its log ends:\n{}",
                    self.log_tail()
                );
            }
            if started.elapsed() > READY_WITHIN {
                panic!(
                    "Apache Kafka did not answer on port {} within {READY_WITHIN:?}; its log ends:\n{}",
                    self.port,
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Creates a topic (tests create theirs rather than rely on auto-creation).
    pub async fn create_topic(&self, name: &str, partitions: i32) {
        self.create_topic_with(name, partitions, &[]).await
    }

    /// Creates a topic with topic configs (`max.message.bytes`, `cleanup.policy`, ...).
    pub async fn create_topic_with(&self, name: &str, partitions: i32, configs: &[(&str, &str)]) {
        let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
            .set("bootstrap.servers", self.bootstrap())
            .create()
            .expect("admin client");
        let mut topic = NewTopic::new(name, partitions, TopicReplication::Fixed(1));
        for (k, v) in configs {
            topic = topic.set(k, v);
        }
        let res = admin
            .create_topics(
                &[topic],
                &AdminOptions::new().operation_timeout(Some(Duration::from_secs(30))),
            )
            .await
            .expect("create_topics request");
        for r in res {
            r.unwrap_or_else(|(t, e)| panic!("creating topic {t}: {e}"));
        }
    }
}

/// The Java that runs Kafka: `$JAVA`, or `java` on the PATH.
pub(crate) fn java() -> PathBuf {
    std::env::var_os("JAVA")
        .map(PathBuf::from)
        .unwrap_or_else(|| "java".into())
}

/// A new folder for one broker, after clearing out what brokers of ended processes left.
fn broker_dir() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let root = std::env::temp_dir().join("dkc-kafka");
    static CLEANED: OnceLock<()> = OnceLock::new();
    CLEANED.get_or_init(|| clean_stale(&root));
    let dir = root.join(format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("broker folder");
    dir
}

/// Removes the data of brokers whose process has ended, and their logs after a day.
fn clean_stale(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let _ = std::fs::remove_dir_all(e.path().join("data"));
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(24 * 3600));
        if old {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Spawns a child that the kernel kills when this process exits, even on a panic or a
/// SIGKILL of the test binary, so no broker outlives its tests. The launcher `exec`s the
/// JVM, which keeps this setting.
///
/// `PR_SET_PDEATHSIG` fires when the *thread* that forked exits, and test threads come and
/// go, so the fork happens on a thread that lives as long as the process.
pub(crate) fn spawn_tied_to_process(mut cmd: Command) -> Child {
    use std::os::unix::process::CommandExt;
    use std::sync::mpsc;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let _ = tx.send(cmd.spawn());
        loop {
            std::thread::park();
        }
    });
    rx.recv()
        .expect("spawner thread")
        .expect("spawning the broker")
}

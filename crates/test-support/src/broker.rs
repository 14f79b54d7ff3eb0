//! The test broker: `tansu`, a Kafka-protocol broker, one per test binary on a free port.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;

pub struct Broker {
    port: u16,
    storage: Storage,
    /// The running broker; `None` while stopped by a fault test.
    child: std::sync::Mutex<Option<Child>>,
    /// Started with `--authentication`: clients must log in (SASL SCRAM).
    authentication: std::sync::atomic::AtomicBool,
}

#[derive(Clone)]
pub enum Storage {
    /// Fast, gone with the process.
    Memory,
    /// A SQLite file: data survives a broker restart.
    Sqlite(PathBuf),
}

impl Broker {
    /// The broker shared by all tests of this binary, started on first use.
    pub fn shared() -> &'static Broker {
        static BROKER: OnceLock<Broker> = OnceLock::new();
        BROKER.get_or_init(|| Broker::start(Storage::Memory))
    }

    /// Starts a broker that dies with the test process.
    pub fn start(storage: Storage) -> Broker {
        let broker = Broker {
            port: crate::free_port(),
            storage,
            child: std::sync::Mutex::new(None),
            authentication: std::sync::atomic::AtomicBool::new(false),
        };
        broker.resume();
        broker
    }

    /// Kills the broker (a crash, for fault tests); `resume` brings it back on the same
    /// port with the same storage.
    pub fn stop(&self) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Adds a SCRAM-SHA-256 user and restarts the broker requiring authentication
    /// (needs file storage, where users are kept). Create topics before this: the
    /// helpers here do not log in.
    pub fn require_scram_user(&self, name: &str, password: &str) {
        let tansu = crate::tools_dir().join("bin/tansu");
        let status = Command::new(&tansu)
            .args([
                "user",
                "create",
                "--broker",
                &format!("tcp://127.0.0.1:{}", self.port),
            ])
            .args(["--mechanism", "scram256", name, password])
            .stdout(Stdio::null())
            .status()
            .expect("tansu user create");
        assert!(status.success(), "tansu user create failed: {status}");
        self.stop();
        self.authentication
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.resume();
    }

    pub fn resume(&self) {
        let tansu = crate::tools_dir().join("bin/tansu");
        if !tansu.exists() {
            crate::missing_tool("the test broker tansu", &tansu);
        }
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let (engine, dir) = match &self.storage {
            Storage::Memory => ("memory://tansu/".to_owned(), std::env::temp_dir()),
            Storage::Sqlite(path) => {
                let dir = path.parent().unwrap_or(Path::new(".")).to_owned();
                std::fs::create_dir_all(&dir).expect("sqlite folder");
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (format!("sqlite://{name}"), dir)
            }
        };
        let mut cmd = Command::new(&tansu);
        cmd.args([
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
        ])
        .args(["--storage-engine", &engine])
        .args(
            self.authentication
                .load(std::sync::atomic::Ordering::SeqCst)
                .then_some("--authentication"),
        )
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        *self.child.lock().unwrap() = Some(spawn_tied_to_process(cmd));
        self.wait_ready(Duration::from_secs(30));
    }

    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn wait_ready(&self, within: Duration) {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "tansu did not listen on port {} within {within:?}",
            self.port
        );
    }

    /// Creates a topic (the broker does not auto-create them).
    pub async fn create_topic(&self, name: &str, partitions: i32) {
        let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
            .set("bootstrap.servers", self.bootstrap())
            .create()
            .expect("admin client");
        let res = admin
            .create_topics(
                &[NewTopic::new(name, partitions, TopicReplication::Fixed(1))],
                &AdminOptions::new().operation_timeout(Some(Duration::from_secs(10))),
            )
            .await
            .expect("create_topics request");
        for r in res {
            r.unwrap_or_else(|(t, e)| panic!("creating topic {t}: {e}"));
        }
    }
}

/// Spawns a child that the kernel kills when this process exits, even on a panic or a
/// SIGKILL of the test binary, so no broker outlives its tests.
///
/// `PR_SET_PDEATHSIG` fires when the *thread* that forked exits, and test threads come and
/// go, so the fork happens on a thread that lives as long as the process.
fn spawn_tied_to_process(mut cmd: Command) -> Child {
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

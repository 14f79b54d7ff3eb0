//! The official Diffusion SDKs, run as independent clients from test programs.
//!
//! They are proprietary, so the project never ships them: `scripts/setup.sh` installs
//! them from PyPI, npm and Maven Central into the tools folder at test time.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// Runs a Python program with the official Python SDK importable.
pub fn python(script: &Path, args: &[&str]) -> SdkRun {
    let py = crate::tools_dir().join("venv/bin/python");
    if !py.exists() {
        crate::missing_tool("the Python SDK venv", &py);
    }
    let mut cmd = Command::new(py);
    cmd.arg(script).args(args);
    SdkRun::run(cmd, script)
}

/// Runs a Node program with the official JavaScript SDK resolvable by `require`.
pub fn node(script: &Path, args: &[&str]) -> SdkRun {
    let modules = crate::tools_dir().join("js/node_modules");
    if !modules.join("diffusion").exists() {
        crate::missing_tool("the JavaScript SDK", &modules);
    }
    let mut cmd = Command::new("node");
    cmd.env("NODE_PATH", modules).arg(script).args(args);
    SdkRun::run(cmd, script)
}

/// Runs `scripts/java-sdk/DiffusionJavaCheck.java` (compiled by `scripts/setup.sh` against
/// the official Java SDK in `<tools>/java-sdk/lib`) in `mode` with `args`.
///
/// Panics if it is not installed, or if the source changed since it was compiled.
pub fn java(mode: &str, args: &[&str]) -> SdkRun {
    let home = crate::tools_dir().join("java-sdk");
    let classes = home.join("classes");
    if !classes.join("DiffusionJavaCheck.class").exists() {
        crate::missing_tool("the Java SDK check (DiffusionJavaCheck)", &classes);
    }
    let source = crate::workspace_root().join("scripts/java-sdk/DiffusionJavaCheck.java");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(src), Some(built)) = (modified(&source), modified(&classes.join(".compiled"))) {
        assert!(
            src <= built,
            "{} changed since it was compiled into {}: run scripts/setup.sh",
            source.display(),
            classes.display()
        );
    }
    let mut cmd = Command::new(crate::broker::java());
    cmd.args(["-Duser.language=en", "-Duser.country=US", "-cp"])
        .arg(format!(
            "{}:{}/*",
            classes.display(),
            home.join("lib").display()
        ))
        .arg("DiffusionJavaCheck")
        .arg(mode)
        .args(args);
    SdkRun::run(cmd, &source)
}

/// A finished SDK program: its exit status and what it printed.
pub struct SdkRun {
    /// The exit status and everything the program wrote to stdout and stderr.
    pub output: Output,
    /// The program that ran, named in failure messages.
    pub script: PathBuf,
}

impl SdkRun {
    pub(crate) fn run(mut cmd: Command, script: &Path) -> SdkRun {
        cmd.stdin(Stdio::null());
        let child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn SDK program");
        let output = wait_with_timeout(child, Duration::from_secs(120));
        SdkRun {
            output,
            script: script.to_owned(),
        }
    }

    /// What the program wrote to stdout, decoded as UTF-8 (lossily).
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// What the program wrote to stderr, decoded as UTF-8 (lossily).
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Panics with everything the program printed unless it exited 0.
    pub fn assert_success(&self) -> &Self {
        assert!(
            self.output.status.success(),
            "{} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            self.script.display(),
            self.output.status,
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// The lines the program printed, for assertions.
    pub fn lines(&self) -> Vec<String> {
        self.stdout().lines().map(str::to_owned).collect()
    }
}

fn wait_with_timeout(child: std::process::Child, limit: Duration) -> Output {
    // Collect output on another thread so a chatty program never blocks on a full pipe.
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.expect("collect output"),
        Err(_) => {
            // SAFETY: plain kill(2) of our own child.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            let out = rx.recv().expect("collect output").expect("collect output");
            panic!(
                "SDK program timed out after {limit:?}:\n--- stdout\n{}\n--- stderr\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// Where a crate keeps its SDK programs: `<crate>/tests/sdk/`.
pub fn script(crate_dir: &str, name: &str) -> PathBuf {
    PathBuf::from(crate_dir).join("tests/sdk").join(name)
}

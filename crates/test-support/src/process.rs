//! A child process (the worker binary) that is killed if the test panics, so no orphan
//! keeps consuming from the broker or holding a port.

use std::process::{Child, Command, ExitStatus};

/// A child process killed (SIGKILL) and reaped when dropped, unless [`signal`](Self::signal)
/// already stopped it.
pub struct Process(Option<Child>);

impl Process {
    /// Starts `command`; panics if it cannot be started.
    pub fn spawn(command: &mut Command) -> Process {
        Process(Some(command.spawn().expect("start the process")))
    }

    /// Sends `signal` and waits for the exit.
    pub fn signal(&mut self, signal: i32) -> ExitStatus {
        let mut child = self.0.take().expect("the process was already stopped");
        // SAFETY: kill(2) on our own child, which has not been reaped yet.
        unsafe { libc::kill(child.id() as i32, signal) };
        child.wait().expect("wait for the process")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

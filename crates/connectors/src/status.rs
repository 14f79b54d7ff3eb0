//! What a task reports about itself: its state as Kafka Connect names them, and whether its
//! Diffusion connection is up, so that status is truthful.

use tokio::sync::watch;

use crate::active_topics::{ActiveTopics, TopicRecorder};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    Unassigned,
    Running,
    Paused,
    /// Failed for good, with the reason (Connect's `trace`).
    Failed(String),
    Stopped,
}

impl TaskState {
    pub fn name(&self) -> &'static str {
        match self {
            TaskState::Unassigned => "UNASSIGNED",
            TaskState::Running => "RUNNING",
            TaskState::Paused => "PAUSED",
            TaskState::Failed(_) => "FAILED",
            TaskState::Stopped => "STOPPED",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskStatus {
    pub state: TaskState,
    pub diffusion_connected: bool,
    /// Why a running task is not making progress, e.g. waiting for Kafka.
    pub note: Option<String>,
}

/// The task's side of its status.
#[derive(Clone)]
pub struct StatusHandle(watch::Sender<TaskStatus>, ActiveTopics);

impl StatusHandle {
    /// A status for a task of a connector whose active topics start empty.
    pub fn new() -> (StatusHandle, watch::Receiver<TaskStatus>) {
        StatusHandle::with_topics(ActiveTopics::default())
    }

    /// A status for a task that records the topics it uses in `topics`, the connector's
    /// set, which outlives the task.
    pub fn with_topics(topics: ActiveTopics) -> (StatusHandle, watch::Receiver<TaskStatus>) {
        let (tx, rx) = watch::channel(TaskStatus {
            state: TaskState::Unassigned,
            diffusion_connected: false,
            note: None,
        });
        (StatusHandle(tx, topics), rx)
    }

    /// Where the task records the Kafka topics it reads or writes.
    pub fn topic_recorder(&self) -> TopicRecorder {
        self.1.recorder()
    }

    pub fn set_state(&self, state: TaskState) {
        self.0.send_modify(|s| s.state = state);
    }

    pub fn set_note(&self, note: Option<String>) {
        self.0.send_if_modified(|s| {
            let changed = s.note != note;
            s.note = note;
            changed
        });
    }

    pub fn set_connected(&self, up: bool) {
        self.0.send_if_modified(|s| {
            let changed = s.diffusion_connected != up;
            s.diffusion_connected = up;
            changed
        });
    }
}

//! What a task reports about itself: its state as Kafka Connect names them, and whether its
//! Diffusion connection is up, so that status is truthful.

use tokio::sync::watch;

use crate::active_topics::{ActiveTopics, TopicRecorder};

/// A task's lifecycle state, one of Kafka Connect's task states (see [`TaskState::name`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    /// Not started yet: the state a new status begins in, kept while the task connects to
    /// Diffusion (retrying) and sets up its Kafka clients.
    Unassigned,
    /// Started: its first Diffusion session is up and its Kafka clients are built; records
    /// flow. Whether it is making progress right now is what [`TaskStatus::note`] and
    /// [`TaskStatus::diffusion_connected`] say.
    Running,
    /// Connect's PAUSED, kept for completeness: no task sets it (a paused connector's task
    /// is not running, and the worker reports PAUSED from the connector's target state).
    Paused,
    /// Failed for good, with the reason (Connect's `trace`).
    Failed(String),
    /// Ended without error, after a stop was asked for.
    Stopped,
}

impl TaskState {
    /// The state as Kafka Connect's REST API and status topic spell it (`RUNNING`,
    /// `FAILED`, ...), without the failure's reason.
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

/// What a task reports about itself: published by the task through its [`StatusHandle`],
/// read by the worker through the `watch::Receiver` it was created with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskStatus {
    /// Where the task is in its lifecycle.
    pub state: TaskState,
    /// Whether its Diffusion session is connected right now: false before the first
    /// connection and while a lost one is being re-established, so a running task whose
    /// Diffusion is unreachable says so.
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

    /// Moves the task to `state`; readers are woken even if it is unchanged.
    pub fn set_state(&self, state: TaskState) {
        self.0.send_modify(|s| s.state = state);
    }

    /// Says why a running task is not making progress (`None`: it is); readers are woken
    /// only when the note changes.
    pub fn set_note(&self, note: Option<String>) {
        self.0.send_if_modified(|s| {
            let changed = s.note != note;
            s.note = note;
            changed
        });
    }

    /// Records whether the Diffusion session is connected; readers are woken only on a
    /// change.
    pub fn set_connected(&self, up: bool) {
        self.0.send_if_modified(|s| {
            let changed = s.diffusion_connected != up;
            s.diffusion_connected = up;
            changed
        });
    }
}

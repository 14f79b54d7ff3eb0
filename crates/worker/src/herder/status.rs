//! Connector and task states as the status endpoint reports them (Kafka Connect's names).

use connectors::TaskState;
use serde::{Deserialize, Serialize};

use super::{Entry, Kind};
use crate::cluster::status_log::TaskRecord;
use crate::config_store::TargetState;

/// A connector's or task's state, as Kafka Connect names it (`"RUNNING"`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum State {
    /// Meant to run, not running yet (or waiting for its start).
    Unassigned,
    /// Running.
    Running,
    /// Paused: its task stopped until resumed.
    Paused,
    /// Failed: see the trace; a restart tries again.
    Failed,
    /// Stopped: no task, offsets may be changed.
    Stopped,
    /// Being restarted (only in a restart's answer).
    Restarting,
}

impl State {
    /// Connect's name.
    pub fn name(self) -> &'static str {
        match self {
            State::Unassigned => "UNASSIGNED",
            State::Running => "RUNNING",
            State::Paused => "PAUSED",
            State::Failed => "FAILED",
            State::Stopped => "STOPPED",
            State::Restarting => "RESTARTING",
        }
    }

    /// A running task's state.
    pub fn of(task: &TaskState) -> State {
        match task {
            TaskState::Unassigned => State::Unassigned,
            TaskState::Running => State::Running,
            TaskState::Paused => State::Paused,
            TaskState::Failed(_) => State::Failed,
            TaskState::Stopped => State::Stopped,
        }
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One connector's state as the status endpoint reports it.
#[derive(Debug, Clone)]
pub struct ConnectorState {
    /// The connector's name.
    pub name: String,
    /// Sink or source.
    pub kind: Kind,
    /// The connector's own state (its target, or FAILED if it could not start).
    pub state: State,
    /// Why it failed, if it did.
    pub trace: Option<String>,
    /// The worker reporting the connector (in a cluster: the one running its first task).
    pub worker_id: String,
    /// Task 0 alone on a single worker; one per worker running it in a cluster. None
    /// while the connector is stopped.
    pub tasks: Vec<TaskReport>,
}

/// One task as the status endpoint reports it.
#[derive(Debug, Clone)]
pub struct TaskReport {
    /// Its number, in worker order.
    pub id: u32,
    /// The worker running it.
    pub worker_id: String,
    /// Its state.
    pub state: State,
    /// Why it failed, if it did.
    pub trace: Option<String>,
    /// Whether its Diffusion session is connected now.
    pub diffusion_connected: bool,
    /// What it is waiting for, if anything (e.g. Kafka's acknowledgements).
    pub note: Option<String>,
}

impl TaskReport {
    pub(super) fn from_record(worker_id: &str, r: &TaskRecord) -> TaskReport {
        TaskReport {
            id: 0,
            worker_id: worker_id.to_owned(),
            state: r.state,
            trace: r.trace.clone(),
            diffusion_connected: r.diffusion_connected,
            note: r.note.clone(),
        }
    }
}

/// A running task's figures, for the metrics endpoint.
pub struct TaskSnapshot {
    /// Its connector.
    pub connector: String,
    /// Its state.
    pub state: State,
    /// Whether its Diffusion session is connected now.
    pub diffusion_connected: bool,
    /// Its counters.
    pub metrics: super::TaskMetrics,
}

/// The connector's own state: its target, unless it could not start.
pub(super) fn connector_state(name: &str, e: &Entry, worker_id: &str) -> ConnectorState {
    let (state, trace) = match (&e.failure, e.target) {
        (Some(f), _) => (State::Failed, Some(f.clone())),
        (None, TargetState::Started) => (State::Running, None),
        (None, TargetState::Paused) => (State::Paused, None),
        (None, TargetState::Stopped) => (State::Stopped, None),
    };
    ConnectorState {
        name: name.to_owned(),
        kind: e.kind,
        state,
        trace,
        worker_id: worker_id.to_owned(),
        tasks: vec![],
    }
}

/// A paused connector's task.
pub(super) fn paused() -> TaskRecord {
    TaskRecord {
        state: State::Paused,
        trace: None,
        diffusion_connected: false,
        note: None,
    }
}

/// The task this worker holds for a connector, if any: none while stopped, nor for a
/// source in a cluster that another worker runs.
pub(super) fn local_task(e: &Entry, clustered: bool) -> Option<TaskRecord> {
    match (e.target, &e.task) {
        (TargetState::Stopped, _) => None,
        (TargetState::Paused, _) if clustered && e.kind == Kind::Source => None,
        (TargetState::Paused, _) => Some(paused()),
        (TargetState::Started, Some(t)) if t.is_standby() => None,
        (TargetState::Started, Some(t)) => {
            let s = t.status.borrow();
            let trace = match &s.state {
                TaskState::Failed(why) => Some(why.clone()),
                _ => None,
            };
            Some(TaskRecord {
                state: State::of(&s.state),
                trace,
                diffusion_connected: s.diffusion_connected,
                note: s.note.clone(),
            })
        }
        (TargetState::Started, None) => Some(TaskRecord {
            state: if e.failure.is_some() {
                State::Failed
            } else {
                State::Unassigned
            },
            trace: e.failure.clone(),
            diffusion_connected: false,
            note: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_travel_by_connects_names() {
        // The status topic holds records of workers of earlier versions too.
        let r: TaskRecord = serde_json::from_str(
            r#"{"state":"RUNNING","trace":null,"diffusion_connected":true,"note":null}"#,
        )
        .unwrap();
        assert_eq!(r.state, State::Running);
        assert_eq!(
            serde_json::to_value(State::Unassigned).unwrap(),
            "UNASSIGNED"
        );
        assert_eq!(State::of(&TaskState::Failed("x".into())), State::Failed);
        assert_eq!(State::Restarting.to_string(), "RESTARTING");
    }
}

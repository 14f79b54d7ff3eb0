//! The connectors' Diffusion session: connected with retries, and its state reported in
//! the task's status so that a task whose connection is down says so.

use std::time::Duration;

use diffusion_client::{ClientError, Session, SessionOptions, SessionState};
use tokio::sync::watch;

use crate::config::DiffusionSettings;
use crate::status::StatusHandle;
use crate::task_error::TaskError;

/// Connects, retrying what may pass (unreachable, refused) with capped back-off until
/// stopped (`None`); wrong credentials fail at once. `raw_values`: topic values arrive
/// undecoded (`TopicEvent::RawValue`). `in_flight`: the most requests the task keeps
/// awaiting a response; the session allows at least that many, since a request's slot is
/// freed only once the task takes its response, which it does not while it waits for a
/// slot (a sink window above the session's limit stalled for good).
pub(crate) async fn connect(
    d: &DiffusionSettings,
    name: &str,
    stop: &mut watch::Receiver<bool>,
    raw_values: bool,
    in_flight: usize,
) -> Result<Option<Session>, TaskError> {
    let mut attempt = 0u32;
    loop {
        let mut options = SessionOptions::default();
        options.tls.ca_file.clone_from(&d.ca_file);
        options.raw_values = raw_values;
        options.max_in_flight = options.max_in_flight.max(in_flight);
        match Session::connect(&d.url, &d.username, &d.password.0, options).await {
            Ok(s) => return Ok(Some(s)),
            Err(source @ ClientError::AuthenticationFailed { .. }) => {
                return Err(TaskError::Diffusion {
                    url: d.url.clone(),
                    source,
                })
            }
            Err(e) => {
                let delay = Duration::from_millis(200u64 << attempt.min(6));
                attempt += 1;
                tracing::warn!(connector = %name, url = %d.url, error = %e, "cannot reach Diffusion; retrying in {delay:?}");
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = stop.changed() => return Ok(None),
                }
            }
        }
    }
}

/// Mirrors the session's state into the task's status as it changes.
pub(crate) fn report_connection(session: &Session, status: &StatusHandle) {
    let mut state = session.state();
    let watcher = status.clone();
    tokio::spawn(async move {
        loop {
            let up = *state.borrow_and_update() == SessionState::Connected;
            watcher.set_connected(up);
            if state.changed().await.is_err() {
                break;
            }
        }
    });
}

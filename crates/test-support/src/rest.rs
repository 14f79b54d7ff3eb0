//! A Kafka Connect REST API client for tests: JSON in and out, status codes kept (never
//! turned into errors), waits that fail with what was last seen.

use std::time::Duration;

use serde_json::Value as J;

/// A blocking client for a Kafka Connect worker's REST API on 127.0.0.1, for tests on a
/// multi-threaded Tokio runtime.
pub struct RestClient {
    /// The API's base URL, `http://127.0.0.1:<port>`, with no trailing `/`.
    pub base: String,
    /// The HTTP agent: 60 s timeout per request, HTTP error statuses returned rather than raised.
    pub agent: ureq::Agent,
}

impl RestClient {
    /// A client for the REST API on `port` of 127.0.0.1.
    pub fn new(port: u16) -> RestClient {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        RestClient {
            base: format!("http://127.0.0.1:{port}"),
            agent,
        }
    }

    /// (status, JSON body or null) for METHOD PATH with an optional JSON body.
    pub fn call(&self, method: &str, path: &str, body: Option<J>) -> (u16, J) {
        let url = format!("{}{path}", self.base);
        tokio::task::block_in_place(|| {
            let result = match (method, body) {
                ("GET", _) => self.agent.get(&url).call(),
                ("DELETE", _) => self.agent.delete(&url).call(),
                ("POST", Some(b)) => self.agent.post(&url).send_json(b),
                ("POST", None) => self.agent.post(&url).send_empty(),
                ("PUT", Some(b)) => self.agent.put(&url).send_json(b),
                ("PUT", None) => self.agent.put(&url).send_empty(),
                ("PATCH", Some(b)) => self.agent.patch(&url).send_json(b),
                other => panic!("{other:?}"),
            };
            let mut resp = result.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            let status = resp.status().as_u16();
            let text = resp.body_mut().read_to_string().unwrap_or_default();
            let j = if text.is_empty() {
                J::Null
            } else {
                serde_json::from_str(&text).unwrap_or(J::String(text))
            };
            (status, j)
        })
    }

    /// GETs `path` and returns its JSON body; panics unless the status is 200.
    pub fn get(&self, path: &str) -> J {
        let (status, j) = self.call("GET", path, None);
        assert_eq!(status, 200, "GET {path}: {j}");
        j
    }

    /// Waits (up to 120 s, else panics) until the REST API answers at all.
    pub async fn wait_up(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        loop {
            let url = format!("{}/", self.base);
            let ok = tokio::task::block_in_place(|| self.agent.get(&url).call().is_ok());
            if ok {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the REST API did not come up"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the connector's status has `connector` and task states as given.
    pub async fn wait_state(&self, name: &str, connector: &str, task: Option<&str>) -> J {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        loop {
            let s = self.get(&format!("/connectors/{name}/status"));
            let task_state = s["tasks"]
                .get(0)
                .map(|t| t["state"].as_str().unwrap().to_owned());
            if s["connector"]["state"] == connector && task_state.as_deref() == task {
                return s;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "status never reached {connector}/{task:?}: {s}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl RestClient {
    /// GETs `path` until `done` holds for the answer; fails naming `what` and the last answer.
    pub async fn wait_for(
        &self,
        path: &str,
        within: Duration,
        what: &str,
        done: impl Fn(&J) -> bool,
    ) -> J {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let (status, j) = self.call("GET", path, None);
            if status == 200 && done(&j) {
                return j;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: not within {within:?}; GET {path} last answered {status} {j}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

//! Kafka Connect's REST API (4.x): the same paths, JSON shapes and status codes, so that
//! curl recipes, Control Center-style UIs, kcctl, kafka-connect-py and Terraform providers
//! work unchanged. Errors are `{"error_code": N, "message": "..."}` as Connect sends them,
//! for a wrong method (405) too.

mod admin;
mod auth;
mod connectors;
mod offsets;
mod path;
mod plugins;
mod query;
mod topics;

pub use auth::BasicAuth;
pub use topics::TopicTracking;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::json;

use crate::error::WorkerError;
use crate::herder::{Herder, HerderError};
use ::connectors::ConfigError;

pub struct Api {
    pub herder: Arc<Herder>,
    pub kafka_cluster_id: Option<String>,
    /// The UI's live topic view, when a Diffusion server to watch is configured.
    pub topics: Option<Arc<crate::ui::TopicFeed>>,
    /// The last minutes of every connector's rates, for the page's charts.
    pub series: Arc<crate::ui::Series>,
    /// Basic authentication every request must carry, when configured.
    pub auth: Option<BasicAuth>,
    /// `topic.tracking.enable`, `topic.tracking.allow.reset`.
    pub topic_tracking: TopicTracking,
}

pub fn router(api: Arc<Api>) -> Router {
    use connectors as c;
    let auth = api.auth.clone();
    let router = Router::new()
        .route("/", get(root))
        .route("/connectors", get(c::list).post(c::create))
        .route("/connectors/{name}", get(c::info).delete(c::delete))
        .route(
            "/connectors/{name}/config",
            get(c::config).put(c::put_config).patch(c::patch_config),
        )
        .route("/connectors/{name}/status", get(c::status))
        .route("/connectors/{name}/tasks", get(c::tasks))
        .route(
            "/connectors/{name}/tasks/{task}/status",
            get(c::task_status),
        )
        .route(
            "/connectors/{name}/tasks/{task}/restart",
            post(c::restart_task),
        )
        .route("/connectors/{name}/restart", post(c::restart))
        .route("/connectors/{name}/pause", put(c::pause))
        .route("/connectors/{name}/resume", put(c::resume))
        .route("/connectors/{name}/stop", put(c::stop))
        .route(
            "/connectors/{name}/offsets",
            get(offsets::get)
                .patch(offsets::alter)
                .delete(offsets::reset),
        )
        .route("/connectors/{name}/topics", get(topics::list))
        .route("/connectors/{name}/topics/reset", put(topics::reset))
        .route("/health", get(admin::health))
        .route("/admin/loggers", get(admin::all_loggers))
        .route(
            "/admin/loggers/{logger}",
            get(admin::logger).put(admin::set_logger),
        )
        .route("/connector-plugins", get(plugins::list))
        .route(
            "/connector-plugins/{class}/config/validate",
            put(plugins::validate),
        )
        .route("/metrics", get(crate::metrics::scrape))
        .route("/ui", get(crate::ui::page))
        .route("/ui/stats", get(crate::ui::stats))
        .route("/ui/events", get(crate::ui::events))
        .route("/ui/series", get(crate::ui::series))
        .route("/ui/topics", get(crate::ui::topics))
        .route("/ui/samples", get(crate::ui::samples))
        .route("/ui/static/{file}", get(crate::ui::static_file))
        .fallback(|| async { ApiError(StatusCode::NOT_FOUND, "HTTP 404 Not Found".into()) })
        .method_not_allowed_fallback(|| async {
            ApiError(
                StatusCode::METHOD_NOT_ALLOWED,
                "HTTP 405 Method Not Allowed".into(),
            )
        })
        .with_state(api);
    match auth {
        Some(auth) => router.layer(axum::middleware::from_fn_with_state(auth, auth::require)),
        None => router,
    }
}

/// Binds the listener now (so a taken port is reported at start) and serves until the
/// returned task is aborted.
pub async fn serve(
    listen: SocketAddr,
    api: Arc<Api>,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), WorkerError> {
    let bind = |source| WorkerError::Bind {
        addr: listen,
        source,
    };
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(bind)?;
    let bound = listener.local_addr().map_err(bind)?;
    let app = router(api);
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("REST API stopped: {e}");
        }
    });
    tracing::info!("REST API on http://{bound}");
    Ok((bound, task))
}

/// `listeners=http://host:port` (the first one; only plain HTTP is served).
pub fn listen_address(listeners: Option<&str>) -> Result<SocketAddr, ConfigError> {
    let error = |message: String| ConfigError {
        key: "listeners".into(),
        message,
    };
    let first = listeners
        .unwrap_or("http://127.0.0.1:8083")
        .split(',')
        .next()
        .unwrap_or_default()
        .trim();
    let hostport = first.strip_prefix("http://").ok_or_else(|| {
        error(format!(
            "{first:?} is not supported; use http://HOST:PORT (default http://127.0.0.1:8083)"
        ))
    })?;
    let hostport = match hostport.split_once(':') {
        Some(("", port)) => format!("0.0.0.0:{port}"),
        Some(("localhost", port)) => format!("127.0.0.1:{port}"),
        _ => hostport.to_owned(),
    };
    hostport
        .parse()
        .map_err(|_| error(format!("{first:?} needs an IP address and a port")))
}

async fn root(
    axum::extract::State(api): axum::extract::State<Arc<Api>>,
) -> Json<serde_json::Value> {
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "commit": option_env!("DKC_GIT_COMMIT").unwrap_or("unknown"),
        "kafka_cluster_id": api.kafka_cluster_id,
    }))
}

#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error_code": self.0.as_u16(), "message": self.1});
        (self.0, Json(body)).into_response()
    }
}

impl From<HerderError> for ApiError {
    fn from(e: HerderError) -> ApiError {
        match e {
            HerderError::NotFound(m) => ApiError(StatusCode::NOT_FOUND, m),
            HerderError::Conflict(m) => ApiError(StatusCode::CONFLICT, m),
            HerderError::BadRequest(m) => ApiError(StatusCode::BAD_REQUEST, m),
            HerderError::Internal(m) => ApiError(StatusCode::INTERNAL_SERVER_ERROR, m),
            e @ (HerderError::Cluster(_) | HerderError::Store(_)) => {
                ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
            }
            HerderError::Invalid(errors) => {
                let mut m = format!(
                    "Connector configuration is invalid and contains the following {} error(s):",
                    errors.len()
                );
                for e in &errors {
                    m.push('\n');
                    m.push_str(&e.to_string());
                }
                m.push_str("\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`");
                ApiError(StatusCode::BAD_REQUEST, m)
            }
        }
    }
}

impl ApiError {
    pub fn bad_request(m: impl Into<String>) -> ApiError {
        ApiError(StatusCode::BAD_REQUEST, m.into())
    }
}

#[cfg(test)]
mod tests {
    use super::listen_address;

    #[test]
    fn listeners() {
        assert_eq!(listen_address(None).unwrap().to_string(), "127.0.0.1:8083");
        assert_eq!(
            listen_address(Some("http://:9000")).unwrap().to_string(),
            "0.0.0.0:9000"
        );
        assert_eq!(
            listen_address(Some("http://localhost:1"))
                .unwrap()
                .to_string(),
            "127.0.0.1:1"
        );
        assert_eq!(
            listen_address(Some("https://x:1")).unwrap_err().key,
            "listeners"
        );
    }
}

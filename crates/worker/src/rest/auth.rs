//! Optional HTTP basic authentication for the REST API (`rest.basic.auth.username` and
//! `rest.basic.auth.password` in the worker properties; the password may be a config
//! provider reference). Kafka Connect does this through a JAAS-configured REST extension;
//! the effect for clients is the same: `Authorization: Basic ...` or 401. The `/ui` page
//! and its static files hold no data and are served to anyone, so that the page can ask
//! for the credentials itself (see `crate::ui::is_public`).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

/// Sent by the `/ui` console with each request.
const CONSOLE_HEADER: &str = "x-dkc-console";

#[derive(Clone)]
pub struct BasicAuth {
    /// The expected `Authorization` header value.
    expected: Arc<String>,
}

impl BasicAuth {
    pub fn new(username: &str, password: &str) -> BasicAuth {
        BasicAuth {
            expected: Arc::new(format!(
                "Basic {}",
                B64.encode(format!("{username}:{password}"))
            )),
        }
    }
}

pub async fn require(State(auth): State<BasicAuth>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if constant_time_eq(given, auth.expected.as_bytes())
        || crate::ui::is_public(request.uri().path())
    {
        return next.run(request).await;
    }
    // The console asks for credentials itself; a challenge would make the browser put up
    // its own dialog over the page as well.
    let from_console = request.headers().contains_key(CONSOLE_HEADER);
    let body =
        axum::Json(serde_json::json!({"error_code": 401, "message": "Authentication required"}));
    let mut response = (StatusCode::UNAUTHORIZED, body).into_response();
    if from_console {
        return response;
    }
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Basic realm=\"diffusion-kafka-connect\""),
    );
    response
}

/// Compares without leaking where the first difference is.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

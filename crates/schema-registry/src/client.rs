//! The REST client of a Confluent-compatible Schema Registry.
//!
//! HTTP is blocking `ureq` run on tokio's blocking pool, so the API is async without an
//! async HTTP stack. Each request tries the configured URLs in order and moves to the next
//! on a connection or TLS failure, a timeout or a 5xx; it remembers nothing, so a recovered
//! first registry is used again by the next request. Answers that cannot change (schemas
//! by id, the id of a schema registered under a subject) are cached for ever in bounded
//! caches; a subject's latest version for `latest.cache.ttl.sec`.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::cache::BoundedCache;
use crate::config::{ConfigError, RegistryConfig, TRUSTSTORE_LOCATION};

/// The media type of the registry's requests and answers.
const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// What the client accepts, preferring the registry's own media type (as Confluent's
/// clients do).
const ACCEPT: &str = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";

/// Schemas by id kept (Confluent's default cache capacity).
const ID_CACHE_SIZE: usize = 1000;

/// Ids of schemas per subject kept.
const REGISTERED_CACHE_SIZE: usize = 1000;

/// The largest answer read: schemas are kilobytes; a bigger body is not a registry's.
const MAX_BODY: u64 = 16 * 1024 * 1024;

/// How much of an unparseable body an error shows.
const BODY_EXCERPT: usize = 200;

/// The kind of a registered schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SchemaType {
    /// Apache Avro: the registry's default, named by the absence of `schemaType`.
    #[default]
    Avro,
    /// JSON Schema.
    Json,
    /// Protocol Buffers (`.proto` text).
    Protobuf,
}

impl SchemaType {
    /// The registry's name of the type: `AVRO`, `JSON`, `PROTOBUF`.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaType::Avro => "AVRO",
            SchemaType::Json => "JSON",
            SchemaType::Protobuf => "PROTOBUF",
        }
    }

    fn parse(name: Option<&str>) -> Option<SchemaType> {
        match name {
            None | Some("AVRO") => Some(SchemaType::Avro),
            Some("JSON") => Some(SchemaType::Json),
            Some("PROTOBUF") => Some(SchemaType::Protobuf),
            Some(_) => None,
        }
    }
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A schema another schema imports: by its import `name`, registered under `subject` at
/// `version`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reference {
    /// The name the referring schema uses (a Protobuf import path, an Avro full name, a
    /// JSON Schema `$ref` URL).
    pub name: String,
    /// The subject the referenced schema is registered under.
    pub subject: String,
    /// Its version in that subject.
    pub version: i32,
}

/// A schema as the registry stores it. The text is the registry's (which may normalise
/// what was registered): compare schemas by id, not text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredSchema {
    /// The registry-wide id, as framed records carry it.
    pub id: u32,
    /// The schema's kind.
    pub schema_type: SchemaType,
    /// The schema text: Avro JSON, JSON Schema, or `.proto`.
    pub schema: String,
    /// The schemas it imports.
    pub references: Vec<Reference>,
}

/// A version of a subject: the subject, the version number and its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectVersion {
    /// The subject.
    pub subject: String,
    /// The version within the subject (from 1).
    pub version: i32,
    /// The schema of that version.
    pub schema: Arc<RegisteredSchema>,
}

/// A registry call that failed. Messages name the registry URL and carry the registry's own
/// message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// No URL gave an answer: each failed to connect, timed out or answered 5xx. Worth
    /// retrying with back-off.
    #[error("no schema registry answered ({}): {reason}", urls.join(", "))]
    Unreachable {
        /// The URLs tried, in order.
        urls: Vec<String>,
        /// What went wrong with each.
        reason: String,
    },
    /// The registry refused the credentials (401) or the operation (403). Retrying does not
    /// help; the configuration must change.
    #[error("the schema registry at {url} refused the request (HTTP {status}): {message}")]
    Refused {
        /// The URL that answered.
        url: String,
        /// 401 or 403.
        status: u16,
        /// The registry's message.
        message: String,
    },
    /// The subject (40401), version (40402) or schema (40403) does not exist.
    #[error("not found in the schema registry at {url} (error {error_code}): {message}")]
    NotFound {
        /// The URL that answered.
        url: String,
        /// The registry's error code.
        error_code: u32,
        /// The registry's message.
        message: String,
    },
    /// Another 4xx: e.g. 409 an incompatible schema, 422 an invalid schema.
    #[error("the schema registry at {url} rejected the request (HTTP {status}{}): {message}", error_code.map(|c| format!(", error {c}")).unwrap_or_default())]
    Rejected {
        /// The URL that answered.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The registry's error code, if its body had one.
        error_code: Option<u32>,
        /// The registry's message (or the start of the body).
        message: String,
    },
    /// An answer that is not what the registry API promises.
    #[error("unexpected answer from the schema registry: {0}")]
    Protocol(String),
}

impl RegistryError {
    /// Whether the same call may succeed later: the registry was unreachable or asked the
    /// caller to slow down (408, 429). Other errors need a change of configuration or
    /// schema.
    pub fn is_retriable(&self) -> bool {
        match self {
            RegistryError::Unreachable { .. } => true,
            RegistryError::Rejected { status, .. } => matches!(status, 408 | 429),
            _ => false,
        }
    }
}

/// A client of one registry (its list of URLs). Cheap to clone: clones share the
/// connections and caches. Its calls must run inside a Tokio runtime (they use its
/// blocking pool).
#[derive(Clone)]
pub struct SchemaRegistryClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: RegistryConfig,
    agent: ureq::Agent,
    endpoints: Vec<Endpoint>,
    by_id: BoundedCache<u32, Arc<RegisteredSchema>>,
    /// Ids of schemas registered (or found) under a subject.
    registered: BoundedCache<RegisteredKey, u32>,
    latest: BoundedCache<String, (Instant, SubjectVersion)>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct RegisteredKey {
    subject: String,
    schema_type: SchemaType,
    schema: String,
    references: Vec<Reference>,
}

/// One URL of the registry and the `Authorization` header it takes.
struct Endpoint {
    base: String,
    authorization: Option<String>,
}

impl fmt::Debug for SchemaRegistryClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchemaRegistryClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// A registry answer: who gave it, its status and body.
struct Reply {
    url: String,
    status: u16,
    body: Vec<u8>,
}

#[derive(Clone, Copy)]
enum Method {
    Get,
    Post,
}

/// The body of a registry error answer.
#[derive(Deserialize)]
struct ErrorBody {
    error_code: Option<u32>,
    message: Option<String>,
}

/// `GET /schemas/ids/{id}`.
#[derive(Deserialize)]
struct SchemaBody {
    schema: String,
    #[serde(rename = "schemaType")]
    schema_type: Option<String>,
    references: Option<Vec<Reference>>,
}

/// `GET /subjects/{s}/versions/{v}`.
#[derive(Deserialize)]
struct VersionBody {
    subject: String,
    version: i32,
    id: u32,
    #[serde(flatten)]
    schema: SchemaBody,
}

/// `POST /subjects/{s}/versions` and `POST /subjects/{s}`.
#[derive(Deserialize)]
struct IdBody {
    id: u32,
}

/// The body of a register or lookup request.
#[derive(Serialize)]
struct SchemaRequest<'a> {
    schema: &'a str,
    #[serde(rename = "schemaType", skip_serializing_if = "Option::is_none")]
    schema_type: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    references: &'a [Reference],
}

impl SchemaRegistryClient {
    /// A client for the registry `config` names. Reads the trust store now, so that a bad
    /// file is a configuration error rather than a failure of every call.
    pub fn new(config: &RegistryConfig) -> Result<SchemaRegistryClient, ConfigError> {
        let roots = trusted_roots(config)?;
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            // The workspace's rustls has ring; ureq is built without a provider of its own.
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .root_certs(ureq::tls::RootCerts::Specific(Arc::new(roots)))
            .build();
        let agent = ureq::Agent::config_builder()
            // 4xx and 5xx carry the registry's error code and message: read them.
            .http_status_as_error(false)
            // Like Confluent's client, which takes a proxy only from its own settings, and
            // unlike ureq's default, which reads HTTP_PROXY and friends.
            .proxy(None)
            .timeout_connect(config.connect_timeout)
            .timeout_send_request(config.read_timeout)
            .timeout_send_body(config.read_timeout)
            .timeout_recv_response(config.read_timeout)
            .timeout_recv_body(config.read_timeout)
            .user_agent(concat!(
                "diffusion-kafka-connect-schema-registry/",
                env!("CARGO_PKG_VERSION")
            ))
            .tls_config(tls)
            .build()
            .new_agent();
        let endpoints = config
            .urls
            .iter()
            .map(|url| Endpoint {
                base: url.base.clone(),
                authorization: config.credentials_for(url).map(|c| {
                    let token = base64::engine::general_purpose::STANDARD
                        .encode(format!("{}:{}", c.user, c.password));
                    format!("Basic {token}")
                }),
            })
            .collect();
        Ok(SchemaRegistryClient {
            inner: Arc::new(Inner {
                config: config.clone(),
                agent,
                endpoints,
                by_id: BoundedCache::new(ID_CACHE_SIZE),
                registered: BoundedCache::new(REGISTERED_CACHE_SIZE),
                latest: BoundedCache::new(config.latest_cache_size),
            }),
        })
    }

    /// The configuration the client was built from.
    pub fn config(&self) -> &RegistryConfig {
        &self.inner.config
    }

    /// The schema with registry id `id` (`GET /schemas/ids/{id}`); cached, since ids never
    /// change their schema.
    pub async fn schema_by_id(&self, id: u32) -> Result<Arc<RegisteredSchema>, RegistryError> {
        if let Some(schema) = self.inner.by_id.get(&id) {
            return Ok(schema);
        }
        let reply = self
            .call(Method::Get, format!("/schemas/ids/{id}"), None)
            .await?;
        let body: SchemaBody = parse(&reply)?;
        let schema = Arc::new(registered(&reply, id, body)?);
        self.inner.by_id.insert(id, schema.clone());
        Ok(schema)
    }

    /// Registers `schema` under `subject` (`POST /subjects/{s}/versions`), or finds it
    /// there if already registered; its id. Cached per subject and schema.
    pub async fn register(
        &self,
        subject: &str,
        schema_type: SchemaType,
        schema: &str,
        references: &[Reference],
    ) -> Result<u32, RegistryError> {
        self.schema_id(subject, schema_type, schema, references, true)
            .await
    }

    /// The id of `schema` if it is registered under `subject` (`POST /subjects/{s}`);
    /// [`RegistryError::NotFound`] if it is not (40403) or the subject does not exist
    /// (40401). Cached per subject and schema.
    pub async fn lookup(
        &self,
        subject: &str,
        schema_type: SchemaType,
        schema: &str,
        references: &[Reference],
    ) -> Result<u32, RegistryError> {
        self.schema_id(subject, schema_type, schema, references, false)
            .await
    }

    async fn schema_id(
        &self,
        subject: &str,
        schema_type: SchemaType,
        schema: &str,
        references: &[Reference],
        register: bool,
    ) -> Result<u32, RegistryError> {
        let key = RegisteredKey {
            subject: subject.to_owned(),
            schema_type,
            schema: schema.to_owned(),
            references: references.to_vec(),
        };
        if let Some(id) = self.inner.registered.get(&key) {
            return Ok(id);
        }
        let request = SchemaRequest {
            schema,
            // Avro is the registry's default, and older registries know no schemaType.
            schema_type: (schema_type != SchemaType::Avro).then(|| schema_type.as_str()),
            references,
        };
        let body = serde_json::to_vec(&request)
            .map_err(|e| RegistryError::Protocol(format!("cannot encode the request: {e}")))?;
        let path = if register {
            format!("/subjects/{}/versions", encode_path_segment(subject))
        } else {
            format!("/subjects/{}", encode_path_segment(subject))
        };
        let reply = self.call(Method::Post, path, Some(body)).await?;
        let IdBody { id } = parse(&reply)?;
        self.inner.registered.insert(key, id);
        Ok(id)
    }

    /// The latest version of `subject` (`GET /subjects/{s}/versions/latest`), cached for
    /// `latest.cache.ttl.sec`.
    pub async fn latest(&self, subject: &str) -> Result<SubjectVersion, RegistryError> {
        let ttl = self.inner.config.latest_cache_ttl;
        if let Some((fetched, version)) = self.inner.latest.get(subject) {
            if ttl.is_none_or(|ttl| fetched.elapsed() < ttl) {
                return Ok(version);
            }
            self.inner.latest.remove(subject);
        }
        let version = self.version(subject, "latest".to_owned()).await?;
        self.inner
            .latest
            .insert(subject.to_owned(), (Instant::now(), version.clone()));
        Ok(version)
    }

    /// Version `version` of `subject` (`GET /subjects/{s}/versions/{v}`); not cached (its
    /// schema is, by id).
    pub async fn subject_version(
        &self,
        subject: &str,
        version: i32,
    ) -> Result<SubjectVersion, RegistryError> {
        self.version(subject, version.to_string()).await
    }

    async fn version(
        &self,
        subject: &str,
        version: String,
    ) -> Result<SubjectVersion, RegistryError> {
        let path = format!(
            "/subjects/{}/versions/{version}",
            encode_path_segment(subject)
        );
        let reply = self.call(Method::Get, path, None).await?;
        let body: VersionBody = parse(&reply)?;
        let schema = Arc::new(registered(&reply, body.id, body.schema)?);
        self.inner.by_id.insert(body.id, schema.clone());
        Ok(SubjectVersion {
            subject: body.subject,
            version: body.version,
            schema,
        })
    }

    /// Sends a request on the blocking pool, failing over between URLs, and sorts the
    /// answer: 2xx is returned, 4xx becomes its error.
    async fn call(
        &self,
        method: Method,
        path: String,
        body: Option<Vec<u8>>,
    ) -> Result<Reply, RegistryError> {
        let inner = self.inner.clone();
        let reply =
            tokio::task::spawn_blocking(move || inner.exchange(method, &path, body.as_deref()))
                .await
                .map_err(|e| RegistryError::Protocol(format!("the request task failed: {e}")))??;
        match reply.status {
            200..=299 => Ok(reply),
            401 | 403 => Err(RegistryError::Refused {
                status: reply.status,
                message: error_body(&reply).1,
                url: reply.url,
            }),
            400..=499 => match error_body(&reply) {
                // Only the registry's own not-found codes: a bare 404 (a wrong base path,
                // a proxy) is a rejection to report, not an absent schema.
                (Some(code @ 40400..=40499), message) if reply.status == 404 => {
                    Err(RegistryError::NotFound {
                        url: reply.url,
                        error_code: code,
                        message,
                    })
                }
                (error_code, message) => Err(RegistryError::Rejected {
                    url: reply.url,
                    status: reply.status,
                    error_code,
                    message,
                }),
            },
            status => Err(RegistryError::Protocol(format!(
                "{} answered HTTP {status}: {}",
                reply.url,
                error_body(&reply).1
            ))),
        }
    }
}

impl Inner {
    /// Tries each URL in order until one answers with less than 500.
    fn exchange(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<Reply, RegistryError> {
        let mut failures = Vec::with_capacity(self.endpoints.len());
        for endpoint in &self.endpoints {
            let url = format!("{}{path}", endpoint.base);
            let failure = match self.send(endpoint, &url, method, body) {
                Ok(reply) if reply.status < 500 => return Ok(reply),
                Ok(reply) => format!("{url}: HTTP {}: {}", reply.status, error_body(&reply).1),
                Err(e) => format!("{url}: {e}"),
            };
            tracing::warn!("schema registry request failed, trying the next URL if any: {failure}");
            failures.push(failure);
        }
        Err(RegistryError::Unreachable {
            urls: self.endpoints.iter().map(|e| e.base.clone()).collect(),
            reason: failures.join("; "),
        })
    }

    fn send(
        &self,
        endpoint: &Endpoint,
        url: &str,
        method: Method,
        body: Option<&[u8]>,
    ) -> Result<Reply, ureq::Error> {
        let mut response = match method {
            Method::Get => {
                let mut request = self.agent.get(url).header("Accept", ACCEPT);
                if let Some(auth) = &endpoint.authorization {
                    request = request.header("Authorization", auth);
                }
                request.call()?
            }
            Method::Post => {
                let mut request = self
                    .agent
                    .post(url)
                    .header("Accept", ACCEPT)
                    .header("Content-Type", CONTENT_TYPE);
                if let Some(auth) = &endpoint.authorization {
                    request = request.header("Authorization", auth);
                }
                request.send(body.unwrap_or_default())?
            }
        };
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()?;
        Ok(Reply {
            url: url.to_owned(),
            status,
            body,
        })
    }
}

/// Decodes a 2xx answer's JSON.
fn parse<T: serde::de::DeserializeOwned>(reply: &Reply) -> Result<T, RegistryError> {
    serde_json::from_slice(&reply.body).map_err(|e| {
        RegistryError::Protocol(format!(
            "{} answered {}: {e}",
            reply.url,
            excerpt(&reply.body)
        ))
    })
}

fn registered(reply: &Reply, id: u32, body: SchemaBody) -> Result<RegisteredSchema, RegistryError> {
    let schema_type = SchemaType::parse(body.schema_type.as_deref()).ok_or_else(|| {
        RegistryError::Protocol(format!(
            "{} answered an unknown schemaType {:?}",
            reply.url, body.schema_type
        ))
    })?;
    Ok(RegisteredSchema {
        id,
        schema_type,
        schema: body.schema,
        references: body.references.unwrap_or_default(),
    })
}

/// The registry's error code and message, or the start of the body when it is not the
/// registry's error JSON (a proxy's page, say).
fn error_body(reply: &Reply) -> (Option<u32>, String) {
    match serde_json::from_slice::<ErrorBody>(&reply.body) {
        Ok(ErrorBody {
            error_code,
            message: Some(message),
        }) => (error_code, message),
        Ok(ErrorBody { error_code, .. }) => (error_code, excerpt(&reply.body)),
        Err(_) => (None, excerpt(&reply.body)),
    }
}

/// The first characters of a body, for messages.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "(empty body)".to_owned();
    }
    match text.char_indices().nth(BODY_EXCERPT) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

/// Percent-encodes a subject for a URL path: everything but RFC 3986's unreserved
/// characters, so that `/`, `?`, `#`, `%` and spaces in a subject stay inside its segment.
fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The CA certificates https registries must chain to: the trust store's, else the
/// system's (read only if some URL is https).
fn trusted_roots(
    config: &RegistryConfig,
) -> Result<Vec<ureq::tls::Certificate<'static>>, ConfigError> {
    use rustls_pki_types::pem::PemObject as _;
    use rustls_pki_types::CertificateDer;

    let ders: Vec<CertificateDer<'static>> = match &config.truststore {
        Some(path) => {
            let bad = |reason: String| ConfigError::Invalid {
                key: TRUSTSTORE_LOCATION,
                value: path.display().to_string(),
                reason,
            };
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| bad(format!("cannot read it: {e}")))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad(format!("not a PEM file of certificates: {e}")))?;
            if certs.is_empty() {
                return Err(bad("it holds no PEM CERTIFICATE".to_owned()));
            }
            certs
        }
        None if config.urls.iter().any(|u| u.base.starts_with("https://")) => {
            let found = rustls_native_certs::load_native_certs();
            for error in &found.errors {
                tracing::warn!("reading the system's CA certificates: {error}");
            }
            found.certs
        }
        None => Vec::new(),
    };
    Ok(ders
        .iter()
        .map(|der| ureq::tls::Certificate::from_der(der.as_ref()).to_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(encode_path_segment("orders-value"), "orders-value");
        assert_eq!(
            encode_path_segment("a/b c?d#%é"),
            "a%2Fb%20c%3Fd%23%25%C3%A9"
        );
    }

    #[test]
    fn schema_type_names() {
        assert_eq!(SchemaType::parse(None), Some(SchemaType::Avro));
        for t in [SchemaType::Avro, SchemaType::Json, SchemaType::Protobuf] {
            assert_eq!(SchemaType::parse(Some(t.as_str())), Some(t));
        }
        assert_eq!(SchemaType::parse(Some("XML")), None);
    }

    #[test]
    fn request_omits_avro_type_and_empty_references() {
        let body = SchemaRequest {
            schema: "\"string\"",
            schema_type: None,
            references: &[],
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"schema":"\"string\""}"#
        );
        let refs = [Reference {
            name: "a.proto".into(),
            subject: "a".into(),
            version: 1,
        }];
        let body = SchemaRequest {
            schema: "x",
            schema_type: Some("PROTOBUF"),
            references: &refs,
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"schema":"x","schemaType":"PROTOBUF","references":[{"name":"a.proto","subject":"a","version":1}]}"#
        );
    }

    #[test]
    fn error_bodies() {
        let reply = |body: &str| Reply {
            url: "http://r".into(),
            status: 422,
            body: body.as_bytes().to_vec(),
        };
        assert_eq!(
            error_body(&reply(r#"{"error_code":42201,"message":"Invalid schema"}"#)),
            (Some(42201), "Invalid schema".to_owned())
        );
        assert_eq!(
            error_body(&reply("<html>bad gateway</html>")),
            (None, "<html>bad gateway</html>".to_owned())
        );
        assert_eq!(error_body(&reply("")).1, "(empty body)");
        let long = "x".repeat(1000);
        assert!(error_body(&reply(&long)).1.len() < 300);
    }

    #[test]
    fn retriable() {
        let unreachable = RegistryError::Unreachable {
            urls: vec!["http://a".into()],
            reason: "refused".into(),
        };
        assert!(unreachable.is_retriable());
        assert!(!RegistryError::Protocol("x".into()).is_retriable());
        let rejected = |status| RegistryError::Rejected {
            url: "http://a".into(),
            status,
            error_code: None,
            message: String::new(),
        };
        assert!(rejected(429).is_retriable());
        assert!(!rejected(409).is_retriable());
        assert!(!RegistryError::Refused {
            url: "http://a".into(),
            status: 401,
            message: String::new()
        }
        .is_retriable());
    }

    #[test]
    fn bad_truststore_is_a_config_error() {
        let dir = std::env::temp_dir().join(format!("sr-trust-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        for path in [dir.join("absent.pem"), empty] {
            let config = RegistryConfig::from_properties([
                ("schema.registry.url", "https://127.0.0.1:1"),
                (TRUSTSTORE_LOCATION, path.to_str().unwrap()),
            ])
            .unwrap();
            let e = SchemaRegistryClient::new(&config).unwrap_err();
            assert!(e.to_string().contains(TRUSTSTORE_LOCATION), "{e}");
        }
    }
}

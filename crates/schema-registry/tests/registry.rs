//! The client against a real registry: Karapace on the test broker (no mocks), with basic
//! auth, TLS and fail-over, and Confluent's own Python serializers as the referee of the
//! framing.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use schema_registry::{
    read_message_indexes, unframe, RegistryConfig, RegistryError, SchemaRegistryClient, SchemaType,
    SubjectNameStrategy,
};
use test_support::registry::{python_referee, RegistryOptions};
use test_support::tcp_proxy::TcpProxy;
use test_support::{Broker, SchemaRegistry};

const ORDER_V1: &str =
    r#"{"type":"record","name":"Order","namespace":"ex","fields":[{"name":"id","type":"long"}]}"#;
const ORDER_V2: &str = r#"{"type":"record","name":"Order","namespace":"ex","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]}"#;
const ORDER_JSON: &str =
    r#"{"type":"object","title":"Order","properties":{"id":{"type":"integer"}}}"#;
const ORDER_PROTO: &str =
    "syntax = \"proto3\";\npackage ex;\n\nmessage Order {\n  int64 id = 1;\n}\n";

/// The plain registry most tests share (each uses subjects of its own).
fn registry() -> &'static SchemaRegistry {
    static REGISTRY: OnceLock<SchemaRegistry> = OnceLock::new();
    REGISTRY.get_or_init(|| SchemaRegistry::start(Broker::shared()))
}

fn client(urls: &str, extra: &[(&str, &str)]) -> SchemaRegistryClient {
    let config = RegistryConfig::from_properties(
        [("schema.registry.url", urls)]
            .into_iter()
            .chain(extra.iter().copied()),
    )
    .expect("config");
    SchemaRegistryClient::new(&config).expect("client")
}

fn subject(prefix: &str) -> String {
    test_support::unique_name(prefix)
}

/// A URL on which nothing listens.
fn dead_url() -> String {
    format!("http://127.0.0.1:{}", test_support::free_port())
}

fn unhex(hex: &str) -> Vec<u8> {
    hex.trim()
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).expect("ascii hex");
            assert_eq!(pair.len(), 2, "odd hex: {hex}");
            u8::from_str_radix(pair, 16).expect("hex")
        })
        .collect()
}

fn py_script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/py")
        .join(name)
}

#[tokio::test]
async fn register_and_fetch_by_id_for_each_type() {
    let registry = registry();
    let sr = client(&registry.url(), &[]);
    for (schema_type, text) in [
        (SchemaType::Avro, ORDER_V1),
        (SchemaType::Json, ORDER_JSON),
        (SchemaType::Protobuf, ORDER_PROTO),
    ] {
        let subject = subject(&format!("orders-{schema_type}"));
        let id = sr.register(&subject, schema_type, text, &[]).await.unwrap();
        // A fresh client, so that nothing comes from the first one's caches.
        let fetched = client(&registry.url(), &[]).schema_by_id(id).await.unwrap();
        assert_eq!(fetched.id, id);
        assert_eq!(fetched.schema_type, schema_type, "{fetched:?}");
        assert!(fetched.references.is_empty());
        assert!(fetched.schema.contains("Order"), "{fetched:?}");
        // Registering again finds the same schema, whether from the cache or the registry.
        assert_eq!(
            sr.register(&subject, schema_type, text, &[]).await.unwrap(),
            id
        );
        let other = client(&registry.url(), &[]);
        assert_eq!(
            other
                .register(&subject, schema_type, text, &[])
                .await
                .unwrap(),
            id
        );
        // The registry agrees (checked with curl, not with this client).
        let (status, body) = registry.call("GET", &format!("/subjects/{subject}/versions/1"), None);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["id"].as_u64(), Some(u64::from(id)));
    }
}

#[tokio::test]
async fn lookup_finds_registered_schemas_only() {
    let registry = registry();
    let sr = client(&registry.url(), &[]);
    // A subject that needs percent-encoding in the path.
    let subject = subject("ex Order:v");
    let id = sr
        .register(&subject, SchemaType::Avro, ORDER_V1, &[])
        .await
        .unwrap();
    let fresh = client(&registry.url(), &[]);
    assert_eq!(
        fresh
            .lookup(&subject, SchemaType::Avro, ORDER_V1, &[])
            .await
            .unwrap(),
        id
    );

    let e = fresh
        .lookup(&subject, SchemaType::Avro, ORDER_V2, &[])
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::NotFound {
                error_code: 40403,
                ..
            }
        ),
        "{e}"
    );
    assert!(!e.is_retriable());
    assert!(e.to_string().contains(&registry.url()), "{e}");

    let e = fresh
        .lookup(
            &format!("{subject}-absent"),
            SchemaType::Avro,
            ORDER_V1,
            &[],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::NotFound {
                error_code: 40401,
                ..
            }
        ),
        "{e}"
    );
}

#[tokio::test]
async fn invalid_schemas_are_rejected() {
    let registry = registry();
    let sr = client(&registry.url(), &[]);
    let e = sr
        .register(
            &subject("bad"),
            SchemaType::Avro,
            r#"{"type":"recrod"}"#,
            &[],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, RegistryError::Rejected { status: 422, .. }),
        "{e}"
    );
    assert!(!e.is_retriable());

    // Incompatible with the subject's latest version (BACKWARD by default): a new field
    // without a default.
    let subject = subject("incompatible");
    sr.register(&subject, SchemaType::Avro, ORDER_V1, &[])
        .await
        .unwrap();
    let incompatible = r#"{"type":"record","name":"Order","namespace":"ex","fields":[{"name":"id","type":"long"},{"name":"qty","type":"int"}]}"#;
    let e = sr
        .register(&subject, SchemaType::Avro, incompatible, &[])
        .await
        .unwrap_err();
    eprintln!("incompatible: {e}");
    assert!(
        matches!(e, RegistryError::Rejected { status: 409, .. }),
        "{e}"
    );
}

#[tokio::test]
async fn latest_is_cached_for_its_ttl() {
    let registry = registry();
    let subject = subject("latest");
    let v1 = registry.register(&subject, "AVRO", ORDER_V1);
    let forever = client(&registry.url(), &[]);
    let one_second = client(&registry.url(), &[("latest.cache.ttl.sec", "1")]);
    let uncached = client(&registry.url(), &[("latest.cache.ttl.sec", "0")]);
    for sr in [&forever, &one_second, &uncached] {
        let latest = sr.latest(&subject).await.unwrap();
        assert_eq!((latest.version, latest.schema.id), (1, v1));
        assert_eq!(latest.subject, subject);
        assert_eq!(latest.schema.schema_type, SchemaType::Avro);
    }

    let v2 = registry.register(&subject, "AVRO", ORDER_V2);
    assert_ne!(v1, v2);
    assert_eq!(uncached.latest(&subject).await.unwrap().schema.id, v2);
    assert_eq!(one_second.latest(&subject).await.unwrap().schema.id, v1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let latest = one_second.latest(&subject).await.unwrap();
    assert_eq!((latest.version, latest.schema.id), (2, v2));
    assert_eq!(forever.latest(&subject).await.unwrap().schema.id, v1);

    let first = forever.subject_version(&subject, 1).await.unwrap();
    assert_eq!((first.version, first.schema.id), (1, v1));
    let e = forever.subject_version(&subject, 9).await.unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::NotFound {
                error_code: 40402,
                ..
            }
        ),
        "{e}"
    );
    let e = forever
        .latest(&format!("{subject}-absent"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::NotFound {
                error_code: 40401,
                ..
            }
        ),
        "{e}"
    );
}

#[tokio::test]
async fn unknown_id_is_not_found() {
    let sr = client(&registry().url(), &[]);
    let e = sr.schema_by_id(987_654).await.unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::NotFound {
                error_code: 40403,
                ..
            }
        ),
        "{e}"
    );
    assert!(!e.is_retriable());
}

#[tokio::test]
async fn basic_auth() {
    let registry = SchemaRegistry::start_with(
        Broker::shared(),
        RegistryOptions {
            user: Some("alice:s3cret".to_owned()),
            ..RegistryOptions::default()
        },
    );
    let url = registry.url();
    let subject = subject("auth");

    let user_info = client(
        &url,
        &[
            ("basic.auth.credentials.source", "USER_INFO"),
            ("basic.auth.user.info", "alice:s3cret"),
        ],
    );
    let id = user_info
        .register(&subject, SchemaType::Avro, ORDER_V1, &[])
        .await
        .unwrap();
    assert_eq!(user_info.schema_by_id(id).await.unwrap().id, id);

    // Credentials inside the URL (the default source).
    let in_url = client(&url.replace("://", "://alice:s3cret@"), &[]);
    assert_eq!(in_url.latest(&subject).await.unwrap().schema.id, id);

    for sr in [
        client(
            &url,
            &[
                ("basic.auth.credentials.source", "USER_INFO"),
                ("schema.registry.basic.auth.user.info", "alice:wrong"),
            ],
        ),
        client(&url.replace("://", "://alice:wrong@"), &[]),
        client(&url, &[]),
    ] {
        let e = sr.schema_by_id(id).await.unwrap_err();
        eprintln!("refused: {e}");
        assert!(
            matches!(e, RegistryError::Refused { status: 401, .. }),
            "{e}"
        );
        assert!(!e.is_retriable());
        assert!(!e.to_string().contains("wrong"), "{e}");
    }
}

#[tokio::test]
async fn tls_with_a_pem_truststore() {
    let pki = test_support::tls::TestPki::create(&test_support::tls::temp_dir("sr-pki"));
    let registry = SchemaRegistry::start_with(
        Broker::shared(),
        RegistryOptions {
            tls: Some((pki.server_cert.clone(), pki.server_key.clone())),
            ..RegistryOptions::default()
        },
    );
    let url = registry.url();
    assert!(url.starts_with("https://"));
    let ca = pki.ca_cert.to_str().unwrap();
    let sr = client(
        &url,
        &[
            ("schema.registry.ssl.truststore.location", ca),
            ("schema.registry.ssl.truststore.type", "PEM"),
        ],
    );
    let id = sr
        .register(&subject("tls"), SchemaType::Protobuf, ORDER_PROTO, &[])
        .await
        .unwrap();
    assert_eq!(
        sr.schema_by_id(id).await.unwrap().schema_type,
        SchemaType::Protobuf
    );

    // Without the test CA the server is not trusted: a TLS failure, as unreachable as a
    // dead server.
    let e = client(&url, &[]).schema_by_id(id).await.unwrap_err();
    eprintln!("without the CA: {e}");
    assert!(matches!(e, RegistryError::Unreachable { .. }), "{e}");
}

#[tokio::test]
async fn fails_over_past_a_dead_url() {
    let registry = registry();
    let dead = dead_url();
    let sr = client(&format!("{dead},{}", registry.url()), &[]);
    let subject = subject("failover");
    let id = sr
        .register(&subject, SchemaType::Json, ORDER_JSON, &[])
        .await
        .unwrap();
    assert_eq!(
        sr.schema_by_id(id).await.unwrap().schema_type,
        SchemaType::Json
    );
    assert_eq!(sr.latest(&subject).await.unwrap().schema.id, id);
}

/// A registry that accepts connections and then says nothing: the read timeout moves the
/// request on to the next URL.
#[tokio::test]
async fn a_silent_registry_times_out_and_fails_over() {
    let registry = registry();
    let upstream: SocketAddr = registry
        .url()
        .trim_start_matches("http://")
        .parse()
        .expect("registry address");
    let silent = TcpProxy::start(upstream).await;
    silent.freeze();
    let silent_url = format!("http://{}", silent.addr());
    let timeouts = [("http.read.timeout.ms", "1000")];

    let sr = client(&format!("{silent_url},{}", registry.url()), &timeouts);
    let started = Instant::now();
    let id = sr
        .register(&subject("silent"), SchemaType::Avro, ORDER_V1, &[])
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );

    let e = client(&silent_url, &timeouts)
        .schema_by_id(id)
        .await
        .unwrap_err();
    eprintln!("silent: {e}");
    assert!(matches!(e, RegistryError::Unreachable { .. }), "{e}");
    assert!(e.is_retriable());
}

/// Two Karapace instances on one schemas topic are one registry (a primary and a
/// replica): when the first URL's instance stops, reads go to the other.
#[tokio::test]
async fn fails_over_to_a_replica_when_the_first_stops() {
    let options = RegistryOptions {
        topic: Some(test_support::unique_name("_schemas-shared")),
        ..RegistryOptions::default()
    };
    let first = SchemaRegistry::start_with(Broker::shared(), options.clone());
    let second = SchemaRegistry::start_with(Broker::shared(), options);
    let urls = format!("{},{}", first.url(), second.url());
    let subject = subject("replicated");
    let id = client(&urls, &[])
        .register(&subject, SchemaType::Avro, ORDER_V1, &[])
        .await
        .unwrap();
    first.stop();

    // A fresh client (nothing cached); the replica may take a moment to read the write.
    let sr = client(&urls, &[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let schema = loop {
        match sr.schema_by_id(id).await {
            Ok(schema) => break schema,
            Err(e) if Instant::now() < deadline => {
                eprintln!("waiting for the replica: {e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => panic!("the replica never served schema {id}: {e}"),
        }
    };
    assert_eq!(schema.schema_type, SchemaType::Avro);
    assert_eq!(sr.latest(&subject).await.unwrap().schema.id, id);
}

#[tokio::test]
async fn all_urls_dead_is_unreachable() {
    let (a, b) = (dead_url(), dead_url());
    let sr = client(
        &format!("{a},{b}"),
        &[
            ("http.connect.timeout.ms", "2000"),
            ("http.read.timeout.ms", "2000"),
        ],
    );
    let e = sr.schema_by_id(1).await.unwrap_err();
    eprintln!("all dead: {e}");
    match &e {
        RegistryError::Unreachable { urls, reason } => {
            assert_eq!(urls, &[a.clone(), b.clone()]);
            assert!(reason.contains(&a) && reason.contains(&b), "{reason}");
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
    assert!(e.is_retriable());
}

/// Confluent's AvroSerializer frames a record; our unframe finds an id that our client
/// resolves to the record schema, registered under the subject TopicNameStrategy names.
#[tokio::test]
async fn avro_referee_framing() {
    let registry = registry();
    let topic = subject("avro-topic");
    let run = python_referee(&py_script("avro_serialize.py"), &[&registry.url(), &topic]);
    run.assert_success();
    let bytes = unhex(&run.stdout());
    let (id, payload) = unframe(&bytes).unwrap();
    assert!(!payload.is_empty());

    let sr = client(&registry.url(), &[]);
    let schema = sr.schema_by_id(id).await.unwrap();
    assert_eq!(schema.schema_type, SchemaType::Avro);
    let json: serde_json::Value = serde_json::from_str(&schema.schema).unwrap();
    assert_eq!(json["type"], "record", "{json}");
    assert_eq!(json["name"], "Order", "{json}");

    let subject = SubjectNameStrategy::TopicName
        .subject(&topic, false, None)
        .unwrap();
    assert_eq!(sr.latest(&subject).await.unwrap().schema.id, id);
}

/// Confluent's ProtobufSerializer frames the 2nd message of a file: indexes [1].
#[tokio::test]
async fn protobuf_referee_message_indexes() {
    let registry = registry();
    let topic = subject("proto-topic");
    let run = python_referee(
        &py_script("protobuf_serialize.py"),
        &[&registry.url(), &topic],
    );
    run.assert_success();
    let bytes = unhex(&run.stdout());
    let (id, payload) = unframe(&bytes).unwrap();
    let (indexes, message) = read_message_indexes(payload).unwrap();
    assert_eq!(indexes, [1]);
    // Field 1 (varint) = 7.
    assert_eq!(message, [0x08, 0x07]);

    let schema = client(&registry.url(), &[]).schema_by_id(id).await.unwrap();
    assert_eq!(schema.schema_type, SchemaType::Protobuf);
    assert!(schema.schema.contains("message Order"), "{}", schema.schema);
    assert!(
        schema.schema.contains("message Customer"),
        "{}",
        schema.schema
    );
}

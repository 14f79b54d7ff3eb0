//! `diffusion-kafka-connect demo`: data flowing both ways in one command. The embedded
//! Diffusion server, the worker with the seed README's sample sink and source (`config/`),
//! a stream of price updates produced to Kafka's `price` (seen on Diffusion's `kafka/price`)
//! and set on Diffusion's `source/kafka/price` (seen in Kafka's `diffusion.price`), rates
//! logged every few seconds, and the URLs to open. Ctrl-C stops everything cleanly.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use diffusion_client::{Session, SessionOptions, TopicSpecification, TopicType, Value};
use diffusion_server::{Server, ServerConfig};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use serde_json::json;

use crate::cli::DemoArgs;
use crate::error::WorkerError;
use crate::herder::TaskMetrics;

const SINK: &str = include_str!("../../../config/sink.json");
const SOURCE: &str = include_str!("../../../config/source.json");

pub async fn run(args: DemoArgs) -> Result<(), WorkerError> {
    let bootstrap = args.bootstrap_servers.clone();
    check_broker(&bootstrap).await?;

    let server = Server::bind(ServerConfig {
        listen: args.diffusion_listen,
        ..ServerConfig::default()
    })
    .await
    .map_err(|e| WorkerError::Diffusion {
        what: "the embedded Diffusion server",
        reason: format!(
            "cannot serve on {}: {e} (choose another with --diffusion-listen)",
            args.diffusion_listen
        ),
    })?;
    let url = server.url();

    let props: BTreeMap<String, String> = [
        ("bootstrap.servers", bootstrap.as_str()),
        ("listeners", &format!("http://{}", args.rest_listen)),
        ("offset.flush.interval.ms", "1000"),
        ("ui.diffusion.url", url.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let mut kafka = connectors::kafka::KafkaSettings::from_worker(&props).map_err(|errors| {
        WorkerError::Invalid {
            path: "the demo's worker properties".into(),
            errors,
        }
    })?;
    // A demo worker is not restarted in place: no static membership needed.
    kafka.default_consumer_setting("group.instance.id", "");
    let worker = crate::runtime::Worker {
        props,
        kafka: kafka.clone(),
        cluster: None,
    };
    // The sample sink reads `price`; the broker may not create topics on first use.
    kafka
        .create_topic_if_missing("price", 1, -1)
        .await
        .map_err(|e| kafka_failed("creating the topic price", e))?;
    let (herder, rest) = crate::runtime::start(&worker, crate::runtime::Mode::Standalone).await?;
    for sample in [SINK, SOURCE] {
        // Compiled in from config/: a test reads the same files.
        let j: serde_json::Value = serde_json::from_str(sample).expect("config/*.json is JSON");
        let name = j["name"].as_str().unwrap_or_default().to_owned();
        let mut config =
            crate::connector_file::from_json(&j).expect("config/*.json is a connector config");
        config.insert("diffusion.url".into(), url.clone());
        herder
            .put(
                &name,
                config,
                true,
                crate::config_store::TargetState::Started,
            )
            .await
            .map_err(|source| WorkerError::Connector {
                name: name.clone(),
                source,
            })?;
    }

    let producer: FutureProducer = kafka
        .producer()
        .create()
        .map_err(|e| kafka_failed("creating the demo's producer", e))?;
    let publisher = Session::connect(&url, "admin", "password", SessionOptions::default())
        .await
        .map_err(|e| diffusion_failed("connecting the demo's publisher", e))?;
    publisher
        .add_topic(
            "source/kafka/price",
            TopicSpecification::new(TopicType::Json),
        )
        .await
        .map_err(|e| diffusion_failed("adding source/kafka/price", e))?;

    let rest_url = format!("http://{}", args.rest_listen);
    println!();
    println!("  Data is flowing both ways:");
    println!("    Kafka `price`  ->  sink  ->  Diffusion `kafka/price`");
    println!("    Diffusion `source/kafka/price`  ->  source  ->  Kafka `diffusion.price`");
    println!();
    println!("  Watch it:      {rest_url}/ui");
    println!("  REST API:      {rest_url}/connectors?expand=status");
    println!("  Metrics:       {rest_url}/metrics");
    println!("  Diffusion:     {url}  (principal admin, password password)");
    println!("  Kafka:         {bootstrap}  (e.g. kcat -b {bootstrap} -t diffusion.price)");
    println!();
    println!("  Ctrl-C stops everything.");
    println!();

    let period = Duration::from_secs_f64(1.0 / f64::from(args.rate.max(1)));
    let mut tick = tokio::time::interval(period);
    let mut report = tokio::time::interval(Duration::from_secs(5));
    report.tick().await;
    let mut n: u64 = 0;
    let mut last: BTreeMap<String, u64> = BTreeMap::new();
    let stop = crate::signals::shutdown();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => {
                n += 1;
                let bid = 100.0 + ((n as f64) / 10.0).sin() * 5.0;
                let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
                let price = json!({"symbol": "ACME", "bid": (bid * 100.0).round() / 100.0, "ask": ((bid + 0.05) * 100.0).round() / 100.0, "seq": n, "ts": ts});
                let text = price.to_string();
                // Fire and forget: the producer's own queue bounds what is outstanding.
                let _ = producer.send_result(FutureRecord::to("price").key("ACME").payload(&text));
                let other = json!({"symbol": "GLOBEX", "bid": ((250.0 - bid) * 100.0).round() / 100.0, "seq": n, "ts": ts});
                let cbor = Value::Json(other).encode().expect("a JSON object encodes");
                let _ = publisher.start_set_raw("source/kafka/price", TopicType::Json, cbor).await;
            }
            _ = report.tick() => {
                let mut parts = Vec::new();
                for t in herder.snapshot().await {
                    let (kind, out) = match &t.metrics {
                        TaskMetrics::Sink(m) => ("to Diffusion", m.records_confirmed.load(Ordering::Relaxed)),
                        TaskMetrics::Source(m) => ("to Kafka", m.records_acknowledged.load(Ordering::Relaxed)),
                    };
                    // A resumed or restarted task counts from zero again.
                    let before = last.insert(t.connector.clone(), out).filter(|b| *b <= out).unwrap_or(0);
                    parts.push(format!("{} {}: {:.1}/s {kind} ({out} total)", t.connector, t.state, (out - before) as f64 / 5.0));
                }
                tracing::info!("produced {n} prices each way; {}", parts.join("; "));
            }
        }
    }
    tracing::info!("stopping the demo");
    publisher.close().await;
    herder.shutdown().await;
    rest.abort();
    server.shutdown().await;
    Ok(())
}

/// Fails with what to do when no broker answers.
async fn check_broker(bootstrap: &str) -> Result<(), WorkerError> {
    let mut config = rdkafka::ClientConfig::new();
    config.set("bootstrap.servers", bootstrap);
    let reachable = tokio::task::spawn_blocking(move || {
        let c: BaseConsumer = config.create()?;
        c.fetch_metadata(None, Duration::from_secs(5)).map(|_| ())
    })
    .await
    .expect("the metadata request does not panic");
    reachable.map_err(|e| WorkerError::Kafka {
        what: "checking the broker",
        reason: format!(
            "no Kafka broker answers at {bootstrap} ({e}).\n\
             Start one, then run the demo again:\n  \
             scripts/demo.sh                      # installs and starts Apache Kafka, then the demo\n  \
             scripts/kafka-broker.sh --dir /tmp/kafka --port 9092   # only the broker (after scripts/setup.sh --broker-only)\n\
             or point the demo at yours: diffusion-kafka-connect demo --bootstrap-servers HOST:PORT"
        )
    })
}

fn kafka_failed(what: &'static str, e: impl std::fmt::Display) -> WorkerError {
    WorkerError::Kafka {
        what,
        reason: e.to_string(),
    }
}

fn diffusion_failed(what: &'static str, e: impl std::fmt::Display) -> WorkerError {
    WorkerError::Diffusion {
        what,
        reason: e.to_string(),
    }
}

//! The command line: subcommands and their options, with help that teaches.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "diffusion-kafka-connect",
    version,
    about = "Stream Kafka topics to Diffusion topics and Diffusion topics to Kafka, as the \
             Diffusion Kafka Connect connectors do, in one binary.",
    long_about = "Stream Kafka topics to Diffusion topics and Diffusion topics to Kafka, as the \
Diffusion Kafka Connect connectors do, in one binary.\n\n\
It reads the same worker properties and connector configs as Kafka Connect \
(com.diffusiondata.connect.diffusion.sink.DiffusionSinkConnector and \
com.diffusiondata.connect.diffusion.source.DiffusionSourceConnector), serves the same REST API, \
and can run an embedded Diffusion-compatible server for local development and tests.",
    after_help = "Examples:\n  \
diffusion-kafka-connect diffusion-server --listen 127.0.0.1:8080\n  \
diffusion-kafka-connect standalone config/worker.properties config/sink.json\n\n\
Logging: --log or RUST_LOG take tracing filters, e.g. `info`, `debug,rdkafka=warn`."
)]
pub struct Cli {
    /// Log filter (RUST_LOG overrides it).
    #[arg(long, global = true, default_value = "info", value_name = "FILTER")]
    pub log: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run connectors from files, like Kafka Connect's connect-standalone.
    #[command(
        long_about = "Run connectors from files, like Kafka Connect's connect-standalone.\n\n\
Every file is validated before anything starts; each bad key is named with the reason. \
Connector files may be the REST form ({\"name\": ..., \"config\": {...}}), the flat form \
Confluent Cloud takes, or .properties with a `name` key. Values may use config providers: \
${env:VAR} and ${file:/path/secrets.properties:key}.\n\n\
The REST API is served on `listeners` (default http://127.0.0.1:8083); changes made through it \
last until the process ends. Ctrl-C or SIGTERM stops gracefully: in-flight Diffusion updates are \
confirmed (within 30 s) and their offsets committed.",
        after_help = "Examples:\n  \
diffusion-kafka-connect standalone config/worker.properties config/sink.json\n  \
diffusion-kafka-connect standalone config/worker.properties config/sink.json config/source.json\n\n\
Worker properties (Kafka Connect's names):\n  \
bootstrap.servers            Kafka brokers (required)\n  \
offset.flush.interval.ms     how often offsets are committed: the sink's once Diffusion confirmed,\n  \
                             the source's (time series topics) once Kafka acknowledged (60000)\n  \
offset.storage.file.filename the source offsets file (unset: kept in memory only)\n  \
security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location\n  \
consumer.*, producer.*, admin.*   passed to librdkafka, prefix removed\n  \
key.converter, value.converter    defaults for connectors\n  \
listeners                    REST API, http://HOST:PORT (http://127.0.0.1:8083)\n  \
rest.basic.auth.username, rest.basic.auth.password   require basic auth on the API\n  \
ui.diffusion.url             the Diffusion server /ui shows live\n\n\
Exit status: 0 after a clean stop, 1 if a config is invalid or the worker cannot start."
    )]
    Standalone(StandaloneArgs),
    /// Run a long-lived worker managed through the Kafka Connect REST API.
    #[command(
        long_about = "Run a long-lived worker managed through the Kafka Connect REST API \
(Kafka Connect 3.9's paths and JSON shapes) on `listeners` (default http://127.0.0.1:8083).\n\n\
Connectors created through the API are kept, with their paused/stopped state, in \
`config.storage.file.filename` (default connect-configs.json in the working directory) and come \
back when the worker restarts. Secrets given as config provider references stay references in \
that file. Ctrl-C or SIGTERM stops gracefully.",
        after_help = "Examples:\n  \
diffusion-kafka-connect worker config/worker.properties\n  \
curl -s -X POST -H 'Content-Type: application/json' --data @config/sink.json localhost:8083/connectors\n  \
curl -s 'localhost:8083/connectors?expand=status'\n  \
curl -s -X PUT localhost:8083/connectors/DiffusionSinkConnector/pause\n  \
curl -s localhost:8083/metrics\n\n\
The worker properties are those of `standalone --help`, plus config.storage.file.filename."
    )]
    Worker(WorkerArgs),
    /// Run one worker of a cluster that shares connectors and work through Kafka.
    #[command(
        long_about = "Run one worker of a Connect cluster: every worker started with the same \
`group.id` and storage topics holds the same connectors, and any worker's REST API creates, \
changes and reports them for the whole cluster.\n\n\
Connector configs and target states live in the compacted `config.storage.topic`; each worker \
writes its tasks' states to `status.storage.topic` every `heartbeat.interval.ms` (the worker \
creates both if missing). A sink runs a task on every worker, all in the consumer group \
connect-<name>, so Kafka spreads the partitions and moves them when a worker leaves or dies. \
A source runs on one worker, elected through a consumer group over a one-partition topic \
(<group.id>.source-runner.<name>); if that worker dies another takes over within \
`session.timeout.ms`.",
        after_help = "Examples:\n  \
diffusion-kafka-connect distributed config/worker-distributed.properties\n  \
curl -s -X POST -H 'Content-Type: application/json' --data @config/sink.json host-a:8083/connectors\n  \
curl -s host-b:8083/connectors/DiffusionSinkConnector/status\n\n\
Worker properties: those of `standalone --help`, plus (Kafka Connect's names and defaults):\n  \
group.id                     the cluster's name (required)\n  \
config.storage.topic         connector configs (connect-configs)\n  \
status.storage.topic         worker and task states (connect-status)\n  \
offset.storage.topic         source offsets, Connect's layout (connect-offsets)\n  \
config.storage.replication.factor   for the topics it creates (-1: the broker's default)\n  \
session.timeout.ms           when a silent worker's work moves (10000)\n  \
heartbeat.interval.ms        how often a worker reports (3000)\n  \
rest.advertised.host.name, rest.advertised.port   the worker id others see"
    )]
    Distributed(WorkerArgs),
    /// Run the embedded Diffusion-compatible server.
    #[command(
        long_about = "Run the embedded Diffusion-compatible server: WebSocket on /diffusion, \
principal `admin` with password `password` as on a locally installed Diffusion server, JSON, \
string, int64, double and binary topics, subscriptions by any topic selector.\n\n\
It is meant for local development, demos and tests: nothing is persisted.",
        after_help = "Examples:\n  \
diffusion-kafka-connect diffusion-server\n  \
diffusion-kafka-connect diffusion-server --listen 0.0.0.0:8080 --principals principals.toml\n\n\
A principals file adds principals to `admin`:\n  \
[[principals]]\n  name = \"control\"\n  password = \"s3cret\""
    )]
    DiffusionServer(DiffusionServerArgs),
    /// Start the embedded Diffusion server and the sample connectors, and show data flowing.
    #[command(
        long_about = "Start the embedded Diffusion server and a worker with the seed README's sample \
sink and source connectors (config/sink.json, config/source.json) against a Kafka broker, then \
produce a stream of prices both ways:\n  \
Kafka `price` -> sink -> Diffusion `kafka/price`\n  \
Diffusion `source/kafka/price` -> source -> Kafka `diffusion.price`\n\n\
Rates are logged every 5 s; the page at http://127.0.0.1:8083/ui shows the connectors and the \
topics changing. Ctrl-C stops everything. Without a reachable broker it says how to start one \
and exits with status 1.",
        after_help = "Examples:\n  \
scripts/demo.sh                                   # starts a test broker too\n  \
diffusion-kafka-connect demo --bootstrap-servers kafka:9092\n  \
diffusion-kafka-connect demo --rate 100 --rest-listen 0.0.0.0:8083"
    )]
    Demo(DemoArgs),
}

#[derive(Args)]
pub struct StandaloneArgs {
    /// Worker properties file (bootstrap.servers, offset.flush.interval.ms, ...).
    pub worker_properties: PathBuf,
    /// Connector configs: JSON ({"name", "config"} or flat) or .properties.
    pub connectors: Vec<PathBuf>,
}

#[derive(Args)]
pub struct WorkerArgs {
    /// Worker properties file.
    pub worker_properties: PathBuf,
}

#[derive(Args)]
pub struct DemoArgs {
    /// Kafka bootstrap servers (scripts/demo.sh starts a test broker on 127.0.0.1:9092).
    #[arg(long, default_value = "127.0.0.1:9092", value_name = "HOST:PORT")]
    pub bootstrap_servers: String,
    /// Where the embedded Diffusion server listens.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub diffusion_listen: SocketAddr,
    /// Where the REST API and the /ui page listen.
    #[arg(long, default_value = "127.0.0.1:8083", value_name = "HOST:PORT")]
    pub rest_listen: SocketAddr,
    /// Price updates per second, each way.
    #[arg(long, default_value_t = 10)]
    pub rate: u32,
}

#[derive(Args)]
pub struct DiffusionServerArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub listen: SocketAddr,
    /// TOML file of further principals ([[principals]] name = ..., password = ...).
    #[arg(long, value_name = "FILE")]
    pub principals: Option<PathBuf>,
    /// Serve wss:// with this PEM certificate chain (needs --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key for --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Password of the `admin` principal.
    #[arg(
        long,
        env = "DIFFUSION_ADMIN_PASSWORD",
        default_value = "password",
        hide_env_values = true
    )]
    pub admin_password: String,
}

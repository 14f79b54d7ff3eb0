//! The REST API driven over HTTP through a connector's whole life, with the seed's sample
//! sink config, against the real broker and the embedded Diffusion server: create, status,
//! data flowing, pause (data stops), resume, config update, restart, validate, offsets,
//! metrics, the worker process restarted (connectors come back), delete. JSON shapes are
//! checked against Kafka Connect's documented ones.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use diffusion_server::{Server, ServerConfig};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use serde_json::{json, Value as J};
use test_support::rest::RestClient as Api;
use test_support::{unique_name, Broker, Process};

mod common;
use common::{wait_value, watch};

fn start_worker(dir: &Path) -> Process {
    Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
            .arg("worker")
            .arg(dir.join("worker.properties"))
            .env(
                "RUST_LOG",
                std::env::var("DKC_TEST_LOG").unwrap_or("warn".into()),
            )
            .stdin(Stdio::null()),
    )
}

async fn produce(topic: &str, n: i64) {
    let p: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", Broker::shared().bootstrap())
        .create()
        .unwrap();
    let v = json!({"n": n}).to_string();
    p.send(
        FutureRecord::to(topic).key("k").payload(&v),
        Duration::from_secs(10),
    )
    .await
    .map_err(|(e, _)| e)
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connector_lifecycle_over_the_rest_api() {
    let broker = Broker::shared();
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let topic = unique_name("price");
    broker.create_topic(&topic, 1).await;
    let dir = test_support::tls::temp_dir("rest");
    let port = test_support::free_port();
    std::fs::write(
        dir.join("worker.properties"),
        format!(
            "bootstrap.servers={}\noffset.flush.interval.ms=200\nlisteners=http://127.0.0.1:{port}\nconfig.storage.file.filename={}\n",
            broker.bootstrap(),
            dir.join("connectors.json").display()
        ),
    )
    .unwrap();
    let mut worker = start_worker(&dir);
    let api = Api::new(port);
    api.wait_up().await;
    let (_watcher, latest) = watch(&server.url(), "?kafka.*/").await;

    // GET / and the plugins, as Connect shapes them.
    let root = api.get("/");
    assert!(
        root["version"].is_string() && root["commit"].is_string(),
        "{root}"
    );
    assert!(
        root.as_object().unwrap().contains_key("kafka_cluster_id"),
        "{root}"
    );
    let plugins = api.get("/connector-plugins");
    let classes: Vec<&str> = plugins
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["class"].as_str().unwrap())
        .collect();
    assert_eq!(classes, [connectors::SINK_CLASS, connectors::SOURCE_CLASS]);
    assert_eq!(plugins[0]["type"], "sink");

    // Validate with bad keys: per-key errors in Connect's ConfigInfos shape.
    let (status, v) = api.call(
        "PUT",
        "/connector-plugins/DiffusionSinkConnector/config/validate",
        Some(
            json!({"connector.class": connectors::SINK_CLASS, "name": "x", "topics": "price",
                    "diffusion.url": "http://nope", "diffusion.destination": "kafka/${nope}"}),
        ),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["name"], connectors::SINK_CLASS);
    let errors: BTreeMap<String, Vec<J>> = v["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["value"]["name"].as_str().unwrap().to_owned(),
                c["value"]["errors"].as_array().unwrap().clone(),
            )
        })
        .filter(|(_, e)| !e.is_empty())
        .collect();
    for key in [
        "diffusion.url",
        "diffusion.username",
        "diffusion.password",
        "key.converter",
    ] {
        assert!(errors.contains_key(key), "{key} has no error: {errors:?}");
    }
    // An unknown token stays as text, as the Java connector keeps it: no error.
    assert!(!errors.contains_key("diffusion.destination"), "{errors:?}");
    assert_eq!(
        v["error_count"].as_u64().unwrap() as usize,
        errors.values().map(Vec::len).sum::<usize>()
    );
    let first = &v["configs"][0];
    for field in [
        "name",
        "type",
        "required",
        "default_value",
        "importance",
        "documentation",
        "group",
        "width",
        "display_name",
        "dependents",
        "order",
    ] {
        assert!(
            first["definition"].get(field).is_some(),
            "definition lacks {field}: {first}"
        );
    }

    // Create the seed's sample sink.
    let name = unique_name("DiffusionSinkConnector");
    let sink = json!({"name": name, "config": {
        "tasks.max": "1",
        "connector.class": connectors::SINK_CLASS,
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "topics": topic,
        "diffusion.url": server.url(),
        "diffusion.username": "admin",
        "diffusion.password": "password",
        "diffusion.destination": "kafka/${topic}"
    }});
    let (status, info) = api.call("POST", "/connectors", Some(sink.clone()));
    assert_eq!(status, 201, "{info}");
    assert_eq!(info["name"], name);
    assert_eq!(info["type"], "sink");
    assert_eq!(info["tasks"], json!([{"connector": name, "task": 0}]));
    assert_eq!(info["config"]["name"], name);
    assert_eq!(
        info["config"]["diffusion.password"], "[hidden]",
        "secrets are masked"
    );
    let (status, err) = api.call("POST", "/connectors", Some(sink));
    assert_eq!(
        (status, err["error_code"].as_u64()),
        (409, Some(409)),
        "{err}"
    );
    let (status, err) = api.call(
        "POST",
        "/connectors",
        Some(json!({"name": "bad", "config": {"connector.class": connectors::SINK_CLASS}})),
    );
    assert_eq!(status, 400);
    assert!(
        err["message"].as_str().unwrap().contains("diffusion.url"),
        "{err}"
    );

    let s = api.wait_state(&name, "RUNNING", Some("RUNNING")).await;
    let worker_id = format!("127.0.0.1:{port}");
    assert_eq!(s["connector"]["worker_id"], worker_id.as_str());
    assert_eq!(s["tasks"][0]["id"], 0);
    assert_eq!(s["tasks"][0]["worker_id"], worker_id.as_str());
    assert_eq!(s["type"], "sink");
    assert_eq!(
        api.get(&format!("/connectors/{name}/tasks/0/status"))["state"],
        "RUNNING"
    );
    let tasks = api.get(&format!("/connectors/{name}/tasks"));
    assert_eq!(tasks[0]["id"], json!({"connector": name, "task": 0}));

    // Data flows.
    let path = format!("kafka/{topic}");
    produce(&topic, 1).await;
    wait_value(&latest, &path, json!({"n": 1})).await;

    // Pause: data stops. Resume: it flows again.
    assert_eq!(
        api.call("PUT", &format!("/connectors/{name}/pause"), None)
            .0,
        202
    );
    api.wait_state(&name, "PAUSED", Some("PAUSED")).await;
    produce(&topic, 2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        latest.lock().unwrap().get(&path),
        Some(&json!({"n": 1})),
        "a paused sink delivered"
    );
    assert_eq!(
        api.call("PUT", &format!("/connectors/{name}/resume"), None)
            .0,
        202
    );
    wait_value(&latest, &path, json!({"n": 2})).await;
    api.wait_state(&name, "RUNNING", Some("RUNNING")).await;

    // A config update takes effect (the masked password sent back keeps the secret).
    let mut config = api.get(&format!("/connectors/{name}/config"));
    config["diffusion.destination"] = json!("kafka2/${topic}");
    let (status, info) = api.call("PUT", &format!("/connectors/{name}/config"), Some(config));
    assert_eq!(status, 200, "{info}");
    produce(&topic, 3).await;
    wait_value(&latest, &format!("kafka2/{topic}"), json!({"n": 3})).await;
    api.wait_state(&name, "RUNNING", Some("RUNNING")).await;

    // PATCH, then restarts.
    let (status, info) = api.call(
        "PATCH",
        &format!("/connectors/{name}/config"),
        Some(json!({"errors.log.enable": "true"})),
    );
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["config"]["errors.log.enable"], "true");
    assert_eq!(
        api.call("POST", &format!("/connectors/{name}/restart"), None)
            .0,
        204
    );
    let (status, s) = api.call(
        "POST",
        &format!("/connectors/{name}/restart?includeTasks=true&onlyFailed=true"),
        None,
    );
    assert_eq!(status, 202, "{s}");
    assert_eq!(s["name"], name);
    assert_eq!(
        api.call("POST", &format!("/connectors/{name}/tasks/0/restart"), None)
            .0,
        204
    );
    api.wait_state(&name, "RUNNING", Some("RUNNING")).await;

    // Expanded listing, offsets and metrics.
    let all = api.get("/connectors?expand=status&expand=info");
    assert_eq!(all[&name]["status"]["connector"]["state"], "RUNNING");
    assert_eq!(all[&name]["info"]["type"], "sink");
    assert_eq!(api.get("/connectors"), json!([name]));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let o = api.get(&format!("/connectors/{name}/offsets"));
        if o["offsets"]
            == json!([{"partition": {"kafka_topic": topic, "kafka_partition": 0}, "offset": {"kafka_offset": 3}}])
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "offsets: {o}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, metrics) = api.call("GET", "/metrics", None);
    assert_eq!(status, 200);
    let metrics = metrics.as_str().unwrap().to_owned();
    let confirmed = format!("dkc_sink_records_confirmed_total{{connector=\"{name}\",task=\"0\"}}");
    assert!(metrics.contains(&confirmed), "{metrics}");
    assert!(
        metrics.contains(&format!(
            "dkc_diffusion_connected{{connector=\"{name}\",task=\"0\"}} 1"
        )),
        "{metrics}"
    );

    // The worker restarted (SIGTERM: clean exit) brings its connector back.
    assert!(worker.signal(libc::SIGTERM).success());
    let mut worker = start_worker(&dir);
    api.wait_up().await;
    assert_eq!(api.get("/connectors"), json!([name]));
    api.wait_state(&name, "RUNNING", Some("RUNNING")).await;
    produce(&topic, 4).await;
    wait_value(&latest, &format!("kafka2/{topic}"), json!({"n": 4})).await;
    // The publish latency and the age of what was delivered, for the one record since.
    let metrics = api
        .call("GET", "/metrics", None)
        .1
        .as_str()
        .unwrap()
        .to_owned();
    let labels = format!("{{connector=\"{name}\",task=\"0\"}}");
    assert!(
        metrics.contains(&format!("dkc_sink_publish_latency_seconds_count{labels} 1")),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!("dkc_sink_last_record_age_seconds{labels}")),
        "{metrics}"
    );

    // Stop (KIP-875): no tasks. Delete: gone.
    assert_eq!(
        api.call("PUT", &format!("/connectors/{name}/stop"), None).0,
        204
    );
    let s = api.wait_state(&name, "STOPPED", None).await;
    assert_eq!(s["tasks"], json!([]));
    assert_eq!(
        api.call("DELETE", &format!("/connectors/{name}"), None).0,
        204
    );
    let (status, err) = api.call("GET", &format!("/connectors/{name}"), None);
    assert_eq!(status, 404);
    assert_eq!(err["error_code"], 404);
    assert!(err["message"].as_str().unwrap().contains(&name), "{err}");
    assert!(worker.signal(libc::SIGTERM).success());
}

#[tokio::test(flavor = "multi_thread")]
async fn basic_authentication_when_configured() {
    let dir = test_support::tls::temp_dir("rest-auth");
    let port = test_support::free_port();
    std::fs::write(
        dir.join("worker.properties"),
        format!(
            "bootstrap.servers={}\nlisteners=http://127.0.0.1:{port}\nconfig.storage.file.filename={}\n\
             rest.basic.auth.username=ops\nrest.basic.auth.password=${{env:DKC_TEST_REST_PASSWORD}}\n",
            Broker::shared().bootstrap(),
            dir.join("connectors.json").display()
        ),
    )
    .unwrap();
    let mut worker = Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
            .arg("worker")
            .arg(dir.join("worker.properties"))
            .env("DKC_TEST_REST_PASSWORD", "letmein")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null()),
    );
    let api = Api::new(port);
    api.wait_up().await;
    let url = format!("{}/connectors", api.base);
    let status = |auth: Option<&str>| {
        tokio::task::block_in_place(|| {
            let mut req = api.agent.get(&url);
            if let Some(a) = auth {
                req = req.header("Authorization", a);
            }
            let resp = req.call().unwrap();
            (
                resp.status().as_u16(),
                resp.headers()
                    .get("www-authenticate")
                    .map(|v| v.to_str().unwrap().to_owned()),
            )
        })
    };
    let (code, challenge) = status(None);
    assert_eq!(code, 401);
    assert!(challenge.unwrap().starts_with("Basic"));
    // ops:letmein and ops:wrong, base64.
    assert_eq!(status(Some("Basic b3BzOmxldG1laW4=")).0, 200);
    assert_eq!(status(Some("Basic b3BzOndyb25n")).0, 401);
    assert!(worker.signal(libc::SIGTERM).success());
}

/// Retries `method path` while the worker answers 500 (Connect's "can be safely retried"
/// while a stopped sink's static membership lasts), then returns the answer.
async fn until_not_500(api: &Api, method: &str, path: &str, body: Option<J>) -> (u16, J) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let (status, j) = api.call(method, path, body.clone());
        if status != 500 {
            return (status, j);
        }
        assert!(
            j["message"]
                .as_str()
                .unwrap_or_default()
                .contains("safely retried"),
            "{method} {path}: {j}"
        );
        assert!(
            tokio::time::Instant::now() < deadline,
            "{method} {path} kept failing: {j}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Kafka Connect 4.x's endpoints beyond a connector's life, with Connect's shapes and codes:
/// health, restart flags as clients send them, active topics (KIP-558), offsets altered and
/// reset on a stopped sink (KIP-875), a connector created stopped, loggers (KIP-495), and
/// JSON errors for a wrong method or task id.
#[tokio::test(flavor = "multi_thread")]
async fn connect_4x_endpoints_with_connects_shapes_and_codes() {
    let broker = Broker::shared();
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let topic = unique_name("ticks");
    broker.create_topic(&topic, 1).await;
    let dir = test_support::tls::temp_dir("rest-4x");
    let port = test_support::free_port();
    // A static member (this mode's default) stays in its group for its session timeout
    // after it stopped: keep that short so offsets can be changed soon after a stop.
    std::fs::write(
        dir.join("worker.properties"),
        format!(
            "bootstrap.servers={}\noffset.flush.interval.ms=200\nlisteners=http://127.0.0.1:{port}\n\
             config.storage.file.filename={}\nconsumer.session.timeout.ms=6000\n",
            broker.bootstrap(),
            dir.join("connectors.json").display()
        ),
    )
    .unwrap();
    let mut worker = start_worker(&dir);
    let api = Api::new(port);
    api.wait_up().await;
    let (_watcher, latest) = watch(&server.url(), &format!(">kafka/{topic}")).await;

    let health = api.get("/health");
    assert_eq!(health["status"], "healthy", "{health}");

    let name = unique_name("sink");
    let config = json!({
        "connector.class": connectors::SINK_CLASS,
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "topics": topic, "diffusion.url": server.url(), "diffusion.username": "admin",
        "diffusion.password": "password", "diffusion.destination": "kafka/${topic}"
    });
    let (status, info) = api.call(
        "POST",
        "/connectors",
        Some(json!({"name": name, "config": config})),
    );
    assert_eq!(status, 201, "{info}");
    api.wait_state(&name, "RUNNING", Some("RUNNING")).await;
    let path = |p: &str| format!("/connectors/{name}{p}");

    // A task's config carries its class, as Connect's does.
    let tasks = api.get(&path("/tasks"));
    assert_eq!(
        tasks[0]["config"]["task.class"],
        "com.diffusiondata.connect.diffusion.sink.DiffusionSinkTask"
    );

    // Restart flags read as Connect reads them (kafka-connect-py sends `False`).
    for (query, code) in [
        ("?includeTasks=False&onlyFailed=False", 204),
        ("?foo=bar", 204),
        ("?includeTasks=&onlyFailed=", 204),
    ] {
        let (status, j) = api.call("POST", &path(&format!("/restart{query}")), None);
        assert_eq!(status, code, "{query}: {j}");
        api.wait_state(&name, "RUNNING", Some("RUNNING")).await;
    }
    let (status, plan) = api.call(
        "POST",
        &path("/restart?includeTasks=True&onlyFailed=False"),
        None,
    );
    assert_eq!(status, 202, "{plan}");
    assert_eq!(plan["connector"]["state"], "RESTARTING", "{plan}");
    assert_eq!(plan["tasks"][0]["state"], "RESTARTING", "{plan}");
    api.wait_state(&name, "RUNNING", Some("RUNNING")).await;
    let (status, plan) = api.call(
        "POST",
        &path("/restart?includeTasks=TRUE&onlyFailed=true"),
        None,
    );
    assert_eq!(status, 202, "{plan}");
    assert_eq!(
        plan["tasks"][0]["state"], "RUNNING",
        "nothing failed, nothing restarts: {plan}"
    );

    // Active topics: what the sink read; reset empties them until it reads again.
    produce(&topic, 1).await;
    wait_value(&latest, &format!("kafka/{topic}"), json!({"n": 1})).await;
    assert_eq!(
        api.get(&path("/topics")),
        json!({ &name: {"topics": [&topic]} })
    );
    assert_eq!(api.call("PUT", &path("/topics/reset"), None).0, 202);
    assert_eq!(api.get(&path("/topics")), json!({ &name: {"topics": []} }));
    produce(&topic, 2).await;
    wait_value(&latest, &format!("kafka/{topic}"), json!({"n": 2})).await;
    assert_eq!(
        api.get(&path("/topics")),
        json!({ &name: {"topics": [&topic]} })
    );
    assert_eq!(
        api.get("/connectors/nobody/topics"),
        json!({"nobody": {"topics": []}})
    );
    assert_eq!(
        api.call("PUT", "/connectors/nobody/topics/reset", None).0,
        202
    );

    // Offsets change only when stopped.
    let one = json!({"offsets": [{"partition": {"kafka_topic": topic, "kafka_partition": 0},
                                  "offset": {"kafka_offset": 1}}]});
    let (status, err) = api.call("PATCH", &path("/offsets"), Some(one.clone()));
    assert_eq!(status, 400, "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("STOPPED state"),
        "{err}"
    );
    let (status, err) = api.call("PATCH", &path("/offsets"), Some(json!({"offsets": []})));
    assert_eq!(
        (status, err["message"].as_str()),
        (
            400,
            Some("Partitions / offsets need to be provided for an alter offsets request")
        )
    );
    assert_eq!(api.call("PUT", &path("/stop"), None).0, 204);
    assert_eq!(
        api.call("PUT", &path("/stop"), None).0,
        204,
        "a stop is idempotent"
    );
    api.wait_state(&name, "STOPPED", None).await;
    let (status, j) = until_not_500(&api, "PATCH", &path("/offsets"), Some(one)).await;
    assert_eq!(status, 200, "{j}");
    assert_eq!(
        j["message"],
        "The offsets for this connector have been altered successfully"
    );
    assert_eq!(
        api.get(&path("/offsets")),
        json!({"offsets": [{"partition": {"kafka_topic": topic, "kafka_partition": 0},
                            "offset": {"kafka_offset": 1}}]})
    );
    let (status, j) = until_not_500(&api, "DELETE", &path("/offsets"), None).await;
    assert_eq!(status, 200, "{j}");
    assert_eq!(
        j["message"],
        "The offsets for this connector have been reset successfully"
    );
    assert_eq!(api.get(&path("/offsets")), json!({"offsets": []}));
    assert_eq!(
        api.call("DELETE", &path("/offsets"), None).0,
        200,
        "a reset is idempotent"
    );
    // Resumed, it reads from the start again: every record, committed to the end.
    assert_eq!(api.call("PUT", &path("/resume"), None).0, 202);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while api.get(&path("/offsets"))["offsets"][0]["offset"]["kafka_offset"] != 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{}",
            api.get(&path("/offsets"))
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Created stopped (`initial_state`): no task until resumed.
    let stopped = unique_name("stopped");
    let (status, info) = api.call(
        "POST",
        "/connectors",
        Some(json!({"name": stopped, "config": config, "initial_state": "STOPPED"})),
    );
    assert_eq!(status, 201, "{info}");
    let s = api.wait_state(&stopped, "STOPPED", None).await;
    assert_eq!(s["tasks"], json!([]));

    // Loggers.
    let all = api.get("/admin/loggers");
    assert!(all["root"]["level"].is_string(), "{all}");
    let (status, changed) = api.call(
        "PUT",
        "/admin/loggers/connectors::sink",
        Some(json!({"level": "debug"})),
    );
    assert_eq!((status, changed), (200, json!(["connectors::sink"])));
    let l = api.get("/admin/loggers/connectors::sink");
    assert_eq!(l["level"], "DEBUG");
    assert!(l["last_modified"].is_i64(), "{l}");
    let (status, err) = api.call("PUT", "/admin/loggers/root", Some(json!({"level": "nope"})));
    assert_eq!(
        (status, err["message"].as_str()),
        (404, Some("invalid log level 'nope'."))
    );
    assert_eq!(
        api.call("PUT", "/admin/loggers/root", Some(json!({}))).0,
        400
    );
    assert_eq!(
        api.call(
            "PUT",
            "/admin/loggers/root?scope=cluster",
            Some(json!({"level": "info"}))
        )
        .0,
        204
    );
    assert_eq!(
        api.call("GET", "/admin/loggers/no.such.logger", None).0,
        404
    );

    // Errors in Connect's JSON shape: a wrong method, a task id that is not a number, and
    // the endpoint Kafka 4.0 removed.
    let (status, err) = api.call("DELETE", "/connectors", None);
    assert_eq!(
        (status, err["error_code"].as_u64()),
        (405, Some(405)),
        "{err}"
    );
    let (status, err) = api.call("GET", &path("/tasks/abc/status"), None);
    assert_eq!(
        (status, err["error_code"].as_u64()),
        (404, Some(404)),
        "{err}"
    );
    assert_eq!(api.call("GET", &path("/tasks-config"), None).0, 404);
    // A path parameter that is not UTF-8 once percent-decoded: a JSON 400, not axum's
    // plain text.
    for bad in [
        "/admin/loggers/%ff",
        "/connectors/%ff/status",
        "/connectors/%ff/tasks/0/status",
    ] {
        let (status, err) = api.call("GET", bad, None);
        assert_eq!(
            (status, err["error_code"].as_u64()),
            (400, Some(400)),
            "{bad}: {err}"
        );
        assert!(
            err["message"].as_str().is_some_and(|m| m.contains("UTF-8")),
            "{bad}: {err}"
        );
    }
    assert!(worker.signal(libc::SIGTERM).success());
}

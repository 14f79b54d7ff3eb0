//! Conflation while catching up (`diffusion.conflation=latest`), with the binary in
//! standalone mode: a backlog over many keys behind a slow Diffusion link, the worker
//! killed with SIGKILL while it catches up and restarted. Every Diffusion topic ends at its
//! key's last record; nothing was committed past a record that was neither confirmed nor
//! superseded by a confirmed one; subscribers saw far fewer values than records.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diffusion_client::{Session, SessionOptions, TopicEvent, Value};
use diffusion_server::{Server, ServerConfig};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use test_support::tcp_proxy::TcpProxy;
use test_support::{unique_name, Broker, Process};

const N: i64 = 20_000;
const KEYS: i64 = 2_000;

fn write_configs(dir: &Path, bootstrap: &str, url: &str, topic: &str, name: &str) {
    std::fs::write(
        dir.join("worker.properties"),
        format!(
            "bootstrap.servers={bootstrap}\noffset.flush.interval.ms=200\nlisteners=http://127.0.0.1:{}\n",
            test_support::free_port()
        ),
    )
    .unwrap();
    let sink = serde_json::json!({
        "name": name,
        "config": {
            "connector.class": "com.diffusiondata.connect.diffusion.sink.DiffusionSinkConnector",
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "topics": topic,
            "diffusion.url": url,
            "diffusion.username": "admin",
            "diffusion.password": "password",
            "diffusion.destination": "c/${topic}/${key}",
            "diffusion.max.in.flight": "16",
            "diffusion.conflation": "latest"
        }
    });
    std::fs::write(dir.join("sink.json"), sink.to_string()).unwrap();
}

fn worker(dir: &Path) -> Process {
    Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_diffusion-kafka-connect"))
            .arg("standalone")
            .arg(dir.join("worker.properties"))
            .arg(dir.join("sink.json"))
            .env(
                "RUST_LOG",
                std::env::var("DKC_TEST_LOG").unwrap_or("warn".into()),
            )
            .stdin(Stdio::null()),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backlog_is_conflated_a_sigkill_commits_nothing_unconfirmed_and_every_topic_ends_at_its_last_record(
) {
    let broker = Broker::shared();
    let server = Server::bind(ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    // 100 ms each way on the sink's link: 16 in flight, ~80 updates/s, so the backlog
    // could not be sent record by record in the test's time.
    let link = TcpProxy::start(server.local_addr()).await;
    link.set_delay(Duration::from_millis(100));
    let topic = unique_name("backlog");
    let name = unique_name("sink");
    broker.create_topic(&topic, 1).await;
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", broker.bootstrap())
        .set("linger.ms", "5")
        .create()
        .unwrap();
    let sends: Vec<_> = (0..N)
        .map(|n| {
            let key = format!("k{}", n % KEYS);
            let v = serde_json::json!({"n": n}).to_string();
            producer
                .send_result(FutureRecord::to(&topic).key(&key).payload(&v))
                .unwrap()
        })
        .collect();
    for s in sends {
        s.await.unwrap().unwrap();
    }

    // A subscriber (on the fast side) notes, per topic, the newest n it was ever given,
    // and counts every value.
    let watcher = Session::connect(
        &server.url(),
        "admin",
        "password",
        SessionOptions::default(),
    )
    .await
    .unwrap();
    let mut events = watcher.take_events().unwrap();
    watcher.subscribe(&format!("?c/{topic}/")).await.unwrap();
    let newest: Arc<Mutex<BTreeMap<String, i64>>> = Arc::default();
    let values = Arc::new(Mutex::new(0u64));
    tokio::spawn({
        let (newest, values) = (newest.clone(), values.clone());
        async move {
            while let Some(e) = events.recv().await {
                if let TopicEvent::Value {
                    path,
                    value: Value::Json(j),
                    ..
                } = e
                {
                    let n = j["n"].as_i64().unwrap();
                    let mut newest = newest.lock().unwrap();
                    let at = newest.entry(path.to_string()).or_insert(n);
                    *at = (*at).max(n);
                    *values.lock().unwrap() += 1;
                }
            }
        }
    });

    let dir = test_support::tls::temp_dir("conflation");
    write_configs(
        &dir,
        &broker.bootstrap(),
        &format!("ws://{}", link.addr()),
        &topic,
        &name,
    );
    let mut child = worker(&dir);
    let group = format!("connect-{name}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while broker.committed(&group, &topic).await < 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "nothing committed within 90 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.signal(libc::SIGKILL);
    let at_kill = broker.committed(&group, &topic).await;
    assert!(
        at_kill < N,
        "the catch-up finished before the kill; the test proves nothing"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    {
        // Every record below the committed offset was confirmed or superseded by a
        // confirmed one: each key's topic was given at least its last record below it.
        let newest = newest.lock().unwrap();
        for n in (at_kill - KEYS).max(0)..at_kill {
            let path = format!("c/{topic}/k{}", n % KEYS);
            let given = newest.get(&path).copied().unwrap_or(-1);
            assert!(
                given >= n,
                "offset {at_kill} committed but {path} was only given n={given}, not record {n}"
            );
        }
    }

    // Restarted on a fast link: it catches up from the committed offset.
    link.set_delay(Duration::ZERO);
    let mut child = worker(&dir);
    let want: BTreeMap<String, i64> = (N - KEYS..N)
        .map(|n| (format!("c/{topic}/k{}", n % KEYS), n))
        .collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        let done = {
            let newest = newest.lock().unwrap();
            want.iter().all(|(p, n)| newest.get(p) == Some(n))
        };
        if done {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "final values not reached"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = tokio::task::block_in_place(|| child.signal(libc::SIGTERM));
    assert!(status.success(), "{status}");
    assert_eq!(broker.committed(&group, &topic).await, N);
    let seen = *values.lock().unwrap();
    assert!(
        seen < (N as u64) / 2,
        "subscribers were given {seen} values for {N} records: little was conflated"
    );
}

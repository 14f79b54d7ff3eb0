//! What `bench/profile-source.sh` runs: the driver of the source under callgrind, and the
//! bare producer it compares the source with. The source itself runs as
//! `bench source-child`.

use std::process::{Command, ExitCode};

use diffusion_client::{cbor_slice_to_json_text, Session, SessionOptions};

use super::source::Reporting;
use super::{add_topics, json_cbor, kafka, produce, publish, record, KEYS};

pub const SOURCE_DRIVER: &str = "source-driver";
pub const PRODUCE_CHILD: &str = "produce-child";

/// Most updates set and not yet received by the source: callgrind slows it ~50x, and the
/// server's per-session queue (16k frames) must never overflow (it would close the
/// source's session, and the updates queued for it would be lost).
const WINDOW: u64 = 4_000;

/// Child mode: `bench source-driver URL N CMD...`: on the server at `URL`, adds the source
/// suite's 1,000 JSON topics (no values), starts `CMD` (the source child, under callgrind)
/// and, once it is subscribed, sets `N` of the suite's records round-robin on the topics,
/// paced by the child's `count` lines. Prints the child's last line once it exits, which it
/// does when all `N` records are acknowledged by Kafka.
pub fn source_driver(args: &[String]) -> ExitCode {
    let [url, n, cmd @ ..] = args else {
        eprintln!("usage: bench {SOURCE_DRIVER} URL N CMD...");
        return ExitCode::FAILURE;
    };
    let (Ok(n), [program, cmd_args @ ..]) = (n.parse::<u64>(), cmd) else {
        eprintln!("usage: bench {SOURCE_DRIVER} URL N CMD...");
        return ExitCode::FAILURE;
    };
    let mut cmd = Command::new(program);
    cmd.args(cmd_args);
    match super::child_runtime().block_on(drive(url, n, cmd)) {
        Ok(last) => {
            println!("{last}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{SOURCE_DRIVER}: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn drive(url: &str, n: u64, cmd: Command) -> Result<String, String> {
    let options = SessionOptions {
        // No reconnection: a dropped session is a failed run.
        reconnect: None,
        ..SessionOptions::default()
    };
    let publisher = Session::connect(url, "admin", "password", options)
        .await
        .map_err(|e| e.to_string())?;
    let paths = add_topics(&publisher).await?;
    let values: Vec<bytes::Bytes> = (0..n).map(|i| json_cbor(&record(i as usize).1)).collect();
    let mut child = Reporting::spawn(cmd, "the source")?;
    child.ready().await?;
    publish(&publisher, &paths, &values, n, &child.count, WINDOW).await?;
    let last = child.finish().await?;
    publisher.close().await;
    Ok(last)
}

/// Child mode: `bench produce-child BOOTSTRAP TOPIC N`: the source suite's baseline, a
/// bare `BaseProducer` with its settings, producing to `TOPIC` (created as the source
/// creates its topic, with the broker's defaults) the `N` records the source writes for
/// the suite's updates: key the Diffusion path, value the JSON text the source makes of
/// the topic's CBOR. The records are made first, by [`source_records`], whose
/// instructions the profile subtracts: they are not the producer's work.
pub fn produce_child(args: &[String]) -> ExitCode {
    let [bootstrap, topic, n] = args else {
        eprintln!("usage: bench {PRODUCE_CHILD} BOOTSTRAP TOPIC N");
        return ExitCode::FAILURE;
    };
    let Ok(n) = n.parse::<usize>() else {
        eprintln!("N must be a number, not {n:?}");
        return ExitCode::FAILURE;
    };
    let created = super::child_runtime().block_on(async {
        kafka(bootstrap)
            .create_topic_if_missing(topic, -1, -1)
            .await
            .map_err(|e| e.to_string())
    });
    if let Err(e) = created {
        eprintln!("{PRODUCE_CHILD}: creating {topic}: {e}");
        return ExitCode::FAILURE;
    }
    let (keys, values) = source_records(n);
    let secs = produce(bootstrap, topic, n, |i| (&keys[i % KEYS], &values[i]));
    println!("{secs}");
    // Not freed: that would be the bench's work, after the producer's.
    std::mem::forget((keys, values));
    ExitCode::SUCCESS
}

/// The keys (one per topic) and the `n` values the source writes for the suite's first
/// `n` updates. Never inlined: bench/profile-source.sh subtracts its instructions.
#[inline(never)]
pub fn source_records(n: usize) -> (Vec<String>, Vec<Vec<u8>>) {
    let keys = (0..KEYS).map(|k| format!("source/bench/K{k:04}")).collect();
    let values = (0..n)
        .map(|i| {
            let mut text = Vec::new();
            cbor_slice_to_json_text(&json_cbor(&record(i).1), &mut text).expect("JSON text");
            text
        })
        .collect();
    (keys, values)
}

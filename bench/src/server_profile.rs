//! What `bench/profile-server.sh` drives the embedded server (run under callgrind) with:
//! `bench server-driver URL N`, the source suite's path through the server alone. One
//! publisher sets `N` updates round-robin on 1,000 JSON topics created without values
//! (the source suite's topics and ~100-byte records, CBOR-encoded up front), pipelined
//! with up to 1,024 unanswered; one subscriber (`?source/bench/`, raw values) receives
//! every one. The publisher stays within `WINDOW` updates of what the subscriber has
//! received, so the server's per-session queue (16k frames) never overflows while
//! callgrind slows the server ~50x. Prints the seconds taken.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diffusion_client::{Session, SessionOptions, TopicEvent};

use crate::kafka_bridge::{add_topics, json_cbor, publish, record};

pub const SERVER_DRIVER: &str = "server-driver";

/// Most updates set and not yet received by the subscriber.
const WINDOW: u64 = 4_000;

pub fn server_driver(args: &[String]) -> ExitCode {
    let [url, n] = args else {
        eprintln!("usage: bench {SERVER_DRIVER} URL N");
        return ExitCode::FAILURE;
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("N must be a number, not {n:?}");
        return ExitCode::FAILURE;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    match rt.block_on(drive(url, n)) {
        Ok(secs) => {
            println!("{secs:.3}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("server-driver: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn drive(url: &str, n: u64) -> Result<f64, String> {
    let connect = |raw_values| {
        Session::connect(
            url,
            "admin",
            "password",
            SessionOptions {
                raw_values,
                // No reconnection: a dropped session is a failed run.
                reconnect: None,
                ..SessionOptions::default()
            },
        )
    };
    let publisher = connect(false).await.map_err(|e| e.to_string())?;
    let paths = add_topics(&publisher).await?;
    let values: Vec<bytes::Bytes> = (0..n).map(|i| json_cbor(&record(i as usize).1)).collect();

    let subscriber = connect(true).await.map_err(|e| e.to_string())?;
    let mut events = subscriber.take_events().ok_or("no event stream")?;
    subscriber
        .subscribe("?source/bench/")
        .await
        .map_err(|e| e.to_string())?;
    let received = Arc::new(AtomicU64::new(0));
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    let counter = {
        let received = received.clone();
        tokio::spawn(async move {
            let mut done_tx = Some(done_tx);
            let mut count = 0;
            while let Some(e) = events.recv().await {
                if let TopicEvent::RawValue { .. } = e {
                    count += 1;
                    received.store(count, Ordering::Relaxed);
                    if count == n {
                        if let Some(tx) = done_tx.take() {
                            let _ = tx.send(());
                        }
                    }
                }
            }
        })
    };

    let start = Instant::now();
    publish(&publisher, &paths, &values, n, &received, WINDOW).await?;
    tokio::time::timeout(Duration::from_secs(600), done_rx)
        .await
        .map_err(|_| {
            format!(
                "the subscriber received {} of {n} updates in 10 minutes",
                received.load(Ordering::Relaxed)
            )
        })?
        .map_err(|_| {
            format!(
                "the subscriber's session ended after {} of {n} updates",
                received.load(Ordering::Relaxed)
            )
        })?;
    let secs = start.elapsed().as_secs_f64();
    subscriber.close().await;
    publisher.close().await;
    let _ = counter.await;
    Ok(secs)
}

//! Prints the updates of the topics a selector matches, as they arrive.
//!
//! ```sh
//! cargo run --example diffusion-tail -- ws://127.0.0.1:8080 admin password '?source/.*'
//! ```
//!
//! One line per event: `<path> <value as JSON>`, and `+ <path> <type>` / `- <path> <reason>`
//! when a topic joins or leaves the subscription. Ctrl-C stops it.

use std::process::ExitCode;

use diffusion_client::{Session, SessionOptions, TopicEvent};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, principal, password, selector] = args.as_slice() else {
        eprintln!("usage: diffusion-tail URL PRINCIPAL PASSWORD SELECTOR");
        eprintln!("  e.g. diffusion-tail ws://127.0.0.1:8080 admin password '?source/.*'");
        return ExitCode::from(2);
    };
    let session = match Session::connect(url, principal, password, SessionOptions::default()).await
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut events = session.take_events().expect("first taker");
    if let Err(e) = session.subscribe(selector).await {
        eprintln!("error: cannot subscribe to {selector}: {e}");
        return ExitCode::FAILURE;
    }
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(TopicEvent::Value { path, value, .. }) => println!("{path} {}", value.to_json()),
                Some(TopicEvent::Subscribed { path, specification }) => println!("+ {path} {}", specification.topic_type),
                Some(TopicEvent::Unsubscribed { path, reason }) => println!("- {path} {reason:?}"),
                // Only with SessionOptions::raw_values, which this tool does not set.
                Some(TopicEvent::RawValue { path, bytes, .. }) => println!("{path} <{} bytes>", bytes.len()),
                Some(TopicEvent::TimeSeries { path, event }) => {
                    let edit = event.original.map(|o| format!(" (edit of {})", o.sequence)).unwrap_or_default();
                    println!("{path} #{}{edit} {}", event.sequence, event.value.to_json());
                }
                None => break,
            },
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    session.close().await;
    ExitCode::SUCCESS
}

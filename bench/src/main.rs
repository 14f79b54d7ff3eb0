//! `cargo run --release -p bench -- [--smoke] [SUITE...]`
//!
//! Runs each suite against real parts on loopback and prints one table: our figure, the
//! baseline measured in the same run, their ratio, and the target. `--smoke` runs each
//! suite for a moment so CI keeps the harness working; it never asserts on timings.
//!
//! Suites: diffusion-fanout, client-set, sink, source, latency, stall, catchup, console,
//! soak (default: all).

/// The product's allocator (crates/worker/src/memory.rs), so the suites that run our code
/// in this process (the sink's and source's children, the profiles) measure what users run.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

mod client_set;
mod console;
mod fanout;
mod kafka_bridge;
mod server_profile;
mod soak;
mod support;

use std::process::ExitCode;

pub struct Row {
    pub name: String,
    pub ours: String,
    pub baseline: String,
    pub ratio: String,
    pub target: String,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(support::SERVE) {
        return support::serve_diffusion();
    }
    if args.first().map(String::as_str) == Some(kafka_bridge::SINK_CHILD) {
        return kafka_bridge::sink_child(&args[1..]);
    }
    if args.first().map(String::as_str) == Some(kafka_bridge::SOURCE_CHILD) {
        return kafka_bridge::source_child(&args[1..]);
    }
    if args.first().map(String::as_str) == Some(kafka_bridge::PROFILE_TOPICS) {
        return kafka_bridge::profile_topics(&args[1..]);
    }
    if args.first().map(String::as_str) == Some(kafka_bridge::CONSUME_CHILD) {
        return kafka_bridge::consume_child(&args[1..]);
    }
    if args.first().map(String::as_str) == Some(kafka_bridge::SOURCE_DRIVER) {
        return kafka_bridge::source_driver(&args[1..]);
    }
    if args.first().map(String::as_str) == Some(kafka_bridge::PRODUCE_CHILD) {
        return kafka_bridge::produce_child(&args[1..]);
    }
    if args.first().map(String::as_str) == Some(server_profile::SERVER_DRIVER) {
        return server_profile::server_driver(&args[1..]);
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "usage: bench [--smoke] [diffusion-fanout] [client-set] [sink] [source] [latency] [stall] [catchup] [console] [soak]"
        );
        return ExitCode::SUCCESS;
    }
    let smoke = args.iter().any(|a| a == "--smoke");
    let mut suites: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if suites.is_empty() {
        suites = vec![
            "diffusion-fanout",
            "client-set",
            "sink",
            "source",
            "latency",
            "stall",
            "catchup",
            "console",
            "soak",
        ];
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut rows = Vec::new();
    for suite in suites {
        eprintln!("[bench] {suite}{}", if smoke { " (smoke)" } else { "" });
        let result = match suite {
            "diffusion-fanout" => rt.block_on(fanout::run(smoke)),
            "client-set" => rt.block_on(client_set::run(smoke)),
            "sink" => rt.block_on(kafka_bridge::sink(smoke)),
            "source" => rt.block_on(kafka_bridge::source(smoke)),
            "latency" => rt.block_on(kafka_bridge::latency(smoke)),
            "stall" => rt.block_on(kafka_bridge::stall(smoke)),
            "catchup" => rt.block_on(kafka_bridge::catchup(smoke)),
            "console" => rt.block_on(console::console(smoke)),
            "soak" => rt.block_on(soak::soak(smoke)),
            other => Err(format!("unknown suite {other:?}")),
        };
        match result {
            Ok(mut r) => rows.append(&mut r),
            Err(e) => {
                eprintln!("[bench] {suite} failed: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{}", support::machine());
    println!("| benchmark | ours | baseline | ratio | target |");
    println!("|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            r.name, r.ours, r.baseline, r.ratio, r.target
        );
    }
    ExitCode::SUCCESS
}

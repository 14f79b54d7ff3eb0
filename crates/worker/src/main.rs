//! `diffusion-kafka-connect`: one binary for the Kafka Connect-compatible worker running
//! the Diffusion sink and source connectors, and the embedded Diffusion server.

// Errors here stop a command or answer a request: rare, so they carry their causes
// (librdkafka's error is 80 bytes) whole rather than boxed at every site.
#![allow(clippy::result_large_err)]

mod cli;
mod cluster;
mod config_store;
mod connector_file;
mod demo;
mod diffusion_server_cmd;
mod distributed_cmd;
mod error;
mod herder;
mod logging;
mod memory;
mod metrics;
mod properties;
mod rest;
mod runtime;
mod signals;
mod sink_offsets;
mod source_offsets;
mod standalone;
mod ui;
mod worker_cmd;
mod worker_keys;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    logging::init(&cli.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            cli::Command::DiffusionServer(args) => diffusion_server_cmd::run(args).await,
            cli::Command::Standalone(args) => standalone::run(args).await,
            cli::Command::Worker(args) => worker_cmd::run(args).await,
            cli::Command::Distributed(args) => distributed_cmd::run(args).await,
            cli::Command::Demo(args) => demo::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine with Rust: installs what it needs
# (scripts/setup.sh: Apache Kafka, the official Diffusion SDKs), then runs formatting,
# lints and every test. CI (.ci/run) runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
echo "[test] cargo fmt --check" >&2
cargo fmt --all --check
echo "[test] cargo clippy -D warnings" >&2
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "[test] cargo test" >&2
cargo test --workspace --locked
echo "[test] benchmarks, smoke mode (keeps the harness working; timings are not judged)" >&2
cargo run --quiet --locked -p bench -- --smoke

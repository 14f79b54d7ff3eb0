#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine with Rust: installs what it needs
# (scripts/setup.sh: Apache Kafka, the official Diffusion SDKs), then runs formatting,
# lints and every test. CI (.ci/run) runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# A clean build of every target needs about 6 GB (measured: 4.7 GB in target/debug). Say so
# up front, so a full disk reads as a full disk rather than as a compiler error.
target_dir=${CARGO_TARGET_DIR:-target}
mkdir -p "$target_dir"
free_kb=$(df -Pk "$target_dir" | awk 'NR==2 {print $4}')
echo "[test] $((free_kb / 1024 / 1024)) GB free for $target_dir" >&2
if [ "$free_kb" -lt $((6 * 1024 * 1024)) ]; then
    echo "[test] warning: under 6 GB free for $target_dir; a clean build may run out of disk" >&2
fi

scripts/setup.sh
echo "[test] cargo fmt --check" >&2
cargo fmt --all --check
echo "[test] cargo clippy -D warnings" >&2
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "[test] cargo test" >&2
cargo test --workspace --locked
echo "[test] benchmarks, smoke mode (keeps the harness working; timings are not judged)" >&2
cargo run --quiet --locked -p bench -- --smoke

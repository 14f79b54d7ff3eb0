#!/usr/bin/env bash
# The main job on embedded defaults: builds the binary, installs and starts the test
# broker on 127.0.0.1:9092, then runs `diffusion-kafka-connect demo`.
#
# Until the connectors land (issues 5, 6 and 10), the demo subcommand is not available and
# this starts the embedded Diffusion server on 127.0.0.1:8080 instead, next to the broker.
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS=${DKC_TOOLS:-$ROOT/.tools}
BROKER_PORT=${BROKER_PORT:-9092}

scripts/setup.sh --broker-only
cargo build --release --locked --bin diffusion-kafka-connect
BIN=$ROOT/target/release/diffusion-kafka-connect

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if (exec 3<>"/dev/tcp/127.0.0.1/$BROKER_PORT") 2>/dev/null; then
  echo "[demo] a broker already listens on 127.0.0.1:$BROKER_PORT: using it" >&2
else
  echo "[demo] starting the test broker (tansu) on 127.0.0.1:$BROKER_PORT" >&2
  "$TOOLS/bin/tansu" broker --listener-url "tcp://127.0.0.1:$BROKER_PORT" \
    --advertised-listener-url "tcp://127.0.0.1:$BROKER_PORT" --storage-engine memory://tansu/ \
    >"$TOOLS/demo-broker.log" 2>&1 &
  pids+=($!)
fi

if "$BIN" demo --help >/dev/null 2>&1 && "$BIN" demo --bootstrap-servers "127.0.0.1:$BROKER_PORT"; then
  exit 0
fi
echo "[demo] the connectors are not built yet: serving the embedded Diffusion server instead" >&2
"$BIN" diffusion-server --listen 127.0.0.1:8080 &
pids+=($!)
wait "${pids[-1]}"

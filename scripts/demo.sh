#!/usr/bin/env bash
# The main job on embedded defaults: builds the binary, installs Apache Kafka and starts
# it on 127.0.0.1:9092 (unless a broker already listens there), then runs
# `diffusion-kafka-connect demo`: the embedded Diffusion server on 127.0.0.1:8080, the
# seed's sample sink and source, data flowing both ways, the page on
# http://127.0.0.1:8083/ui. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS=${DKC_TOOLS:-$ROOT/.tools}
BROKER_PORT=${BROKER_PORT:-9092}

scripts/setup.sh --broker-only
# The demo profile (Cargo.toml): no optimisation, no debug info, the quickest build on a
# fresh machine; DEMO_PROFILE=release (or dev) for another.
PROFILE=${DEMO_PROFILE:-demo}
cargo build --locked --profile "$PROFILE" --bin diffusion-kafka-connect
case "$PROFILE" in dev) BIN=$ROOT/target/debug/diffusion-kafka-connect ;; *) BIN=$ROOT/target/$PROFILE/diffusion-kafka-connect ;; esac

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if (exec 3<>"/dev/tcp/127.0.0.1/$BROKER_PORT") 2>/dev/null; then
  echo "[demo] a broker already listens on 127.0.0.1:$BROKER_PORT: using it" >&2
else
  echo "[demo] starting Apache Kafka on 127.0.0.1:$BROKER_PORT (log: $TOOLS/demo-broker/broker.log)" >&2
  rm -rf "$TOOLS/demo-broker"
  mkdir -p "$TOOLS/demo-broker"
  scripts/kafka-broker.sh --dir "$TOOLS/demo-broker" --port "$BROKER_PORT" \
    --controller-port "${BROKER_CONTROLLER_PORT:-$((BROKER_PORT + 1))}" \
    >"$TOOLS/demo-broker/broker.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 240); do
    (exec 3<>"/dev/tcp/127.0.0.1/$BROKER_PORT") 2>/dev/null && break
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "[demo] the broker exited; its log:" >&2; tail -30 "$TOOLS/demo-broker/broker.log" >&2; exit 1; }
    sleep 0.5
  done
fi

"$BIN" demo --bootstrap-servers "127.0.0.1:$BROKER_PORT" "$@"

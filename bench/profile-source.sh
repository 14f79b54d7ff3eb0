#!/usr/bin/env bash
# bench/profile-source.sh: where the source's CPU goes, in instructions per record
# (callgrind), beside the bare librdkafka producer the source suite compares it with
# (issue 23).
#
#   bench/profile-source.sh            # N=110000 updates, start-up measured with N_SMALL=10000
#   N=210000 N_SMALL=10000 TOP=25 bench/profile-source.sh
#
# What it does, end to end:
# 1. builds the bench in release with line tables (`CARGO_PROFILE_RELEASE_DEBUG=
#    line-tables-only`: callgrind needs symbols and lines, not full debug info; the code is
#    the release profile's, thin LTO included);
# 2. `bench profile-topics` starts the bench's Kafka broker (native) and keeps it;
# 3. for each size n (N_SMALL, N): a fresh embedded Diffusion server (`bench
#    serve-diffusion`, native) and `bench source-driver URL n ...` (native), which adds the
#    source suite's 1,000 JSON topics without values and starts the source (`bench
#    source-child`, the source suite's child, into a fresh Kafka topic it creates as users'
#    sources do) under `valgrind --tool=callgrind`. Once the source is subscribed the
#    driver sets n of the suite's ~100-byte JSON records round-robin on the topics
#    (CBOR-encoded up front, pipelined as the suite does), staying within 4,000 updates of
#    what the source reports received, so the server's per-session queue (16k frames)
#    never overflows however slow callgrind makes the source: nothing is dropped, and the
#    source exits only when Kafka acknowledged all n records. Then the bare `BaseProducer`
#    (`bench produce-child`, the suite's baseline settings: idempotent, `linger.ms` 5)
#    produces to a fresh topic, created as the source creates its own, the same n records
#    the source wrote (key the Diffusion path, value the JSON text), under callgrind too;
#    it makes those records first, in `source_records`, whose instructions (inclusive) are
#    taken out of its total: making them is the bench's work, not the producer's;
# 4. instructions per record = (Ir(N) - Ir(N_SMALL)) / (N - N_SMALL): the difference of
#    the two sizes takes out start-up and shut-down (connecting to Kafka and Diffusion,
#    the topic's creation, subscribing to the 1,000 topics, the runtime), which both sizes
#    do. All threads of a process are counted (callgrind's default: librdkafka's threads
#    included); system calls and the kernel's work are not (callgrind counts user-space
#    instructions). The Diffusion server, the driver's publisher and the broker run
#    natively and are not counted;
# 5. prints the totals, the ratio, and the top TOP functions of the N-record source run by
#    exclusive (self) instructions, and of its own code, librdkafka and the WebSocket layer
#    by inclusive ones (callgrind_annotate, start-up included); the raw profiles stay in
#    $OUT (default $CARGO_TARGET_DIR/profile-source) for `callgrind_annotate` or
#    kcachegrind.
#
# Needs valgrind (Debian's `valgrind`, which scripts/setup.sh installs), the tools of
# scripts/setup.sh (Apache Kafka) and DKC_TOOLS pointing at them if they are not in
# ./.tools. The runs take a few minutes on two cores (callgrind runs code ~50x slower),
# plus the build. Instruction counts are steady from run to run (unlike times on a shared
# machine) but not exact: work done per unit of time rather than per record (the child's
# 1 ms progress loop, librdkafka's and the source's timers) grows with the run's length,
# which callgrind stretches, and how updates happen to batch varies.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-110000}
N_SMALL=${N_SMALL:-10000}
TOP=${TOP:-15}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=${OUT:-$TARGET/profile-source}
# shellcheck source=bench/profile-lib.sh
. "$ROOT/bench/profile-lib.sh"
needs_valgrind profile-source.sh
mkdir -p "$OUT"
rm -f "$OUT"/*.in "$OUT"/*.url

build_bench
start_child broker "$BENCH" profile-topics
BROKER_FD=$CHILD_FD BROKER_PID=$CHILD_PID
read -r BOOTSTRAP <"$OUT/broker.url"
trap 'exec {BROKER_FD}>&-; wait $BROKER_PID 2>/dev/null || true' EXIT

run=$(date +%s)-$$
for n in "$N_SMALL" "$N"; do
  start_child "server-$n" "$BENCH" serve-diffusion
  url=$(cat "$OUT/server-$n.url")
  echo "[profile-source] source, $n updates (callgrind)" >&2
  # The source child's stderr (valgrind's and its own) goes to the log with the driver's.
  "$BENCH" source-driver "$url" "$n" valgrind --tool=callgrind \
    --callgrind-out-file="$OUT/source-$n.cg" \
    "$BENCH" source-child "$BOOTSTRAP" "profile-source-$run-$n" "$url" "$n" \
    >"$OUT/source-$n.out" 2>"$OUT/source-$n.cg.log" || {
    echo "the source run failed (see $OUT/source-$n.cg.log)" >&2
    exit 1
  }
  exec {CHILD_FD}>&-
  wait "$CHILD_PID" || true
  echo "[profile-source] bare producer, $n records (callgrind)" >&2
  callgrind "$OUT/bare-$n.cg" "$BENCH" produce-child "$BOOTSTRAP" "profile-bare-$run-$n" "$n"
done

# ir KIND SIZE: the instructions of that run that count: the bare producer's without the
# making of its records.
ir() {
  local file=$OUT/$1-$2.cg
  if [ "$1" = bare ]; then
    echo $(($(total "$file") - $(inclusive "$file" 'profile_source::source_records')))
  else
    total "$file"
  fi
}
per_record() { # per_record KIND
  local small big
  small=$(ir "$1" "$N_SMALL")
  big=$(ir "$1" "$N")
  echo "$1: Ir $small ($N_SMALL records), $big ($N records): $(((big - small) / (N - N_SMALL))) instructions per record"
}
echo
per_record source
per_record bare
echo "(bare: without making its records, $(inclusive "$OUT/bare-$N.cg" 'profile_source::source_records') instructions for $N)"
source=$(($(ir source "$N") - $(ir source "$N_SMALL")))
bare=$(($(ir bare "$N") - $(ir bare "$N_SMALL")))
echo "ratio source / bare producer: $(awk -v a=$source -v b=$bare 'BEGIN { printf "%.2f", a / b }')"
# The source task and the Diffusion client's connection task, without librdkafka's own
# threads, whose timers and polls make most of the run-to-run noise of the totals.
own() { # own SIZE
  echo $(($(inclusive "$OUT/source-$1.cg" 'connectors::source::run_source') + $(inclusive "$OUT/source-$1.cg" 'diffusion_client::driver::run')))
}
echo "source task + Diffusion connection task: $((($(own "$N") - $(own "$N_SMALL")) / (N - N_SMALL))) instructions per record"
echo
echo "== source, $N records: top $TOP by exclusive (self) instructions"
top "$OUT/source-$N.cg" . --inclusive=no
echo
echo "== source, $N records: top $TOP of its own code, librdkafka and the WebSocket layer by inclusive instructions"
top "$OUT/source-$N.cg" ':(connectors|diffusion_client|diffusion_wire|connect_data|rd_kafka|rdkafka|<?tokio_tungstenite|<?tungstenite)' --inclusive=yes
rm -f "$OUT"/*.in

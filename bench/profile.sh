#!/usr/bin/env bash
# bench/profile.sh: where the sink's CPU goes, in instructions per record (callgrind),
# beside the bare librdkafka consumer the sink suite compares it with (issue 23).
#
#   bench/profile.sh            # N=110000 records, start-up measured with N_SMALL=10000
#   N=210000 N_SMALL=10000 TOP=25 bench/profile.sh
#
# What it does, end to end:
# 1. builds the bench in release with line tables (`CARGO_PROFILE_RELEASE_DEBUG=
#    line-tables-only`: callgrind needs symbols and lines, not full debug info; the code is
#    the release profile's, thin LTO included);
# 2. `bench profile-topics N_SMALL N` starts the bench's Kafka broker and fills two fresh
#    one-partition topics with exactly N_SMALL and N of the sink suite's JSON records
#    (~100 B, 1000 keys), read once so the broker serves them warm;
# 3. for each size, under `valgrind --tool=callgrind`: the sink (`bench sink-child`, the
#    sink suite's child, on a fresh embedded Diffusion server, `bench serve-diffusion`,
#    run natively) until every record is confirmed, and the bare `BaseConsumer`
#    (`bench consume-child`) reading the same topic in a fresh group. Each reads its whole
#    topic, so librdkafka's read-ahead is the same work per record in both sizes;
# 4. instructions per record = (Ir(N) - Ir(N_SMALL)) / (N - N_SMALL): the difference of
#    the two sizes takes out start-up and shut-down (connecting, the group join, the
#    runtime) and the creation of the 1,000 Diffusion topics (one per key), which both
#    sizes do. All threads of a process are counted (callgrind's default); system calls
#    and the kernel's work are not (callgrind counts user-space instructions).
# 5. prints the totals and the top TOP functions of the N-record sink run by exclusive
#    (self) instructions, and of its own code by inclusive ones (callgrind_annotate,
#    start-up included); the raw profiles stay in $OUT (default
#    $CARGO_TARGET_DIR/profile) for `callgrind_annotate` or kcachegrind.
#
# Needs valgrind (Debian's `valgrind`, which scripts/setup.sh installs), the tools of
# scripts/setup.sh (Apache Kafka) and DKC_TOOLS pointing at them if they are not in
# ./.tools. The runs take ~2 minutes on two cores (callgrind runs code ~50x slower), plus
# the build. Instruction counts are steady from run to run (unlike times on a
# shared machine) but not exact: idle timers and polls add a little.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-110000}
N_SMALL=${N_SMALL:-10000}
TOP=${TOP:-15}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=${OUT:-$TARGET/profile}
# shellcheck source=bench/profile-lib.sh
. "$ROOT/bench/profile-lib.sh"
needs_valgrind profile.sh
mkdir -p "$OUT"
rm -f "$OUT"/*.in "$OUT"/*.url

build_bench
start_child topics "$BENCH" profile-topics "$N_SMALL" "$N"
TOPICS_FD=$CHILD_FD TOPICS_PID=$CHILD_PID
read -r BOOTSTRAP TOPIC_SMALL TOPIC_N <"$OUT/topics.url"
trap 'exec {TOPICS_FD}>&-; wait $TOPICS_PID 2>/dev/null || true' EXIT

for size in small n; do
  if [ $size = small ]; then n=$N_SMALL t=$TOPIC_SMALL; else n=$N t=$TOPIC_N; fi
  start_child "server-$size" "$BENCH" serve-diffusion
  url=$(cat "$OUT/server-$size.url")
  echo "[profile] sink, $n records (callgrind)" >&2
  callgrind "$OUT/sink-$n.cg" "$BENCH" sink-child "$BOOTSTRAP" "$t" "$url" "$n"
  exec {CHILD_FD}>&-
  wait "$CHILD_PID" || true
  echo "[profile] bare consumer, $n records (callgrind)" >&2
  callgrind "$OUT/bare-$n.cg" "$BENCH" consume-child "$BOOTSTRAP" "$t" "$n"
done

per_record() { # per_record KIND
  local small big
  small=$(total "$OUT/$1-$N_SMALL.cg")
  big=$(total "$OUT/$1-$N.cg")
  echo "$1: Ir $small ($N_SMALL records), $big ($N records): $(((big - small) / (N - N_SMALL))) instructions per record"
}
echo
per_record sink
per_record bare
sink=$(($(total "$OUT/sink-$N.cg") - $(total "$OUT/sink-$N_SMALL.cg")))
bare=$(($(total "$OUT/bare-$N.cg") - $(total "$OUT/bare-$N_SMALL.cg")))
echo "ratio sink / bare consumer: $(awk -v a=$sink -v b=$bare 'BEGIN { printf "%.2f", a / b }')"
echo
echo "== sink, $N records: top $TOP by exclusive (self) instructions"
top "$OUT/sink-$N.cg" . --inclusive=no
echo
echo "== sink, $N records: top $TOP of its own code, librdkafka and the WebSocket layer by inclusive instructions"
top "$OUT/sink-$N.cg" ':(connectors|diffusion_client|diffusion_wire|connect_data|rd_kafka|rdkafka|<?tokio_tungstenite|<?tungstenite)' --inclusive=yes
rm -f "$OUT"/*.in

#!/usr/bin/env bash
# bench/profile-server.sh: the embedded Diffusion server's CPU per update, in instructions
# (callgrind), for the source suite's path: one publisher's set, delivered to one
# subscriber (issue 23).
#
#   bench/profile-server.sh            # N=120000 updates, start-up measured with N_SMALL=20000
#   N=220000 N_SMALL=20000 TOP=30 bench/profile-server.sh
#
# What it does, end to end:
# 1. builds the bench in release with line tables (`CARGO_PROFILE_RELEASE_DEBUG=
#    line-tables-only`: callgrind needs symbols and lines; the code is the release
#    profile's, thin LTO included);
# 2. for each size, starts a fresh embedded server (`bench serve-diffusion`) under
#    `valgrind --tool=callgrind`, and drives it natively with `bench server-driver URL n`:
#    one publisher creates 1,000 JSON topics and sets n of the source suite's ~100-byte
#    records round-robin on them (pipelined, up to 1,024 unanswered), one subscriber
#    (`?source/bench/`) receives all n; the publisher stays within 4,000 updates of the
#    subscriber so the server's per-session queue never overflows, however slow callgrind
#    makes it. Then the server's stdin is closed and it shuts down;
# 3. instructions per update = (Ir(N) - Ir(N_SMALL)) / (N - N_SMALL): the difference takes
#    out start-up, shut-down, the two sessions' handshakes and the 1,000 topics' creation
#    and subscription, which both sizes do. All the server's threads are counted; system
#    calls and the kernel's work are not (callgrind counts user-space instructions);
# 4. prints the totals and the top TOP functions of the N-update run by exclusive (self)
#    and inclusive instructions (callgrind_annotate, start-up included); the raw profiles
#    stay in $OUT (default $CARGO_TARGET_DIR/profile-server).
#
# Needs valgrind (Debian's `valgrind`). Takes about a minute on two cores, plus the build.
# Instruction counts are steady from run to run but not exact: timers, idle polls and how
# the frames happen to batch add a little (a few instructions per update).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-120000}
N_SMALL=${N_SMALL:-20000}
TOP=${TOP:-25}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=${OUT:-$TARGET/profile-server}
# shellcheck source=bench/profile-lib.sh
. "$ROOT/bench/profile-lib.sh"
needs_valgrind profile-server.sh
mkdir -p "$OUT"
rm -f "$OUT"/*.in "$OUT"/*.url

build_bench
for n in "$N_SMALL" "$N"; do
  echo "[profile-server] server, $n updates (callgrind)" >&2
  start_child "server-$n" valgrind --tool=callgrind --callgrind-out-file="$OUT/server-$n.cg" \
    --log-file="$OUT/server-$n.cg.log" "$BENCH" serve-diffusion
  secs=$("$BENCH" server-driver "$(head -1 "$OUT/server-$n.url")" "$n")
  echo "[profile-server] $n updates in $secs s" >&2
  exec {CHILD_FD}>&-
  wait "$CHILD_PID" || { echo "the server failed (see $OUT/server-$n.cg.log)" >&2; exit 1; }
done

small=$(total "$OUT/server-$N_SMALL.cg")
big=$(total "$OUT/server-$N.cg")
echo
echo "server: Ir $small ($N_SMALL updates), $big ($N updates): $(((big - small) / (N - N_SMALL))) instructions per update"

echo
echo "== server, $N updates: top $TOP by exclusive (self) instructions"
top "$OUT/server-$N.cg" . --inclusive=no
echo
echo "== server, $N updates: top $TOP of its own code, the wire codec and the WebSocket layer by inclusive instructions"
top "$OUT/server-$N.cg" ':(<?diffusion_server|<?diffusion_wire|<?tokio_tungstenite|<?tungstenite)' --inclusive=yes
rm -f "$OUT"/*.in

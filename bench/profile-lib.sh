# bench/profile-lib.sh: what bench/profile.sh and bench/profile-server.sh share; sourced,
# not run. Both read callgrind's output files the same way.

# needs_valgrind SCRIPT: stops with how to install valgrind if it is missing.
needs_valgrind() {
  command -v valgrind >/dev/null || {
    echo "$1 needs valgrind: apt-get install -y valgrind" >&2
    exit 1
  }
}

# total FILE: the instructions (Ir) a callgrind output file counted.
total() { awk '/^(summary|totals):/ { print $2; exit }' "$1"; }

# top FILE REGEX ANNOTATE-OPTION...: callgrind_annotate's function lines of FILE (after
# its third rule), the first $TOP of them matching REGEX.
top() {
  local file=$1 re=$2
  shift 2
  callgrind_annotate "$@" --auto=no --threshold=100 "$file" 2>/dev/null |
    awk -v top="$TOP" -v re="$re" '/^-+$/ { dashes++; next }
      dashes >= 3 && $1 ~ /^[0-9,]+$/ && $0 ~ re && ++n <= top'
}

# inclusive FILE REGEX: the inclusive instructions of the first function of FILE matching
# REGEX (0 if none does), without thousands separators.
inclusive() {
  local n
  n=$(TOP=1 top "$1" "$2" --inclusive=yes | awk '{ gsub(",", "", $1); print $1 }')
  echo "${n:-0}"
}

# build_bench: builds the bench in release with line tables (callgrind needs symbols and
# lines, not full debug info; the code is the release profile's) and sets BENCH to it.
build_bench() {
  (cd "$ROOT" && CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --release -p bench)
  BENCH=$TARGET/release/bench
  export RUST_LOG=${RUST_LOG:-warn}
}

# start_child NAME CMD...: runs CMD with its stdin on a FIFO we hold open (closing it stops
# the child) and its first stdout line in $OUT/NAME.url; sets CHILD_FD and CHILD_PID.
start_child() {
  local name=$1
  shift
  mkfifo "$OUT/$name.in"
  "$@" <"$OUT/$name.in" >"$OUT/$name.url" &
  CHILD_PID=$!
  exec {CHILD_FD}>"$OUT/$name.in"
  until [ -s "$OUT/$name.url" ]; do
    kill -0 "$CHILD_PID" 2>/dev/null || { echo "$name exited early" >&2; exit 1; }
    sleep 0.2
  done
}

# callgrind OUTFILE CMD...: runs CMD under callgrind, its profile in OUTFILE and
# valgrind's log beside it; stops the script if CMD fails.
callgrind() {
  local out=$1
  shift
  valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>"$out.log" || {
    echo "failed: $* (see $out.log)" >&2
    exit 1
  }
}

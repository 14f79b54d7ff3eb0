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

#!/usr/bin/env bash
# Times `mig ingest firebase` of N generated users (default 1,000,000: a
# `firebase auth:export` JSON with the project's hash parameters) and, in
# the same run for comparison, `mig ingest clerk` of a Clerk export of the
# same size without mapping files: wall time and peak RSS of each, from
# /usr/bin/time -v, and the ratio of the two wall times (the target is
# firebase within 2x clerk).
#   bench/firebase.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
go build -o "$out/mig" ./cmd/mig
[ -f "$out/firebase-$n/users.json" ] || go run ./testdata/gen firebase -n "$n" -o "$out/firebase-$n"
[ -f "$out/clerk-$n/users.csv" ] || go run ./testdata/gen clerk -n "$n" -o "$out/clerk-$n"

# run NAME ARGS...: one ingest into a new database, its figures on stdout.
run() {
  local name=$1
  shift
  rm -f "$out/$name-$n.db"
  /usr/bin/time -v "$out/mig" --log-level debug --db "$out/$name-$n.db" ingest "$@" > "$out/$name-$n.out" 2> "$out/$name-$n.time"
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out/$name-$n.time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out/$name-$n.time")
  echo "$name: wall $wall, peak RSS $((rss / 1024)) MiB, $(grep -E 'users new' "$out/$name-$n.out" | tr -s ' ')"
  echo "$wall" > "$out/$name-$n.wall"
}
seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }' "$1"; }

run clerk clerk "$out/clerk-$n/users.csv"
run firebase firebase "$out/firebase-$n/users.json" --hash-config "$out/firebase-$n/hash_config.json"
awk -v c="$(seconds "$out/clerk-$n.wall")" -v f="$(seconds "$out/firebase-$n.wall")" \
  'BEGIN { printf "firebase / clerk wall time: %.2f (target: at most 2)\n", f / c }'

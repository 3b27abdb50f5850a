#!/usr/bin/env bash
# Times `mig ingest clerk` of N generated users with org and role mapping
# (default 1,000,000): wall time and peak RSS, from /usr/bin/time.
#   bench/ingest.sh [N]          FLOOR=1 bench/ingest.sh [N] also measures the write floor
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
go build -o "$out/mig" ./cmd/mig
[ -f "$out/clerk-$n/users.csv" ] || go run ./testdata/gen clerk -n "$n" -o "$out/clerk-$n"
rm -f "$out/ingest-$n.db"
/usr/bin/time -v "$out/mig" --log-level debug --db "$out/ingest-$n.db" ingest clerk "$out/clerk-$n/users.csv" \
  --org-mapping "$out/clerk-$n/orgs.csv" --role-mapping "$out/clerk-$n/roles.csv" 2> "$out/ingest-$n.time"
grep -E 'phase|step|Elapsed|Maximum resident' "$out/ingest-$n.time" | sed 's/^time=[^ ]* level=DEBUG msg=//'
# FLOOR=1 also copies the staged tables into a new database the fastest way
# SQLite writes (bench/floor): the least time any ingest of this data needs.
if [ "${FLOOR:-}" = 1 ]; then
  MIG_FLOOR_DB="$PWD/$out/ingest-$n.db" MIG_FLOOR_OUT="$PWD/$out" go test ./bench/floor -run WriteFloor -v -count=1 |
    grep -E 'rows|copies' | sed 's/^ *floor_test.go:[0-9]*: //'
fi

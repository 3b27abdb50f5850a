#!/usr/bin/env bash
# Times `mig ingest clerk` of N generated users with org and role mapping
# (default 1,000,000): wall time and peak RSS, from /usr/bin/time.
#   bench/ingest.sh [N]
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

#!/bin/sh
# Benchmark of `mig emit` and `mig validate-package` on N users (default 1M):
# generates a Clerk export with org and role mappings (testdata/gen), ingests
# it, then times emit, validate-package without and with mig check's rules,
# and the package ingest, each with its peak RSS (/usr/bin/time -v).
#
#   bench/emit.sh [N] [WORKDIR]
#
# MIG=path/to/mig times that binary instead of building this checkout (build
# it from a clean `git worktree` when the checkout has others' changes).
# Each line ends with the load average: the machine may be shared.
#
# Targets (issue 4): emit and validate-package --no-checks of 1M users in
# <= 10 s each, memory bounded. bench/validate.sh times validate-package with
# mig check's rules beside the reference tool.
set -eu
N=${1:-1000000}
W=${2:-/tmp/mig-bench-emit}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$W"
cd "$ROOT"
if [ -n "${MIG:-}" ]; then
	cp "$MIG" "$W/mig"
else
	go build -o "$W/mig" ./cmd/mig
fi
if [ ! -f "$W/gen-$N/users.csv" ]; then
	go run ./testdata/gen clerk -n "$N" -o "$W/gen-$N"
fi
DB="$W/bench-$N.db"
if [ ! -f "$DB" ]; then
	"$W/mig" --db "$DB" ingest clerk "$W/gen-$N/users.csv" --org-mapping "$W/gen-$N/orgs.csv" --role-mapping "$W/gen-$N/roles.csv" >/dev/null
fi
measure() {
	label=$1
	shift
	/usr/bin/time -v "$@" >"$W/out.txt" 2>"$W/time.txt" || true
	wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$W/time.txt")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$W/time.txt")
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	printf '%-34s wall %8s   peak RSS %6d MiB   load %s\n' "$label" "$wall" $((rss / 1024)) "$load"
}
rm -rf "$W/pkg" "$W/pkg.db"
echo "users: $N"
measure "emit" "$W/mig" --db "$DB" emit -o "$W/pkg" --generated-at 2026-01-01T00:00:00Z
du -sh "$W/pkg" | sed 's/^/package size: /'
measure "validate-package --no-checks" "$W/mig" validate-package --no-checks "$W/pkg"
tail -n +1 "$W/out.txt" | head -3
measure "validate-package (with checks)" "$W/mig" validate-package "$W/pkg"
head -1 "$W/out.txt"
measure "ingest package" "$W/mig" --db "$W/pkg.db" ingest package "$W/pkg"

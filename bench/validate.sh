#!/bin/sh
# Benchmark of `mig validate-package` on a package of N users (default 1M):
# generates a Clerk export with org and role mappings (testdata/gen),
# ingests and emits it once, then times, R times each (default 3), with
# wall time and peak RSS (/usr/bin/time -v):
#   - validate-package --no-checks (the contract alone)
#   - validate-package (the package staged in a scratch database and judged
#     by mig check's rules)
#   - ingest package (the same staging into a kept database)
#   - the reference tool's validate-package, when REFTOOL is set.
#
#   bench/validate.sh [N] [WORKDIR]
#   REFTOOL=path/to/workos-migrate/dist/index.js R=5 bench/validate.sh 1000000
#
# REFTOOL is the reference tool's entry point: a .js file is run with node,
# anything else as a command. MIG=path/to/mig times that binary instead of
# building this checkout. Each line ends with the user+system CPU seconds
# and the load average: the machine may be shared, so compare runs made
# side by side, and repeat.
set -eu
N=${1:-1000000}
W=${2:-${TMPDIR:-/tmp}/mig-bench-validate}
R=${R:-3}
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
PKG="$W/pkg-$N"
if [ ! -f "$PKG/manifest.json" ]; then
	rm -rf "$PKG" "$W/clerk-$N.db"
	"$W/mig" --db "$W/clerk-$N.db" ingest clerk "$W/gen-$N/users.csv" --org-mapping "$W/gen-$N/orgs.csv" --role-mapping "$W/gen-$N/roles.csv" >/dev/null
	"$W/mig" --db "$W/clerk-$N.db" emit -o "$PKG" --generated-at 2026-01-01T00:00:00Z >/dev/null
	rm -f "$W/clerk-$N.db"
fi
measure() {
	label=$1
	shift
	/usr/bin/time -v "$@" >"$W/out.txt" 2>"$W/time.txt" || true
	wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$W/time.txt")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$W/time.txt")
	cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$W/time.txt")
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	printf '%-32s wall %8s   peak RSS %5d MiB   cpu %6s s   load %s\n' "$label" "$wall" $((rss / 1024)) "$cpu" "$load"
}
echo "users: $N   package: $(du -sh "$PKG" | cut -f1)"
i=0
while [ "$i" -lt "$R" ]; do
	i=$((i + 1))
	measure "validate-package --no-checks" "$W/mig" validate-package --no-checks "$PKG"
	measure "validate-package" "$W/mig" validate-package "$PKG"
	head -1 "$W/out.txt"
	rm -f "$W/pkg.db"
	measure "ingest package" "$W/mig" --db "$W/pkg.db" ingest package "$PKG"
	rm -f "$W/pkg.db"
	if [ -n "${REFTOOL:-}" ]; then
		case "$REFTOOL" in
		*.js) measure "reference validate-package" node "$REFTOOL" validate-package "$PKG" ;;
		*) measure "reference validate-package" "$REFTOOL" validate-package "$PKG" ;;
		esac
	fi
done

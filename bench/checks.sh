#!/bin/sh
# Times `mig check` (every rule) over a staged Clerk export of N users
# (default 1,000,000; target: 10 s on the 2-core dev machine).
#
#   bench/checks.sh            # generate, ingest once, then time mig check
#   N=100000 bench/checks.sh   # a smaller run
#
# The export and database are kept in $DIR between runs, so only the first
# run pays for generating and ingesting.
set -eu
N=${N:-1000000}
DIR=${DIR:-${TMPDIR:-/tmp}/mig-bench-checks-$N}
cd "$(dirname "$0")/.."
mkdir -p "$DIR"
go build -o "$DIR/mig" ./cmd/mig
if [ ! -f "$DIR/users.csv" ]; then
	echo "generating $N users in $DIR" >&2
	go run ./testdata/gen clerk -n "$N" -o "$DIR"
fi
if [ ! -f "$DIR/mig.db" ]; then
	echo "ingesting" >&2
	"$DIR/mig" --db "$DIR/mig.db" ingest clerk "$DIR/users.csv" \
		--org-mapping "$DIR/orgs.csv" --role-mapping "$DIR/roles.csv" >/dev/null
fi
# Warm the page cache as a user's second command would find it.
cat "$DIR/mig.db" >/dev/null
status=0
/usr/bin/time -f "mig check: %e s elapsed, %M KiB max RSS" \
	"$DIR/mig" --db "$DIR/mig.db" --log-level debug check --format table >"$DIR/check.out" 2>"$DIR/check.err" || status=$?
# Exit 3 (error findings) is a result, not a failure of the benchmark.
[ "$status" -eq 0 ] || [ "$status" -eq 3 ] || { cat "$DIR/check.err" >&2; exit "$status"; }
# The slowest rules, in seconds.
grep -E 'msg=rule' "$DIR/check.err" |
	sed -E 's/.*rule=([a-z_]+) findings=([0-9]+) elapsed=([0-9.]+)(µs|ms|s).*/\3 \4 \1 \2/' |
	awk '{ t = $1; if ($2 == "ms") t /= 1000; if ($2 == "µs") t /= 1000000; printf "%7.3f s  %s (%s findings)\n", t, $3, $4 }' |
	sort -rn | head -8
tail -n 1 "$DIR/check.err"
tail -n 1 "$DIR/check.out"

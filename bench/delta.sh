#!/bin/sh
# The re-ingest of a newer export beside a fresh ingest of the same size
# (issue 16, "Delta at cutover"): N generated Clerk users (default 1M) with
# org and role mappings, and two newer exports of them made from the same
# seed (testdata/gen): one where a single user changed, and one where 1%
# changed, 0.5% more signed up and 0.2% were removed.
#
#   bench/delta.sh [N] [WORKDIR]
#
# It times, each with /usr/bin/time -v, in this order:
#   fresh      export A into a new database
#   same       export A again into that database (the files are the same)
#   one        the export with one changed user, into a copy of the fresh database
#   delta      the 1% export, into another copy of the fresh database
# and prints for each: wall time and CPU time (user + system), each with
# its ratio to the fresh ingest's, peak RSS, the database file's size
# before and after, the counts, and the load average (the machine may be
# shared: compare figures of one run only; under load the CPU time says
# more than the wall time). MIG=path/to/mig times that binary instead of building this
# checkout. Target: delta at most a third of fresh, the file growing with
# the change only.
set -eu
N=${1:-1000000}
W=${2:-/tmp/mig-bench-delta}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$W"
cd "$ROOT"
if [ -n "${MIG:-}" ]; then
	cp "$MIG" "$W/mig"
else
	go build -o "$W/mig" ./cmd/mig
fi
A="$W/a-$N"
ONE="$W/one-$N"
B="$W/b-$N"
[ -f "$A/users.csv" ] || go run ./testdata/gen clerk -n "$N" -o "$A"
# One changed user in N: a fraction that picks about one (a few).
[ -f "$ONE/users.csv" ] || go run ./testdata/gen clerk -n "$N" -o "$ONE" -changed "$(awk "BEGIN{print 1/$N}")"
[ -f "$B/users.csv" ] || go run ./testdata/gen clerk -n "$N" -o "$B" -changed 0.01 -added 0.005 -removed 0.002

size() { stat -c %s "$1"; }
FRESH_WALL=
# ingest LABEL DB DIR: times `mig ingest clerk` of DIR's export into DB.
ingest() {
	label=$1 db=$2 dir=$3
	before=$(size "$db" 2>/dev/null || echo 0)
	# Each run starts with the writes of the last (and of the copies) on
	# disk: otherwise their write-back is timed as part of this run.
	sync
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	/usr/bin/time -v "$W/mig" --db "$db" ingest clerk --json "$dir/users.csv" \
		--org-mapping "$dir/orgs.csv" --role-mapping "$dir/roles.csv" \
		>"$W/$label.json" 2>"$W/$label.time" || true
	after=$(size "$db")
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$W/$label.time")
	rss=$(awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$W/$label.time")
	cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$W/$label.time")
	[ -n "$FRESH_WALL" ] || { FRESH_WALL=$wall; FRESH_CPU=$cpu; }
	ratio=$(awk "BEGIN{printf \"%.2f\", $wall / $FRESH_WALL}")
	cpuratio=$(awk "BEGIN{printf \"%.2f\", $cpu / $FRESH_CPU}")
	counts=$(tr -d '\n' <"$W/$label.json" | sed 's/  */ /g')
	[ -n "$counts" ] || counts=$(grep -v -e '^	' -e '^Command' "$W/$label.time" | tail -n 2 | tr '\n' ' ')
	printf '%-6s wall %6.2f s  ratio %s  cpu %5s s  ratio %s  peak RSS %4s MB  db %5d -> %5d MB (%+d KB)  load %s\n  %s\n' \
		"$label" "$wall" "$ratio" "$cpu" "$cpuratio" "$rss" $((before / 1048576)) $((after / 1048576)) $(((after - before) / 1024)) "$load" "$counts"
}

rm -f "$W/fresh.db" "$W/one.db" "$W/delta.db"
ingest fresh "$W/fresh.db" "$A"
cp "$W/fresh.db" "$W/one.db"
cp "$W/fresh.db" "$W/delta.db"
ingest same "$W/fresh.db" "$A"
ingest one "$W/one.db" "$ONE"
ingest delta "$W/delta.db" "$B"

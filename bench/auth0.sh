#!/bin/sh
# Benchmark of `mig ingest auth0 --engine bulk-job` (issue 13): a generated
# tenant of N users (default 1,000,000) is served by the fake Management
# API (ingest/auth0/auth0fake/cmd) in a process of its own, its users
# export a gzip NDJSON file written once and served as it is; mig creates
# the export job, downloads the file and stages it. In the same run, `mig
# ingest clerk` stages a generated Clerk export of the same size
# (testdata/gen). Both are users only, into new databases. Each line gives
# the wall time, CPU time (user + system) and peak RSS (/usr/bin/time -v),
# and the load average: the machine may be shared, and then CPU time
# compares the two better than wall time.
#
#   bench/auth0.sh [N] [WORKDIR]
#
# Targets: the Auth0 ingest within 1.5x the Clerk ingest's wall time, in at
# most 200 MB peak RSS. MIG_CPUPROFILE=FILE writes a CPU profile of the
# Auth0 ingest.
set -eu
N=${1:-1000000}
W=${2:-/tmp/mig-bench-auth0}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$W"
cd "$ROOT"
go build -o "$W/mig" ./cmd/mig
go build -o "$W/auth0fake" ./ingest/auth0/auth0fake/cmd
if [ ! -f "$W/clerk-$N/users.csv" ]; then
	go run ./testdata/gen clerk -n "$N" -o "$W/clerk-$N"
fi

# The fake runs until its standard input closes: a FIFO the script holds
# open, closed when the script ends.
rm -f "$W/fake.in" "$W/fake.url"
mkfifo "$W/fake.in"
"$W/auth0fake" -users "$N" -export "$W/auth0-$N.json.gz" <"$W/fake.in" >"$W/fake.url" &
exec 3>"$W/fake.in"
trap 'exec 3>&-; rm -f "$W/fake.in"' EXIT
while [ ! -s "$W/fake.url" ]; do sleep 0.2; done
URL=$(head -n 1 "$W/fake.url")

measure() {
	label=$1
	shift
	/usr/bin/time -v "$@" >"$W/out.txt" 2>"$W/time.txt" || { cat "$W/time.txt" >&2; exit 1; }
	wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$W/time.txt")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$W/time.txt")
	cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$W/time.txt")
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	printf '%-44s wall %8s   cpu %6s s   peak RSS %4d MiB   load %s\n' "$label" "$wall" "$cpu" $((rss / 1024)) "$load"
	last_secs=$secs
}

rm -f "$W/clerk.db" "$W/auth0.db"
measure "mig ingest clerk ($N users)" "$W/mig" --db "$W/clerk.db" ingest clerk "$W/clerk-$N/users.csv"
clerk=$last_secs
grep -E 'users new' "$W/out.txt"
AUTH0_CLIENT_SECRET=fake-client-secret \
	measure "mig ingest auth0 --engine bulk-job ($N)" "$W/mig" --db "$W/auth0.db" ingest auth0 --domain "$URL" \
	--client-id fake-client-id --engine bulk-job --entities users --rate-limit=-1
auth0=$last_secs
grep -E 'users new|users skipped' "$W/out.txt"
awk -v a="$auth0" -v c="$clerk" 'BEGIN { printf "auth0 / clerk wall time: %.2f (target <= 1.5)\n", a / c }'

#!/bin/sh
# The reliability suite's long form: the importer killed with SIGKILL at
# random points over 20 rounds of 2,000 users with faults on in the
# emulator (5xx before and after the write, dropped connections, answers
# slower than the timeout), each round reconciled; ingest, check --fix and
# emit killed 20 times each on 50,000 users; 429 storms, 5xx bursts, slow
# answers, dropped connections and a key revoked mid-run on 2,000 users;
# a full disk under the database and under a package; the secrets test.
# go test ./... runs the same tests in a short form (about a minute).
#
#   bench/reliability.sh                       # about ten minutes on 2 cores
#   MIG_RELIABILITY_SEED=N bench/reliability.sh   # replay the random choices of a run
#
# The figures (runs, kills, faults injected, outcomes) are the lines
# starting "reliability:"; the whole log is in $LOG (default
# /tmp/mig-reliability.log). See bench/reliability.md.
set -eu
cd "$(dirname "$0")/.."
LOG=${LOG:-/tmp/mig-reliability.log}
start=$(date +%s)
status=0
MIG_RELIABILITY=long go test -count=1 -p 1 -timeout 3h -v \
	-run 'TestCrashResume|TestFault|TestCrashDuringIngestCheckEmit|TestDiskFull|TestImport401MidRun|TestSecretsStayOut' \
	./importer/ ./cmd/mig/ >"$LOG" 2>&1 || status=$?
grep -E 'reliability:|^ +[a-z -]+ +[0-9.]+m?s a run|^(--- )?FAIL|^ok' "$LOG" || true
echo "wall time: $(( $(date +%s) - start )) s; log: $LOG"
exit $status

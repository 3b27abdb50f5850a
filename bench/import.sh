#!/bin/sh
# Benchmark of `mig import`'s pacing against the WorkOS emulator with
# production rate limits (500 user-management writes per 10 s) and 20-50 ms
# of latency: N users (default 1,000) with one or two memberships each.
#
#   bench/import.sh          # about a minute
#   N=3000 bench/import.sh   # a longer, steadier measure
#
# Targets (issue 6): sustained writes >= 95% of 500 per 10 s, no 429, and
# user-management requests per user = 1 + memberships (no extra reads).
set -eu
cd "$(dirname "$0")/.."
MIG_BENCH_USERS=${N:-1000} go test -run '^$' -bench ImportProductionLimits -benchtime 1x -timeout 30m ./importer/

#!/bin/sh
# Every fuzz target of mig runs for FUZZTIME (default 5s;
# .ci/run runs this short form, about a minute and a half on two cores).
# The long form runs them for longer:
#
#   FUZZTIME=10m bench/fuzz.sh
#
# An input that fails is written by Go to the package's
# testdata/fuzz/FuzzX/ and, once committed, runs in every `go test`; fix
# the code, keep the input. A new interesting input a run finds is
# minimized for at most 200 runs (Go's default, a minute, stalls a short
# run on a busy machine).
set -eu
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-5s}
# The targets are found where they are declared (func FuzzX in a _test.go
# file), so that a new one runs without being listed here.
targets=$(grep -rHo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | grep -v '/testdata/' | sort)
[ -n "$targets" ] || { echo "fuzz: no targets found"; exit 1; }
nl='
'
IFS=$nl
for t in $targets; do
	file=${t%%:*}
	pkg=$(dirname "$file")
	target=${t##*func }
	echo "fuzz $pkg $target ($FUZZTIME)"
	# The output is shown only when the target fails: it names the input
	# Go wrote under testdata/fuzz and what went wrong.
	corpus="$pkg/testdata/fuzz/$target"
	before=$(ls "$corpus" 2>/dev/null | wc -l)
	for try in 1 2; do
		if out=$(go test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 200x "$pkg" 2>&1); then
			break
		fi
		# Go 1.26's fuzzing coordinator can fail a target with a bare
		# "context deadline exceeded" as -fuzztime ends, having found
		# nothing (go.dev/issue/75804, fixed in Go 1.27): that is tried
		# once more. A failure that wrote an input under testdata/fuzz
		# is a real one and fails at once.
		after=$(ls "$corpus" 2>/dev/null | wc -l)
		if [ "$try" = 1 ] && [ "$after" = "$before" ] && printf '%s' "$out" | grep -q '^    context deadline exceeded$'; then
			echo "fuzz $pkg $target: Go's end-of-run race (no input written), trying once more"
			continue
		fi
		printf '%s\n' "$out"
		echo "fuzz $pkg $target failed; run: go test -run '^\$' -fuzz '^$target\$' -fuzztime $FUZZTIME $pkg"
		exit 1
	done
done
echo "fuzz: ok"

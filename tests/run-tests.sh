#!/bin/bash
# Runs the whole suite: every Check binary under $BUILD/tests, every fuzz
# seed corpus, and every shell test tests/*/test_*.sh (interop, loopback).
# Prints one line per test program and the closing line 'N passed, M failed'
# (checks, not programs), exit non-zero on any failure.
#
# Shell tests exit 0 (pass), 77 (skipped: a tool they need is missing) or
# anything else (fail); they may print "checks: N" to count as N checks.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export HSYNC_BUILD="$PWD/$BUILD" HSYNC_BIN="$PWD/$BUILD/bin" HSYNC_SRC="$PWD"
# The shared vectors beside the clone are authoritative; tests/data/vectors is
# the copy committed with the tree for machines without shared/.
if [ -z "${HSYNC_VECTORS:-}" ]; then
	if [ -d "$PWD/../shared/vectors" ]; then HSYNC_VECTORS="$PWD/../shared/vectors"
	else HSYNC_VECTORS="$PWD/tests/data/vectors"; fi
fi
export HSYNC_VECTORS
export CK_FORK=yes CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-60}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
LOGDIR="$BUILD/test-logs"
mkdir -p "$LOGDIR"

passed=0 failed=0 skipped=0
failures=()
only=${1:-}

count_check() { # parse Check's "NN%: Checks: N, Failures: F, Errors: E"
	local log=$1 line n f e
	line=$(grep -E '^[0-9]+%: Checks: ' "$log" | tail -n 1)
	if [ -z "$line" ]; then echo "0 1"; return; fi
	n=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
	f=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
	e=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
	echo "$((n - f - e)) $((f + e))"
}

run_one() { # kind name cmd...
	local kind=$1 name=$2; shift 2
	[ -n "$only" ] && [[ "$name" != *"$only"* ]] && return
	local log="$LOGDIR/${name//\//_}.log" rc p f start end
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	end=$(date +%s)
	case $kind in
	check)
		read -r p f < <(count_check "$log")
		[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
		;;
	*)
		if [ $rc -eq 77 ]; then
			skipped=$((skipped + 1))
			printf '%-44s SKIP (%s)\n' "$name" "$(tail -n 1 "$log")"
			return
		fi
		p=$(grep -E '^checks: [0-9]+$' "$log" | tail -n 1 | cut -d' ' -f2)
		p=${p:-1}
		if [ $rc -eq 0 ]; then f=0; else f=1; p=$((p > 1 ? p - 1 : 0)); fi
		;;
	esac
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -eq 0 ]; then
		printf '%-44s ok   %4d checks  %3ds\n' "$name" "$p" $((end - start))
	else
		printf '%-44s FAIL %4d failed  (log: %s)\n' "$name" "$f" "$log"
		failures+=("$name")
		grep -E ':[EF]:|FAIL|error|Error' "$log" | head -n 20 | sed 's/^/    /'
	fi
}

# Programs are found from their sources, so a binary left in $BUILD by a
# test that no longer exists is not run.
for src in $(find tests -name 'check_*.c' | sort); do
	name=${src#tests/}
	name=${name%.c}
	run_one check "$name" "$BUILD/tests/$name"
done

for src in $(find tests/fuzz -name 'fuzz_*.c' | sort); do
	n=$(basename "$src" .c)
	run_one seed "fuzz-seed/$n" "$BUILD/fuzz-seed/$n" "tests/fuzz/corpus/$n"
done

for t in $(find tests -name 'test_*.sh' | sort); do
	run_one script "${t#tests/}" bash "$t"
done

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "failed: ${failures[*]}"
fi
[ $skipped -gt 0 ] && echo "skipped programs: $skipped"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

#!/bin/sh
# Builds the libFuzzer harnesses (tests/fuzz/fuzz_*.c) in their own clang build dir and runs
# each one. Used by the Makefile:
#   make fuzz        each harness for FUZZ_SECONDS (default 60), new inputs kept in BUILD/corpus
#   make test-fuzz   (part of make test) each harness on its committed corpus, then
#                    FUZZ_CI_RUNS (default 5000) mutations from a fixed seed, so that the
#                    check is deterministic (a few seconds each); skipped with a message
#                    when clang is not installed
# usage: tests/fuzz/run.sh long|ci BUILD_DIR SECONDS|RUNS JOBS [HARNESS...]
set -eu

mode=$1 build=$2 amount=$3 jobs=$4
shift 4
src=$(cd "$(dirname "$0")/../.." && pwd)
fuzz=$src/tests/fuzz

cc=""
for c in clang-14 clang; do
    if command -v "$c" >/dev/null 2>&1; then cc=$(command -v "$c"); break; fi
done
# clang alone is not enough: libFuzzer and the sanitizer runtimes come in libclang-rt-14-dev
if [ -n "$cc" ] && [ ! -f "$build/CMakeCache.txt" ]; then
    probe=$(mktemp -d)
    printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t* d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
    "$cc" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >/dev/null 2>&1 || cc=""
    rm -rf "$probe"
fi
if [ -z "$cc" ]; then
    if [ "$mode" = ci ]; then
        echo "test-fuzz: SKIPPED: clang with libFuzzer is not installed (make fuzz installs it; or apt-get install clang-14 libclang-rt-14-dev)"
        exit 0
    fi
    echo "fuzz: clang with libFuzzer not found (ACRL_FUZZ=1 scripts/install-deps.sh installs clang-14 and libclang-rt-14-dev)" >&2
    exit 1
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
    CC=$cc cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DACRL_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
fi
cmake --build "$build" -j "$jobs" >/dev/null

[ $# -gt 0 ] || set -- $(cd "$fuzz" && ls fuzz_*.c | sed 's/\.c$//')
# the harnesses run the library's error paths by the million: no leak is tolerated, UBSan
# findings abort, and stdout/stderr of the target are closed (reports still come through)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
fail=0
for h in "$@"; do
    corpus=$fuzz/corpus/$h
    mkdir -p "$corpus" "$build/artifacts/$h"
    opts="-close_fd_mask=3 -rss_limit_mb=4096 -timeout=30 -artifact_prefix=$build/artifacts/$h/"
    [ -f "$fuzz/$h.dict" ] && opts="$opts -dict=$fuzz/$h.dict"
    if [ "$mode" = ci ]; then
        # every committed input, then $amount mutations; new inputs go to a scratch dir
        log=$build/artifacts/$h/ci.log
        scratch=$build/ci-corpus/$h
        rm -rf "$scratch"
        mkdir -p "$scratch"
        t0=$(date +%s)
        if "$build/$h" $opts -runs="$amount" -seed=1 "$scratch" "$corpus" >"$log" 2>&1; then
            echo "test-fuzz: $h ok ($(ls "$corpus" | wc -l) committed inputs + $amount runs, $(( $(date +%s) - t0 ))s)"
        else
            echo "test-fuzz: $h FAILED (log: $log)"
            tail -40 "$log"
            fail=1
        fi
    else
        # new inputs go to BUILD/corpus/NAME; the committed corpus is only read
        mkdir -p "$build/corpus/$h"
        echo "fuzz: $h for ${amount}s"
        nice "$build/$h" $opts -max_total_time="$amount" -print_final_stats=1 "$build/corpus/$h" "$corpus" \
            2>&1 | tee "$build/artifacts/$h/fuzz.log" | grep -E '^(#[0-9]+.*(DONE|pulse))|stat::|ERROR|SUMMARY|==' || true
        grep -q 'Done [0-9]* runs' "$build/artifacts/$h/fuzz.log" || fail=1
    fi
done
exit $fail

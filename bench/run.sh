#!/bin/sh
# Runs every benchmark program (bench_*) in BUILD_DIR and prints their output.
# Usage: sh bench/run.sh BUILD_DIR   (what `make bench` does)
set -eu
BUILD=${1:?usage: run.sh BUILD_DIR}
found=0
for b in "$BUILD"/bench_*; do
    [ -x "$b" ] && [ -f "$b" ] || continue
    found=1
    echo "### $(basename "$b")"
    echo
    "$b"
    echo
done
[ "$found" = 1 ] || { echo "run.sh: no bench_* programs in $BUILD" >&2; exit 1; }
# The Python binding (docs/benchmarks.md, "Python binding"), with Debian's interpreter
echo "### bench_python.py"
echo
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHONPATH="$ROOT/python" ACRL_LIBRARY="$BUILD/libacrl.so" /usr/bin/python3 "$ROOT/bench/bench_python.py" "$BUILD"

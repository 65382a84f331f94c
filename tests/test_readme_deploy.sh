#!/bin/sh
# The README's "Deploy a policy" example, run as written (commands taken from the README's
# indented block, with this build's acrl first on PATH): the exported header's action must
# equal `acrl act`'s. Usage: sh tests/test_readme_deploy.sh /path/to/acrl
ACRL=${1:?usage: test_readme_deploy.sh /path/to/acrl}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$(dirname "$ACRL")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# the first indented block after the heading, de-indented
awk '/^## Deploy a policy/ { on = 1; next } on && /^## / { exit }
     on && /^    / { inblock = 1; print substr($0, 5); next }
     on && inblock && /^$/ { print; next }
     on && inblock { exit }' "$HERE/../README.md" >"$TMP/example.sh"
grep -q "acrl export" "$TMP/example.sh" || { echo "FAIL: no example found in README.md"; exit 1; }
mkdir -p "$TMP/bin" && ln -s "$BIN/$(basename "$ACRL")" "$TMP/bin/acrl"
cd "$TMP" || exit 1
out=$(PATH="$TMP/bin:$PATH" sh -e example.sh 2>&1) || { echo "FAIL: the example failed:"; echo "$out"; exit 1; }
echo "$out"
# ./controller prints the header's torque, then `acrl act` prints its own
set -- $(echo "$out" | grep -E '^-?[0-9.e+-]+$')
[ $# -eq 2 ] || { echo "FAIL: expected two numbers (controller, acrl act), got: $*"; exit 1; }
awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-5) }' ||
    { echo "FAIL: controller printed $1, acrl act $2"; exit 1; }
[ -s policy.onnx ] || { echo "FAIL: no policy.onnx"; exit 1; }
echo "test_readme_deploy: the example runs; controller $1, acrl act $2"

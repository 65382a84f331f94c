# The shell tests' harness, sourced by tests/test_*.sh: a scratch directory $TMP removed on
# exit, the pass/fail counters behind `ok` and `bad MESSAGE`, and `finish NAME`, which prints
# the tally and is the script's last command (its status is the test's result).
pass=0
fail=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
finish() {
    echo "$1: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}

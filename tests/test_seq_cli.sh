#!/bin/sh
# action_sequence and acrl eval --decision-intervals through the CLI (docs/generalisation.md
# "Action sequences"): a short SAC run with action_sequence = 3, its policy.ckpt evaluated at
# decision intervals (a row per interval, the FAS equal to the mean of the rows), a plain SAC
# policy alike; refusals with exit code 2 and a message naming the key or option.
# Usage: sh tests/test_seq_cli.sh /path/to/acrl
ACRL=${1:?usage: test_seq_cli.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"
expect_error() {
    pat=$1
    shift
    "$ACRL" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ "$rc" -eq 2 ] || { bad "acrl $*: exit code $rc, want 2 ($(cat "$TMP/err"))"; return; }
    grep -qF -- "$pat" "$TMP/err" && ok || bad "acrl $*: message '$(cat "$TMP/err")' lacks '$pat'"
}

R="train sac Pendulum-v1 --steps 400 --quiet --eval-episodes 1 --set learning_starts=200 --set net_arch=16,16
   --set batch_size=32"
"$ACRL" $R --set action_sequence=3 --out "$TMP/seq" >/dev/null 2>"$TMP/seq.err" || bad "sac action_sequence=3: $(cat "$TMP/seq.err")"
"$ACRL" $R --out "$TMP/plain" >/dev/null 2>"$TMP/plain.err" || bad "sac: $(cat "$TMP/plain.err")"
grep -q '^action_sequence *= *3' "$TMP/seq/config.ini" && ok || bad "config.ini lacks action_sequence = 3"

# check_fas NAME DIR WANT_LINE: 5 rows, the FAS is their mean
check_fas() {
    "$ACRL" eval "$2/policy.ckpt" --decision-intervals 1,2,4,8,16 --episodes 2 >"$TMP/$1.fas" 2>"$TMP/$1.fas.err" ||
        { bad "$1: eval --decision-intervals failed: $(cat "$TMP/$1.fas.err")"; return; }
    grep -qF "$3" "$TMP/$1.fas" && ok || bad "$1: output lacks '$3': $(cat "$TMP/$1.fas")"
    [ "$(grep -c '^interval ' "$TMP/$1.fas")" -eq 5 ] && ok || bad "$1: expected 5 interval rows"
    d=$(awk '/^interval / { s += $7; n++ } /^FAS/ { f = $NF } END { d = s / n - f; if (d < 0) d = -d; printf "%.6f", d }' \
        "$TMP/$1.fas")
    awk -v d="$d" 'BEGIN { exit !(d <= 0.002) }' && ok || bad "$1: FAS differs from the mean of the rows by $d"
    sed 's/^/  /' "$TMP/$1.fas"
}
check_fas seq "$TMP/seq" "policy: 3 actions per decision"
check_fas plain "$TMP/plain" "policy: 1 action per decision"
# --max-return adds SRL's normalized area
"$ACRL" eval "$TMP/seq/policy.ckpt" --decision-intervals 1,2,4 --episodes 1 --max-return 100 >"$TMP/norm" 2>&1 &&
    grep -q 'normalized area (trapezoid / (100 \* 4))' "$TMP/norm" && ok || bad "--max-return: $(cat "$TMP/norm")"

# refusals
expect_error "action_sequence" train sac CartPole-v1 --steps 100 --set action_sequence=2 --out "$TMP/r1"
expect_error "action_sequence" train td3 Pendulum-v1 --steps 100 --set action_sequence=2 --out "$TMP/r2"
expect_error "action_sequence" train ppo Pendulum-v1 --steps 100 --set action_sequence=2 --out "$TMP/r3"
expect_error "action_sequence" train pmoe Pendulum-v1 --steps 100 --set action_sequence=2 --out "$TMP/r4"
expect_error "action_sequence" train sac Pendulum-v1 --steps 100 --set action_sequence=0 --out "$TMP/r5"
expect_error "action_sequence" train sac Pendulum-v1 --steps 100 --set action_sequence=65 --out "$TMP/r6"
expect_error "action_sequence" train sac Pendulum-v1 --steps 100 --set action_sequence=2 --set warm_start=lqr --out "$TMP/r7"
expect_error "--decision-intervals" eval "$TMP/seq/policy.ckpt" --decision-intervals 1,,2
expect_error "--decision-intervals" eval "$TMP/seq/policy.ckpt" --decision-intervals 0,2
expect_error "--decision-intervals" eval "$TMP/seq/policy.ckpt" --decision-intervals 4,2
expect_error "--decision-intervals" eval "$TMP/seq/policy.ckpt" --decision-intervals 1,2,
expect_error "--max-return" eval "$TMP/seq/policy.ckpt" --decision-intervals 1,2 --max-return -3
expect_error "--max-return" eval "$TMP/seq/policy.ckpt" --max-return 3
"$ACRL" train sac CartPole-v1 --steps 50 --quiet --eval-episodes 0 --set learning_starts=100 --out "$TMP/cp" >/dev/null 2>&1 ||
    bad "discrete SAC run failed"
expect_error "Discrete" eval "$TMP/cp/policy.ckpt" --decision-intervals 1,2

finish test_seq_cli

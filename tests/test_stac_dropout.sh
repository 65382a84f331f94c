#!/bin/sh
# STAC's actor_dropout / critic_dropout (the paper's pi_dropout / q_dropout): each overrides
# `dropout` for its own network, so dropout=0.3 with both set to 0 trains exactly as
# dropout=0, both at 0.3 with dropout=0 exactly as dropout=0.3, and a split setting differs
# from both (checked through the evaluation returns of the final policies, which are equal
# only for equal weights). Out-of-range values refused (exit 2, the key named).
# Usage: sh tests/test_stac_dropout.sh /path/to/acrl
ACRL=${1:?usage: test_stac_dropout.sh /path/to/acrl}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
run() { # NAME SETS...
    n=$1; shift
    sets=""
    for s in "$@"; do sets="$sets --set $s"; done
    # shellcheck disable=SC2086
    "$ACRL" train stac Pendulum-v1 --seed 3 --steps 400 --threads 1 --quiet --eval-episodes 0 --out "$TMP/$n" \
        --set net_arch=16,16 --set batch_size=16 --set learning_starts=100 --set eval_freq=0 $sets >/dev/null 2>&1 ||
        { echo "FAIL: train $n"; fail=1; }
    "$ACRL" eval "$TMP/$n/final.ckpt" --episodes 2 --seed 5 2>&1 | grep "return mean" >"$TMP/$n.eval"
}
run d0 dropout=0
run d0o dropout=0.3 actor_dropout=0 critic_dropout=0
run d3 dropout=0.3
run d3o dropout=0 actor_dropout=0.3 critic_dropout=0.3
run split dropout=0 actor_dropout=0.3 critic_dropout=0
same() { if cmp -s "$TMP/$1.eval" "$TMP/$2.eval"; then echo "ok: $1 == $2: $(cat "$TMP/$1.eval")"; else echo "FAIL: $1 != $2: $(cat "$TMP/$1.eval") / $(cat "$TMP/$2.eval")"; fail=1; fi; }
differ() { if cmp -s "$TMP/$1.eval" "$TMP/$2.eval"; then echo "FAIL: $1 == $2"; fail=1; else echo "ok: $1 != $2: $(cat "$TMP/$1.eval") / $(cat "$TMP/$2.eval")"; fi; }
same d0 d0o
same d3 d3o
differ split d0
differ split d3
differ d0 d3
for bad in "actor_dropout=1" "critic_dropout=-0.5" "actor_dropout=nan"; do
    k=${bad%%=*}
    "$ACRL" train stac Pendulum-v1 --steps 10 --quiet --out "$TMP/bad" --set "$bad" >/dev/null 2>"$TMP/err"
    rc=$?
    if [ $rc -eq 2 ] && grep -q "$k" "$TMP/err"; then echo "ok: $bad refused: $(cat "$TMP/err")"
    else echo "FAIL: $bad: exit $rc, $(cat "$TMP/err")"; fail=1; fi
done
exit $fail

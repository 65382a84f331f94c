#!/bin/sh
# AWR through the acrl command, with the MLP and with trees (model = gbrl): identical bytes
# for identical runs; a run stopped mid-way (buffer partly filled, and after it wrapped) and
# resumed equal to one straight through; policy.ckpt evaluating like final.ckpt; the C
# header of the policy equal to `acrl act`; bad keys refused with exit code 2; a short
# learning check (MLP, CartPole-v1, 20k steps).
# Usage: sh tests/test_awr_cli.sh /path/to/acrl
ACRL=${1:?usage: test_awr_cli.sh /path/to/acrl}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/harness.sh"
expect_error() { # PATTERN ARGS...: exit code 2 and PATTERN in the message
    pat=$1
    shift
    "$ACRL" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    msg=$(cat "$TMP/err")
    if [ "$rc" -ne 2 ]; then bad "acrl $*: exit code $rc, want 2 ($msg)"; return; fi
    case "$msg" in *"$pat"*) ok ;; *) bad "acrl $*: message '$msg' lacks '$pat'" ;; esac
}

T="train awr CartPole-v1 --out $TMP/bad --quiet --steps 256"
expect_error "buffer_rollouts" $T --set buffer_rollouts=0
expect_error "beta" $T --set beta=0
expect_error "weights_max" $T --set weights_max=-1
expect_error "batch_size" $T --set batch_size=0
expect_error "awr does not support use_sde" train awr Pendulum-v1 --out "$TMP/bad" --quiet --steps 256 --set use_sde=1
expect_error "tree_depth" $T --set model=gbrl --set tree_depth=0

# 6 rollouts of 4 x 64 steps into a buffer of 4: --stop-at 512 (2 rollouts, partly filled)
# and 1280 (5 rollouts, wrapped)
for model in mlp gbrl; do
    set -- train awr CartPole-v1 --seed 4 --steps 1536 --quiet --set model=$model --set n_envs=4 --set n_steps=64 \
        --set buffer_rollouts=4 --set batch_size=32 --set gradient_steps=5 --set checkpoint_freq=256 --set eval_freq=0 \
        --set normalize=1
    "$ACRL" "$@" --out "$TMP/a" >/dev/null 2>&1 || bad "$model: run a failed"
    "$ACRL" "$@" --out "$TMP/b" >/dev/null 2>&1 || bad "$model: run b failed"
    cmp -s "$TMP/a/final.ckpt" "$TMP/b/final.ckpt" && ok || bad "$model: same seed, different final.ckpt"
    for stop in 512 1280; do
        "$ACRL" "$@" --out "$TMP/c" --stop-at $stop >/dev/null 2>&1 || bad "$model: run c failed"
        [ -f "$TMP/c/final.ckpt" ] && bad "$model: --stop-at wrote final.ckpt"
        "$ACRL" train --resume "$TMP/c" --quiet >/dev/null 2>&1 || bad "$model: resume failed"
        cmp -s "$TMP/a/final.ckpt" "$TMP/c/final.ckpt" && ok || bad "$model: resumed at $stop, differs"
        rm -rf "$TMP/c"
    done
    a=$("$ACRL" eval "$TMP/a/final.ckpt" --episodes 2 2>&1 | tail -1)
    p=$("$ACRL" eval "$TMP/a/policy.ckpt" --episodes 2 2>&1 | tail -1)
    [ -n "$a" ] && [ "$a" = "$p" ] && ok || bad "$model: policy.ckpt evaluates '$p', final.ckpt '$a'"
    # the exported header acts as acrl act
    "$ACRL" rollout CartPole-v1 --seed 1 --actions random |
        awk -F, 'NR > 1 { print $3 "," $4 "," $5 "," $6 }' >"$TMP/obs.csv"
    "$ACRL" act "$TMP/a" --obs "$TMP/obs.csv" >"$TMP/act.txt" &&
        "$ACRL" export "$TMP/a" --format c -o "$TMP/p.h" >/dev/null &&
        gcc -std=c99 -O2 -DPOLICY_HEADER="\"$TMP/p.h\"" -DPREFIX=acrl_policy "$HERE/export/driver.c" -o "$TMP/p" -lm &&
        "$TMP/p" <"$TMP/obs.csv" >"$TMP/p.txt" && [ -s "$TMP/act.txt" ] && cmp -s "$TMP/act.txt" "$TMP/p.txt" && ok ||
        bad "$model: exported header differs from acrl act"
    rm -rf "$TMP/a" "$TMP/b"
done
# a checkpoint's buffer is checked: another buffer_rollouts cannot resume it (config edit refused)
"$ACRL" train awr CartPole-v1 --out "$TMP/d" --quiet --steps 1024 --stop-at 256 --set n_steps=128 \
    --set buffer_rollouts=3 >/dev/null 2>&1
sed 's/^buffer_rollouts = 3$/buffer_rollouts = 2/' "$TMP/d/config.ini" >"$TMP/d/c" && mv "$TMP/d/c" "$TMP/d/config.ini"
expect_error "buffer_rollouts" train --resume "$TMP/d" --quiet

# learning: the MLP preset settings of configs/awr/CartPole-v1.ini, 20k steps
"$ACRL" train awr CartPole-v1 --config "$HERE/../configs/awr/CartPole-v1.ini" --steps 20000 --seed 0 --out "$TMP/l" \
    --quiet >/dev/null 2>&1 || bad "learning run failed"
r=$(sed -n 's/.*"eval_return_mean": \([-0-9.]*\).*/\1/p' "$TMP/l/summary.json")
echo "  AWR-MLP CartPole-v1, 20k steps, seed 0: eval return $r"
awk -v r="${r:--1}" 'BEGIN { exit !(r >= 300) }' && ok || bad "AWR-MLP CartPole-v1: eval return ${r:-none} < 300 at 20k steps"

finish test_awr_cli.sh

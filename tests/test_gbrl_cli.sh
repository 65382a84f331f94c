#!/bin/sh
# Tests of model = gbrl through the acrl command: bad tree keys and unsupported
# algorithms refused (exit 2), identical bytes for identical runs, a run stopped and
# resumed equal to one straight through, and evaluation of the tree policy.ckpt.
# Usage: sh tests/test_gbrl_cli.sh /path/to/acrl
ACRL=${1:?usage: test_gbrl_cli.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"

# expect_error PATTERN ARGS...: exit code 2 and PATTERN in the message
expect_error() {
    pat=$1
    shift
    "$ACRL" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    msg=$(cat "$TMP/err")
    if [ "$rc" -ne 2 ]; then bad "acrl $*: exit code $rc, want 2 ($msg)"; return; fi
    case "$msg" in *"$pat"*) ok ;; *) bad "acrl $*: message '$msg' lacks '$pat'" ;; esac
}

T="train ppo CartPole-v1 --out $TMP/bad --quiet --steps 256 --set model=gbrl"
expect_error "tree_depth" $T --set tree_depth=0
expect_error "tree_depth" $T --set tree_depth=17
expect_error "tree_bins" $T --set tree_bins=1
expect_error "tree_bins" $T --set tree_bins=257
expect_error "tree_growth" $T --set tree_growth=round
expect_error "use_sde needs model = mlp" train ppo Pendulum-v1 --out "$TMP/bad" --quiet --steps 256 \
    --set model=gbrl --set use_sde=1
expect_error "a3c does not support model = gbrl" train a3c CartPole-v1 --out "$TMP/bad" --quiet --steps 256 \
    --set model=gbrl
expect_error "model" train sac Pendulum-v1 --out "$TMP/bad" --quiet --steps 256 --set model=gbrl

# a tree run resumed under an MLP config (config.ini edited), and the reverse: refused
for m in gbrl:mlp mlp:gbrl; do
    from=${m%%:*} to=${m#*:}
    "$ACRL" train a2c CartPole-v1 --out "$TMP/m" --quiet --steps 1024 --stop-at 256 --set model=$from \
        --set eval_freq=0 >/dev/null 2>&1 || bad "train model=$from --stop-at"
    sed "s/^model = $from\$/model = $to/" "$TMP/m/config.ini" >"$TMP/m/c" && mv "$TMP/m/c" "$TMP/m/config.ini"
    expect_error "model ($from in the checkpoint, $to in config.ini)" train --resume "$TMP/m" --quiet
    rm -rf "$TMP/m"
done

# same seed, same bytes; stopped + resumed == straight through (PPO and A2C, greedy and oblivious)
for algo in ppo a2c; do
    for growth in oblivious greedy separate; do
        shared=1
        [ $growth = separate ] && { growth=greedy; shared=0; }
        set -- train $algo CartPole-v1 --seed 3 --steps 3072 --quiet --set model=gbrl --set tree_growth=$growth \
            --set tree_shared=$shared \
            --set n_envs=4 --set n_steps=64 --set checkpoint_freq=1024 --set eval_freq=0
        "$ACRL" "$@" --out "$TMP/a" >/dev/null 2>&1 || bad "$algo $growth: run a failed"
        "$ACRL" "$@" --out "$TMP/b" >/dev/null 2>&1 || bad "$algo $growth: run b failed"
        cmp -s "$TMP/a/final.ckpt" "$TMP/b/final.ckpt" && ok || bad "$algo $growth: same seed, different final.ckpt"
        "$ACRL" "$@" --out "$TMP/c" --stop-at 1024 >/dev/null 2>&1 || bad "$algo $growth: run c failed"
        [ -f "$TMP/c/final.ckpt" ] && bad "$algo $growth: --stop-at wrote final.ckpt"
        "$ACRL" train --resume "$TMP/c" --quiet >/dev/null 2>&1 || bad "$algo $growth: resume failed"
        cmp -s "$TMP/a/final.ckpt" "$TMP/c/final.ckpt" && ok || bad "$algo $growth: resumed run differs"
        out=$("$ACRL" eval "$TMP/a/policy.ckpt" --episodes 2 2>&1) && ok || bad "$algo $growth: eval policy.ckpt: $out"
        a=$("$ACRL" eval "$TMP/a/final.ckpt" --episodes 2 2>&1)
        expect=$(echo "$out" | tail -1)
        [ "$(echo "$a" | tail -1)" = "$expect" ] && ok || bad "$algo $growth: policy.ckpt evaluates unlike final.ckpt"
        rm -rf "$TMP/a" "$TMP/b" "$TMP/c"
    done
done

finish test_gbrl_cli.sh

#!/bin/sh
# Export of tree-ensemble policies (model = gbrl): short PPO/A2C runs with trees of every
# kind (oblivious and greedy, shared and separate ensembles, Discrete and Box actions,
# normalized observations), 2,000 observations per env from random-action rollouts, then
#   - the C header (acrl export --format c), compiled by gcc and clang with
#     -std=c99 -pedantic -Wall -Wextra -Werror: its actions identical, as text, to
#     `acrl act` on every build (comparisons and additions only, in acrl's order);
#   - the policy-only checkpoint (--format ckpt): `acrl act` and `acrl eval` of it equal to
#     those of the run;
#   - refusals with exit code 2: --format onnx and --quantize int8 of a tree policy.
# Usage: sh tests/test_gbrl_export.sh /path/to/acrl
ACRL=${1:?usage: test_gbrl_export.sh /path/to/acrl}
HERE=$(cd "$(dirname "$0")" && pwd)
ACRL=$(cd "$(dirname "$ACRL")" && pwd)/$(basename "$ACRL")
. "$(dirname "$0")/harness.sh"
cd "$TMP" || exit 1

# obs ENV FILE: 2,000 observations from random-action rollouts with seeds 0, 1, 2, ...
obs() {
    : >"$2"
    s=0
    while [ "$(wc -l <"$2")" -lt 2000 ]; do
        "$ACRL" rollout "$1" --seed $s --actions random >"$2.ep" || { bad "rollout $1 --seed $s"; return; }
        awk -F, '
            NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^o[0-9]+$/) c[++n] = i; next }
            { l = $c[1]; for (i = 2; i <= n; i++) l = l "," $c[i]; print l }' "$2.ep" >>"$2"
        s=$((s + 1))
    done
}
for e in CartPole-v1 Pendulum-v1 Acrobot-v1; do obs $e "obs_$e.csv"; done

train() { # DIR ALGO ENV KEY=VALUE...
    d=$1 a=$2 e=$3
    shift 3
    sets=""
    for kv in "$@"; do sets="$sets --set $kv"; done
    # shellcheck disable=SC2086
    "$ACRL" train "$a" "$e" --seed 2 --out "$d" --quiet --set model=gbrl $sets >/dev/null 2>"$d.err" ||
        bad "train $a $e: $(cat "$d.err")"
}
train ppo_cart ppo CartPole-v1 n_timesteps=4096 n_steps=256
train a2c_cart_greedy a2c CartPole-v1 n_timesteps=4096 tree_growth=greedy tree_depth=6
train ppo_pend ppo Pendulum-v1 n_timesteps=4096 n_steps=256 normalize=1 use_sde=0 tree_bin_refresh=2
train a2c_pend_sep a2c Pendulum-v1 n_timesteps=4096 tree_growth=greedy tree_shared=0
train ppo_acro_sep ppo Acrobot-v1 n_timesteps=4096 n_steps=256 tree_shared=0 normalize=1
RUNS="ppo_cart:CartPole-v1 a2c_cart_greedy:CartPole-v1 ppo_pend:Pendulum-v1 a2c_pend_sep:Pendulum-v1
      ppo_acro_sep:Acrobot-v1"

CFLAGS="-std=c99 -pedantic -Wall -Wextra -Werror -O2"
for run in $RUNS; do
    r=${run%%:*} e=${run#*:}
    O="obs_$e.csv"
    [ -f "$r/policy.ckpt" ] || { bad "$r: no policy.ckpt"; continue; }
    "$ACRL" act "$r" --obs "$O" >"$r.act" 2>"$r.err" || { bad "acrl act $r: $(cat "$r.err")"; continue; }
    # the trees must have grown and the actions must vary, or the comparison proves little
    [ "$(sort -u "$r.act" | wc -l)" -ge 2 ] && ok || bad "$r: one action for all observations"
    "$ACRL" export "$r" --format c -o "$r.h" >/dev/null 2>"$r.err" || { bad "export c $r: $(cat "$r.err")"; continue; }
    n=$(sed -n 's/^#define acrl_policy_N_TREES \([0-9]*\)$/\1/p' "$r.h")
    [ "${n:-0}" -ge 10 ] && ok || bad "$r.h: ${n:-no} trees"
    for cc in gcc clang; do
        if ! command -v $cc >/dev/null 2>&1; then echo "  SKIP $cc: not installed"; continue; fi
        # shellcheck disable=SC2086
        if $cc $CFLAGS -DPOLICY_HEADER="\"$r.h\"" -DPREFIX=acrl_policy -I. "$HERE/export/driver.c" -o "$r.$cc" -lm \
            2>"$r.err"; then ok; else bad "$cc $r.h: $(head -c 600 "$r.err")"; continue; fi
        "./$r.$cc" <"$O" >"$r.$cc.out"
        if [ "$(wc -l <"$r.$cc.out")" -ge 2000 ] && cmp -s "$r.act" "$r.$cc.out"; then
            ok; echo "  C header ($cc) $r on $e, $n trees: identical ($(wc -l <"$O") actions)"
        else
            bad "C header ($cc) $r: differs from acrl act: $(paste -d'|' "$r.act" "$r.$cc.out" | awk -F'|' '$1 != $2 { print NR ": " $0; exit }')"
        fi
    done
    # final.ckpt and policy.ckpt give the same header; --format ckpt gives a policy-only
    # checkpoint that acts and evaluates like the run
    "$ACRL" export "$r/policy.ckpt" --format c -o "$r.p.h" >/dev/null && cmp -s "$r.h" "$r.p.h" && ok ||
        bad "export c $r: final.ckpt and policy.ckpt give different headers"
    "$ACRL" export "$r/final.ckpt" --format ckpt -o "$r.ckpt" >/dev/null 2>"$r.err" || bad "export ckpt $r: $(cat "$r.err")"
    "$ACRL" act "$r.ckpt" --obs "$O" >"$r.ckpt.act" 2>"$r.err" && cmp -s "$r.act" "$r.ckpt.act" && ok ||
        bad "act of the exported $r.ckpt differs from act of the run: $(cat "$r.err")"
    a=$("$ACRL" eval "$r" --episodes 2 2>&1 | tail -1)
    b=$("$ACRL" eval "$r.ckpt" --episodes 2 2>&1 | tail -1)
    [ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "eval $r.ckpt: '$b', eval of the run: '$a'"
done

expect2() { # WHAT PATTERN CMD...
    w=$1 pat=$2
    shift 2
    "$@" >/dev/null 2>err.txt
    rc=$?
    if [ $rc -eq 2 ] && grep -q -- "$pat" err.txt; then ok; else bad "$w: exit $rc, message '$(cat err.txt)' lacks '$pat'"; fi
}
expect2 "onnx of trees" "ONNX export of tree-ensemble policies (model = gbrl) is not supported" \
    "$ACRL" export ppo_cart --format onnx -o x.onnx
expect2 "int8 of trees" "this ppo policy is a tree ensemble" "$ACRL" export ppo_cart --format c --quantize int8 -o x.h
[ ! -e x.onnx ] && [ ! -e x.onnx.tmp ] && [ ! -e x.h ] && ok || bad "a refused export left a file behind"

finish test_gbrl_export.sh

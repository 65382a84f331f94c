#!/bin/sh
# Off-policy seed matrix (5 seeds each): SAC, TD3, DDPG on Pendulum-v1 with their presets,
# discrete SAC on CartPole-v1, and SAC/TD3 with RLtools' settings. Runs JOBS trainings at a
# time and prints one Markdown row per run (eval return over 20 episodes, wall seconds).
# Usage: sh bench/offpolicy_seeds.sh ACRL OUTDIR [JOBS]
set -eu
ACRL=$1; OUT=$2; JOBS=${3:-2}
mkdir -p "$OUT"
for s in 0 1 2 3 4; do
    for spec in "sac Pendulum-v1" "td3 Pendulum-v1" "ddpg Pendulum-v1" "sac CartPole-v1" \
                "sac Pendulum-v1-rltools" "td3 Pendulum-v1-rltools"; do
        echo "$spec $s"
    done
done | xargs -P "$JOBS" -L 1 sh -c '
    algo=$0; env=$1; seed=$2; out='"$OUT"'/$algo-$env-$seed
    case $env in
        *-rltools) set -- --config configs/$algo/$env.ini; env=Pendulum-v1 ;;
        *) set -- ;;
    esac
    t0=$(date +%s.%N)
    '"$ACRL"' train $algo $env --seed $seed --quiet --out "$out" "$@" >/dev/null 2>"$out.err" || echo "failed: $algo $env $seed" >&2
    t1=$(date +%s.%N)
    echo "$t0 $t1" > "$out.time"
    rm -f "$out"/*.ckpt'
for f in "$OUT"/*/summary.json; do
    d=$(dirname "$f")
    ret=$(sed -n 's/.*"eval_return_mean": \([^,]*\),.*/\1/p' "$f")
    wall=$(awk '{ printf "%.2f", $2 - $1 }' "$d.time")
    echo "| $(basename "$d") | $ret | $wall |"
done

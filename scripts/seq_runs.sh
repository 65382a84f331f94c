#!/bin/sh
# Action sequences (SRL) against plain SAC on two MuJoCo tasks (docs/generalisation.md
# "Action sequences", docs/benchmarks.md): for each K given, SAC with action_sequence = K on
# InvertedDoublePendulum-v4 (60k steps) and Hopper-v4 (200k steps), seed 0, 128,128 networks,
# 5,000 random steps first; then the returns at decision intervals 1,2,4,8,16 and the FAS.
#
#   sh scripts/seq_runs.sh ACRL OUT K...      e.g. sh scripts/seq_runs.sh build/acrl runs/seq 1 4
set -e
ACRL=$1
OUT=$2
shift 2
mkdir -p "$OUT"
for K in "$@"; do
    for task in InvertedDoublePendulum-v4:60000 Hopper-v4:200000; do
        env=${task%%:*}
        steps=${task##*:}
        dir=$OUT/sac-seq$K-$env-0
        nice -n 10 "$ACRL" train sac "$env" --steps "$steps" --seed 0 --threads 1 --quiet --out "$dir" \
            --set net_arch=128,128 --set learning_starts=5000 --set action_sequence="$K" \
            --set eval_freq=10000 --set n_eval_episodes=5 --set checkpoint_freq=50000 --eval-episodes 10 \
            > "$dir.log" 2>&1
        nice -n 10 "$ACRL" eval "$dir/policy.ckpt" --decision-intervals 1,2,4,8,16 --episodes 10 \
            > "$dir/intervals.txt"
    done
done

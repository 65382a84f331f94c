#!/bin/sh
# Token-level RL protocol of docs/benchmarks.md ("Token-level RL"): pretrain a character
# transformer on 3-digit addition to step 460 (about 48% held-out exact match), then from that
# checkpoint run PPO, GRPO, DAPO and PACS for each seed and, for comparison, continue the supervised
# run, every run with the same CPU-time budget. Prints one row per run.
# Usage: sh bench/lm_rl.sh ACRL OUTDIR CPU_SECONDS SEED...
ACRL=${1:?usage: lm_rl.sh ACRL OUTDIR CPU_SECONDS SEED...}
OUT=${2:?usage: lm_rl.sh ACRL OUTDIR CPU_SECONDS SEED...}
CPU=${3:?usage: lm_rl.sh ACRL OUTDIR CPU_SECONDS SEED...}
shift 3
[ $# -ge 1 ] || { echo "give at least one seed" >&2; exit 2; }
mkdir -p "$OUT" || exit 1
set -e
"$ACRL" lm pretrain add --steps 1000000 --stop-at 460 --out "$OUT/sft" --quiet \
    --set max_cpu_seconds="$CPU" --set eval_interval=50
cp "$OUT/sft/last.ckpt" "$OUT/init.ckpt"
for seed in "$@"; do
    for algo in ppo grpo dapo pacs; do
        "$ACRL" lm rl $algo add --init "$OUT/init.ckpt" --steps 1000000 --seed "$seed" --out "$OUT/$algo.s$seed" \
            --quiet --set max_cpu_seconds="$CPU" --set eval_interval=50 &
    done
done
"$ACRL" lm pretrain --resume "$OUT/sft" --quiet &
wait
printf '%-10s %5s %8s %8s %7s %7s\n' run seed initial final steps cpu_s
for d in "$OUT"/*/; do
    s="$d/summary.json"
    [ -f "$s" ] || continue
    get() { sed -n "s/.*\"$1\": \([^,}]*\).*/\1/p" "$s" | head -1; }
    printf '%-10s %5s %8s %8s %7s %7.0f\n' "$(basename "$d")" "$(get seed)" "$(get exact_match_initial)" \
        "$(get exact_match)" "$(get steps)" "$(get cpu_s)"
done

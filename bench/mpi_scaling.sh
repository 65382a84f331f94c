#!/bin/sh
# Data-parallel PPO against one process, measured in one run of this script (docs/distributed.md,
# docs/benchmarks.md): PPO on HalfCheetah-v4 (RL Zoo preset), 8 env copies in all, as
#   1 process x 8 copies, 1 process x 8 copies with --threads 2, mpirun -n 2 x 4 copies.
# Env steps/s include the updates (summary.json's invocation_sps). Prints a Markdown table,
# the machine's load, and the transfer times (bench_comm).
# Usage: sh bench/mpi_scaling.sh BUILD_DIR [STEPS] [ENV]
set -eu
B=${1:?usage: mpi_scaling.sh BUILD_DIR [STEPS] [ENV]}
STEPS=${2:-16384}
ENV=${3:-HalfCheetah-v4}
A=$B/acrl
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
    OMPI_MCA_btl=self,vader
COMMON="train ppo $ENV --steps $STEPS --envs 8 --quiet --eval-episodes 0 --set eval_freq=0 --set checkpoint_freq=0"
field() { awk -F': ' -v k="\"$2\"" '$1 ~ k { gsub(/,/, "", $2); print $2 }' "$1/summary.json"; }
echo "load before: $(uptime)"
"$A" $COMMON --out "$OUT/p1" >/dev/null
"$A" $COMMON --threads 2 --out "$OUT/p1t2" >/dev/null
mpirun -n 2 "$A" $COMMON --out "$OUT/r2" >/dev/null
echo "load after: $(uptime)"
base=$(field "$OUT/p1" invocation_sps)
echo
echo "| layout ($ENV, $STEPS steps, 8 copies) | env steps/s incl. updates | vs 1 process | communicating (max over ranks) |"
echo "|---|---:|---:|---:|"
for d in p1 p1t2 r2; do
    case $d in p1) name="1 process x 8 copies";; p1t2) name="1 process x 8 copies, --threads 2";;
               r2) name="mpirun -n 2 x 4 copies";; esac
    sps=$(field "$OUT/$d" invocation_sps)
    comm=$(field "$OUT/$d" comm_seconds_max)
    wall=$(field "$OUT/$d" invocation_wall_seconds)
    awk -v n="$name" -v s="$sps" -v b="$base" -v c="${comm:-}" -v w="$wall" 'BEGIN {
        cs = c == "" ? "-" : sprintf("%.2f s (%.0f%% of %.1f s)", c, 100 * c / w, w);
        printf "| %s | %.0f | %.2fx | %s |\n", n, s, s / b, cs }'
done
# per optimizer step: 2 ranks, the run's minibatches
n_steps=$(awk -F' = ' '$1 == "n_steps" { print $2 }' "$OUT/r2/config.ini")
batch=$(awk -F' = ' '$1 == "batch_size" { print $2 }' "$OUT/r2/config.ini")
epochs=$(awk -F' = ' '$1 == "n_epochs" { print $2 }' "$OUT/r2/config.ini")
awk -v c="$(field "$OUT/r2" comm_seconds_max)" -v w="$(field "$OUT/r2" invocation_wall_seconds)" \
    -v st="$STEPS" -v ns="$n_steps" -v bs="$batch" -v ep="$epochs" 'BEGIN {
    rollouts = st / (ns * 8); mb = rollouts * ep * (ns * 8 / bs);
    printf "\n2 ranks: %d rollouts, %d optimizer steps; communicating %.0f us per optimizer step, %.0f%% of the run\n",
        rollouts, mb, 1e6 * c / mb, 100 * c / w }'
echo
[ -x "$B/bench_comm" ] && mpirun -n 2 "$B/bench_comm" 142605 200 || true

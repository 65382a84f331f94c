#!/bin/sh
# SAC with one learner and one collector (mpirun -n 2) against one process, in one run of this
# script (docs/benchmarks.md): the env steps per second the learner receives (summary.json's
# invocation_sps) and its update rate, side by side. Short runs: STEPS env steps, updates
# from LEARNING_STARTS on (one per env step), buffer 100,000.
# Usage: sh bench/mpi_offpolicy.sh BUILD_DIR [STEPS] [ENV] [LEARNING_STARTS]
set -eu
B=${1:?usage: mpi_offpolicy.sh BUILD_DIR [STEPS] [ENV] [LEARNING_STARTS]}
STEPS=${2:-4000}
ENV=${3:-Humanoid-v4}
LS=${4:-1000}
A=$B/acrl
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
    OMPI_MCA_btl=self,vader
COMMON="train sac $ENV --steps $STEPS --quiet --eval-episodes 0 --set eval_freq=0 --set checkpoint_freq=0
        --set learning_starts=$LS --set buffer_size=100000"
field() { awk -F': ' -v k="\"$2\"" '$1 ~ k { gsub(/,/, "", $2); print $2 }' "$1/summary.json"; }
echo "load before: $(uptime)"
"$A" $COMMON --out "$OUT/one" >/dev/null
mpirun -n 2 "$A" $COMMON --out "$OUT/two" >/dev/null
echo "load after: $(uptime)"
echo
echo "| SAC $ENV, $STEPS steps (updates from step $LS) | env steps/s the learner receives | updates/s |"
echo "|---|---:|---:|"
w=$(field "$OUT/one" invocation_wall_seconds)
awk -v s="$(field "$OUT/one" invocation_sps)" -v w="$w" -v st="$STEPS" -v ls="$LS" \
    'BEGIN { printf "| 1 process | %.0f | %.0f (over the whole run) |\n", s, (st - ls) / w }'
awk -v s="$(field "$OUT/two" invocation_sps)" -v u="$(field "$OUT/two" updates_per_second)" \
    'BEGIN { printf "| mpirun -n 2: 1 learner + 1 collector | %.0f | %.0f (over the whole run) |\n", s, u }'

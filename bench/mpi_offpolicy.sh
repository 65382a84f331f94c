#!/bin/sh
# SAC with one learner and one collector (mpirun -n 2) against one process, in one run of this
# script (docs/benchmarks.md): the env steps per second the learner receives (summary.json's
# invocation_sps) and its update rate, side by side, for the lock-step schedule (sync = 1) and
# asynchronous collectors (sync = 0), first at train_freq = gradient_steps = sync_interval = 1
# (a message per env step and an actor broadcast per update), then with all three at AMORT
# (the same update-to-data ratio, AMORT times fewer messages and broadcasts). Short runs: STEPS
# env steps, updates from LEARNING_STARTS on (one per env step), buffer 100,000; the one
# process picks its threads as usual (2 update lanes on 2 cores), the ranks 1 thread each.
# Usage: sh bench/mpi_offpolicy.sh BUILD_DIR [STEPS] [ENV] [LEARNING_STARTS] [AMORT]
set -eu
B=${1:?usage: mpi_offpolicy.sh BUILD_DIR [STEPS] [ENV] [LEARNING_STARTS] [AMORT]}
STEPS=${2:-4000}
ENV=${3:-Humanoid-v4}
LS=${4:-1000}
AM=${5:-16}
A=$B/acrl
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
    OMPI_MCA_btl=self,vader
COMMON="train sac $ENV --steps $STEPS --quiet --eval-episodes 0 --set eval_freq=0 --set checkpoint_freq=0
        --set learning_starts=$LS --set buffer_size=100000"
field() { awk -F': ' -v k="\"$2\"" '$1 ~ k { gsub(/,/, "", $2); print $2 }' "$1/summary.json"; }
echo "load before: $(uptime)"
for f in 1 "$AM"; do
    K="--set train_freq=$f --set gradient_steps=$f"
    "$A" $COMMON $K --out "$OUT/one$f" >/dev/null
    mpirun -n 2 "$A" $COMMON $K --set sync_interval=$f --out "$OUT/s1_$f" >/dev/null
    mpirun -n 2 "$A" $COMMON $K --set sync_interval=$f --set sync=0 --out "$OUT/s0_$f" >/dev/null
done
echo "load after: $(uptime)"
echo
echo "| SAC $ENV, $STEPS steps (updates from step $LS) | train_freq = gradient_steps = sync_interval | env steps/s the learner receives | updates/s | learner waiting (s) |"
echo "|---|---:|---:|---:|---:|"
for f in 1 "$AM"; do
    d=$OUT/one$f
    awk -v s="$(field "$d" invocation_sps)" -v w="$(field "$d" invocation_wall_seconds)" -v st="$(field "$d" steps)" \
        -v ls="$LS" -v f="$f" -v th="$(field "$d" threads)" 'BEGIN { u = f * (int(st / f) - int(ls / f));
        printf "| 1 process (%d threads) | %d | %.0f | %.0f | - |\n", th, f, s, u / w }'
    for m in 1 0; do
        d=$OUT/s${m}_$f
        # sync = 1: time in the collectives (mostly waiting for the other rank); sync = 0: waiting for data
        wt=$([ "$m" = 1 ] && field "$d" comm_seconds_rank0 || field "$d" learner_wait_seconds)
        awk -v s="$(field "$d" invocation_sps)" -v u="$(field "$d" updates_per_second)" -v m="$m" -v f="$f" \
            -v wt="$wt" -v w="$(field "$d" invocation_wall_seconds)" \
            'BEGIN { printf "| mpirun -n 2, sync = %d: 1 learner + 1 collector | %d | %.0f | %.0f | %.1f of %.1f |\n",
                     m, f, s, u, wt, w }'
    done
done

#!/bin/sh
# Fronts and hypervolumes of the MecOffload-v0 runs of scripts/mec_runs.sh (docs/mec.md):
# for each seed, the preference-conditioned policy cond-S against the heuristics and the 11
# per-weight policies wI-S, with the training number of servers (5) and with SERVERS...
# others (generalisation). Usage: sh scripts/mec_pareto.sh ACRL RUNS_DIR OUT_DIR "SEEDS" SERVERS...
set -e
ACRL=$1; RUNS=$2; OUT=$3; SEEDS=$4; shift 4
mkdir -p "$OUT"
for seed in $SEEDS; do
  PW=""
  for i in 0 1 2 3 4 5 6 7 8 9 10; do PW="$PW --per-weight $RUNS/w$i-$seed"; done
  for e in 5 "$@"; do
    "$ACRL" pareto "$RUNS/cond-$seed" --weights 11 --episodes 20 --set servers=$e $PW \
      --csv "$OUT/fronts-s$seed-e$e.csv" --plot "$OUT/fronts-s$seed-e$e.png" > "$OUT/pareto-s$seed-e$e.txt"
  done
done

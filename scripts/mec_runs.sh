#!/bin/sh
# MecOffload-v0 result runs (docs/mec.md, docs/benchmarks.md): one preference-conditioned
# discrete SAC run of STEPS env steps per seed, and one discrete SAC run per preference
# w = 0, 0.1, ..., 1 of STEPS / 11 steps each (equal total steps), all with the preset
# configs/sac/MecOffload-v0.ini. Usage: sh scripts/mec_runs.sh ACRL_BINARY OUT_DIR STEPS SEEDS...
set -e
ACRL=$1; OUT=$2; STEPS=$3; shift 3
CONF=$(dirname "$0")/../configs/sac/MecOffload-v0.ini
PER=$((STEPS / 11))
mkdir -p "$OUT"
for seed in "$@"; do
  "$ACRL" train sac MecOffload-v0 --config "$CONF" --steps "$STEPS" --seed "$seed" --out "$OUT/cond-$seed" --quiet --eval-episodes 10
  for i in 0 1 2 3 4 5 6 7 8 9 10; do
    w=$(awk "BEGIN{printf \"%g\", $i/10}")
    "$ACRL" train sac MecOffload-v0 --config "$CONF" --steps "$PER" --seed "$seed" --out "$OUT/w$i-$seed" --quiet --eval-episodes 10 \
      --set env_args=pref=$w
  done
done

#!/bin/sh
# The MuJoCo result runs (1M env steps, one seed each), resumable across sessions: a run
# whose directory has last.ckpt but no final.ckpt is continued exactly (--save-buffer keeps
# the replay buffer in its checkpoints); finished runs are skipped. When a run ends, its
# summary.json, config.ini and progress.csv are copied to docs/runs/NAME.
# Usage: sh bench/mujoco_runs.sh ACRL RUNS_DIR [JOBS] [NAME...]
#   NAME is ALGO-ENV-SEED, e.g. sac-HalfCheetah-v4-0 (default: the whole list below).
set -eu
ACRL=$1; RUNS=$2; JOBS=${3:-1}
shift 2; [ $# -gt 0 ] && shift
LIST=${*:-"sac-HalfCheetah-v4-0 sac-Hopper-v4-0 sac-Walker2d-v4-0 td3-HalfCheetah-v4-0 ppo-HalfCheetah-v4-0 ppo-Hopper-v4-0 sac-Ant-v4-0 sac-Humanoid-v4-0"}
mkdir -p "$RUNS"
DOCS=$(cd "$(dirname "$0")/.." && pwd)/docs/runs
for name in $LIST; do echo "$name"; done | xargs -P "$JOBS" -I{} sh -c '
    name={}; dir='"$RUNS"'/$name
    algo=${name%%-*}; rest=${name#*-}; seed=${rest##*-}; env=${rest%-*}
    buf=""; [ "$algo" = ppo ] || buf=--save-buffer
    if [ -f "$dir/final.ckpt" ]; then echo "$name: finished"; exit 0; fi
    if [ -f "$dir/last.ckpt" ]; then
        echo "$name: resuming"; '"$ACRL"' train --resume "$dir" --quiet >"$dir.log" 2>&1 || { echo "$name: failed (see $dir.log)"; exit 0; }
    else
        echo "$name: starting"; '"$ACRL"' train $algo $env --seed $seed $buf --quiet --out "$dir" >"$dir.log" 2>&1 || { echo "$name: failed (see $dir.log)"; exit 0; }
    fi
    mkdir -p '"$DOCS"'/$name && cp "$dir/summary.json" "$dir/config.ini" "$dir/progress.csv" '"$DOCS"'/$name/
    echo "$name: done"'

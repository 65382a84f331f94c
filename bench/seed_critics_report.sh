#!/bin/sh
# Issue #11's reporting step for the MuJoCo seed-critic runs (bench/mujoco_runs.sh layout,
# RUNS_DIR/ALGO-ENV-SEED): for each run, the Q-bias of its final policy (`acrl qbias`, 10
# episodes, written into its summary.json), its policy file (`acrl export --format ckpt`), and
# its run record copied to docs/runs/NAME; then one learning-curve chart per env with every
# algorithm (`acrl plot`, docs/img/seed-critics-ENV.png) and the Q-bias table on stdout.
# A run without final.ckpt is reported from last.ckpt and marked unfinished.
# Usage: sh bench/seed_critics_report.sh ACRL RUNS_DIR NAME...
set -eu
ACRL=$1; RUNS=$2; shift 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DOCS=$ROOT/docs/runs
envs=""
echo "| run | steps | finished | eval return | Q - G mean | Q - G std | (Q - G) / |G| mean | std |"
echo "|---|---:|---|---:|---:|---:|---:|---:|"
for name in "$@"; do
    dir=$RUNS/$name
    ck=$dir/final.ckpt; fin=yes
    [ -f "$ck" ] || { ck=$dir/last.ckpt; fin=no; }
    [ -f "$ck" ] || { echo "$name: no checkpoint in $dir" >&2; continue; }
    mkdir -p "$DOCS/$name"
    # a finished run's summary.json gains the q_bias_* fields; an unfinished one is read from
    # its checkpoint (the trainer still owns its summary)
    src=$dir; [ $fin = yes ] || src=$ck
    "$ACRL" qbias "$src" --episodes 10 >"$DOCS/$name/qbias.txt" 2>&1 || { echo "$name: qbias failed" >&2; continue; }
    "$ACRL" export "$ck" --format ckpt -o "$DOCS/$name/policy.ckpt" >/dev/null
    for f in summary.json config.ini progress.csv; do cp "$dir/$f" "$DOCS/$name/" 2>/dev/null || true; done
    ev=$(sed -n 's/^ *"eval_return_mean": *\([^,]*\),*$/\1/p' "$dir/summary.json" 2>/dev/null | head -1)
    b=$(sed -n 's/^ *bias Q - G: mean *\([^ ]*\) *std *\([^ ]*\).*/\1 | \2/p' "$DOCS/$name/qbias.txt")
    r=$(sed -n 's/^ *normalised by |mean G|: mean *\([^ ]*\) *std *\([^ ]*\).*/\1 | \2/p' "$DOCS/$name/qbias.txt")
    steps=$(tail -1 "$dir/progress.csv" | cut -d, -f1)
    echo "| $name | $steps | $fin | ${ev:--} | $b | $r |"
    env=${name#*-}; env=${env%-*}
    case " $envs " in *" $env "*) ;; *) envs="$envs $env" ;; esac
done
for env in $envs; do
    dirs=""
    for name in "$@"; do case $name in *-"$env"-*) dirs="$dirs $DOCS/$name" ;; esac; done
    # shellcheck disable=SC2086
    "$ACRL" plot $dirs -o "$ROOT/docs/img/seed-critics-$env.png" >/dev/null && echo "chart: docs/img/seed-critics-$env.png"
done

#!/bin/sh
# lasernav_curve.sh ALGO SEED STEPS STAGE OUT [ACRL]: trains ALGO (its preset
# configs/ALGO/LaserNav-v0.ini) on LaserNav-v0 with run seed SEED in stages of STAGE env
# steps up to STEPS (acrl train --stop-at, then --resume; exact for ppo, not for a3c), and
# after each stage evaluates last.ckpt on the 100 held-out layouts with `acrl nav`. The run
# goes to OUT/; OUT/curve.csv gets steps,success,collision,timeout,time_to_goal_steps.
# SET=key=value in the environment is passed on as --set (e.g. SET=env_args=actions=discrete).
set -eu
[ $# -ge 5 ] || { echo "usage: $0 ALGO SEED STEPS STAGE OUT [ACRL]" >&2; exit 2; }
algo=$1 seed=$2 steps=$3 stage=$4 out=$5 acrl=${6:-build/acrl}
echo "steps,success,collision,timeout,time_to_goal_steps" > "$out.curve.tmp"
s=$stage
while [ "$s" -le "$steps" ]; do
    if [ "$s" -eq "$stage" ]; then
        nice -n 10 "$acrl" train "$algo" LaserNav-v0 --seed "$seed" --steps "$steps" --stop-at "$s" --out "$out" --quiet \
            ${SET:+--set "$SET"} \
            --eval-episodes 100 >/dev/null
    else
        nice -n 10 "$acrl" train --resume "$out" --stop-at "$s" --quiet >/dev/null 2>&1
    fi
    "$acrl" nav "$out" --layouts 100 |
        awk -v s="$s" '{print s "," $5 "," $8 "," $11 "," $16}' >> "$out.curve.tmp"
    s=$((s + stage))
done
mv "$out.curve.tmp" "$out/curve.csv"
cat "$out/curve.csv"

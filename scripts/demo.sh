#!/bin/sh
# make demo: trains PPO on CartPole-v1 with the RL Zoo preset and shows the result.
set -eu
ACRL=${1:-build/acrl}
RUN=runs/demo-ppo-CartPole-v1
"$ACRL" --version
echo
"$ACRL" envs
echo
echo "== acrl train ppo CartPole-v1 --seed 1 --out $RUN"
rm -rf "$RUN"
"$ACRL" train ppo CartPole-v1 --seed 1 --out "$RUN"
echo
echo "== acrl eval $RUN/final.ckpt --episodes 20"
"$ACRL" eval "$RUN/final.ckpt" --episodes 20
if command -v gnuplot >/dev/null 2>&1; then
    echo
    "$ACRL" plot "$RUN" -o "$RUN/learning_curve.png"
fi

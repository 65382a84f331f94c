#!/bin/sh
# make demo: shows what acrl can do so far.
set -eu
ACRL=${1:-build/acrl}
"$ACRL" --version
echo
"$ACRL" envs
echo
echo "A random-policy CartPole-v1 episode (first 10 steps):"
"$ACRL" rollout CartPole-v1 --seed 42 --actions random | head -11

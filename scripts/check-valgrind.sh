#!/bin/sh
# Short PPO and SAC runs (with a stop and a resume) under valgrind: any invalid read or
# write, use of uninitialised values or leak fails. Run by `make check-valgrind` on a build
# with -DACRL_NATIVE=OFF: Debian's valgrind cannot run AVX-512 code.
# Usage: sh scripts/check-valgrind.sh path/to/acrl
set -eu
ACRL=${1:?usage: check-valgrind.sh path/to/acrl}
SRC=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export ACRL_CONFIG_DIR="$SRC/configs" ACRL_MODEL_DIR="$SRC/models"
VG="valgrind -q --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes"

run() {
    echo "check-valgrind: acrl $*"
    start=$(date +%s)
    $VG "$ACRL" "$@" >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err" >&2; echo "check-valgrind: FAILED: acrl $*" >&2; exit 1; }
    echo "check-valgrind:   clean ($(( $(date +%s) - start )) s)"
}

run train ppo CartPole-v1 --quiet --steps 2048 --stop-at 1024 --out "$TMP/ppo" --eval-episodes 2 \
    --set n_steps=128 --set n_envs=4 --set n_epochs=2 --set eval_freq=1024 --set n_eval_episodes=2
run train --quiet --resume "$TMP/ppo" --eval-episodes 2
# SAC with small networks: valgrind runs the default 256x256 ones about 100x slower
run train sac Pendulum-v1 --quiet --steps 300 --stop-at 200 --out "$TMP/sac" --eval-episodes 1 --save-buffer \
    --set learning_starts=100 --set batch_size=32 --set net_arch=64,64 --set eval_freq=150 --set n_eval_episodes=1
run train --quiet --resume "$TMP/sac" --eval-episodes 1
run eval "$TMP/sac" --episodes 1
echo "check-valgrind: all runs clean"

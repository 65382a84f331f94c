#!/bin/sh
# The default thread count (--threads not given: chosen per run, src/algo/train.c
# auto_threads): summary.json names the choice (2 for SAC on a machine with 2 or more CPUs,
# 1 for PPO on CartPole-v1 whose steps are too cheap, 2 for PPO with 4 copies of a MuJoCo
# task when MuJoCo is built in), and the result is the same, byte for byte, as with
# --threads 1 and --threads 2. Usage: sh tests/test_threads_auto.sh /path/to/acrl
ACRL=${1:?usage: test_threads_auto.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"
threads() { awk -F': ' '/"threads"/ { gsub(/,/, "", $2); print $2 }' "$1/summary.json"; }
ncpu=$(getconf _NPROCESSORS_ONLN)
S="--steps 400 --quiet --eval-episodes 2 --set learning_starts=100 --set batch_size=32 --set net_arch=16,16"
"$ACRL" train sac Pendulum-v1 $S --out "$TMP/auto" >/dev/null 2>&1 || bad "sac default threads run failed"
"$ACRL" train sac Pendulum-v1 $S --threads 1 --out "$TMP/t1" >/dev/null 2>&1 || bad "sac --threads 1 run failed"
"$ACRL" train sac Pendulum-v1 $S --threads 2 --out "$TMP/t2" >/dev/null 2>&1 || bad "sac --threads 2 run failed"
want=2; [ "$ncpu" -lt 2 ] && want=1
echo "  sac Pendulum-v1: $(threads "$TMP/auto") threads chosen on $ncpu CPUs"
[ "$(threads "$TMP/auto")" = "$want" ] && ok || bad "sac chose $(threads "$TMP/auto") threads, want $want"
[ "$(threads "$TMP/t1")" = 1 ] && ok || bad "--threads 1 not recorded"
cmp -s "$TMP/auto/final.ckpt" "$TMP/t1/final.ckpt" && ok || bad "sac: default threads and --threads 1 differ"
cmp -s "$TMP/t1/final.ckpt" "$TMP/t2/final.ckpt" && ok || bad "sac: --threads 1 and --threads 2 differ"
"$ACRL" train ppo CartPole-v1 --steps 256 --envs 4 --quiet --eval-episodes 1 --set n_steps=32 --out "$TMP/cp" \
    >/dev/null 2>&1 || bad "ppo CartPole run failed"
echo "  ppo CartPole-v1 x 4: $(threads "$TMP/cp") threads"
[ "$(threads "$TMP/cp")" = 1 ] && ok || bad "ppo CartPole chose $(threads "$TMP/cp") threads, want 1"
if "$ACRL" envs | grep -q '^HalfCheetah-v4' && [ "$ncpu" -ge 2 ]; then
    "$ACRL" train ppo HalfCheetah-v4 --steps 256 --envs 4 --quiet --eval-episodes 1 --set n_steps=32 \
        --out "$TMP/hc" >/dev/null 2>&1 || bad "ppo HalfCheetah run failed"
    echo "  ppo HalfCheetah-v4 x 4: $(threads "$TMP/hc") threads"
    [ "$(threads "$TMP/hc")" = 2 ] && ok || bad "ppo HalfCheetah chose $(threads "$TMP/hc") threads, want 2"
fi
finish test_threads_auto

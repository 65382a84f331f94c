#!/bin/sh
# Issue #16 item 2 (docs/generalisation.md "Asymmetric critics and distillation"): symmetric
# (critic_obs = obs) against asymmetric (critic_obs = state) PPO and SAC on velocity-hidden
# Pendulum-v1 (memoryless, and with two stacked frames) and InvertedPendulum-v4, seeds 0-2;
# then full-observation PPO teachers and their DAgger students.
# Usage: sh scripts/asym_runs.sh ACRL OUTDIR [SEEDS]
A=${1:?usage: asym_runs.sh ACRL OUTDIR [SEEDS]}
O=${2:?usage: asym_runs.sh ACRL OUTDIR [SEEDS]}
SEEDS=${3:-0 1 2}
mkdir -p "$O"
# presets and MuJoCo models of this checkout, also for an acrl binary copied elsewhere
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ACRL_CONFIG_DIR=${ACRL_CONFIG_DIR:-$ROOT/configs} ACRL_MODEL_DIR=${ACRL_MODEL_DIR:-$ROOT/models}
# run NAME ARGS...: acrl ARGS --out O/NAME, skipped when a finished summary is there
run() {
    n=$1
    shift
    if grep -q '"finished": true' "$O/$n/summary.json" 2>/dev/null; then return; fi
    rm -rf "$O/$n"
    t0=$(date +%s)
    nice -n 10 "$A" "$@" --out "$O/$n" --quiet --eval-episodes 20 >/dev/null 2>"$O/$n.err" || echo "FAILED $n: $(cat "$O/$n.err")"
    echo "$n $(($(date +%s) - t0)) s"
}
EV="--set eval_freq=10000 --set n_eval_episodes=10"
for s in $SEEDS; do
    for c in obs state; do
        run ppo-pend-hv-$c-$s train ppo Pendulum-v1 --seed $s --steps 300000 $EV --set env_args=hide=velocity --set critic_obs=$c
        run ppo-pend-hv2-$c-$s train ppo Pendulum-v1 --seed $s --steps 300000 $EV --set env_args=hide=velocity,obs_stack=2 --set critic_obs=$c
        run sac-pend-hv-$c-$s train sac Pendulum-v1 --config configs/sac/Pendulum-v1-rltools.ini --seed $s --steps 30000 \
            --set eval_freq=2000 --set n_eval_episodes=10 --set env_args=hide=velocity --set critic_obs=$c
        run sac-pend-hv2-$c-$s train sac Pendulum-v1 --config configs/sac/Pendulum-v1-rltools.ini --seed $s --steps 30000 \
            --set eval_freq=2000 --set n_eval_episodes=10 --set env_args=hide=velocity,obs_stack=2 --set critic_obs=$c
        run ppo-ip-hv-$c-$s train ppo InvertedPendulum-v4 --seed $s --steps 150000 $EV --set env_args=hide=velocity --set critic_obs=$c
    done
done
# teachers on the full observation, and their students (DAgger, 20 iterations of 1000 steps)
for s in $SEEDS; do
    run teacher-pend-$s train ppo Pendulum-v1 --seed $s --steps 100000 $EV
    run teacher-ip-$s train ppo InvertedPendulum-v4 --seed $s --steps 150000 $EV
    run distill-pend-hv2-$s distill "$O/teacher-pend-$s" --student-obs hide=velocity,obs_stack=2 --seed $s --steps 20000 \
        --set eval_freq=2000 --set n_eval_episodes=10
    run distill-pend-hv-$s distill "$O/teacher-pend-$s" --student-obs hide=velocity --seed $s --steps 20000 \
        --set eval_freq=2000 --set n_eval_episodes=10
    run distill-ip-hv2-$s distill "$O/teacher-ip-$s" --student-obs hide=velocity,obs_stack=2 --seed $s --steps 20000 \
        --set eval_freq=2000 --set n_eval_episodes=10
done
# a noisy MuJoCo task (PPO, Hopper-v4 preset, 300k steps) and SAC on velocity-hidden InvertedPendulum-v4
for s in $SEEDS; do
    for c in obs state; do
        run ppo-hopper-n01-$c-$s train ppo Hopper-v4 --seed $s --steps 300000 --set env_args=obs_noise=0.1 --set critic_obs=$c
        run sac-ip-hv-$c-$s train sac InvertedPendulum-v4 --seed $s --steps 30000 --set net_arch=64,64 \
            --set learning_starts=1000 --set eval_freq=2000 --set n_eval_episodes=10 --set env_args=hide=velocity --set critic_obs=$c
    done
done
# context: the same PPO on Hopper-v4 without noise
for s in $SEEDS; do
    run ppo-hopper-clean-obs-$s train ppo Hopper-v4 --seed $s --steps 300000
done

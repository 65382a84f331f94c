#!/bin/sh
# Learning curves of scripts/asym_runs.sh: the periodic deterministic evaluations
# (progress.csv eval_return_mean), mean over the seeds, critic_obs = obs against state, one
# panel per task. Usage: sh scripts/asym_plot.sh OUTDIR OUT.png   (needs gnuplot)
O=${1:?usage: asym_plot.sh OUTDIR OUT.png}
PNG=${2:?usage: asym_plot.sh OUTDIR OUT.png}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# mean of eval_return_mean over the seeds of group G at each evaluated step -> $T/G.dat
curve() {
    for f in "$O"/$1-[0-9]*/progress.csv; do
        awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "eval_return_mean") c = i; next }
                 $c != "" { print $1, $c }' "$f"
    done | awk '{ s[$1] += $2; n[$1]++ } END { for (k in s) print k, s[k] / n[k] }' | sort -n >"$T/$1.dat"
}
PANELS="ppo-pend-hv2:PPO, Pendulum-v1 hide=velocity,obs_stack=2
sac-pend-hv2:SAC, Pendulum-v1 hide=velocity,obs_stack=2
ppo-pend-hv:PPO, Pendulum-v1 hide=velocity (memoryless)
sac-pend-hv:SAC, Pendulum-v1 hide=velocity (memoryless)
ppo-ip-hv:PPO, InvertedPendulum-v4 hide=velocity
sac-ip-hv:SAC, InvertedPendulum-v4 hide=velocity
ppo-hopper-n01:PPO, Hopper-v4 obs_noise=0.1"
{
    echo "set terminal pngcairo noenhanced size 1400,1500 font ',10'"
    echo "set output '$PNG'"
    echo "set multiplot layout 4,2"
    echo "set grid; set key bottom right; set xlabel 'env steps'; set ylabel 'eval return (mean of 3 seeds)'"
    echo "$PANELS" | while IFS=: read -r g title; do
        curve "$g-obs"
        curve "$g-state"
        [ -s "$T/$g-obs.dat" ] || continue
        echo "set title '$title'"
        echo "plot '$T/$g-obs.dat' w lp pt 7 ps 0.5 t 'critic_obs = obs (symmetric)', '$T/$g-state.dat' w lp pt 5 ps 0.5 t 'critic_obs = state (asymmetric)'"
    done
    echo "unset multiplot"
} >"$T/plot.gp"
gnuplot "$T/plot.gp"

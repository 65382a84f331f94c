#!/bin/sh
# Table of scripts/asym_runs.sh's results: per group (run name without the seed), the final
# 20-episode evaluation of each seed, their mean and std; the mean over seeds of the mean of
# all periodic evaluations (progress.csv eval_return_mean: the area under the learning curve
# divided by its length); and first_solved_step (the first periodic evaluation at or above
# the env's threshold: Pendulum-v1 -200, InvertedPendulum-v4 950, Hopper-v4 3800) of the
# seeds that reached it. Usage: sh scripts/asym_table.sh OUTDIR
O=${1:?usage: asym_table.sh OUTDIR}
for d in "$O"/*/; do
    n=$(basename "$d")
    f="$d/summary.json"
    grep -q '"finished": true' "$f" 2>/dev/null || continue
    r=$(sed -n 's/.*"eval_return_mean": \([-0-9.e+]*\).*/\1/p' "$f")
    fs=$(sed -n 's/.*"first_solved_step": \([0-9null]*\).*/\1/p' "$f")
    auc=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "eval_return_mean") c = i; next }
                   $c != "" { s += $c; k++ } END { printf "%.1f", k ? s / k : 0 }' "$d/progress.csv")
    echo "${n%-*} ${n##*-} $r $auc $fs"
done | awk '{ g = $1; v[g] = v[g] " " sprintf("%.1f", $3); s[g] += $3; q[g] += $3 * $3; n[g]++; a[g] += $4
              if ($5 != "null") { fs[g] += $5; nf[g]++ } }
    END { for (g in n) { m = s[g] / n[g]; sd = q[g] / n[g] - m * m; sd = sd > 0 ? sqrt(sd) : 0
          solved = nf[g] ? sprintf("%d/%d at %.0f", nf[g], n[g], fs[g] / nf[g]) : sprintf("0/%d", n[g])
          printf "%-22s n=%d final %8.1f +- %6.1f  curve mean %8.1f  solved %-16s seeds:%s\n", g, n[g], m, sd,
                 a[g] / n[g], solved, v[g] } }' | sort

#!/bin/sh
# Table of scripts/asym_runs.sh's results: per group (run name without the seed), the final
# 20-episode evaluation of each seed, their mean and std, and the mean of the last periodic
# evaluation (progress.csv eval_return_mean). Usage: sh scripts/asym_table.sh OUTDIR
O=${1:?usage: asym_table.sh OUTDIR}
for d in "$O"/*/; do
    n=$(basename "$d")
    f="$d/summary.json"
    grep -q '"finished": true' "$f" 2>/dev/null || continue
    r=$(sed -n 's/.*"eval_return_mean": \([-0-9.e+]*\).*/\1/p' "$f")
    echo "${n%-*} ${n##*-} $r"
done | awk '{ g = $1; v[g] = v[g] " " sprintf("%.1f", $3); s[g] += $3; q[g] += $3 * $3; n[g]++ }
    END { for (g in n) { m = s[g] / n[g]; sd = q[g] / n[g] - m * m; sd = sd > 0 ? sqrt(sd) : 0
          printf "%-22s n=%d mean %8.1f std %6.1f  seeds:%s\n", g, n[g], m, sd, v[g] } }' | sort

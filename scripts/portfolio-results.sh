#!/bin/sh
# Backtests every run directory given (Portfolio-v0 / PortfolioESG-v0) on the test period and
# prints one CSV: the run's row, then the baselines once, plus the mean over the runs of each
# group (the name without its -sN seed suffix). Usage:
#   sh scripts/portfolio-results.sh ACRL ESG_FILE RUN_DIR... > results.csv
ACRL=${1:?usage: portfolio-results.sh ACRL ESG_FILE RUN_DIR...}
ESG=$2
shift 2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "name,ann_return,volatility,sharpe,sortino,max_drawdown,calmar,turnover,win_rate,w_high_esg,w_cash"
first=1
for d in "$@"; do
    "$ACRL" backtest "$d" --csv "$TMP/bt.csv" --esg-file "$ESG" >"$TMP/out" || exit 1
    w=$(sed -n 's/.*: \([0-9.]*\) (cash \([0-9.]*\))$/\1,\2/p' "$TMP/out")
    echo "$(sed -n 2p "$TMP/bt.csv"),$w"
    if [ $first -eq 1 ]; then tail -n +3 "$TMP/bt.csv" | sed 's/$/,,/' >"$TMP/base"; first=0; fi
done | tee "$TMP/rows"
awk -F, '{ g = $1; sub(/-s[0-9]+$/, "", g); if (g == $1) next; n[g]++; for (i = 2; i <= 11; i++) s[g, i] += $i; order[g] = 1 }
END { for (g in order) { printf "%s-mean", g; for (i = 2; i <= 11; i++) printf ",%.6g", s[g, i] / n[g]; printf "\n" } }' \
    "$TMP/rows" | sort
cat "$TMP/base"

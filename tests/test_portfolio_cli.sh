#!/bin/sh
# acrl backtest and Portfolio-v0 from the command line on a synthetic price file written
# here: the table and CSV (header, one row per baseline, the policy's row named after its
# run directory), the equal-weight row re-computed with awk from the prices, and bad input
# (price file, fixed weights, ESG file, env settings) refused with exit code 2 and a message
# naming the file, line or key. Usage: sh tests/test_portfolio_cli.sh /path/to/acrl
ACRL=${1:?usage: test_portfolio_cli.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"

# expect_error PATTERN ARGS...: exit code 2 and PATTERN in stderr
expect_error() {
    pat=$1
    shift
    "$ACRL" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    msg=$(cat "$TMP/err")
    if [ "$rc" -ne 2 ]; then bad "acrl $*: exit code $rc, want 2 ($msg)"; return; fi
    case "$msg" in
        "acrl: "*"$pat"*) ok ;;
        *) bad "acrl $*: message '$msg' lacks '$pat'" ;;
    esac
}

# 300 days of 4 assets, wide format
awk 'BEGIN { print "date,A,B,C,D";
    for (d = 0; d < 300; d++) {
        y = 2000 + int(d / 336); m = 1 + int((d % 336) / 28); dd = 1 + d % 28;
        printf "%04d-%02d-%02d,%.4f,%.4f,%.4f,%.4f\n", y, m, dd, 10 + 2 * sin(0.3 * d), 20 + 0.02 * d + cos(0.7 * d),
            5 * exp(0.002 * d), 8 + sin(0.05 * d) }
}' >"$TMP/p.csv"
SET="--set data_path=$TMP/p.csv --set assets=0 --set window=10 --set episode=20"

"$ACRL" backtest baselines $SET --csv "$TMP/bt.csv" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 0 ]; then ok; else bad "backtest baselines: exit $rc: $(cat "$TMP/err")"; fi
if [ "$(head -1 "$TMP/bt.csv")" = "name,ann_return,volatility,sharpe,sortino,max_drawdown,calmar,turnover,win_rate" ]; then ok
else bad "CSV header: $(head -1 "$TMP/bt.csv")"; fi
names=$(tail -n +2 "$TMP/bt.csv" | cut -d, -f1 | tr '\n' ' ')
if [ "$names" = "equal_weight buy_and_hold mean_variance risk_parity best_asset " ]; then ok; else bad "rows: $names"; fi
grep -q "test period 2000-09-17 .. 2000-11-20 (60 days)" "$TMP/out" && ok || bad "period line: $(head -1 "$TMP/out")"

# equal weight re-computed: daily simple return of the 1/4 mix, cost 0.25% of the traded weight
# (1 on the first day from cash, then the drift back to 1/4 each day); ann_return = exp(252 mean log) - 1
want=$(awk -F, 'NR > 1 { for (i = 2; i <= 5; i++) c[NR - 1, i] = $i; n = NR - 1 }
END {
    s = 0; t0 = 240;            # day index 240 = test start (floor(0.8 * 300)); decisions from day 239
    for (i = 2; i <= 5; i++) wp[i] = 0;
    for (d = t0 - 1; d <= n - 2; d++) {
        g = 0; tv = 0;
        for (i = 2; i <= 5; i++) { y[i] = c[d + 2, i] / c[d + 1, i]; g += 0.25 * y[i]; tv += (0.25 > wp[i] ? 0.25 - wp[i] : wp[i] - 0.25) }
        for (i = 2; i <= 5; i++) wp[i] = 0.25 * y[i] / g;
        s += log(1 - 0.0025 * tv) + log(g); k++
    }
    printf "%.6f\n", exp(252 * s / k) - 1 }' "$TMP/p.csv")
got=$(awk -F, '$1 == "equal_weight" { printf "%.6f\n", $2 }' "$TMP/bt.csv")
if [ "$got" = "$want" ]; then ok; else bad "equal_weight ann_return $got, awk $want"; fi

# a tiny policy: its row is named after the run directory and comes first
"$ACRL" train a2c Portfolio-v0 --steps 200 --quiet --out "$TMP/run1" \
    --set "env_args=data_path=$TMP/p.csv,assets=0,window=10,episode=20" --set eval_freq=0 --set n_eval_episodes=1 \
    >/dev/null 2>"$TMP/err" && ok || bad "train a2c: $(cat "$TMP/err")"
"$ACRL" backtest "$TMP/run1" --csv "$TMP/bt2.csv" >"$TMP/out" 2>"$TMP/err" && ok || bad "backtest run1: $(cat "$TMP/err")"
[ "$(sed -n 2p "$TMP/bt2.csv" | cut -d, -f1)" = "run1" ] && ok || bad "policy row: $(sed -n 2p "$TMP/bt2.csv")"
[ "$(wc -l <"$TMP/bt2.csv")" -eq 7 ] && ok || bad "bt2 rows: $(wc -l <"$TMP/bt2.csv")"
# the baselines' rows do not depend on the policy
[ "$(tail -n +3 "$TMP/bt2.csv")" = "$(tail -n +2 "$TMP/bt.csv")" ] && ok || bad "baseline rows differ with a policy"
# deterministic
"$ACRL" backtest "$TMP/run1" --csv "$TMP/bt3.csv" >/dev/null 2>&1
cmp -s "$TMP/bt2.csv" "$TMP/bt3.csv" && ok || bad "backtest not deterministic"
# a CNN extractor with max-pooling trains, and its policy backtests; pooling that leaves no map is refused
"$ACRL" train ppo Portfolio-v0 --steps 128 --quiet --out "$TMP/cnnp" \
    --set "env_args=data_path=$TMP/p.csv,assets=0,window=10,episode=20" --set eval_freq=0 --set n_eval_episodes=1 \
    --set extractor=cnn --set cnn_channels=4,4 --set cnn_kernels=3,3 --set cnn_pools=2,1 --set n_steps=32 \
    --set batch_size=32 >/dev/null 2>"$TMP/err" && ok || bad "train ppo cnn with pooling: $(cat "$TMP/err")"
"$ACRL" backtest "$TMP/cnnp" --csv "$TMP/bt4.csv" >/dev/null 2>"$TMP/err" && ok || bad "backtest cnn: $(cat "$TMP/err")"
"$ACRL" train ppo Portfolio-v0 --steps 64 --quiet --out "$TMP/cnnbad" \
    --set "env_args=data_path=$TMP/p.csv,assets=0,window=10,episode=20" --set extractor=cnn --set cnn_channels=4 \
    --set cnn_kernels=3 --set cnn_pools=64 >/dev/null 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "pooling" "$TMP/err" && ok || bad "pool 64: exit $rc, $(cat "$TMP/err")"

# the policy's weight in high-score assets (A and C score >= 50)
printf 'asset,score\nA,70\nB,10\nC,90\nD,20\n' >"$TMP/esg4.csv"
"$ACRL" backtest "$TMP/run1" --esg-file "$TMP/esg4.csv" >"$TMP/out" 2>"$TMP/err" && ok || bad "--esg-file: $(cat "$TMP/err")"
grep -q "^run1: mean weight in assets scoring >= 50 in .*esg4.csv: 0\.[0-9]* (cash 0\.[0-9]*)" "$TMP/out" && ok || bad "esg line: $(tail -1 "$TMP/out")"
printf 'asset,score\nA,70\nB,10\n' >"$TMP/esg5.csv"
expect_error "esg5.csv: no ESG score for asset 'C'" backtest "$TMP/run1" --esg-file "$TMP/esg5.csv"

# fixed weights
"$ACRL" backtest baselines $SET --weights 0.2,0.2,0.2,0.2,0.2 --csv "$TMP/bt4.csv" >/dev/null 2>&1 && ok || bad "--weights"
[ "$(tail -1 "$TMP/bt4.csv" | cut -d, -f1)" = "fixed_weights" ] && ok || bad "fixed row: $(tail -1 "$TMP/bt4.csv")"

# bad input
expect_error "--weights: the weights sum to 0.9" backtest baselines $SET --weights 0.2,0.2,0.2,0.2,0.1
expect_error "--weights: 3 values given" backtest baselines $SET --weights 0.2,0.4,0.4
expect_error "--weights: value 2 is negative" backtest baselines $SET --weights 0.5,-0.1,0.2,0.2,0.2
printf 'date,A,B\n2000-01-01,1,2\n2000-01-02,,2\n' >"$TMP/missing.csv"
expect_error "missing.csv:3: missing value in column 'A'" backtest baselines --set data_path="$TMP/missing.csv"
printf 'date,A,B\n2000-01-02,1,2\n2000-01-01,1,2\n' >"$TMP/unsorted.csv"
expect_error "unsorted.csv:3: date 2000-01-01 comes before" backtest baselines --set data_path="$TMP/unsorted.csv"
printf 'date,A,B\n2000-01-01,1,2\n2000-01-01,1,2\n' >"$TMP/dup.csv"
expect_error "dup.csv:3: date 2000-01-01 repeats" backtest baselines --set data_path="$TMP/dup.csv"
printf 'date,A,B\n2000-01-01,1,2\n2000-01-02,1,0\n' >"$TMP/zero.csv"
expect_error "zero.csv:3: column 'B'" backtest baselines --set data_path="$TMP/zero.csv"
printf 'date,A,B\n2000-01-01,1,2\n2000-01-02,1,3\n' >"$TMP/short.csv"
expect_error "short.csv: too few days" backtest baselines --set data_path="$TMP/short.csv" --set assets=0
expect_error "short.csv: too few days" train ppo Portfolio-v0 --steps 10 --out "$TMP/r2" \
    --set "env_args=data_path=$TMP/short.csv,assets=0"
expect_error "nope.csv" backtest baselines --set data_path="$TMP/nope.csv"
expect_error "env_args: unknown key 'colour'" backtest baselines $SET --set colour=red
printf 'asset,score\nA,70\nB,10\nC,90\n' >"$TMP/esg.csv"
expect_error "esg.csv: no ESG score for asset 'D'" backtest baselines --env PortfolioESG-v0 $SET --set esg_path="$TMP/esg.csv"
printf 'asset,score\nA,70\nB,10\nC,90\nD,x\n' >"$TMP/esg2.csv"
expect_error "esg2.csv:5: expected asset,score" backtest baselines --env PortfolioESG-v0 $SET --set esg_path="$TMP/esg2.csv"
expect_error "--env CartPole-v1" backtest baselines --env CartPole-v1

finish test_portfolio_cli

#!/bin/sh
# Trains ALGO on ENV for several seeds and prints one Markdown row per seed plus the
# median/mean, then draws the learning curves with `acrl plot`.
# Usage: sh bench/seeds.sh ACRL ALGO ENV OUTDIR [SEEDS] [-- extra acrl train args]
# e.g.   sh bench/seeds.sh build/acrl ppo CartPole-v1 runs/bench 5
set -eu
ACRL=$1; ALGO=$2; ENV=$3; OUT=$4; SEEDS=${5:-5}
shift 4; [ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
TAG=$ALGO-$ENV
mkdir -p "$OUT"
echo "| seed | eval return (20 ep.) | first solved step | first solved s | train s | steps/s |"
echo "|---:|---:|---:|---:|---:|---:|"
dirs=""
s=0
while [ "$s" -lt "$SEEDS" ]; do
    d=$OUT/$TAG-$s
    rm -rf "$d"
    "$ACRL" train "$ALGO" "$ENV" --seed "$s" --out "$d" --quiet "$@" >/dev/null
    python3 - "$d/summary.json" "$s" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
f = lambda v, fmt: "-" if v is None else fmt % v
print("| %s | %s | %s | %s | %.2f | %.0f |" % (sys.argv[2], f(j["eval_return_mean"], "%.1f"),
      f(j["first_solved_step"], "%d"), f(j["first_solved_seconds"], "%.3f"), j["train_seconds"], j["sps"]))
PY
    dirs="$dirs $d"
    s=$((s + 1))
done
python3 - $dirs <<'PY'
import json, statistics, sys
js = [json.load(open(d + "/summary.json")) for d in sys.argv[1:]]
ev = [j["eval_return_mean"] for j in js]
fs = [j["first_solved_seconds"] for j in js if j["first_solved_seconds"] is not None]
sps = [j["sps"] for j in js]
print("| mean / median | %.1f (min %.1f) | | %s | | %.0f |" % (statistics.mean(ev), min(ev),
      ("median %.3f (%d of %d solved)" % (statistics.median(fs), len(fs), len(js))) if fs else "never solved",
      statistics.median(sps)))
PY
"$ACRL" plot $dirs -o "$OUT/$TAG.png" >/dev/null && echo && echo "curves: $OUT/$TAG.png"

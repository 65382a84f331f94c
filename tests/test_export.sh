#!/bin/sh
# Exported policies against `acrl act`: short training runs of every algorithm and policy
# kind, 10,000 observations per env from real rollouts, then
#   - the C header (acrl export --format c), compiled by gcc and clang with
#     -std=c99 -pedantic -Wall -Wextra -Werror: bit for bit equal to `acrl act` when acrl runs
#     its plain-C kernels (built with -DACRL_XSMM=OFF, and -DACRL_NATIVE=OFF on AVX-512 CPUs;
#     test_export_exact_slow.sh builds such an acrl), else within 1e-5 (libxsmm and the AVX-512
#     tanh round differently) with at most 5 in 10,000 argmax flips at near-ties;
#   - the int8 header (--quantize int8): its error, reported, under a loose bound;
#   - the ONNX model: onnx.checker (Debian's python3-onnx) and ONNX Runtime (onnxruntime-node
#     from npm, installed into the build folder), within 1e-5; skipped with a message when
#     either is missing or npm cannot install;
#   - bad input: exit code 2 with a message.
# Usage: sh tests/test_export.sh /path/to/acrl
ACRL=${1:?usage: test_export.sh /path/to/acrl}
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "$(dirname "$ACRL")" && pwd)
ACRL=$BUILD/$(basename "$ACRL")
. "$(dirname "$0")/harness.sh"

# Exact comparison when this acrl sums in the header's order (plain-C kernels).
cache_has() { grep -q "^$1" "$BUILD/CMakeCache.txt" 2>/dev/null; }
exact=0
if cache_has "ACRL_XSMM:BOOL=OFF"; then
    if cache_has "ACRL_NATIVE:BOOL=OFF" || ! grep -q avx512f /proc/cpuinfo 2>/dev/null; then exact=1; fi
fi
sanitized=0
cache_has "ACRL_SANITIZE:BOOL=ON" && sanitized=1
# Observations per env (ACRL_EXPORT_NOBS). The sanitizer build checks memory safety, which
# 1,000 cover as well as 10,000; `acrl rollout` runs one episode per process, and a process
# of the sanitizer build takes about 0.2 s to start.
NOBS=${ACRL_EXPORT_NOBS:-$([ $sanitized = 1 ] && echo 1000 || echo 10000)}
echo "comparison: $([ $exact = 1 ] && echo 'bit for bit (plain-C acrl)' || echo 'within 1e-5 (acrl uses libxsmm or AVX-512 kernels)')"

# obs ENV FILE: NOBS observations from random-action rollouts with seeds 0, 1, 2, ...
obs() {
    : >"$2"
    s=0
    while [ "$(wc -l <"$2")" -lt "$NOBS" ]; do
        "$ACRL" rollout "$1" --seed $s --actions random >"$2.ep" || { bad "rollout $1 --seed $s"; return; }
        awk -F, '
            NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^o[0-9]+$/) c[++n] = i; next }
            { l = $c[1]; for (i = 2; i <= n; i++) l = l "," $c[i]; print l }' "$2.ep" >>"$2"
        s=$((s + 1))
    done
    head -n "$NOBS" "$2" >"$2.tmp" && mv "$2.tmp" "$2"
}

# compare WHAT REF GOT TOL MAXFLIP: rows and widths equal, |diff| <= TOL (0: identical text),
# with at most MAXFLIP Discrete actions (argmax at a near-tie) differing
compare() {
    if [ "$(wc -l <"$2")" -ne "$(wc -l <"$3")" ] || [ "$(wc -l <"$2")" -lt "$NOBS" ]; then
        bad "$1: $(wc -l <"$3") actions, want $(wc -l <"$2") (>= $NOBS)"; return
    fi
    if [ "$4" = 0 ]; then
        if cmp -s "$2" "$3"; then ok; echo "  $1: identical ($NOBS actions)"
        else bad "$1: not bit for bit equal: $(paste -d'|' "$2" "$3" | awk -F'|' '$1 != $2 { print NR ": " $0; exit }')"; fi
        return
    fi
    res=$(paste -d'|' "$2" "$3" | awk -F'|' -v tol="$4" -v disc="$5" '
        { n = split($1, a, ","); m = split($2, b, ",");
          if (n != m) { bad++; next }
          for (j = 1; j <= n; j++) {
              d = a[j] - b[j]; if (d < 0) d = -d
              if (disc > 0 && d >= 1) { flips++; continue }
              if (d > mx) mx = d
              if (d > tol) bad++
          } }
        END { printf "%d %d %g", bad, flips, mx }')
    maxflip=$5
    set -- "$1" $res
    if [ "$2" -eq 0 ] && [ "$3" -le "$maxflip" ]; then ok; echo "  $1: max |diff| $4, $3 argmax flips"
    else bad "$1: $2 values beyond the tolerance, $3 argmax flips, max |diff| $4"; fi
}

# ---- policies of every kind --------------------------------------------------------------
cd "$TMP" || exit 1
train() { # DIR ALGO ENV KEY=VALUE...
    d=$1 a=$2 e=$3
    shift 3
    sets=""
    for kv in "$@"; do sets="$sets --set $kv"; done
    # shellcheck disable=SC2086
    "$ACRL" train "$a" "$e" --seed 1 --out "$d" --quiet $sets >/dev/null 2>"$d.err" || bad "train $a $e: $(cat "$d.err")"
}
OFFP="net_arch=64,64 learning_starts=100 n_timesteps=400 batch_size=64"
train ppo_cart ppo CartPole-v1 n_timesteps=1024 n_steps=256
train ppo_pend ppo Pendulum-v1 n_timesteps=1024 n_steps=256 normalize=1
train ppo_sde ppo MountainCarContinuous-v0 n_timesteps=1024 n_steps=256 use_sde=1 activation=elu normalize=1
train a2c_shared a2c Pendulum-v1 n_timesteps=1024 shared_trunk=1 activation=relu net_arch=32,48
train a3c_acro a3c Acrobot-v1 n_timesteps=1024 sync=1 activation=gelu
# shellcheck disable=SC2086
train sac_pend sac Pendulum-v1 $OFFP
# shellcheck disable=SC2086
train sac_cart sac CartPole-v1 $OFFP activation=gelu_tanh
# shellcheck disable=SC2086
train td3_mcc td3 MountainCarContinuous-v0 $OFFP normalize=1
# shellcheck disable=SC2086
train ddpg_pend ddpg Pendulum-v1 $OFFP activation=tanh
# shellcheck disable=SC2086
train pmoe_mcc pmoe MountainCarContinuous-v0 $OFFP n_experts=3
# shellcheck disable=SC2086
train dsact_pend dsact Pendulum-v1 $OFFP
# STAC (layer norm, dropout off when acting); eval_samples=0: the deterministic tanh(mean)
# shellcheck disable=SC2086
train stac_pend stac Pendulum-v1 $OFFP eval_samples=0
for e in CartPole-v1 Pendulum-v1 MountainCarContinuous-v0 Acrobot-v1; do obs $e "obs_$e.csv"; done
# run:env:max argmax flips (Discrete actions; 0 for Box)
RUNS="ppo_cart:CartPole-v1:5 ppo_pend:Pendulum-v1:0 ppo_sde:MountainCarContinuous-v0:0 a2c_shared:Pendulum-v1:0
      a3c_acro:Acrobot-v1:5 sac_pend:Pendulum-v1:0 sac_cart:CartPole-v1:5 td3_mcc:MountainCarContinuous-v0:0
      ddpg_pend:Pendulum-v1:0 pmoe_mcc:MountainCarContinuous-v0:0 dsact_pend:Pendulum-v1:0 stac_pend:Pendulum-v1:0"

tol=1e-5
[ $exact = 1 ] && tol=0
CFLAGS="-std=c99 -pedantic -Wall -Wextra -Werror -O2"
have_cc() { command -v "$1" >/dev/null 2>&1; }
for run in $RUNS; do
    r=${run%%:*} e=${run#*:} flip=${run##*:}
    e=${e%:*}
    [ -f "$r/policy.ckpt" ] || continue
    O="obs_$e.csv"
    "$ACRL" act "$r" --obs "$O" >"$r.act" 2>"$r.err" || { bad "acrl act $r: $(cat "$r.err")"; continue; }
    "$ACRL" export "$r" --format c -o "$r.h" >/dev/null 2>"$r.err" || { bad "export c $r: $(cat "$r.err")"; continue; }
    for cc in gcc clang; do
        if ! have_cc $cc; then echo "  SKIP $cc: not installed"; continue; fi
        # shellcheck disable=SC2086
        if $cc $CFLAGS -DPOLICY_HEADER="\"$r.h\"" -DPREFIX=acrl_policy -I. "$HERE/export/driver.c" -o "$r.$cc" -lm \
            2>"$r.err"; then ok; else bad "$cc $r.h: $(head -c 600 "$r.err")"; continue; fi
        "./$r.$cc" <"$O" >"$r.$cc.out"
        compare "C header ($cc) $r on $e" "$r.act" "$r.$cc.out" $tol $flip
    done
    # the policy-only checkpoint and the full one describe the same policy
    "$ACRL" export "$r/policy.ckpt" --format c -o "$r.p.h" >/dev/null && cmp -s "$r.h" "$r.p.h" && ok ||
        bad "export c $r: final.ckpt and policy.ckpt give different headers"
done

# STAC evaluating with the mean of sampled actions: exported as tanh(mean), with a note
# shellcheck disable=SC2086
train stac_samples stac Pendulum-v1 $OFFP eval_samples=4
"$ACRL" export stac_samples --format c -o stac_samples.h >/dev/null &&
    grep -q "Note: acrl evaluates this STAC policy with the mean of 4 sampled actions" stac_samples.h && ok ||
    bad "export of a STAC policy with eval_samples=4: no note in the header"

# ---- --name, int8 -----------------------------------------------------------------------
"$ACRL" export ppo_pend --format c --name pend -o pend.h >/dev/null || bad "export --name"
grep -q '^#define pend_OBS_DIM 3$' pend.h && grep -q '^#define pend_ACT_DIM 1$' pend.h &&
    grep -q '^static inline void pend_act(const float\* obs, float\* action)' pend.h && ok ||
    bad "--name pend: pend_OBS_DIM, pend_ACT_DIM or pend_act missing"
# shellcheck disable=SC2086
gcc $CFLAGS -DPOLICY_HEADER='"pend.h"' -DPREFIX=pend -I. "$HERE/export/driver.c" -o pend -lm && ok || bad "compile pend.h"
for r in ppo_pend:Pendulum-v1 sac_pend:Pendulum-v1 td3_mcc:MountainCarContinuous-v0; do
    e=${r#*:} r=${r%%:*}
    [ -f "$r.act" ] || continue
    "$ACRL" export "$r" --format c --quantize int8 -o "$r.q.h" >/dev/null || { bad "export int8 $r"; continue; }
    # shellcheck disable=SC2086
    gcc $CFLAGS -DPOLICY_HEADER="\"$r.q.h\"" -DPREFIX=acrl_policy -I. "$HERE/export/driver.c" -o "$r.q" -lm ||
        { bad "compile $r.q.h"; continue; }
    "./$r.q" <"obs_$e.csv" >"$r.q.out"
    err=$(paste -d, "$r.act" "$r.q.out" | awk -F, '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d; s += d }
                                                  END { printf "%g %g", m, s / NR }')
    echo "  int8 $r on $e: max |error| ${err% *}, mean ${err#* }; $(wc -c <"$r.q.h") bytes vs $(wc -c <"$r.h")"
    awk -v m="${err% *}" 'BEGIN { exit !(m < 0.05) }' && ok || bad "int8 $r: max error ${err% *} >= 0.05"
done

# ---- ONNX ---------------------------------------------------------------------------------
for run in $RUNS; do
    r=${run%%:*}
    [ -f "$r.act" ] || continue
    "$ACRL" export "$r" --format onnx -o "$r.onnx" >/dev/null 2>"$r.err" || bad "export onnx $r: $(cat "$r.err")"
done
if [ "${ACRL_EXPORT_ONNX:-1}" = 0 ]; then
    echo "SKIP ONNX: ACRL_EXPORT_ONNX=0 (test_export checks the ONNX models)"
elif /usr/bin/python3 -c "import onnx" 2>/dev/null; then
    # one interpreter for all models: a line "ok NAME" or "bad NAME: WHY" each
    /usr/bin/python3 -c "
import onnx, sys
for f in sys.argv[1:]:
    try:
        m = onnx.load(f); onnx.checker.check_model(m, full_check=True)
        assert m.ir_version == 8 and m.opset_import[0].version <= 17, 'ir_version or opset'
        print('ok', f)
    except Exception as e:
        print('bad', f + ':', str(e).replace(chr(10), ' ')[:300])" ./*.onnx >onnx_check.txt 2>onnx_check.err
    while read -r verdict what; do
        if [ "$verdict" = ok ]; then ok; else bad "onnx.checker $what"; fi
    done <onnx_check.txt
    [ "$(grep -c '^ok ' onnx_check.txt)" -eq "$(ls ./*.onnx | wc -l)" ] ||
        bad "onnx.checker: $(grep -c '^ok ' onnx_check.txt) of $(ls ./*.onnx | wc -l) models valid: $(tail -n 3 onnx_check.err)"
    echo "  onnx.checker: $(grep -c '^ok ' onnx_check.txt) of $(ls ./*.onnx | wc -l) models valid"
else
    echo "SKIP onnx.checker: Debian's python3-onnx is not installed (apt-get install python3-onnx)"
fi
NPMDIR=${ACRL_ONNXRUNTIME_DIR:-$BUILD/onnxruntime-node}
if [ "${ACRL_EXPORT_ONNX:-1}" = 0 ]; then
    :
elif [ $sanitized = 1 ]; then
    echo "SKIP ONNX Runtime: sanitizer build (run the test in the Release build)"
elif ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "SKIP ONNX Runtime: node or npm is not installed"
else
    if [ ! -d "$NPMDIR/node_modules/onnxruntime-node" ]; then
        mkdir -p "$NPMDIR"
        # CPU binaries ship in the package; its postinstall would only fetch optional CUDA ones
        ONNXRUNTIME_NODE_INSTALL_CUDA=skip ONNXRUNTIME_NODE_INSTALL=skip timeout 300 npm install --prefix "$NPMDIR" \
            --no-save --no-audit --no-fund --ignore-scripts onnxruntime-node >"$TMP/npm.log" 2>&1 ||
            echo "npm install onnxruntime-node failed: $(tail -n 3 "$TMP/npm.log")"
    fi
    if [ -d "$NPMDIR/node_modules/onnxruntime-node" ] &&
       NODE_PATH="$NPMDIR/node_modules" node -e "require('onnxruntime-node')" 2>/dev/null; then
        for run in $RUNS; do
            r=${run%%:*} e=${run#*:} flip=${run##*:}
            e=${e%:*}
            [ -f "$r.onnx" ] || continue
            NODE_PATH="$NPMDIR/node_modules" node "$HERE/export/ort_run.js" "$r.onnx" "obs_$e.csv" >"$r.ort" 2>"$r.err" ||
                { bad "onnxruntime $r: $(grep -v onnxruntime "$r.err" | tail -n 3)"; continue; }
            compare "ONNX Runtime $r on $e" "$r.act" "$r.ort" 1e-5 $flip
        done
    else
        echo "SKIP ONNX Runtime: onnxruntime-node could not be installed from npm into $NPMDIR"
    fi
fi

# ---- an env of a plugin: act and export load the plugin the run directory recorded --------
PLUGIN=$BUILD/examples/libtarget_reach.so
if [ -f "$PLUGIN" ]; then
    "$ACRL" train ppo TargetReach-v0 --plugin "$PLUGIN" --steps 1024 --set n_steps=256 --out plug --quiet >/dev/null 2>&1 ||
        bad "train --plugin"
    "$ACRL" rollout TargetReach-v0 --plugin "$PLUGIN" --seed 1 --actions random |
        awk -F, 'NR > 1 { print $3 "," $4 }' >plug_obs.csv
    "$ACRL" act plug --obs plug_obs.csv >plug.act 2>err.txt || bad "act RUN_DIR of a plugin env: $(cat err.txt)"
    "$ACRL" act plug/final.ckpt --plugin "$PLUGIN" --obs plug_obs.csv >plug2.act 2>err.txt && cmp -s plug.act plug2.act &&
        ok || bad "act --plugin: $(cat err.txt)"
    "$ACRL" export plug --format c -o plug.h >/dev/null 2>err.txt || bad "export c RUN_DIR of a plugin env: $(cat err.txt)"
    # shellcheck disable=SC2086
    gcc $CFLAGS -DPOLICY_HEADER='"plug.h"' -DPREFIX=acrl_policy -I. "$HERE/export/driver.c" -o plug.bin -lm &&
        ./plug.bin <plug_obs.csv >plug.out && cmp -s plug.act plug.out && [ -s plug.act ] && ok ||
        bad "C header of a plugin env's policy differs from acrl act"
else
    echo "SKIP plugin env: $PLUGIN is not built"
fi

# ---- bad input ----------------------------------------------------------------------------
expect2() { # WHAT PATTERN CMD...
    w=$1 pat=$2
    shift 2
    "$@" >/dev/null 2>err.txt
    rc=$?
    if [ $rc -eq 2 ] && grep -q -- "$pat" err.txt; then ok; else bad "$w: exit $rc, message '$(cat err.txt)' lacks '$pat'"; fi
}
expect2 "export of a CSV file" "is not an acrl checkpoint" "$ACRL" export ppo_cart/progress.csv --format c -o x.h
expect2 "export, unknown format" "unknown format 'tflite'" "$ACRL" export ppo_cart --format tflite -o x
expect2 "export --name 1x" "not a C identifier" "$ACRL" export ppo_cart --format c --name 1x -o x.h
expect2 "export --quantize int4" "unknown kind 'int4'" "$ACRL" export ppo_cart --format c --quantize int4 -o x.h
expect2 "export onnx --quantize" "applies to --format c only" "$ACRL" export ppo_cart --format onnx --quantize int8 -o x
"$ACRL" train ppo CartPole-v1 --set model=gbrl --steps 256 --set n_steps=128 --out gbrl --quiet >/dev/null 2>&1 &&
    expect2 "ONNX export of a tree-ensemble policy" "tree-ensemble policies (model = gbrl) is not supported" \
        "$ACRL" export gbrl --format onnx -o x.h
printf '0.1,0.2,0.3,0.4\n0.1,0.2,0.3\n' >w.csv
expect2 "act, wrong width" "line 2 has 3 values, expected 4" "$ACRL" act ppo_cart --obs w.csv
printf '0.1,0.2,0.3,0.4\n0.1,abc,0.3,0.4\n' >w.csv
expect2 "act, non-numeric" "line 2, value 2: 'abc' is not a finite number (expected 4" "$ACRL" act ppo_cart --obs w.csv
expect2 "act, stdin, wrong width" "line 1 has 5 values, expected 4" sh -c "echo 1,2,3,4,5 | '$ACRL' act ppo_cart"
expect2 "act of a CSV file" "not an acrl checkpoint" "$ACRL" act ppo_cart/progress.csv --obs w.csv
[ ! -e x.h ] && [ ! -e x.h.tmp ] && ok || bad "a failed export left a file behind"
# --stochastic: samples differ from the mode but repeat exactly
head -n 200 obs_Pendulum-v1.csv >p200.csv
"$ACRL" act ppo_pend --obs p200.csv --stochastic >s1.txt && "$ACRL" act ppo_pend --obs p200.csv --stochastic >s2.txt
cmp -s s1.txt s2.txt && ! cmp -s s1.txt "$(head -n 200 ppo_pend.act >m.txt; echo m.txt)" && ok ||
    bad "act --stochastic: not repeatable, or equal to the deterministic actions"

finish test_export

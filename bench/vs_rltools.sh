#!/bin/sh
# acrl against RLtools on RLtools' own Pendulum-v1 examples (SAC, TD3, PPO), measured side
# by side on one core: both are built here, then run interleaved (RLtools fast math, RLtools
# without fast math, acrl) for SEEDS rounds. Two tables of medians and ratios RLtools / acrl
# (above 1: acrl is faster): the training loop's own wall time (RLtools' "Time:" line, acrl's
# summary.json train_seconds: no process start, no final evaluation), and the whole process's
# user CPU seconds (evaluations included; robust when other jobs share the machine). Nothing
# of RLtools is in this repository: pass the path of your own checkout
# (https://github.com/rl-tools/rl-tools).
#
#     sh bench/vs_rltools.sh RLTOOLS_DIR [ACRL_BINARY (build/acrl)] [SEEDS (5)] [WORKDIR] [THREADS (1)] [WIDTH (64)]
#
# WIDTH = 256 (or any other width) compares SAC and TD3 at the MuJoCo reference sizes instead:
# copies of RLtools' two examples in WORKDIR are edited to hidden layers of WIDTH x WIDTH, actor
# and critic batches of WIDTH rows and 3,000 env steps (replay capacity stays 10,000), and acrl
# runs its presets with --set net_arch=WIDTH,WIDTH --set batch_size=WIDTH --set n_timesteps=3000.
# Everything else is as in the 64-wide comparison below (PPO is not run).
#
# ACRL_EXTRA (environment) is appended to every acrl command line, for example
# ACRL_EXTRA="--set precision=bf16" to time acrl's opt-in bf16 products against the same RLtools.
#
# THREADS = 2 runs acrl with --threads 2 (both cores: the off-policy update's two lanes) against
# RLtools on one; compare the training-loop wall table then (user CPU adds both cores up).
#
# RLtools is built as its CMake files build the examples' benchmark targets: -O3 (or -Ofast)
# -march=native, the OpenBLAS backend (Debian's libopenblas-dev, installed if missing when run
# as root), BENCHMARK defined (no evaluation during training), TensorBoard and HDF5 off.
# Work done by each side, made equal where the examples allow:
#   SAC  sac/cpu/training.cpp, 10,000 steps; acrl configs/sac/Pendulum-v1-rltools.ini, no
#        final evaluation (--eval-episodes 0).
#   TD3  td3/cpu/standalone.cpp, 20,000 steps with RLtools' default evaluation (10 episodes
#        every 1,000 steps, 21 in all); acrl configs/td3/Pendulum-v1-rltools.ini with
#        eval_freq 1,000 and 10 evaluation episodes, no final evaluation.
#   PPO  ppo/cpu/training.cpp, 74 updates of 4 x 1,024 steps plus one statistics rollout and
#        a final evaluation of 1,000 episodes; acrl configs/ppo/Pendulum-v1-rltools.ini with a
#        final evaluation of 1,000 episodes.
# OpenBLAS runs on one thread (OPENBLAS_NUM_THREADS=1) with OPENBLAS_CORETYPE set from the
# CPU's flags (Debian's 0.3.21 misdetects recent AMD CPUs and falls back to slow kernels);
# acrl runs with --threads 1. Name the CPU (printed first) with the figures.
set -eu
RLT=${1:?usage: vs_rltools.sh RLTOOLS_DIR [ACRL_BINARY] [SEEDS] [WORKDIR] [THREADS]}
ACRL=${2:-build/acrl}
SEEDS=${3:-5}
WORK=${4:-$(mktemp -d)}
THREADS=${5:-1}
WIDTH=${6:-64}
case $THREADS in 1 | 2) ;; *) echo "vs_rltools: THREADS must be 1 or 2, not $THREADS" >&2; exit 2 ;; esac
case $WIDTH in '' | *[!0-9]*) echo "vs_rltools: WIDTH must be a whole number, not $WIDTH" >&2; exit 2 ;; esac
[ "$WIDTH" -ge 8 ] && [ "$WIDTH" -le 1024 ] || { echo "vs_rltools: WIDTH must be in [8, 1024], not $WIDTH" >&2; exit 2; }
WIDE_STEPS=3000
# binaries of the edited examples are named rlt-ALGO-WIDTH (so one WORKDIR holds both widths)
if [ "$WIDTH" = 64 ]; then ALGOS="sac td3 ppo"; SFX=; else ALGOS="sac td3"; SFX=-$WIDTH; fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -d "$RLT/include/rl_tools" ] || { echo "vs_rltools: $RLT is not an RLtools checkout (no include/rl_tools)" >&2; exit 2; }
[ -x "$ACRL" ] || { echo "vs_rltools: no acrl binary at $ACRL (make build first)" >&2; exit 2; }
command -v g++ >/dev/null || { echo "vs_rltools: g++ is needed to build RLtools" >&2; exit 2; }
OB=/usr/include/x86_64-linux-gnu/openblas-pthread
if [ ! -f "$OB/cblas.h" ]; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y -q libopenblas-dev >/dev/null
    else echo "vs_rltools: RLtools' OpenBLAS backend needs libopenblas-dev (apt-get install libopenblas-dev)" >&2; exit 2; fi
fi
mkdir -p "$WORK"
if grep -q avx512f /proc/cpuinfo; then CORETYPE=SkylakeX; elif grep -q avx2 /proc/cpuinfo; then CORETYPE=Haswell; else CORETYPE=; fi
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "RLtools: $RLT ($(git -C "$RLT" rev-parse --short HEAD 2>/dev/null || echo 'no git')); acrl: $ACRL --threads $THREADS ${ACRL_EXTRA:-}; OPENBLAS_CORETYPE=${CORETYPE:-unset}; width $WIDTH"

EX=$RLT/src/rl/environments/pendulum
DEFS="-DBENCHMARK -DRL_TOOLS_DISABLE_HDF5 -DRL_TOOLS_DISABLE_TENSORBOARD -DRL_TOOLS_BACKEND_ENABLE_OPENBLAS"
build() { # NAME SOURCE FLAGS
    [ -x "$WORK/$1" ] && return 0
    echo "building RLtools $1 ..." >&2
    g++ -std=c++17 $3 -march=native $DEFS -I "$RLT/include" -I "$OB" "$2" -o "$WORK/$1" -lopenblas -lpthread
}
# WIDTH != 64: edited copies of the two off-policy examples (the edits are checked: a copy
# that does not change as expected stops the script rather than comparing other work)
widen() { # ALGO -> path of the edited source
    d=$WORK/src-$WIDTH-$1; mkdir -p "$d"
    case $1 in
        sac) cp "$EX/sac/cpu/training.cpp" "$EX/sac/cpu/training.h" "$d/"
             sed -i -e "s/\(BATCH_SIZE = \)100;/\1$WIDTH;/" -e "s/\(HIDDEN_DIM = \)64;/\1$WIDTH;/" \
                    -e "s/\(STEP_LIMIT = \)10000;/\1$WIDE_STEPS;/" "$d/training.h"
             f=$d/training.h; want=5; out=$d/training.cpp ;;
        td3) cp "$EX/td3/cpu/standalone.cpp" "$d/"
             sed -i -e "s/\(HIDDEN_DIM = \)64;/\1$WIDTH;/" -e "s/\(STEP_LIMIT = \)20000;/\1$WIDE_STEPS;/" \
                    -e "s/^\(struct LOOP_CORE_PARAMETERS: rlt::rl::algorithms::td3::loop::core::DefaultParameters<TYPE_POLICY, TI, ENVIRONMENT>{\)\$/\1 struct TD3_PARAMETERS: rlt::rl::algorithms::td3::DefaultParameters<TYPE_POLICY, TI>{ static constexpr TI ACTOR_BATCH_SIZE = $WIDTH; static constexpr TI CRITIC_BATCH_SIZE = $WIDTH; };/" \
                    "$d/standalone.cpp"
             f=$d/standalone.cpp; want=4; out=$f ;;
    esac
    n=$(grep -c "= $WIDTH;\|= $WIDE_STEPS;" "$f" || true)
    [ "$n" -ge "$want" ] || { echo "vs_rltools: could not edit $1's example to width $WIDTH ($n of $want edits; RLtools changed?)" >&2; exit 1; }
    echo "$out"
}
for a in $ALGOS; do
    case $a in sac) src=$EX/sac/cpu/training.cpp ;; td3) src=$EX/td3/cpu/standalone.cpp ;; ppo) src=$EX/ppo/cpu/training.cpp ;; esac
    [ -z "$SFX" ] || src=$(widen $a)
    build "rlt-$a$SFX-fast" "$src" "-O3 -ffast-math"
    build "rlt-$a$SFX" "$src" "-O3"
done

# one timed run: prints "training_wall user" seconds
timed() {
    /usr/bin/time -f "%U" -o "$WORK/time" "$@" >"$WORK/out" 2>&1 || { echo "vs_rltools: failed: $*" >&2; tail -5 "$WORK/out" >&2; exit 1; }
    if [ -f "$WORK/run/summary.json" ]; then
        train=$(awk -F': ' '/"train_seconds"/ { gsub(/,/, "", $2); print $2 }' "$WORK/run/summary.json")
    else
        train=$(grep -a '^Time: ' "$WORK/out" | tail -1 | sed 's/^Time: \([0-9.]*\)s*/\1/')
    fi
    echo "${train:-nan} $(cat "$WORK/time")"
}
acrl_args() { # ALGO
    wide=""
    [ -z "$SFX" ] || wide="--set net_arch=$WIDTH,$WIDTH --set batch_size=$WIDTH --set n_timesteps=$WIDE_STEPS"
    case $1 in
        sac) echo "train sac Pendulum-v1 --config $ROOT/configs/sac/Pendulum-v1-rltools.ini --eval-episodes 0 $wide" ;;
        td3) echo "train td3 Pendulum-v1 --config $ROOT/configs/td3/Pendulum-v1-rltools.ini --set eval_freq=1000 --set n_eval_episodes=10 --eval-episodes 0 $wide" ;;
        ppo) echo "train ppo Pendulum-v1 --config $ROOT/configs/ppo/Pendulum-v1-rltools.ini --eval-episodes 1000" ;;
    esac
}
: >"$WORK/times"
r=0
while [ "$r" -lt "$SEEDS" ]; do
    for a in $ALGOS; do
        rm -rf "$WORK/run"
        echo "$a rlt-fast $(OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=$CORETYPE timed "$WORK/rlt-$a$SFX-fast")" >>"$WORK/times"
        echo "$a rlt $(OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=$CORETYPE timed "$WORK/rlt-$a$SFX")" >>"$WORK/times"
        # shellcheck disable=SC2046
        echo "$a acrl $(timed "$ACRL" $(acrl_args $a) --seed "$r" --threads "$THREADS" ${ACRL_EXTRA:-} --quiet --out "$WORK/run")" >>"$WORK/times"
    done
    r=$((r + 1))
done
python3 - "$WORK/times" "$THREADS" "$WIDTH" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    a, who, wall, user = line.split()
    t.setdefault((a, who), []).append((float(wall), float(user)))
med = lambda k, i: statistics.median(x[i] for x in t[k])
for i, what in ((0, "training loop, wall s"), (1, "whole process, user CPU s")):
    print()
    print("| %s | acrl | RLtools fast math | RLtools | ratio vs fast math | ratio vs no fast math |" % what)
    print("|---|---:|---:|---:|---:|---:|")
    for a in ("sac", "td3", "ppo"):
        if (a, "acrl") not in t: continue
        ac, f, n = med((a, "acrl"), i), med((a, "rlt-fast"), i), med((a, "rlt"), i)
        print("| %s Pendulum-v1, %sx%s | %.2f | %.2f | %.2f | **%.2f** | %.2f |" % (a.upper(), sys.argv[3], sys.argv[3], ac, f, n, f / ac, n / ac))
print()
print("(medians of %d interleaved runs each; ratio = RLtools time / acrl time; acrl --threads %s)" % (len(t[("sac", "acrl")]), sys.argv[2]))
PY

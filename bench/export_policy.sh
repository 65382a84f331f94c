#!/bin/sh
# Exported C policy (acrl export --format c), 64x64 tanh MLP: nanoseconds per action of the
# header compiled for x86-64 and for 32-bit x86 (-m32, needs gcc-multilib), the header's size,
# and the int8 variant's size and error. Usage: sh bench/export_policy.sh BUILD_DIR
# (docs/benchmarks.md, "Policy export").
set -u
BUILD=$(cd "${1:?usage: export_policy.sh BUILD_DIR}" && pwd)
ACRL=$BUILD/acrl
DRIVER=$(cd "$(dirname "$0")/.." && pwd)/tests/export/driver.c
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
lscpu | sed -n 's/^Model name: *//p' | head -n 1
gcc --version | head -n 1

# ENV: a PPO policy (64,64 tanh, normalized observations) trained briefly, 10,000 observations
bench() {
    env=$1
    "$ACRL" train ppo "$env" --steps 2048 --set n_steps=512 --set normalize=1 --set net_arch=64,64 --out run --quiet \
        >/dev/null || return
    s=0
    : >obs.csv
    while [ "$(wc -l <obs.csv)" -lt 10000 ]; do
        "$ACRL" rollout "$env" --seed $s --actions random |
            awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^o[0-9]+$/) c[++n] = i; next }
                     { l = $c[1]; for (i = 2; i <= n; i++) l = l "," $c[i]; print l }' >>obs.csv
        s=$((s + 1))
    done
    head -n 10000 obs.csv >o.csv
    "$ACRL" export run --format c -o p.h >/dev/null
    "$ACRL" export run --format c --quantize int8 -o q.h >/dev/null
    "$ACRL" act run --obs o.csv >ref.txt
    echo "## $env: $(grep -m1 '^ \* Network' p.h | sed 's/^ \* //')"
    echo "header $(wc -c <p.h) bytes, int8 header $(wc -c <q.h) bytes"
    for cfg in "x86-64 -O2:-O2" "x86-64 -O3 -march=native:-O3 -march=native" "32-bit -m32 -O2 (x87):-m32 -O2" \
               "32-bit -m32 -O2 -msse2 -mfpmath=sse:-m32 -O2 -msse2 -mfpmath=sse" "int8, x86-64 -O2:-O2 int8"; do
        name=${cfg%%:*} flags=${cfg#*:} h=p.h
        case "$flags" in *int8) flags=${flags% int8} h=q.h ;; esac
        # shellcheck disable=SC2086
        if ! gcc -std=c99 -pedantic -Wall -Wextra -Werror $flags -DPOLICY_HEADER="\"$h\"" -DPREFIX=acrl_policy -I. \
            "$DRIVER" -o drv -lm 2>/dev/null; then
            echo "$name: does not compile here (gcc-multilib missing?)"
            continue
        fi
        t=$(./drv --bench 20 <o.csv)
        ./drv <o.csv >got.txt
        d=$(paste -d, ref.txt got.txt | awk -F, '{ k = NF / 2; for (j = 1; j <= k; j++) { x = $j - $(j + k);
            if (x < 0) x = -x; if (x > m) m = x; if ($j != $(j + k)) n++ } } END { printf "%g (%d of %d values differ)", m, n, NR * k }')
        echo "$name: $t; max |action - acrl act| $d"
    done
}
bench Pendulum-v1
"$ACRL" envs | grep -q HalfCheetah-v4 && bench HalfCheetah-v4

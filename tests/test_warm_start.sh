#!/bin/sh
# warm_start = lqr (docs/generalisation.md): the pre-trained actor acts like the LQR gain the
# notice prints, the critic fits the quadratic value, reruns are byte-identical, a resumed run
# equals one straight through (the warm start is not repeated), and combinations that cannot
# work are refused with exit code 2. Usage: sh tests/test_warm_start.sh /path/to/acrl
ACRL=${1:?usage: test_warm_start.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"
same() { if cmp -s "$2" "$3"; then ok; else bad "$1: $2 and $3 differ"; fi; }
differ() { if cmp -s "$2" "$3"; then bad "$1: $2 and $3 are identical"; else ok; fi; }
expect_error() {
    pat=$1
    shift
    "$ACRL" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ "$rc" -eq 2 ] || { bad "acrl $*: exit code $rc, want 2 ($(cat "$TMP/err"))"; return; }
    grep -qF -- "$pat" "$TMP/err" && ok || bad "acrl $*: message '$(cat "$TMP/err")' lacks '$pat'"
}

# Pendulum states (th, thdot) inside the sampling box, as observations cos th, sin th, thdot
printf '0.05 0.1\n-0.03 0.2\n0.1 -0.5\n-0.2 0.3\n' >"$TMP/states"
awk '{ printf "%.9g,%.9g,%.9g\n", cos($1), sin($1), $2 }' "$TMP/states" >"$TMP/obs.csv"

# check_actor NAME RUN_DIR NOTICE_FILE: acrl act's actions vs clip(-K x) with the printed K
check_actor() {
    k=$(sed -n 's/.*K = \[\([^]]*\)\].*/\1/p' "$3")
    [ -n "$k" ] || { bad "$1: no warm-start notice in $(cat "$3")"; return; }
    "$ACRL" act "$2" --obs "$TMP/obs.csv" >"$TMP/act" 2>"$TMP/act.err" || { bad "$1: acrl act failed"; return; }
    d=$(paste -d' ' "$TMP/states" "$TMP/act" | awk -v k="$k" '
        BEGIN { split(k, K, " ") }
        { u = -(K[1] * $1 + K[2] * $2); if (u > 2) u = 2; if (u < -2) u = -2
          e = $3 - u; if (e < 0) e = -e; if (e > m) m = e }
        END { printf "%.4f", m }')
    echo "  $1: K = [$k], max |action - clip(-Kx)| = $d (tol 0.3)"
    awk -v d="$d" 'BEGIN { exit !(d <= 0.3) }' && ok || bad "$1: actions differ from the LQR actions by $d"
}

# learning_rate = 0: RL leaves the pre-trained weights as they are
P="train ppo Pendulum-v1 --steps 2048 --quiet --eval-episodes 0 --set learning_rate=0 --set warm_start=lqr"
"$ACRL" $P --seed 3 --out "$TMP/ppo" >"$TMP/ppo.out" 2>"$TMP/ppo.err" || bad "ppo warm start run failed: $(cat "$TMP/ppo.err")"
check_actor ppo "$TMP/ppo" "$TMP/ppo.err"
# the critic fitted the quadratic value: its MSE is small against the targets' spread (|V| up to ~9)
c=$(sed -n 's/.*critic MSE \([0-9.e+-]*\).*/\1/p' "$TMP/ppo.err")
echo "  ppo: critic MSE $c (tol 0.05)"
awk -v c="$c" 'BEGIN { exit !(c != "" && c + 0 <= 0.05) }' && ok || bad "ppo: critic MSE '$c'"
S="train sac Pendulum-v1 --steps 200 --quiet --eval-episodes 0 --set learning_rate=0 --set warm_start=lqr --set net_arch=64,64
   --set warm_start_steps=1000"
"$ACRL" $S --seed 3 --out "$TMP/sac" >/dev/null 2>"$TMP/sac.err" || bad "sac warm start run failed: $(cat "$TMP/sac.err")"
check_actor sac "$TMP/sac" "$TMP/sac.err"
c=$(sed -n 's/.*critic MSE \([0-9.e+-]*\).*/\1/p' "$TMP/sac.err")
echo "  sac: critic MSE $c (tol 0.5)"
awk -v c="$c" 'BEGIN { exit !(c != "" && c + 0 <= 0.5) }' && ok || bad "sac: critic MSE '$c'"
T="train td3 Pendulum-v1 --steps 200 --quiet --eval-episodes 0 --set learning_rate=0 --set learning_starts=100
   --set warm_start=lqr --set warm_start_steps=1000 --set net_arch=64,64"
"$ACRL" $T --seed 3 --out "$TMP/td3" >/dev/null 2>"$TMP/td3.err" || bad "td3 warm start run failed: $(cat "$TMP/td3.err")"
check_actor td3 "$TMP/td3" "$TMP/td3.err"

# determinism, effect, exact resume (checkpoint at 1024, stop there, resume)
R="train ppo Pendulum-v1 --steps 4096 --quiet --eval-episodes 0 --set warm_start=lqr --set checkpoint_freq=2048
   --set warm_start_steps=300"
"$ACRL" $R --seed 1 --out "$TMP/a" >/dev/null 2>&1 || bad "run a failed"
"$ACRL" $R --seed 1 --out "$TMP/b" >/dev/null 2>&1 || bad "run b failed"
same "rerun" "$TMP/a/final.ckpt" "$TMP/b/final.ckpt"
"$ACRL" $R --seed 1 --set warm_start=none --out "$TMP/n" >/dev/null 2>&1 || bad "run without warm start failed"
differ "warm start vs none" "$TMP/a/final.ckpt" "$TMP/n/final.ckpt"
"$ACRL" $R --seed 1 --stop-at 2048 --out "$TMP/c" >/dev/null 2>&1 || bad "run c (stop) failed"
"$ACRL" train --resume "$TMP/c" --quiet >/dev/null 2>"$TMP/c.err" || bad "resume failed: $(cat "$TMP/c.err")"
same "resume" "$TMP/a/final.ckpt" "$TMP/c/final.ckpt"
grep -q "warm start" "$TMP/c.err" && bad "the resume repeated the warm start" || ok

# refusals: exit code 2, the message names the reason
expect_error "knows no equilibrium of CartPole-v1" train ppo CartPole-v1 --set warm_start=lqr --out "$TMP/x1"
expect_error "DoorKeyGrid-v0 has none" train ppo DoorKeyGrid-v0 --set warm_start=lqr --out "$TMP/x2"
expect_error "not supported by pmoe" train pmoe Pendulum-v1 --set warm_start=lqr --out "$TMP/x3"
expect_error "does not combine with normalize_reward" train ppo Pendulum-v1 --set warm_start=lqr \
    --set normalize_reward=1 --out "$TMP/x4"
expect_error "warm_start" train ppo Pendulum-v1 --set warm_start=lq --out "$TMP/x5"

finish test_warm_start

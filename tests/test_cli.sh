#!/bin/sh
# Tests of the acrl command-line tool: exit codes and messages of error cases, --version,
# help, and rollout CSV output. Usage: sh tests/test_cli.sh /path/to/acrl
ACRL=${1:?usage: test_cli.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"

# expect_error PATTERN ARGS...: exit code 2, one stderr line starting with "acrl: ",
# containing PATTERN and a "see 'acrl help" hint.
expect_error() {
    pat=$1
    shift
    "$ACRL" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    msg=$(cat "$TMP/err")
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" -ne 2 ]; then bad "acrl $*: exit code $rc, want 2 ($msg)"; return; fi
    case "$msg" in
        "acrl: "*"$pat"*"see 'acrl help"*) ;;
        *) bad "acrl $*: message '$msg' lacks '$pat' or the hint"; return ;;
    esac
    if [ "$lines" -ne 1 ]; then bad "acrl $*: $lines stderr lines, want 1"; return; fi
    ok
}

# expect_eq WHAT GOT WANT
expect_eq() {
    if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}

# expect_csv_row WHAT GOT WANT: comma-separated fields equal, numbers to 1e-6 (relative)
expect_csv_row() {
    if echo "$2|$3" | awk -F'|' '{
            n = split($1, g, ","); m = split($2, w, ",");
            if (n != m) exit 1;
            for (i = 1; i <= n; i++) {
                if (g[i] == w[i]) continue;
                if (g[i] == "" || w[i] == "") exit 1;
                d = g[i] - w[i]; if (d < 0) d = -d;
                s = w[i] < 0 ? -w[i] : w[i];
                if (d > 1e-6 * (s > 1 ? s : 1)) exit 1;
            }
            exit 0 }'; then ok; else bad "$1: got '$2', want '$3'"; fi
}

# ---- general -------------------------------------------------------------------------
out=$("$ACRL" --version); rc=$?
expect_eq "--version exit code" "$rc" 0
case "$out" in "acrl "[0-9]*.[0-9]*) ok ;; *) bad "--version printed '$out'" ;; esac
out=$("$ACRL" help); rc=$?
expect_eq "help exit code" "$rc" 0
case "$out" in *rollout*envs*|*envs*rollout*) ok ;; *) bad "help does not list envs and rollout" ;; esac
out=$("$ACRL" help rollout); rc=$?
expect_eq "help rollout exit code" "$rc" 0
case "$out" in "usage: acrl rollout"*) ok ;; *) bad "help rollout printed '$out'" ;; esac
out=$("$ACRL" rollout --help); rc=$?
case "$rc:$out" in "0:usage: acrl rollout"*) ok ;; *) bad "rollout --help" ;; esac
"$ACRL" >/dev/null 2>&1; expect_eq "no command exit code" "$?" 2
expect_error "unknown command 'frobnicate'" frobnicate
expect_error "unknown command 'nope'" help nope
expect_error "unexpected argument" envs extra
expect_error "unknown option '--bogus'" rollout --bogus 1
expect_error "missing ENV" rollout

out=$("$ACRL" envs); rc=$?
expect_eq "envs exit code" "$rc" 0
case "$out" in "ID "*OBSERVATION*ACTION*"MAX STEPS"*SOLVED*) ok ;; *) bad "envs header: $out" ;; esac
ENV=$(echo "$out" | awk 'NR == 2 { print $1 }')
[ -n "$ENV" ] && ok || bad "envs lists no env"
expect_error "NoSuchEnv-v0" rollout NoSuchEnv-v0
expect_error "$ENV" rollout NoSuchEnv-v0   # the message lists the valid ids

# ---- number parsing and options, on the first registered env --------------------------------
expect_error "'abc' is not an integer" rollout "$ENV" --seed abc
expect_error "'1.5' is not an integer" rollout "$ENV" --steps 1.5
expect_error "out of range" rollout "$ENV" --seed 99999999999999999999999
expect_error "out of range" rollout "$ENV" --seed -1
expect_error "needs a value" rollout "$ENV" --seed
expect_error "'x' is not a number" rollout "$ENV" --state 1,x
expect_error "expects" rollout "$ENV" --state 1,2,3,4,5,6,7,8,9,10,11,12,13
expect_error "cannot open" rollout "$ENV" --actions "$TMP/does-not-exist"
head=$("$ACRL" rollout "$ENV" --steps 1 | head -n 1)
case "$head" in step,a0*,o0*,reward,terminated,truncated) ok ;; *) bad "rollout header '$head'" ;; esac
rows=$("$ACRL" rollout "$ENV" --steps 3 --seed 5 | wc -l)
[ "$rows" -ge 2 ] && [ "$rows" -le 5 ] && ok || bad "rollout --steps 3 printed $rows lines"
a=$("$ACRL" rollout "$ENV" --seed 7 --steps 20 --actions random)
b=$("$ACRL" rollout "$ENV" --seed 7 --steps 20)
expect_eq "random actions are the default and reproducible" "$a" "$b"


# ---- CartPole-v1 ---------------------------------------------------------------------------
if "$ACRL" envs | grep -q '^CartPole-v1 '; then
    printf '1\n0\n' >"$TMP/cp"
    out=$("$ACRL" rollout CartPole-v1 --state 0,0,0,0 --actions "$TMP/cp"); rc=$?
    expect_eq "cartpole rollout exit code" "$rc" 0
    expect_eq "cartpole header" "$(echo "$out" | sed -n 1p)" "step,a0,o0,o1,o2,o3,reward,terminated,truncated"
    expect_eq "cartpole row 0" "$(echo "$out" | sed -n 2p)" "0,,0,0,0,0,,0,0"
    # Euler step of Gymnasium's CartPole from the zero state, computed by hand (float32 obs)
    expect_csv_row "cartpole row 1" "$(echo "$out" | sed -n 3p)" "1,1,0,0.195121944,0,-0.292682916,1,0,0"
    expect_csv_row "cartpole row 2" "$(echo "$out" | sed -n 4p)" "2,0,0.00390243903,0,-0.00585365854,0,1,0,0"
    expect_eq "cartpole stops when the file runs out" "$(echo "$out" | wc -l)" 4
    expect_error "expects 4 values" rollout CartPole-v1 --state 0,0,0
    printf '1\n2\n' >"$TMP/cp"
    expect_error "line 2: '2' is out of range" rollout CartPole-v1 --actions "$TMP/cp"
    printf '1.5\n' >"$TMP/cp"
    expect_error "line 1: '1.5' is not an integer" rollout CartPole-v1 --actions "$TMP/cp"
    n=$("$ACRL" rollout CartPole-v1 --seed 3 | tail -n 1 | awk -F, '{ print ($7 == 1 || $8 == 1) }')
    expect_eq "cartpole random episode ends terminated or truncated" "$n" 1
else
    bad "CartPole-v1 is not registered"
fi

# ---- train / eval / plot -----------------------------------------------------------------
RUN="$TMP/run"
"$ACRL" train ppo CartPole-v1 --steps 1024 --seed 3 --quiet --out "$RUN" --eval-episodes 2 \
    --set n_steps=64 --set batch_size=64 --set n_epochs=1 --set n_envs=4 >"$TMP/train.out" 2>"$TMP/train.err"
expect_eq "train exit code" "$?" 0
for f in config.ini progress.csv summary.json last.ckpt final.ckpt; do
    if [ -s "$RUN/$f" ]; then ok; else bad "train: $f missing or empty"; fi
done
if ls "$RUN"/events.out.tfevents.* >/dev/null 2>&1; then ok; else bad "train: no TensorBoard event file"; fi
for key in algo env seed steps wall_seconds sps eval_return_mean eval_return_std eval_episodes \
           first_solved_step first_solved_seconds; do
    if grep -q "\"$key\":" "$RUN/summary.json"; then ok; else bad "summary.json lacks $key"; fi
done
expect_eq "progress.csv header" "$(head -n 1 "$RUN/progress.csv" | cut -d, -f1-4)" "step,wall_seconds,sps,return_mean"
out=$("$ACRL" eval "$RUN" --episodes 2 --seed 5); rc=$?
expect_eq "eval exit code" "$rc" 0
case "$out" in "episodes 2  return mean "*) ok ;; *) bad "eval output: '$out'" ;; esac
# the effective configuration reads back as a config file
"$ACRL" train ppo CartPole-v1 --steps 256 --quiet --out "$TMP/run2" --config "$RUN/config.ini" --eval-episodes 0 \
    >/dev/null 2>&1
expect_eq "train --config config.ini exit code" "$?" 0
expect_eq "config round trip" "$(grep -v '^#' "$TMP/run2/config.ini" | grep -v n_timesteps)" \
    "$(grep -v '^#' "$RUN/config.ini" | grep -v n_timesteps)"
if command -v gnuplot >/dev/null 2>&1; then
    "$ACRL" plot "$RUN" -o "$TMP/curve.png" >/dev/null; expect_eq "plot exit code" "$?" 0
    expect_eq "plot writes a PNG" "$(head -c 4 "$TMP/curve.png" | tail -c 3)" "PNG"
fi
expect_error "unknown algorithm 'dqn'" train dqn CartPole-v1
expect_error "unknown key 'learning_rat'; did you mean 'learning_rate'?" train ppo CartPole-v1 --set learning_rat=1
expect_error "is not an acrl checkpoint" eval "$RUN/config.ini"
expect_error "ppo has no replay buffer" train ppo CartPole-v1 --save-buffer
expect_error "n_experts = 65 is out of range [1, 64]" train pmoe Pendulum-v1 --set n_experts=65
expect_error "n_experts = 0 is out of range [1, 64]" train pmoe Pendulum-v1 --set n_experts=0
# acrl qbias: a table, q_bias_* fields in summary.json; runs without a Q critic refused
expect_error "ppo has no Q critic" qbias "$RUN"
expect_error "--episodes" qbias "$RUN" --episodes 0
"$ACRL" train pmoe Pendulum-v1 --steps 300 --quiet --out "$TMP/pmoe" --eval-episodes 1 --set net_arch=16,16 \
    --set batch_size=16 --set learning_starts=100 >/dev/null 2>&1
expect_eq "train pmoe exit code" "$?" 0
out=$("$ACRL" qbias "$TMP/pmoe" --episodes 2); rc=$?
expect_eq "qbias exit code" "$rc" 0
case "$out" in *"states counted"*"400 of 400 visited"*"bias Q - G: mean"*"2 bootstrapped"*) ok ;;
    *) bad "qbias output: '$out'" ;; esac
for key in q_bias_mean q_bias_std q_bias_normalized_mean q_bias_normalized_std q_bias_states; do
    if grep -q "\"$key\":" "$TMP/pmoe/summary.json"; then ok; else bad "summary.json lacks $key after qbias"; fi
done
"$ACRL" help ppo | grep -q "^  clip_range " && ok || bad "acrl help ppo lacks clip_range"

# found by fuzz_ckpt_load: a collector section whose observation variance is negative was
# accepted by eval and exported into a policy.ckpt that eval then refused
expect_error "holds an invalid observation statistic" eval fixtures/ckpt/bad_collector_negative_variance.ckpt --episodes 1
expect_error "holds an invalid observation statistic" export fixtures/ckpt/bad_collector_negative_variance.ckpt -o "$TMP/p.ckpt"

# rollout --env-args: Pendulum-v1 with the velocity hidden has two observation columns
[ "$("$ACRL" rollout Pendulum-v1 --env-args hide=velocity --steps 1 | head -1)" = "step,a0,o0,o1,reward,terminated,truncated" ] &&
    ok || bad "rollout --env-args hide=velocity header"
expect_error "unknown key 'bogus'" rollout LaserNav-v0 --env-args bogus=1

# a presets directory that does not exist: the run trains on the defaults, and says so
ACRL_CONFIG_DIR="$TMP/no-such-dir" "$ACRL" train ppo CartPole-v1 --steps 64 --quiet --out "$TMP/nopre" >/dev/null 2>"$TMP/err" &&
    ok || bad "train without presets: $(cat "$TMP/err")"
grep -q "warning: no presets directory $TMP/no-such-dir" "$TMP/err" && ok || bad "no warning without presets: $(cat "$TMP/err")"

finish test_cli

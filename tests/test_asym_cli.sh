#!/bin/sh
# critic_obs = state and acrl distill through the CLI (docs/generalisation.md, "Asymmetric critics
# and distillation"): reruns byte-identical and resumes exact for PPO and SAC (noisy, normalized
# observations and states: the env's generator and the state statistics are in checkpoints);
# refusals with exit code 2; a distilled student's loss falls and its actions approach the
# teacher's; its policy.ckpt evaluates. Usage: sh tests/test_asym_cli.sh /path/to/acrl
ACRL=${1:?usage: test_asym_cli.sh /path/to/acrl}
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

# --- PPO: rerun, exact resume, symmetric differs ---
P="train ppo Pendulum-v1 --steps 4096 --envs 2 --quiet --eval-episodes 2 --set n_steps=256 --set checkpoint_freq=2048
   --set normalize=1 --set env_args=hide=velocity,obs_noise=0.05,obs_stack=2 --set eval_freq=0"
"$ACRL" $P --set critic_obs=state --seed 1 --out "$TMP/pa" >/dev/null 2>"$TMP/pa.err" || bad "ppo a: $(cat "$TMP/pa.err")"
"$ACRL" $P --set critic_obs=state --seed 1 --out "$TMP/pb" >/dev/null 2>&1 || bad "ppo b failed"
same "ppo rerun" "$TMP/pa/final.ckpt" "$TMP/pb/final.ckpt"
"$ACRL" $P --set critic_obs=state --seed 1 --stop-at 2048 --out "$TMP/pc" >/dev/null 2>&1 || bad "ppo c (stop) failed"
"$ACRL" train --resume "$TMP/pc" --quiet --eval-episodes 2 >/dev/null 2>"$TMP/pc.err" || bad "ppo resume: $(cat "$TMP/pc.err")"
same "ppo resume" "$TMP/pa/final.ckpt" "$TMP/pc/final.ckpt"
"$ACRL" $P --seed 1 --out "$TMP/ps" >/dev/null 2>&1 || bad "ppo symmetric failed"
differ "ppo state vs obs" "$TMP/pa/final.ckpt" "$TMP/ps/final.ckpt"
"$ACRL" eval "$TMP/pa/policy.ckpt" --episodes 2 >"$TMP/ev" 2>&1 && grep -q "return mean" "$TMP/ev" && ok ||
    bad "eval of the asymmetric ppo policy: $(cat "$TMP/ev")"
"$ACRL" export "$TMP/pa" --format c -o "$TMP/pa.h" >/dev/null 2>"$TMP/ex.err" && ok || bad "export c: $(cat "$TMP/ex.err")"
# a2c runs with it too
"$ACRL" train a2c Pendulum-v1 --steps 500 --quiet --eval-episodes 1 --set env_args=hide=velocity --set critic_obs=state \
    --out "$TMP/a2c" >/dev/null 2>"$TMP/a2c.err" && ok || bad "a2c critic_obs=state: $(cat "$TMP/a2c.err")"

# --- SAC with the buffer: rerun, exact resume ---
S="train sac Pendulum-v1 --steps 600 --quiet --eval-episodes 1 --save-buffer --set net_arch=32,32 --set batch_size=32
   --set learning_starts=100 --set checkpoint_freq=300 --set eval_freq=0 --set normalize=1 --threads 1
   --set env_args=hide=velocity,obs_noise=0.05 --set critic_obs=state"
"$ACRL" $S --seed 2 --out "$TMP/sa" >/dev/null 2>"$TMP/sa.err" || bad "sac a: $(cat "$TMP/sa.err")"
"$ACRL" $S --seed 2 --out "$TMP/sb" >/dev/null 2>&1 || bad "sac b failed"
same "sac rerun" "$TMP/sa/final.ckpt" "$TMP/sb/final.ckpt"
"$ACRL" $S --seed 2 --stop-at 300 --out "$TMP/sc" >/dev/null 2>&1 || bad "sac c (stop) failed"
"$ACRL" train --resume "$TMP/sc" --quiet --eval-episodes 1 >/dev/null 2>"$TMP/sc.err" || bad "sac resume: $(cat "$TMP/sc.err")"
same "sac resume" "$TMP/sa/final.ckpt" "$TMP/sc/final.ckpt"
"$ACRL" train td3 Pendulum-v1 --steps 300 --quiet --eval-episodes 1 --set net_arch=32,32 --set learning_starts=100 \
    --set env_args=hide=velocity --set critic_obs=state --out "$TMP/td3" >/dev/null 2>"$TMP/td3.err" && ok ||
    bad "td3 critic_obs=state: $(cat "$TMP/td3.err")"
"$ACRL" train ddpg Pendulum-v1 --steps 300 --quiet --eval-episodes 1 --set net_arch=32,32 --set learning_starts=100 \
    --set env_args=hide=velocity --set critic_obs=state --out "$TMP/ddpg" >/dev/null 2>"$TMP/ddpg.err" && ok ||
    bad "ddpg critic_obs=state: $(cat "$TMP/ddpg.err")"

expect_error "critic_obs = state" qbias "$TMP/sa/final.ckpt" --episodes 1

# --- refusals ---
expect_error "Pendulum-v1 has no privileged state" train ppo Pendulum-v1 --set critic_obs=state --out "$TMP/x1"
expect_error "supported by ppo, a2c, sac, td3 and ddpg; not by pmoe" train pmoe Pendulum-v1 --set critic_obs=state \
    --set env_args=hide=velocity --out "$TMP/x2"
expect_error "not supported under mpirun or with shards > 1" train ppo Pendulum-v1 --set critic_obs=state \
    --set env_args=hide=velocity --set shards=2 --envs 2 --out "$TMP/x3"
expect_error "does not combine with warm_start" train ppo Pendulum-v1 --set critic_obs=state \
    --set env_args=hide=velocity --set warm_start=lqr --out "$TMP/x4"
expect_error "not with shared_trunk = 1" train ppo Pendulum-v1 --set critic_obs=state --set env_args=hide=velocity \
    --set shared_trunk=1 --out "$TMP/x5"
expect_error "not supported by discrete SAC" train sac CartPole-v1 --set critic_obs=state --set env_args=hide=velocity \
    --out "$TMP/x6"
expect_error "critic_obs" train ppo Pendulum-v1 --set critic_obs=full --out "$TMP/x7"
expect_error "hide=velocity: DoorKeyGrid-v0 has no known velocity entries" train ppo DoorKeyGrid-v0 \
    --set env_args=hide=velocity --out "$TMP/x8"
# resuming with another critic_obs: config.ini edited
sed 's/^critic_obs = state/critic_obs = obs/' "$TMP/pc/config.ini" >"$TMP/cfg" && cp "$TMP/cfg" "$TMP/pc/config.ini"
expect_error "critic_obs" train --resume "$TMP/pc" --steps 8192

# --- distill: a teacher on the full observation, a student on a noisy one ---
"$ACRL" train ppo Pendulum-v1 --steps 20000 --seed 0 --quiet --eval-episodes 2 --set eval_freq=0 --out "$TMP/teacher" \
    >/dev/null 2>"$TMP/t.err" || bad "teacher: $(cat "$TMP/t.err")"
D="distill $TMP/teacher --student-obs obs_noise=0.01 --steps 2000 --seed 3 --quiet --eval-episodes 2
   --set n_steps=400 --set train_steps=300 --set log_freq=400 --set eval_freq=0 --set checkpoint_freq=800"
"$ACRL" $D --out "$TMP/da" >/dev/null 2>"$TMP/da.err" || bad "distill a: $(cat "$TMP/da.err")"
# progress.csv: policy_loss falls, the student's gap to the teacher shrinks
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "policy_loss") l = i; if ($i == "teacher_gap") g = i; if ($i == "beta") b = i } next }
    { loss[NR] = $l; gap[NR] = $g; beta[NR] = $b; n = NR }
    END { printf "  distill: loss %.4g -> %.4g, teacher gap %.4g -> %.4g, beta %s -> %s\n", loss[2], loss[n], gap[2], gap[n], beta[2], beta[n]
          exit !(n >= 5 && loss[n] < 0.5 * loss[2] && gap[n] < 0.3 * gap[2] && beta[2] == 1 && beta[n] == 0.0625) }' \
    "$TMP/da/progress.csv" && ok || bad "distill: the loss or the gap did not fall: $(cat "$TMP/da/progress.csv")"
"$ACRL" $D --out "$TMP/db" >/dev/null 2>&1 || bad "distill b failed"
same "distill rerun" "$TMP/da/final.ckpt" "$TMP/db/final.ckpt"
"$ACRL" $D --stop-at 800 --out "$TMP/dc" >/dev/null 2>&1 || bad "distill c (stop) failed"
"$ACRL" train --resume "$TMP/dc" --quiet --eval-episodes 2 >/dev/null 2>"$TMP/dc.err" || bad "distill resume: $(cat "$TMP/dc.err")"
same "distill resume" "$TMP/da/final.ckpt" "$TMP/dc/final.ckpt"
mv "$TMP/teacher" "$TMP/teacher-moved" # the student's policy evaluates without its teacher
"$ACRL" eval "$TMP/da/policy.ckpt" --episodes 2 >"$TMP/ev" 2>&1 && grep -q "return mean" "$TMP/ev" && ok ||
    bad "eval of the student: $(cat "$TMP/ev")"
mv "$TMP/teacher-moved" "$TMP/teacher"
"$ACRL" export "$TMP/da" --format onnx -o "$TMP/da.onnx" >/dev/null 2>"$TMP/ex.err" && ok || bad "export onnx: $(cat "$TMP/ex.err")"
# a Discrete student (cross-entropy): CartPole-v1 with the velocities hidden, two frames
"$ACRL" train ppo CartPole-v1 --steps 10000 --seed 0 --quiet --eval-episodes 1 --set eval_freq=0 --out "$TMP/tc" \
    >/dev/null 2>&1 || bad "CartPole teacher failed"
"$ACRL" distill "$TMP/tc" --student-obs hide=velocity,obs_stack=2 --steps 1500 --quiet --eval-episodes 1 --set n_steps=300 \
    --set train_steps=200 --set log_freq=300 --set eval_freq=0 --out "$TMP/dd" >/dev/null 2>"$TMP/dd.err" ||
    bad "discrete distill: $(cat "$TMP/dd.err")"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "policy_loss") l = i; next } { loss[NR] = $l; n = NR }
    END { printf "  discrete distill: cross-entropy %.4g -> %.4g\n", loss[2], loss[n]; exit !(n >= 5 && loss[n] < loss[2]) }' \
    "$TMP/dd/progress.csv" && ok || bad "discrete distill: the loss did not fall: $(cat "$TMP/dd/progress.csv")"
expect_error "--student-obs SPEC is required" distill "$TMP/teacher" --out "$TMP/y1"
expect_error "gives the student no observation of its own" distill "$TMP/teacher" --student-obs foo=1 --out "$TMP/y2"
expect_error "the teacher must be trained on the full observation" distill "$TMP/pa" --student-obs hide=velocity \
    --out "$TMP/y3"
expect_error "teacher: cannot open" distill "$TMP/nothing" --student-obs hide=velocity --out "$TMP/y4"

finish asym_cli

#!/bin/sh
# Multi-agent envs and algorithms through the CLI: `acrl envs` lists the multi-agent envs,
# `acrl rollout` runs them (actions from a file), bad input is refused with exit code 2 and
# a message naming it (single- vs multi-agent algorithms, envs and checkpoints both ways, a
# malformed agent count, a sharing option the env cannot take, a graph option on an
# algorithm without a graph); same seed -> identical checkpoints and progress; an
# interrupted run resumed -> the same final checkpoint; acrl eval of a policy file.
# Usage: sh tests/test_marl_cli.sh /path/to/acrl
ACRL=${1:?usage: test_marl_cli.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"

# envs and rollout
out=$("$ACRL" envs)
for id in MPE-SimpleSpread-v3 MPE-SimpleReference-v3 MPE-SimpleSpeakerListener-v4 ClimbingGame-v0 PenaltyGame-v0; do
    if echo "$out" | grep -q "^$id "; then ok; else bad "acrl envs does not list $id"; fi
done
printf '0,0\n' >"$TMP/acts"
out=$("$ACRL" rollout ClimbingGame-v0 --actions "$TMP/acts")
if [ "$(echo "$out" | tail -1)" = "1,0,0,1,1,11,11,1,0" ]; then ok; else bad "climbing rollout: $out"; fi
printf '2,1,0\n0,0,0\n' >"$TMP/acts3"
n=$("$ACRL" rollout MPE-SimpleSpread-v3 --actions "$TMP/acts3" | wc -l)
if [ "$n" -eq 4 ]; then ok; else bad "spread rollout printed $n lines, want 4 (header, reset, 2 steps)"; fi
"$ACRL" rollout MPE-SimpleSpread-v3 --steps 30 | tail -1 | grep -q ',0,1$' && ok || bad "spread rollout does not truncate at 25"
printf '2,7,0\n' >"$TMP/bad"
"$ACRL" rollout MPE-SimpleSpread-v3 --actions "$TMP/bad" >/dev/null 2>"$TMP/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "agent 1" "$TMP/err"; then ok; else bad "bad action line: exit $rc $(cat "$TMP/err")"; fi

refused() {
    pat=$1
    shift
    "$ACRL" train "$@" --quiet >"$TMP/out" 2>"$TMP/err"
    rc=$?
    msg=$(cat "$TMP/err")
    echo "  $*: exit $rc: $msg"
    if [ "$rc" -ne 2 ]; then bad "$*: exit code $rc, want 2"; return; fi
    case "$msg" in
        *"$pat"*) ok ;;
        *) bad "$*: message lacks '$pat'" ;;
    esac
}

refused "is a multi-agent env" ppo MPE-SimpleSpread-v3 --out "$TMP/r1"
refused "is a multi-agent env" sac ClimbingGame-v0 --out "$TMP/r1"
refused "not a multi-agent env" mappo CartPole-v1 --out "$TMP/r1"
refused "not a multi-agent env" ippo Pendulum-v1 --out "$TMP/r1"
refused "N (agent count): 'x3'" mappo MPE-SimpleSpread-v3 --set env_args=N=x3 --out "$TMP/r1"
refused "N (agent count): '0'" ippo MPE-SimpleSpread-v3 --set env_args=N=0 --out "$TMP/r1"
refused "unknown setting 'agents'" mappo MPE-SimpleSpread-v3 --set env_args=agents=3 --out "$TMP/r1"
refused "share_policy = true" mappo MPE-SimpleSpeakerListener-v4 --set share_policy=true --out "$TMP/r1"
refused "dag_sparsity" mappo ClimbingGame-v0 --set dag_sparsity=0.1 --out "$TMP/r1"
refused "dag_sparsity" ippo ClimbingGame-v0 --set dag_sparsity=0.1 --out "$TMP/r1"
if [ -e "$TMP/r1" ]; then bad "a refused run created its directory"; else ok; fi

# determinism: same seed -> identical checkpoint and progress bytes
for d in a b; do
    "$ACRL" train mappo MPE-SimpleSpread-v3 --seed 3 --steps 1200 --quiet --out "$TMP/$d" \
        --set n_envs=4 --set n_steps=25 --set n_epochs=2 --set log_freq=100 --eval-episodes 2 >/dev/null 2>&1 ||
        bad "mappo run $d failed"
done
cmp -s "$TMP/a/final.ckpt" "$TMP/b/final.ckpt" && ok || bad "same seed, different final.ckpt"
cmp -s "$TMP/a/progress.csv" "$TMP/b/progress.csv" && ok || bad "same seed, different progress.csv"
# another seed differs
"$ACRL" train mappo MPE-SimpleSpread-v3 --seed 4 --steps 1200 --quiet --out "$TMP/c" \
    --set n_envs=4 --set n_steps=25 --set n_epochs=2 --set log_freq=100 --eval-episodes 2 >/dev/null 2>&1
cmp -s "$TMP/a/final.ckpt" "$TMP/c/final.ckpt" && bad "seeds 3 and 4 gave the same checkpoint" || ok

# exact resume: stop at 500 steps, resume to the end -> the same final checkpoint
for algo in mappo ippo; do
    "$ACRL" train $algo MPE-SimpleSpread-v3 --seed 3 --steps 1200 --quiet --out "$TMP/full-$algo" \
        --set n_envs=4 --set n_steps=25 --set n_epochs=2 --set log_freq=100 --eval-episodes 2 >/dev/null 2>&1
    "$ACRL" train $algo MPE-SimpleSpread-v3 --seed 3 --steps 1200 --stop-at 500 --quiet --out "$TMP/part-$algo" \
        --set n_envs=4 --set n_steps=25 --set n_epochs=2 --set log_freq=100 --eval-episodes 2 >/dev/null 2>&1
    if [ -e "$TMP/part-$algo/last.ckpt" ] && [ ! -e "$TMP/part-$algo/final.ckpt" ]; then ok; else bad "$algo --stop-at left no last.ckpt"; fi
    "$ACRL" train --resume "$TMP/part-$algo" --quiet >/dev/null 2>"$TMP/err" || bad "$algo resume failed: $(cat "$TMP/err")"
    cmp -s "$TMP/full-$algo/final.ckpt" "$TMP/part-$algo/final.ckpt" && ok || bad "$algo: resumed final.ckpt differs"
    cmp -s "$TMP/full-$algo/progress.csv" "$TMP/part-$algo/progress.csv" && ok || bad "$algo: resumed progress.csv differs"
done

# checkpoints of the other kind are refused, both ways
"$ACRL" train ppo CartPole-v1 --steps 256 --quiet --out "$TMP/ppo" --set n_steps=128 --eval-episodes 1 >/dev/null 2>&1
"$ACRL" train mappo MPE-SimpleSpread-v3 --resume "$TMP/ppo" --quiet >/dev/null 2>"$TMP/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "single-agent ppo checkpoint" "$TMP/err"; then ok; else bad "mappo resumed a ppo run: exit $rc $(cat "$TMP/err")"; fi
"$ACRL" train ppo CartPole-v1 --resume "$TMP/a" --quiet >/dev/null 2>"$TMP/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "multi-agent mappo checkpoint" "$TMP/err"; then ok; else bad "ppo resumed a mappo run: exit $rc $(cat "$TMP/err")"; fi
"$ACRL" train ippo MPE-SimpleSpread-v3 --resume "$TMP/a" --quiet >/dev/null 2>"$TMP/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "holds a mappo run" "$TMP/err"; then ok; else bad "ippo resumed a mappo run: exit $rc $(cat "$TMP/err")"; fi

# acrl eval of the policy file and of the run directory
out=$("$ACRL" eval "$TMP/a/policy.ckpt" --episodes 3)
case "$out" in "episodes 3  return mean "*) ok ;; *) bad "eval policy.ckpt: $out" ;; esac
out2=$("$ACRL" eval "$TMP/a" --episodes 3)
[ "$out" = "$out2" ] && ok || bad "eval of the run directory ($out2) differs from its policy file ($out)"
"$ACRL" eval "$TMP/a/policy.ckpt" --episodes 3 --stochastic >/dev/null && ok || bad "stochastic eval failed"

finish test_marl_cli

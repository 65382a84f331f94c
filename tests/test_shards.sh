#!/bin/sh
# Data-parallel layout in one process (the `shards` key, docs/distributed.md): reruns are
# byte-identical, shards = 1 writes what acrl always wrote, a sharded run resumes exactly,
# and layouts that cannot work are refused. Runs in every build (no MPI needed); the mpirun
# tests are in test_mpi_slow.sh. Usage: sh tests/test_shards.sh /path/to/acrl
ACRL=${1:?usage: test_shards.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"
same() { if cmp -s "$2" "$3"; then ok; else bad "$1: $2 and $3 differ"; fi; }
differ() { if cmp -s "$2" "$3"; then bad "$1: $2 and $3 are identical"; else ok; fi; }

# expect_error PATTERN ARGS...: exit code 2 and PATTERN in the message
expect_error() {
    pat=$1
    shift
    "$ACRL" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ "$rc" -eq 2 ] || { bad "acrl $*: exit code $rc, want 2 ($(cat "$TMP/err"))"; return; }
    grep -qF -- "$pat" "$TMP/err" && ok || bad "acrl $*: message '$(cat "$TMP/err")' lacks '$pat'"
}

# PPO with observation and reward normalization (their statistics are merged per shard)
P="train ppo CartPole-v1 --steps 2048 --envs 8 --quiet --eval-episodes 0 --set n_steps=32 --set batch_size=64
   --set n_epochs=2 --set normalize=1 --set normalize_reward=1 --set checkpoint_freq=512"
"$ACRL" $P --set shards=2 --out "$TMP/a" >/dev/null 2>&1 || bad "shards=2 run failed"
"$ACRL" $P --set shards=2 --out "$TMP/b" >/dev/null 2>&1 || bad "shards=2 rerun failed"
same "ppo shards=2 rerun" "$TMP/a/final.ckpt" "$TMP/b/final.ckpt"
grep -q '^shards = 2$' "$TMP/a/config.ini" && ok || bad "config.ini lacks shards = 2"
grep -q '"envs_per_rank": 8' "$TMP/a/summary.json" && ok || bad "summary.json lacks envs_per_rank"
# shards = 1 is the ordinary path: the same bytes as a run that never names the key
"$ACRL" $P --out "$TMP/c" >/dev/null 2>&1 || bad "unsharded run failed"
"$ACRL" $P --set shards=1 --out "$TMP/d" >/dev/null 2>&1 || bad "shards=1 run failed"
same "shards=1 equals no shards key" "$TMP/c/final.ckpt" "$TMP/d/final.ckpt"
grep -q shards "$TMP/c/config.ini" && bad "an unsharded config.ini names shards" || ok
# sharding changes the summation order and the sampling streams: another (valid) run
differ "shards=2 against shards=1" "$TMP/a/final.ckpt" "$TMP/c/final.ckpt"
"$ACRL" $P --set shards=4 --out "$TMP/e" >/dev/null 2>&1 || bad "shards=4 run failed"
differ "shards=4 against shards=2" "$TMP/a/final.ckpt" "$TMP/e/final.ckpt"

# exact resume of a sharded run
"$ACRL" $P --set shards=2 --out "$TMP/r" --stop-at 1024 >/dev/null 2>&1 || bad "stopped run failed"
"$ACRL" train --resume "$TMP/r" --quiet --eval-episodes 0 >/dev/null 2>&1 || bad "resume failed"
same "shards=2 resume" "$TMP/a/final.ckpt" "$TMP/r/final.ckpt"

# A2C with shards: rerun identical
A="train a2c CartPole-v1 --steps 1000 --envs 4 --quiet --eval-episodes 0 --set shards=2"
"$ACRL" $A --out "$TMP/f" >/dev/null 2>&1 || bad "a2c shards=2 failed"
"$ACRL" $A --out "$TMP/g" >/dev/null 2>&1 || bad "a2c shards=2 rerun failed"
same "a2c shards=2 rerun" "$TMP/f/final.ckpt" "$TMP/g/final.ckpt"

# refused layouts and algorithms
expect_error "n_envs = 6 cannot be split into shards = 4" train ppo CartPole-v1 --envs 6 --set shards=4 --steps 64 --out "$TMP/x1"
expect_error "sac cannot run with shards > 1" train sac Pendulum-v1 --set shards=2 --steps 64 --out "$TMP/x2"
expect_error "a3c cannot run with shards > 1" train a3c CartPole-v1 --set shards=2 --steps 64 --out "$TMP/x3"
expect_error "use_sde is not supported with shards > 1" train ppo Pendulum-v1 --envs 2 --set shards=2 --set use_sde=1 --steps 64 --out "$TMP/x4"
expect_error "the gbrl (tree ensemble) policy is not supported with shards > 1" train a2c Acrobot-v1 --set model=gbrl --set shards=2 --steps 64 --out "$TMP/x5"

finish test_shards

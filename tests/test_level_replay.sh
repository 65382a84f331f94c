#!/bin/sh
# Maze-v0 with level_replay = plr (docs/generalisation.md): reruns are byte-identical, PLR
# changes the run, a stopped and resumed run equals one straight through (the sampler's
# state is in the checkpoint), `acrl eval --levels` reads level files and refuses bad ones
# naming file and line, and combinations that cannot work are refused with exit code 2.
# Usage: sh tests/test_level_replay.sh /path/to/acrl
ACRL=${1:?usage: test_level_replay.sh /path/to/acrl}
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

# small training set (20 levels): all are seen within the first rollout, replay starts
P="train ppo Maze-v0 --steps 8192 --quiet --set n_steps=128 --set env_args=levels=20 --set checkpoint_freq=4096"
"$ACRL" $P --seed 2 --set level_replay=plr --out "$TMP/a" >/dev/null 2>&1 || bad "plr run a failed"
"$ACRL" $P --seed 2 --set level_replay=plr --out "$TMP/b" >/dev/null 2>&1 || bad "plr run b failed"
same "plr rerun" "$TMP/a/final.ckpt" "$TMP/b/final.ckpt"
"$ACRL" $P --seed 2 --out "$TMP/u" >/dev/null 2>&1 || bad "uniform run failed"
differ "plr vs uniform" "$TMP/a/final.ckpt" "$TMP/u/final.ckpt"
"$ACRL" $P --seed 2 --set level_replay=plr --set plr_score=positive_value_loss --set plr_schedule=fixed \
    --out "$TMP/f" >/dev/null 2>&1 || bad "plr fixed/positive run failed"
differ "plr settings" "$TMP/a/final.ckpt" "$TMP/f/final.ckpt"
"$ACRL" $P --seed 2 --set level_replay=plr --stop-at 4096 --out "$TMP/c" >/dev/null 2>&1 || bad "plr run c failed"
"$ACRL" train --resume "$TMP/c" --quiet >/dev/null 2>"$TMP/c.err" || bad "plr resume failed: $(cat "$TMP/c.err")"
same "plr resume" "$TMP/a/final.ckpt" "$TMP/c/final.ckpt"
"$ACRL" $P --seed 2 --stop-at 4096 --out "$TMP/d" >/dev/null 2>&1 || bad "uniform run d failed"
"$ACRL" train --resume "$TMP/d" --quiet >/dev/null 2>&1 || bad "uniform resume failed"
same "uniform resume" "$TMP/u/final.ckpt" "$TMP/d/final.ckpt"

# DRED: VAE-generated levels join the training levels under PLR; reruns and resume exact
D="$P --set level_replay=plr --set level_generator=vae --set vae_levels=20 --set vae_steps=200"
"$ACRL" $D --seed 4 --out "$TMP/g1" >/dev/null 2>&1 || bad "dred run g1 failed"
"$ACRL" $D --seed 4 --out "$TMP/g2" >/dev/null 2>&1 || bad "dred run g2 failed"
same "dred rerun" "$TMP/g1/final.ckpt" "$TMP/g2/final.ckpt"
"$ACRL" $D --seed 4 --stop-at 4096 --out "$TMP/g3" >/dev/null 2>&1 || bad "dred run g3 failed"
"$ACRL" train --resume "$TMP/g3" --quiet >/dev/null 2>"$TMP/g3.err" || bad "dred resume failed: $(cat "$TMP/g3.err")"
same "dred resume" "$TMP/g1/final.ckpt" "$TMP/g3/final.ckpt"
differ "dred vs plr" "$TMP/g1/final.ckpt" "$TMP/a/final.ckpt"
expect_error "level_generator = vae replays its levels with level_replay = plr" train ppo Maze-v0 \
    --set level_generator=vae --out "$TMP/x7"

# eval --levels: a layout the policy can read, counts; the same twice
printf '; test levels\nlayout\nS.G\nend\nseed 5 0.2 7\n' >"$TMP/levels.txt"
"$ACRL" eval "$TMP/a" --levels "$TMP/levels.txt" --episodes 3 >"$TMP/e1" 2>&1 || bad "eval --levels failed: $(cat "$TMP/e1")"
grep -q "^levels 2  episodes 6  solved rate " "$TMP/e1" && ok || bad "eval --levels output: $(cat "$TMP/e1")"
"$ACRL" eval "$TMP/a" --levels "$TMP/levels.txt" --episodes 3 >"$TMP/e2" 2>&1
same "eval --levels rerun" "$TMP/e1" "$TMP/e2"
printf 'layout\nS.G\nx..\nend\n' >"$TMP/sym.txt"
expect_error "sym.txt:3: unknown symbol 'x' at column 1" eval "$TMP/a" --levels "$TMP/sym.txt"
printf 'layout\nS#G\nend\n' >"$TMP/unreach.txt"
expect_error "unreach.txt:1: the goal is not reachable from the start" eval "$TMP/a" --levels "$TMP/unreach.txt"
expect_error "levels.txt" eval "$TMP/a" --levels "$TMP/missing/levels.txt"
"$ACRL" train ppo CartPole-v1 --steps 512 --quiet --out "$TMP/cp" >/dev/null 2>&1
expect_error "--levels applies to Maze-v0 policies" eval "$TMP/cp" --levels "$TMP/levels.txt"

# refusals
expect_error "supported by ppo" train a2c Maze-v0 --set level_replay=plr --out "$TMP/x1"
expect_error "needs an env with levels (Maze-v0); CartPole-v1 has none" train ppo CartPole-v1 --set level_replay=plr \
    --out "$TMP/x2"
expect_error "levels=0 is unbounded" train ppo Maze-v0 --set level_replay=plr --set env_args=levels=0 --out "$TMP/x3"
expect_error "not supported under mpirun or with shards" train ppo Maze-v0 --set level_replay=plr --set shards=2 \
    --envs 8 --out "$TMP/x4"
expect_error "plr_temperature" train ppo Maze-v0 --set level_replay=plr --set plr_temperature=0 --out "$TMP/x5"
expect_error "unknown key 'size2'" train ppo Maze-v0 --set env_args=size2=3 --out "$TMP/x6"

finish test_level_replay

#!/bin/sh
# Tests of `acrl lm`: bad input refused with exit code 2 (prompts longer than the context, a
# checkpoint of another model size, unknown task / variant / key), summary.json's exact_match,
# determinism (same seed: identical checkpoints) and exact resume (--stop-at + --resume gives
# the same final checkpoint as one run) for pretraining and each RL variant, on a tiny model.
# Usage: sh tests/test_lm_cli.sh /path/to/acrl
ACRL=${1:?usage: test_lm_cli.sh /path/to/acrl}
. "$(dirname "$0")/harness.sh"

# expect_error PATTERN ARGS...: exit code 2 and an "acrl: lm: ..." message containing PATTERN
expect_error() {
    pat=$1
    shift
    "$ACRL" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    msg=$(cat "$TMP/err")
    if [ "$rc" -ne 2 ]; then bad "acrl $*: exit code $rc, want 2 ($msg)"; return; fi
    case "$msg" in
        "acrl: lm: "*"$pat"*) ok ;;
        *) bad "acrl $*: message '$msg' lacks '$pat'" ;;
    esac
}

TINY="--set d_model=16 --set n_layer=1 --set n_head=2 --set digits=2 --set ctx=10 --set eval_n=16 --set eval_interval=3 --set log_interval=1"
PRE="$TINY --set batch_size=8"
RL="$TINY --set prompts_per_step=3 --set group_size=4 --set minibatch=6 --set epochs=2 --set temperature=1.5"

# pretraining: a run, the same run again, and the same run stopped at step 4 and resumed
"$ACRL" lm pretrain add --steps 7 --seed 3 --out "$TMP/p1" --quiet $PRE || bad "pretrain failed"
"$ACRL" lm pretrain add --steps 7 --seed 3 --out "$TMP/p2" --quiet $PRE || bad "pretrain 2 failed"
"$ACRL" lm pretrain add --steps 7 --seed 3 --out "$TMP/p3" --quiet --stop-at 4 $PRE || bad "pretrain 3 failed"
[ -f "$TMP/p3/summary.json" ] && bad "a stopped run wrote summary.json"
"$ACRL" lm pretrain --resume "$TMP/p3" --quiet || bad "resume failed"
if cmp -s "$TMP/p1/final.ckpt" "$TMP/p2/final.ckpt"; then ok; else bad "pretrain: same seed, different checkpoints"; fi
if cmp -s "$TMP/p1/final.ckpt" "$TMP/p3/final.ckpt"; then ok; else bad "pretrain: resumed run differs"; fi
"$ACRL" lm pretrain add --steps 7 --seed 4 --out "$TMP/p4" --quiet $PRE || bad "pretrain 4 failed"
if cmp -s "$TMP/p1/final.ckpt" "$TMP/p4/final.ckpt"; then bad "pretrain: another seed, same checkpoint"; else ok; fi
grep -q '"exact_match": [0-9]' "$TMP/p1/summary.json" && ok || bad "pretrain summary lacks exact_match"
# progress.csv of the resumed run equals the single run's, in step, tokens and loss (the stop adds an evaluation)
cut -d, -f1,3,5 "$TMP/p1/progress.csv" >"$TMP/a"
cut -d, -f1,3,5 "$TMP/p3/progress.csv" >"$TMP/b"
if cmp -s "$TMP/a" "$TMP/b"; then ok; else bad "pretrain: resumed progress.csv differs"; fi

for algo in ppo grpo dapo pacs; do
    "$ACRL" lm rl $algo add --init "$TMP/p1/final.ckpt" --steps 5 --seed 1 --out "$TMP/$algo.1" --quiet $RL || bad "$algo failed"
    "$ACRL" lm rl $algo add --init "$TMP/p1/final.ckpt" --steps 5 --seed 1 --out "$TMP/$algo.2" --quiet $RL || bad "$algo 2 failed"
    "$ACRL" lm rl $algo add --init "$TMP/p1/final.ckpt" --steps 5 --seed 1 --out "$TMP/$algo.3" --quiet --stop-at 3 $RL || bad "$algo 3 failed"
    "$ACRL" lm rl --resume "$TMP/$algo.3" --quiet || bad "$algo resume failed"
    if cmp -s "$TMP/$algo.1/final.ckpt" "$TMP/$algo.2/final.ckpt"; then ok; else bad "$algo: same seed, different checkpoints"; fi
    if cmp -s "$TMP/$algo.1/final.ckpt" "$TMP/$algo.3/final.ckpt"; then ok; else bad "$algo: resumed run differs"; fi
    if cmp -s "$TMP/$algo.1/final.ckpt" "$TMP/p1/final.ckpt"; then bad "$algo: parameters unchanged"; else ok; fi
    grep -q '"exact_match": [0-9]' "$TMP/$algo.1/summary.json" && ok || bad "$algo summary lacks exact_match"
    grep -q '"exact_match_initial": [0-9]' "$TMP/$algo.1/summary.json" && ok || bad "$algo summary lacks exact_match_initial"
    head -1 "$TMP/$algo.1/progress.csv" | grep -q "exact_match,eval_reward,reward_mean,sample_acc,kl,entropy,resp_len" && ok ||
        bad "$algo progress.csv columns"
done
# countdown and multiplication run too
"$ACRL" lm pretrain countdown --steps 2 --out "$TMP/cd" --quiet --set d_model=16 --set n_layer=1 --set ctx=24 --set eval_n=8 --set batch_size=4 \
    || bad "countdown pretrain failed"
"$ACRL" lm rl grpo countdown --init "$TMP/cd/final.ckpt" --steps 2 --out "$TMP/cdrl" --quiet --set d_model=16 --set n_layer=1 --set ctx=24 \
    --set eval_n=8 --set prompts_per_step=2 --set group_size=3 --set max_new_tokens=12 || bad "countdown rl failed"
"$ACRL" lm pretrain mul --steps 2 --out "$TMP/mul" --quiet --set d_model=16 --set n_layer=1 --set digits=2 --set ctx=12 --set eval_n=8 \
    --set batch_size=4 || bad "mul pretrain failed"

# bad input
expect_error "longer than the context" lm pretrain add --out "$TMP/e1" --set ctx=8
expect_error "too long for the context" lm rl grpo add --init "$TMP/p1/final.ckpt" --out "$TMP/e2" $TINY --set digits=4
expect_error "another size" lm rl ppo add --init "$TMP/p1/final.ckpt" --out "$TMP/e3" $TINY --set d_model=32
expect_error "another size" lm rl ppo add --init "$TMP/p1/final.ckpt" --out "$TMP/e3" --set digits=2
expect_error "unknown task 'sub'" lm pretrain sub --out "$TMP/e4"
expect_error "unknown task" lm rl grpo nosuch --init "$TMP/p1/final.ckpt" --out "$TMP/e5" $TINY
expect_error "pacs" lm rl a2c add --init "$TMP/p1/final.ckpt"
expect_error "unknown variant 'a2c'" lm rl a2c add --init "$TMP/p1/final.ckpt"
expect_error "unknown variant 'pretrain'" lm rl pretrain add --init "$TMP/p1/final.ckpt"
expect_error "clip_hihg" lm pretrain add --set clip_hihg=0.3
expect_error "needs --init" lm rl ppo add
expect_error "cannot open" lm rl ppo add --init "$TMP/none.ckpt" --out "$TMP/e6"
expect_error "unknown subcommand" lm train add
expect_error "n_head" lm pretrain add --out "$TMP/e7" --set n_head=3
expect_error "not an integer" lm pretrain add --steps 1.5
echo junk >"$TMP/junk.ckpt"
expect_error "junk.ckpt" lm rl ppo add --init "$TMP/junk.ckpt" --out "$TMP/e8"
"$ACRL" lm pretrain add --out "$TMP/e1" --set ctx=8 2>/dev/null
[ -e "$TMP/e1" ] && bad "a refused run created its directory" || ok

finish test_lm_cli

/* acrl lm pretrain|rl: token-level actor-critic for a character transformer on tasks with
 * verifiable rewards (docs/lm.md). */
#include <stdio.h>
#include <string.h>

#include "acrl/lm_run.h"
#include "cli.h"

#define MAX_SETS 64

static int lm_run_cmd(int argc, char** argv) {
    if (argc < 2) return cli_error("lm", "expected 'pretrain TASK' or 'rl ALGO TASK --init CKPT'");
    const char* mode = argv[1];
    bool rl = strcmp(mode, "rl") == 0;
    if (!rl && strcmp(mode, "pretrain") != 0) return cli_error("lm", "unknown subcommand '%s' (valid: pretrain, rl)", mode);
    const char* sets[MAX_SETS];
    int nsets = 0;
    char* rest[256];
    int nrest = 0;
    rest[nrest++] = argv[1];
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--set") == 0) {
            if (i + 1 >= argc) return cli_error("lm", "--set needs a key=value");
            if (nsets == MAX_SETS) return cli_error("lm", "too many --set options (at most %d)", MAX_SETS);
            sets[nsets++] = argv[++i];
        } else if (strncmp(argv[i], "--set=", 6) == 0) {
            if (nsets == MAX_SETS) return cli_error("lm", "too many --set options (at most %d)", MAX_SETS);
            sets[nsets++] = argv[i] + 6;
        } else {
            if (nrest == 256) return cli_error("lm", "too many arguments");
            rest[nrest++] = argv[i];
        }
    }
    enum { O_STEPS, O_SEED, O_OUT, O_INIT, O_RESUME, O_STOP, O_QUIET, O_N };
    cli_opt opts[O_N] = {{"--steps", true, NULL}, {"--seed", true, NULL}, {"--out", true, NULL},
                         {"--init", true, NULL}, {"--resume", true, NULL}, {"--stop-at", true, NULL},
                         {"--quiet", false, NULL}};
    const char* pos[2];
    int npos = 0;
    if (cli_parse("lm", nrest, rest, opts, O_N, pos, 2, &npos)) return CLI_EXIT_USAGE;
    acrl_lm_run_opts o;
    memset(&o, 0, sizeof o);
    long long v;
    if (opts[O_STEPS].value) {
        if (cli_opt_int("lm", "--steps", opts[O_STEPS].value, 1, 2000000000LL, &v)) return CLI_EXIT_USAGE;
        o.steps = v;
    }
    if (opts[O_STOP].value) {
        if (cli_opt_int("lm", "--stop-at", opts[O_STOP].value, 1, 2000000000LL, &v)) return CLI_EXIT_USAGE;
        o.stop_at = v;
    }
    if (opts[O_SEED].value) {
        if (cli_opt_int("lm", "--seed", opts[O_SEED].value, 0, 4294967295LL, &v)) return CLI_EXIT_USAGE;
        o.seed = (uint64_t)v;
    }
    o.quiet = opts[O_QUIET].value != NULL;
    o.sets = sets;
    o.nsets = nsets;
    o.resume_dir = opts[O_RESUME].value;
    o.init_ckpt = opts[O_INIT].value;
    char err[1024];
    if (o.resume_dir) {
        if (npos || nsets || o.init_ckpt || opts[O_OUT].value)
            return cli_error("lm", "--resume DIR takes everything from DIR/last.ckpt; only --steps, --stop-at and --quiet may be given");
    } else if (rl) {
        if (npos != 2) return cli_error("lm", "expected 'rl ALGO TASK --init CKPT'");
        o.algo = acrl_lm_algo_parse(pos[0], err, sizeof err);
        if (o.algo <= 0) return cli_error("lm", "%s", o.algo == 0 ? "unknown variant 'pretrain' (valid: ppo, grpo, dapo, pacs)" : err);
        o.task = pos[1];
        if (!o.init_ckpt) return cli_error("lm", "rl needs --init CKPT (a checkpoint of 'acrl lm pretrain')");
    } else {
        if (npos != 1) return cli_error("lm", "expected 'pretrain TASK'");
        o.algo = 0;
        o.task = pos[0];
    }
    char outbuf[256];
    if (!o.resume_dir) {
        if (opts[O_OUT].value) o.out_dir = opts[O_OUT].value;
        else {
            snprintf(outbuf, sizeof outbuf, "runs/lm_%s_%s_s%llu", rl ? pos[0] : "pretrain", o.task,
                     (unsigned long long)o.seed);
            o.out_dir = outbuf;
        }
    }
    int rc = acrl_lm_run(&o, err, sizeof err);
    if (rc == ACRL_ERR_INPUT) return cli_error("lm", "%s", err);
    if (rc != ACRL_OK) { fprintf(stderr, "acrl: lm: %s\n", err); return 1; }
    return 0;
}

const cli_command cli_cmd_lm = {
    "lm", "token-level RL for a small transformer: acrl lm pretrain TASK | acrl lm rl ALGO TASK --init CKPT",
    "usage: acrl lm pretrain TASK [--steps N] [--seed S] [--out DIR] [--set key=value]...\n"
    "       acrl lm rl ALGO TASK --init CKPT [--steps N] [--seed S] [--out DIR] [--set key=value]...\n"
    "       acrl lm pretrain|rl --resume DIR [--steps N] [--stop-at N]\n"
    "\n"
    "A character-level GPT (token and position embeddings, causal multi-head attention, GELU\n"
    "MLP, LayerNorm, tied output head, and a value head) on tasks with verifiable rewards.\n"
    "TASK: add (k-digit addition), mul (k-digit multiplication), countdown (reach a target\n"
    "with the given numbers and + - * /). Rewards: reward_correct (1), reward_format (0.1,\n"
    "well-formed but wrong), reward_bad (0, unparsable).\n"
    "\n"
    "pretrain: supervised training on the task's examples (cross-entropy on the answer).\n"
    "rl: ALGO is ppo (token-level value head, GAE over the answer tokens, clipped ratio, KL\n"
    "penalty to the initial policy in the reward), grpo (group-normalised rewards, no critic,\n"
    "k3 KL in the loss) or dapo (grpo with clip_high 0.28, dynamic sampling, token-level loss\n"
    "averaging and the over-long penalty; each is also a key usable with ppo and grpo) or\n"
    "pacs (the correctness label fitted by cross-entropy to a score built from the policy's\n"
    "log-ratio to the initial policy, leave-one-out within the group).\n"
    "The model keys (d_model, n_layer, n_head, ctx) must match the --init checkpoint.\n"
    "\n"
    "Writes DIR/progress.csv (held-out exact match, reward, KL, entropy, response length,\n"
    "tokens/s), TensorBoard events, last.ckpt, final.ckpt and summary.json (exact_match).\n"
    "Configuration keys, their defaults and ranges: docs/lm.md.\n"
    "\n"
    "  --steps N     total steps (pretrain default 2000, rl 200)\n"
    "  --seed S      run seed (default 0); same seed and config: identical bytes\n"
    "  --out DIR     run directory (default runs/lm_...)\n"
    "  --init CKPT   rl: the pretrained checkpoint (its final.ckpt or last.ckpt)\n"
    "  --resume DIR  continue the run in DIR from DIR/last.ckpt, exactly\n"
    "  --stop-at N   end this invocation after step N (resumable with --resume)\n"
    "  --quiet       no progress lines\n",
    lm_run_cmd,
};

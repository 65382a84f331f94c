/* acrl buffer export RUN_DIR|CHECKPOINT [--out FILE]: an off-policy run's replay buffer as a
 * transitions file for the offline_data key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acrl.h"
#include "cli.h"

/* acrl buffer collect POLICY --steps N [--seed S] [--deterministic] [--out FILE] */
static int buffer_collect(const char* policy, cli_opt* o_out, cli_opt* o_steps, cli_opt* o_seed, cli_opt* o_det) {
    char path[4096];
    struct stat st;
    if (stat(policy, &st) == 0 && S_ISDIR(st.st_mode)) { /* a run directory: its final policy */
        snprintf(path, sizeof path, "%s/final.ckpt", policy);
        if (stat(path, &st) != 0) snprintf(path, sizeof path, "%s/last.ckpt", policy);
    } else {
        snprintf(path, sizeof path, "%s", policy);
    }
    if (!o_steps->value) return cli_error("buffer", "collect needs --steps N");
    char* end;
    long steps = strtol(o_steps->value, &end, 10);
    if (*end || steps < 1 || steps > 100000000L)
        return cli_error("buffer", "--steps: expected an integer from 1 to 100000000, got '%s'", o_steps->value);
    long long seed = 0;
    if (o_seed->value) {
        seed = strtoll(o_seed->value, &end, 10);
        if (*end || seed < 0) return cli_error("buffer", "--seed: expected an integer >= 0, got '%s'", o_seed->value);
    }
    const char* out = o_out->value ? o_out->value : "transitions.bin";
    char err[1024];
    int rc = acrl_buffer_collect(path, steps, (uint64_t)seed, o_det->value != NULL, out, err, sizeof err);
    if (rc == ACRL_ERR_INPUT) return cli_error("buffer", "%s: %s", path, err);
    if (rc != ACRL_OK) { fprintf(stderr, "acrl: buffer: %s\n", err); return 1; }
    printf("%ld transitions of %s (%s actions) written to %s\n", steps, path, o_det->value ? "deterministic" : "sampled",
           out);
    return 0;
}

static int buffer_run(int argc, char** argv) {
    enum { O_OUT, O_STEPS, O_SEED, O_DET, O_N };
    cli_opt opts[O_N] = {{"--out", true, NULL}, {"--steps", true, NULL}, {"--seed", true, NULL},
                         {"--deterministic", false, NULL}};
    const char* pos[2];
    int npos = 0;
    if (cli_parse("buffer", argc, argv, opts, O_N, pos, 2, &npos)) return CLI_EXIT_USAGE;
    if (npos == 2 && strcmp(pos[0], "collect") == 0)
        return buffer_collect(pos[1], &opts[O_OUT], &opts[O_STEPS], &opts[O_SEED], &opts[O_DET]);
    if (npos != 2 || strcmp(pos[0], "export") != 0)
        return cli_error("buffer", "expected 'export RUN_DIR' (or 'export CHECKPOINT') or 'collect POLICY --steps N'");
    if (opts[O_STEPS].value || opts[O_SEED].value || opts[O_DET].value)
        return cli_error("buffer", "--steps, --seed and --deterministic belong to 'buffer collect'");
    char ckpt[4096], out[4096];
    struct stat st;
    const bool dir = stat(pos[1], &st) == 0 && S_ISDIR(st.st_mode);
    if (dir) { /* the newest checkpoint with the buffer: final.ckpt, else last.ckpt */
        snprintf(ckpt, sizeof ckpt, "%s/final.ckpt", pos[1]);
        if (stat(ckpt, &st) != 0) snprintf(ckpt, sizeof ckpt, "%s/last.ckpt", pos[1]);
    } else {
        snprintf(ckpt, sizeof ckpt, "%s", pos[1]);
    }
    if (opts[O_OUT].value) snprintf(out, sizeof out, "%s", opts[O_OUT].value);
    else if (dir) snprintf(out, sizeof out, "%s/transitions.bin", pos[1]);
    else snprintf(out, sizeof out, "transitions.bin");
    long n = 0;
    char err[1024];
    int rc = acrl_buffer_export(ckpt, out, &n, err, sizeof err);
    if (rc == ACRL_ERR_INPUT) return cli_error("buffer", "%s: %s", ckpt, err);
    if (rc != ACRL_OK) { fprintf(stderr, "acrl: buffer: %s\n", err); return 1; }
    printf("%ld transitions from %s written to %s\n", n, ckpt, out);
    return 0;
}

const cli_command cli_cmd_buffer = {
    "buffer", "transitions for offline_data: acrl buffer export RUN_DIR, acrl buffer collect POLICY --steps N",
    "usage: acrl buffer export RUN_DIR|CHECKPOINT [--out FILE]\n"
    "       acrl buffer collect POLICY|RUN_DIR --steps N [--seed S] [--deterministic] [--out FILE]\n"
    "\n"
    "Writes the replay buffer of an off-policy run trained with save_buffer = 1 (RUN_DIR's\n"
    "final.ckpt, or last.ckpt while unfinished) as a transitions file, by default\n"
    "RUN_DIR/transitions.bin. Another off-policy run mixes such transitions into its\n"
    "batches with --set offline_data=FILE (offline_ratio: the share of each batch, default\n"
    "0.5). The layout is in docs/offpolicy.md (\"Offline data\"): rows of each env copy in\n"
    "time order, actions in the learner's units, observations as the learner saw them.\n"
    "\n"
    "collect runs a trained policy (any algorithm's checkpoint or policy.ckpt; a run\n"
    "directory stands for its final.ckpt) in its env for N steps, episodes reset with\n"
    "seeds S, S + 1, ... (default 0), and writes what it did as such a file (default\n"
    "transitions.bin): the \"medium policy\" data sets of offline RL. Actions are sampled\n"
    "from the policy unless --deterministic.\n",
    buffer_run,
};

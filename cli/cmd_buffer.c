/* acrl buffer export RUN_DIR|CHECKPOINT [--out FILE]: an off-policy run's replay buffer as a
 * transitions file for the offline_data key. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "acrl.h"
#include "cli.h"

static int buffer_run(int argc, char** argv) {
    enum { O_OUT, O_N };
    cli_opt opts[O_N] = {{"--out", true, NULL}};
    const char* pos[2];
    int npos = 0;
    if (cli_parse("buffer", argc, argv, opts, O_N, pos, 2, &npos)) return CLI_EXIT_USAGE;
    if (npos != 2 || strcmp(pos[0], "export") != 0)
        return cli_error("buffer", "expected 'export RUN_DIR' (or 'export CHECKPOINT')");
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
    "buffer", "replay buffers: acrl buffer export RUN_DIR [--out FILE] (transitions for offline_data)",
    "usage: acrl buffer export RUN_DIR|CHECKPOINT [--out FILE]\n"
    "\n"
    "Writes the replay buffer of an off-policy run trained with save_buffer = 1 (RUN_DIR's\n"
    "final.ckpt, or last.ckpt while unfinished) as a transitions file, by default\n"
    "RUN_DIR/transitions.bin. Another off-policy run mixes such transitions into its\n"
    "batches with --set offline_data=FILE (offline_ratio: the share of each batch, default\n"
    "0.5). The layout is in docs/offpolicy.md (\"Offline data\"): rows of each env copy in\n"
    "time order, actions in the learner's units, observations as the learner saw them.\n",
    buffer_run,
};

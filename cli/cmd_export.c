/* acrl export CHECKPOINT --format F -o OUT: a trained policy in another form. One entry
 * of the format table per output kind; each turns a checkpoint file into OUT. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "acrl.h"
#include "cli.h"

typedef struct {
    const char* name;     /* value of --format */
    const char* summary;  /* one line for the usage text */
    /* Writes out from the checkpoint at in; an ACRL_* code with a message in err. */
    int (*write)(const char* in, const char* out, char* err, size_t errlen);
} export_format;

static const export_format formats[] = {
    {"ckpt", "policy-only checkpoint: what 'acrl eval' needs, no optimizer state, critic or buffer",
     acrl_export_policy},
};
#define NFORMATS (int)(sizeof formats / sizeof formats[0])

static int export_run(int argc, char** argv) {
    enum { O_FORMAT, O_OUT, O_N };
    cli_opt opts[O_N] = {{"--format", true, NULL}, {"-o", true, NULL}};
    const char* pos[1];
    int npos = 0;
    if (cli_parse("export", argc, argv, opts, O_N, pos, 1, &npos)) return CLI_EXIT_USAGE;
    if (npos != 1) return cli_error("export", "expected one CHECKPOINT file");
    if (!opts[O_OUT].value || !opts[O_OUT].value[0]) return cli_error("export", "missing -o OUT");
    const char* fname = opts[O_FORMAT].value ? opts[O_FORMAT].value : "ckpt";
    const export_format* f = NULL;
    char list[256] = "";
    for (int i = 0; i < NFORMATS; i++) {
        if (strcmp(formats[i].name, fname) == 0) f = &formats[i];
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", formats[i].name);
    }
    if (!f) return cli_error("export", "unknown format '%s' (valid: %s)", fname, list);
    /* a run directory stands for its final checkpoint, or its last one if unfinished */
    const char* path = pos[0];
    char buf[4096];
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(buf, sizeof buf, "%s/final.ckpt", pos[0]);
        if (stat(buf, &st) != 0) snprintf(buf, sizeof buf, "%s/last.ckpt", pos[0]);
        path = buf;
    }
    char err[1024];
    int rc = f->write(path, opts[O_OUT].value, err, sizeof err);
    if (rc == ACRL_ERR_INPUT) return cli_error("export", "%s", err);
    if (rc != ACRL_OK) { fprintf(stderr, "acrl: export: %s\n", err); return rc; }
    printf("wrote %s\n", opts[O_OUT].value);
    return 0;
}

const cli_command cli_cmd_export = {
    "export", "export a trained policy: acrl export CHECKPOINT|RUN_DIR --format ckpt -o OUT",
    "usage: acrl export CHECKPOINT|RUN_DIR [--format FORMAT] -o OUT\n"
    "\n"
    "Writes the policy of a checkpoint (a run directory stands for its final.ckpt, or\n"
    "last.ckpt while it is unfinished) to OUT in FORMAT (default ckpt):\n"
    "\n"
    "  ckpt   a policy-only checkpoint: algorithm, env, config, policy weights and\n"
    "         observation statistics, without optimizer state, critics or replay buffer.\n"
    "         'acrl eval OUT' gives exactly what evaluating the checkpoint gives; it\n"
    "         cannot be resumed. 'acrl train' writes one, policy.ckpt, at the end of a run.\n",
    export_run,
};

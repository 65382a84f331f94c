/* acrl export CHECKPOINT --format F -o OUT: a trained policy in another form. One entry
 * of the format table per output kind; each turns a checkpoint file into OUT. */
#include <stdio.h>
#include <string.h>

#include "acrl.h"
#include "cli.h"

typedef struct {
    const char* name;     /* value of --format */
    const char* summary;  /* one line for the usage text */
    /* Writes out from the checkpoint at in; an ACRL_* code with a message in err. */
    int (*write)(const char* in, const char* out, const acrl_export_options* o, char* err, size_t errlen);
} export_format;

static int write_ckpt(const char* in, const char* out, const acrl_export_options* o, char* err, size_t errlen) {
    (void)o;
    return acrl_export_policy(in, out, err, errlen);
}

static const export_format formats[] = {
    {"ckpt", "policy-only checkpoint: what 'acrl eval' needs, no optimizer state, critic or buffer", write_ckpt},
    {"c", "one self-contained C99 header: the deterministic policy from raw observations", acrl_export_c},
    {"onnx", "an ONNX model (IR 8, opset 17) of the same computation", acrl_export_onnx},
};
#define NFORMATS (int)(sizeof formats / sizeof formats[0])

static int export_run(int argc, char** argv) {
    enum { O_FORMAT, O_OUT, O_NAME, O_QUANT, O_PLUGIN, O_N };
    cli_opt opts[O_N] = {{"--format", true, NULL}, {"-o", true, NULL}, {"--name", true, NULL}, {"--quantize", true, NULL},
                         {"--plugin", true, NULL}};
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
    acrl_export_options eo = {opts[O_NAME].value, false};
    if ((eo.name || opts[O_QUANT].value) && strcmp(f->name, "c") != 0)
        return cli_error("export", "%s applies to --format c only", eo.name ? "--name" : "--quantize");
    if (opts[O_QUANT].value) {
        if (strcmp(opts[O_QUANT].value, "int8") != 0)
            return cli_error("export", "--quantize: unknown kind '%s' (valid: int8)", opts[O_QUANT].value);
        eo.int8 = true;
    }
    char path[4096];
    if (cli_checkpoint_arg("export", pos[0], opts[O_PLUGIN].value, path, sizeof path)) return CLI_EXIT_USAGE;
    char err[1024];
    int rc = f->write(path, opts[O_OUT].value, &eo, err, sizeof err);
    if (rc == ACRL_ERR_INPUT) return cli_error("export", "%s", err);
    if (rc != ACRL_OK) { fprintf(stderr, "acrl: export: %s\n", err); return rc; }
    printf("wrote %s\n", opts[O_OUT].value);
    return 0;
}

const cli_command cli_cmd_export = {
    "export", "export a trained policy: acrl export CHECKPOINT|RUN_DIR --format ckpt|c|onnx -o OUT",
    "usage: acrl export CHECKPOINT|RUN_DIR [--format FORMAT] -o OUT [--name PREFIX] [--quantize int8]\n"
    "                   [--plugin FILE]\n"
    "\n"
    "Writes the policy of a checkpoint (a run directory stands for its final.ckpt, or\n"
    "last.ckpt while it is unfinished) to OUT in FORMAT (default ckpt):\n"
    "\n"
    "  ckpt   a policy-only checkpoint: algorithm, env, config, policy weights and\n"
    "         observation statistics, without optimizer state, critics or replay buffer.\n"
    "         'acrl eval OUT' gives exactly what evaluating the checkpoint gives; it\n"
    "         cannot be resumed. 'acrl train' writes one, policy.ckpt, at the end of a run.\n"
    "  c      one self-contained C99 header (needs only libm, no allocation): the\n"
    "         deterministic policy with observation normalization, squashing and action\n"
    "         rescaling/clipping, so that the caller passes raw observations and gets the\n"
    "         env's actions. It defines PREFIX_OBS_DIM, PREFIX_ACT_DIM and\n"
    "         void PREFIX_act(const float* obs, float* action); Discrete policies write the\n"
    "         index as a float. Equal to 'acrl act' bit for bit where acrl runs its plain-C\n"
    "         kernels (see the header's top comment). A tree-ensemble policy (model = gbrl)\n"
    "         becomes its trees as flat arrays (thresholds, child links, leaf values),\n"
    "         equal to 'acrl act' bit for bit on every build.\n"
    "         --name PREFIX      identifier prefix (default acrl_policy)\n"
    "         --quantize int8    int8 weights, one float scale per output unit (smaller,\n"
    "                            not exact; docs/benchmarks.md gives the measured error)\n"
    "  onnx   the same computation as an ONNX model (IR 8, opset 17): input 'obs' (N,\n"
    "         obs_dim) float, output 'action' (N, act_dim) float. Not for tree-ensemble\n"
    "         policies (refused).\n"
    "\n"
    CLI_PLUGIN_USAGE
    "                  (a run directory's plugin, named in DIR/plugin, is loaded by itself\n"
    "                  unless --plugin names another)\n",
    export_run,
};

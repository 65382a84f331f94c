/* acrl act CHECKPOINT [--obs FILE] [--stochastic]: the policy's actions for observations
 * read as CSV lines, one action per output line at full float precision (the reference the
 * exported C header and ONNX model are checked against). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl.h"
#include "cli.h"

#define CMD "act"

/* Parses one CSV line of exactly n numbers into obs. 0, or CLI_EXIT_USAGE after a message
 * naming the line and the expected width. */
static int parse_obs(char* line, long lineno, int n, float* obs) {
    int k = 0;
    char* p = line;
    for (;;) {
        char* end = strchr(p, ',');
        if (end) *end = '\0';
        while (isspace((unsigned char)*p)) p++;
        size_t len = strlen(p);
        while (len && isspace((unsigned char)p[len - 1])) p[--len] = '\0';
        if (len == 0 && !end && k == 0)
            return cli_error(CMD, "line %ld is empty (expected %d comma-separated numbers)", lineno, n);
        char* stop;
        errno = 0;
        float v = strtof(p, &stop);
        if (len == 0 || *stop != '\0' || !isfinite(v))
            return cli_error(CMD, "line %ld, value %d: '%s' is not a finite number (expected %d comma-separated "
                             "numbers)", lineno, k + 1, p, n);
        if (k < n) obs[k] = v;
        k++;
        if (!end) break;
        p = end + 1;
    }
    if (k != n) return cli_error(CMD, "line %ld has %d values, expected %d (the observation width)", lineno, k, n);
    return 0;
}

static int act_run(int argc, char** argv) {
    enum { O_OBS, O_STOCH, O_PLUGIN, O_N };
    cli_opt opts[O_N] = {{"--obs", true, NULL}, {"--stochastic", false, NULL}, {"--plugin", true, NULL}};
    const char* pos[1];
    int npos = 0;
    if (cli_parse(CMD, argc, argv, opts, O_N, pos, 1, &npos)) return CLI_EXIT_USAGE;
    if (npos != 1) return cli_error(CMD, "expected one CHECKPOINT file");
    char path[4096];
    if (cli_checkpoint_arg(CMD, pos[0], opts[O_PLUGIN].value, path, sizeof path)) return CLI_EXIT_USAGE;
    FILE* in = stdin;
    if (opts[O_OBS].value && strcmp(opts[O_OBS].value, "-") != 0) {
        in = fopen(opts[O_OBS].value, "r");
        if (!in) return cli_error(CMD, "--obs: cannot open '%s'", opts[O_OBS].value);
    }
    char err[1024];
    acrl_agent* a = acrl_agent_load(path, err, sizeof err);
    if (!a) {
        if (in != stdin) fclose(in);
        return cli_error(CMD, "%s", err);
    }
    int od = acrl_agent_obs_space(a)->dim, ad = acrl_agent_act_space(a)->dim;
    float* obs = malloc(sizeof(float) * (size_t)od);
    float* action = malloc(sizeof(float) * (size_t)ad);
    char* line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = obs && action ? 0 : 1;
    if (rc) fprintf(stderr, "acrl: act: out of memory\n");
    bool stochastic = opts[O_STOCH].value != NULL;
    while (rc == 0 && getline(&line, &cap, in) >= 0) {
        lineno++;
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if ((rc = parse_obs(line, lineno, od, obs))) break;
        acrl_agent_act(a, obs, 1, action, !stochastic);
        for (int j = 0; j < ad; j++) printf(j ? ",%.9g" : "%.9g", (double)action[j]);
        putchar('\n');
    }
    if (rc == 0 && ferror(in)) {
        fprintf(stderr, "acrl: act: cannot read the observations\n");
        rc = 1;
    }
    free(line);
    free(obs);
    free(action);
    acrl_agent_free(a);
    if (in != stdin) fclose(in);
    return rc;
}

const cli_command cli_cmd_act = {
    "act", "print a policy's actions for observations: acrl act CHECKPOINT|RUN_DIR [--obs FILE]",
    "usage: acrl act CHECKPOINT|RUN_DIR [--obs FILE] [--stochastic] [--plugin FILE]\n"
    "\n"
    "Reads observations, one per line as comma-separated numbers (from FILE, or standard input\n"
    "when FILE is missing or '-'), and prints the policy's action for each, one CSV line each,\n"
    "at full float precision (9 significant digits: the floats exactly). Observations are raw\n"
    "env observations: they are normalized with the checkpoint's statistics as in training,\n"
    "and Box actions are clipped to the bounds, as `acrl eval` acts. Discrete actions are\n"
    "printed as the index. A run directory stands for its final.ckpt (last.ckpt while it is\n"
    "unfinished).\n"
    "\n"
    "  --obs FILE     observations to read (default: standard input)\n"
    "  --stochastic   sample actions (from the checkpoint's generator: the same input gives the\n"
    "                 same output) instead of the deterministic policy\n"
    CLI_PLUGIN_USAGE
    "                 (a run directory's plugin, named in DIR/plugin, is loaded by itself\n"
    "                 unless --plugin names another)\n"
    "\n"
    "A line of the wrong width or with a non-numeric field stops with exit code 2 and a message\n"
    "naming the line. 'acrl export --format c|onnx' writes this deterministic policy for other\n"
    "programs.\n",
    act_run,
};

/* acrl eval CHECKPOINT: mean and std of the return of a saved policy. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "acrl.h"
#include "cli.h"

static int eval_run(int argc, char** argv) {
    enum { O_EPISODES, O_SEED, O_STOCH, O_PLUGIN, O_N };
    cli_opt opts[O_N] = {{"--episodes", true, NULL}, {"--seed", true, NULL}, {"--stochastic", false, NULL},
                         {"--plugin", true, NULL}};
    const char* pos[1];
    int npos = 0;
    if (cli_parse("eval", argc, argv, opts, O_N, pos, 1, &npos)) return CLI_EXIT_USAGE;
    if (npos != 1) return cli_error("eval", "expected one CHECKPOINT file");
    long long episodes = 20, seed = 1000000;
    if (opts[O_EPISODES].value && cli_opt_int("eval", "--episodes", opts[O_EPISODES].value, 1, 1000000, &episodes))
        return CLI_EXIT_USAGE;
    if (opts[O_SEED].value && cli_opt_int("eval", "--seed", opts[O_SEED].value, 0, 4294967295LL, &seed))
        return CLI_EXIT_USAGE;
    /* a run directory stands for its final checkpoint, or its last one if unfinished */
    const char* path = pos[0];
    char buf[4096];
    struct stat st;
    char dir[4096];   /* the run directory, whose plugin file names the env's plugin */
    snprintf(dir, sizeof dir, "%s", pos[0]);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        char err[ACRL_ERRLEN];
        if (acrl_path_join(buf, sizeof buf, pos[0], "final.ckpt", err, sizeof err)) return cli_error("eval", "%s", err);
        if (stat(buf, &st) != 0) acrl_path_join(buf, sizeof buf, pos[0], "last.ckpt", NULL, 0);
        path = buf;
    } else {
        char* slash = strrchr(dir, '/');
        if (slash) *slash = '\0';
        else snprintf(dir, sizeof dir, ".");
    }
    if (opts[O_PLUGIN].value && cli_plugin_load("eval", opts[O_PLUGIN].value)) return CLI_EXIT_USAGE;
    if (!opts[O_PLUGIN].value && cli_plugin_load_recorded("eval", dir)) return CLI_EXIT_USAGE;
    double mean, std, cost[ACRL_MAX_COSTS];
    int ncost = 0;
    char err[1024];
    int rc = acrl_eval_checkpoint_costs(path, (int)episodes, (uint64_t)seed, opts[O_STOCH].value != NULL, &mean, &std,
                                        &ncost, cost, err, sizeof err);
    if (rc == ACRL_ERR_INPUT) return cli_error("eval", "%s", err);
    if (rc != ACRL_OK) { fprintf(stderr, "acrl: eval: %s\n", err); return rc; }
    printf("episodes %lld  return mean %.3f  std %.3f", episodes, mean, std);
    for (int k = 0; k < ncost; k++) {
        if (k) printf("  cost%d mean %.3f", k, cost[k]);
        else printf("  cost mean %.3f", cost[k]);
    }
    printf("\n");
    return 0;
}

const cli_command cli_cmd_eval = {
    "eval", "evaluate a checkpoint: acrl eval CHECKPOINT|RUN_DIR [--episodes N] [--seed S] [--stochastic]",
    "usage: acrl eval CHECKPOINT|RUN_DIR [--episodes N] [--seed S] [--stochastic] [--plugin FILE]\n"
    "\n"
    "A run directory stands for its final.ckpt (or last.ckpt while it is unfinished).\n"
    "Runs N episodes (default 20) of the checkpoint's env with the saved policy and prints\n"
    "the mean and std of the returns (and, for envs with costs, the mean episode cost). Episode i is reset with seed S + i (default S 1000000).\n"
    "Actions are the policy's mode unless --stochastic is given. Observation normalization\n"
    "uses the statistics saved in the checkpoint.\n"
    "\n"
    CLI_PLUGIN_USAGE
    "                  (a run directory's plugin, named in DIR/plugin, is loaded by itself\n"
    "                  unless --plugin names another)\n",
    eval_run,
};

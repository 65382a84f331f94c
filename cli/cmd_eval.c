/* acrl eval CHECKPOINT: mean and std of the return of a saved policy. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acrl.h"
#include "cli.h"

/* --levels FILE: every level of a Maze-v0 level file, `episodes` times each; the solved rate
 * (episodes that reached the goal), the mean return and the mean episode length. */
static int eval_levels(const char* ckpt, const char* file, long long episodes, uint64_t seed, bool stochastic) {
    char err[1024];
    acrl_maze_level* lv = NULL;
    int n = 0;
    if (acrl_maze_load_levels(file, &lv, &n, err, sizeof err)) return cli_error("eval", "--levels: %s", err);
    acrl_agent* a = acrl_agent_load(ckpt, err, sizeof err);
    if (!a) { free(lv); return cli_error("eval", "%s", err); }
    acrl_env_options eo = acrl_env_options_default();
    acrl_env* env = strcmp(acrl_agent_env_id(a), "Maze-v0") == 0 ? acrl_env_make("Maze-v0", &eo, err, sizeof err) : NULL;
    if (!env) {
        int rc = cli_error("eval", "--levels applies to Maze-v0 policies; %s's env is %s", ckpt, acrl_agent_env_id(a));
        acrl_agent_free(a);
        free(lv);
        return rc;
    }
    float obs[64], act[1];
    long long solved = 0, count = 0;
    double ret_sum = 0, len_sum = 0;
    for (int i = 0; i < n; i++)
        for (long long k = 0; k < episodes; k++) {
            acrl_maze_set_level(env, &lv[i]);
            acrl_env_reset(env, (int64_t)(seed + (uint64_t)count), obs);
            bool term = false, trunc = false;
            double ret = 0, r;
            int len = 0;
            while (!term && !trunc) {
                acrl_agent_act(a, obs, 1, act, !stochastic);
                acrl_env_step(env, act, obs, &r, &term, &trunc);
                ret += r;
                len++;
            }
            solved += term;
            ret_sum += ret;
            len_sum += len;
            count++;
        }
    printf("levels %d  episodes %lld  solved rate %.4f  return mean %.4f  length mean %.2f\n", n, count,
           (double)solved / (double)count, ret_sum / (double)count, len_sum / (double)count);
    acrl_env_close(env);
    acrl_agent_free(a);
    free(lv);
    return 0;
}

/* --decision-intervals 1,2,4,8,16: the return when the policy decides only every d steps, per
 * interval, and the Frequency-Averaged Score (SRL): the mean of those returns; with
 * --max-return R also SRL's normalized area, trapezoid(returns over d) / (R * d_max). */
static int eval_intervals(const char* path, const char* list, const char* max_ret, long long episodes, uint64_t seed,
                          bool stochastic) {
    enum { MAXN = 64 };
    int d[MAXN], n = 0;
    const char* p = list;
    while (*p) {
        char* end;
        long long v = strtoll(p, &end, 10);
        if (end == p || (*end && *end != ',') || v < 1 || v > 100000 || n == MAXN)
            return cli_error("eval", "--decision-intervals: expected up to %d comma-separated intervals in [1, 100000] "
                             "(e.g. 1,2,4,8,16), got '%s'", MAXN, list);
        if (n > 0 && v <= d[n - 1])
            return cli_error("eval", "--decision-intervals: intervals must increase, got '%s'", list);
        d[n++] = (int)v;
        p = *end ? end + 1 : end;
        if (*end && !*p) return cli_error("eval", "--decision-intervals: trailing comma in '%s'", list);
    }
    if (n == 0) return cli_error("eval", "--decision-intervals: empty list");
    double rmax = 0;
    if (max_ret) {
        char* end;
        rmax = strtod(max_ret, &end);
        if (end == max_ret || *end || !(rmax > 0) || !isfinite(rmax))
            return cli_error("eval", "--max-return: expected a positive number, got '%s'", max_ret);
    }
    double mean[MAXN], std[MAXN];
    int K = 1;
    char err[1024];
    int rc = acrl_eval_decision_intervals(path, d, n, (int)episodes, seed, stochastic, mean, std, &K, err, sizeof err);
    if (rc == ACRL_ERR_INPUT) return cli_error("eval", "%s", err);
    if (rc != ACRL_OK) { fprintf(stderr, "acrl: eval: %s\n", err); return rc; }
    printf("policy: %d action%s per decision (%s)\n", K, K > 1 ? "s" : "",
           K > 1 ? "the first d run open loop, the last one held when d > K" : "held for d steps");
    double fas = 0, area = 0;
    for (int i = 0; i < n; i++) {
        printf("interval %d  episodes %lld  return mean %.3f  std %.3f\n", d[i], episodes, mean[i], std[i]);
        fas += mean[i] / n;
        if (i) area += 0.5 * (mean[i] + mean[i - 1]) * (d[i] - d[i - 1]);
    }
    printf("FAS (mean return over %d intervals) %.3f", n, fas);
    if (max_ret && n > 1) printf("  normalized area (trapezoid / (%g * %d)) %.4f", rmax, d[n - 1], area / (rmax * d[n - 1]));
    printf("\n");
    return 0;
}

static int eval_run(int argc, char** argv) {
    enum { O_EPISODES, O_SEED, O_STOCH, O_PLUGIN, O_LEVELS, O_INTERVALS, O_MAXRET, O_N };
    cli_opt opts[O_N] = {{"--episodes", true, NULL}, {"--seed", true, NULL}, {"--stochastic", false, NULL},
                         {"--plugin", true, NULL}, {"--levels", true, NULL}, {"--decision-intervals", true, NULL},
                         {"--max-return", true, NULL}};
    const char* pos[1];
    int npos = 0;
    if (cli_parse("eval", argc, argv, opts, O_N, pos, 1, &npos)) return CLI_EXIT_USAGE;
    if (npos != 1) return cli_error("eval", "expected one CHECKPOINT file");
    long long episodes = opts[O_LEVELS].value ? 1 : 20, seed = 1000000;
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
    if (opts[O_MAXRET].value && !opts[O_INTERVALS].value)
        return cli_error("eval", "--max-return goes with --decision-intervals");
    if (opts[O_INTERVALS].value && opts[O_LEVELS].value)
        return cli_error("eval", "--decision-intervals and --levels do not combine");
    if (opts[O_INTERVALS].value)
        return eval_intervals(path, opts[O_INTERVALS].value, opts[O_MAXRET].value, episodes, (uint64_t)seed,
                              opts[O_STOCH].value != NULL);
    if (opts[O_LEVELS].value)
        return eval_levels(path, opts[O_LEVELS].value, episodes, (uint64_t)seed, opts[O_STOCH].value != NULL);
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
    "eval", "evaluate a checkpoint: acrl eval CHECKPOINT|RUN_DIR [--episodes N] [--seed S] [--stochastic] [--levels FILE] "
    "[--decision-intervals LIST]",
    "usage: acrl eval CHECKPOINT|RUN_DIR [--episodes N] [--seed S] [--stochastic] [--levels FILE] [--plugin FILE]\n"
    "                 [--decision-intervals LIST [--max-return R]]\n"
    "\n"
    "A run directory stands for its final.ckpt (or last.ckpt while it is unfinished).\n"
    "Runs N episodes (default 20) of the checkpoint's env with the saved policy and prints\n"
    "the mean and std of the returns (and, for envs with costs, the mean episode cost). Episode i is reset with seed S + i (default S 1000000).\n"
    "Actions are the policy's mode unless --stochastic is given. Observation normalization\n"
    "uses the statistics saved in the checkpoint.\n"
    "--levels FILE (Maze-v0 policies): plays every level of the level file (acrl/maze.h,\n"
    "docs/generalisation.md) N times (default 1) and prints the solved rate (episodes that\n"
    "reached the goal), the mean return and the mean episode length.\n"
    "--decision-intervals LIST (Box actions): for each interval d of the increasing list (e.g.\n"
    "1,2,4,8,16) the return when the policy decides only every d steps: a policy trained with\n"
    "action_sequence = K runs the first d of its K actions open loop (its last one held when\n"
    "d > K), any other policy holds its action for d steps. Prints a row per interval and the\n"
    "Frequency-Averaged Score (FAS, SRL): the mean return over the intervals; --max-return R\n"
    "adds SRL's normalized area: trapezoid(returns over d) / (R * largest d).\n"
    "\n"
    CLI_PLUGIN_USAGE
    "                  (a run directory's plugin, named in DIR/plugin, is loaded by itself\n"
    "                  unless --plugin names another)\n",
    eval_run,
};

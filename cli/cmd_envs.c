/* `acrl envs`: the table of registered environments with their spaces and limits. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "acrl/env.h"
#include "acrl/marl.h"
#include "cli.h"

/* "Discrete(2)", "Box(1,) [-2, 2]", or per-dimension bounds when they differ. */
static void describe_action(const acrl_space* s, char* buf, size_t len) {
    acrl_space_describe(s, buf, len);
    if (s->kind != ACRL_SPACE_BOX) return;
    size_t k = strlen(buf);
    bool same = true;
    for (int i = 1; i < s->dim; i++) same &= s->low[i] == s->low[0] && s->high[i] == s->high[0];
    if (same) {
        snprintf(buf + k, len - k, " [%g, %g]", s->low[0], s->high[0]);
        return;
    }
    for (int b = 0; b < 2; b++) {
        const float* v = b ? s->high : s->low;
        k += (size_t)snprintf(buf + k, k < len ? len - k : 0, b ? " high=[" : " low=[");
        for (int i = 0; i < s->dim && k < len; i++)
            k += (size_t)snprintf(buf + k, len - k, i ? ",%g" : "%g", v[i]);
        if (k < len) k += (size_t)snprintf(buf + k, len - k, "]");
    }
}

static int envs_run(int argc, char** argv) {
    const char* pos[1];
    int npos;
    cli_opt opts[1] = {{"--plugin", true, NULL}};
    int rc = cli_parse("envs", argc, argv, opts, 1, pos, 0, &npos);
    if (rc) return rc;
    if (opts[0].value && cli_plugin_load("envs", opts[0].value)) return CLI_EXIT_USAGE;
    printf("%-28s %-12s %-26s %9s %8s\n", "ID", "OBSERVATION", "ACTION", "MAX STEPS", "SOLVED");
    for (int i = 0; i < acrl_env_count(); i++) {
        const acrl_env_spec* spec = acrl_env_spec_at(i);
        char err[ACRL_ERRLEN], obs[64], act[256], solved[32];
        acrl_env* e = acrl_env_make(spec->id, NULL, err, sizeof err);
        if (!e) {
            printf("%-28s (cannot create: %s)\n", spec->id, err);
            continue;
        }
        acrl_space_describe(&e->obs_space, obs, sizeof obs);
        describe_action(&e->act_space, act, sizeof act);
        if (isfinite(spec->solved_threshold)) snprintf(solved, sizeof solved, "%g", spec->solved_threshold);
        else snprintf(solved, sizeof solved, "-");
        printf("%-28s %-12s %-26s %9d %8s\n", spec->id, obs, act, spec->max_episode_steps, solved);
        acrl_env_close(e);
    }
    /* multi-agent envs (acrl/marl.h): per-agent spaces, for ippo and mappo */
    printf("\n%-28s %-6s %-30s %-30s %9s\n", "MULTI-AGENT ID", "AGENTS", "OBSERVATIONS", "ACTIONS", "MAX STEPS");
    for (int i = 0; i < acrl_menv_count(); i++) {
        char err[ACRL_ERRLEN], obs[128] = "", act[128] = "";
        acrl_menv* e = acrl_menv_make(acrl_menv_id_at(i), NULL, err, sizeof err);
        if (!e) {
            printf("%-28s (cannot create: %s)\n", acrl_menv_id_at(i), err);
            continue;
        }
        size_t ko = 0, ka = 0;
        for (int a = 0; a < e->n_agents; a++) {
            ko += (size_t)snprintf(obs + ko, ko < sizeof obs ? sizeof obs - ko : 0, a ? ",Box(%d,)" : "Box(%d,)", e->obs_dim[a]);
            ka += (size_t)snprintf(act + ka, ka < sizeof act ? sizeof act - ka : 0, a ? ",Discrete(%d)" : "Discrete(%d)",
                                   e->n_actions[a]);
            if (ko >= sizeof obs || ka >= sizeof act) break;
        }
        printf("%-28s %-6d %-30s %-30s %9d\n", e->id, e->n_agents, obs, act, e->max_cycles ? e->max_cycles : 1);
        acrl_menv_close(e);
    }
    return 0;
}

const cli_command cli_cmd_envs = {
    "envs",
    "list the registered environments",
    "usage: acrl envs [--plugin FILE]\n\n"
    "Lists the registered environments: id, observation space, action space (with its\n"
    "bounds for Box), the time limit of gym.make (max episode steps) and the return at\n"
    "which the env counts as solved. A second table lists the multi-agent envs (trained by\n"
    "ippo and mappo): agents, each agent's observation and action space, episode length.\n\n"
    CLI_PLUGIN_USAGE,
    envs_run,
};

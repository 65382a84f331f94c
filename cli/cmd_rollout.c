/* `acrl rollout ENV`: runs one episode with actions from a file or sampled at random and
 * prints every transition as CSV (for comparing against Gymnasium step by step). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "acrl/env.h"
#include "acrl/io.h"
#include "acrl/marl.h"
#include "cli.h"

#define CMD "rollout"
#define MAX_DIM 1024

/* Where actions come from: a file (one per line) or the action space's sampler. */
typedef struct {
    FILE*    file;       /* NULL: random */
    acrl_rng rng;        /* random: seeded from the seed on its own stream */
    long     line;       /* line number of the last line read */
    char*    buf;        /* getline buffer */
    size_t   cap;
} action_source;

/* Parses one file line into action. Returns 0, or CLI_EXIT_USAGE after printing the error. */
static int parse_action(const acrl_space* s, char* line, long lineno, float* action) {
    char msg[256];
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
        line[--n] = '\0';
    while (*line == ' ' || *line == '\t') line++;
    if (s->kind == ACRL_SPACE_DISCRETE) {
        long long a;
        if (cli_to_int(line, 0, s->n - 1, &a, msg, sizeof msg) != 0)
            return cli_error(CMD, "actions line %ld: %s (Discrete(%d) takes an integer in [0, %d])",
                             lineno, msg, s->n, s->n - 1);
        action[0] = (float)a;
        return 0;
    }
    double v[MAX_DIM];
    int k;
    if (cli_to_doubles(line, v, MAX_DIM, &k, msg, sizeof msg) != 0)
        return cli_error(CMD, "actions line %ld: %s", lineno, msg);
    if (k != s->dim)
        return cli_error(CMD, "actions line %ld: expected %d comma-separated value%s, got %d",
                         lineno, s->dim, s->dim == 1 ? "" : "s", k);
    for (int i = 0; i < k; i++) action[i] = (float)v[i];
    return 0;
}

/* Uniform over a bounded Box dimension; unbounded ones get a normal (or shifted
 * exponential-like |normal| for half-bounded), like Gymnasium's Box.sample. */
static void sample_action(const acrl_space* s, acrl_rng* rng, float* action) {
    if (s->kind == ACRL_SPACE_DISCRETE) {
        action[0] = (float)acrl_rng_below(rng, (uint64_t)s->n);
        return;
    }
    for (int i = 0; i < s->dim; i++) {
        double lo = s->low[i], hi = s->high[i];
        double x;
        if (isfinite(lo) && isfinite(hi)) x = acrl_rng_uniform(rng, lo, hi);
        else if (isfinite(lo)) x = lo + fabs(acrl_rng_normal(rng));
        else if (isfinite(hi)) x = hi - fabs(acrl_rng_normal(rng));
        else x = acrl_rng_normal(rng);
        float f = (float)x;
        if (f > s->high[i]) f = s->high[i];   /* rounding to float must not leave the box */
        action[i] = f;
    }
}

/* Next action: 1 got one, 0 the file ran out, -1 a read error, CLI_EXIT_USAGE + 1 on a bad line. */
static int next_action(action_source* src, const acrl_space* s, float* action) {
    if (!src->file) {
        sample_action(s, &src->rng, action);
        return 1;
    }
    if (getline(&src->buf, &src->cap, src->file) < 0) return ferror(src->file) ? -1 : 0;
    src->line++;
    return parse_action(s, src->buf, src->line, action) == 0 ? 1 : CLI_EXIT_USAGE + 1;
}

static void print_row(long step, const acrl_space* as, const float* action, const float* obs, int od,
                      const double* reward, bool term, bool trunc) {
    printf("%ld", step);
    for (int i = 0; i < as->dim; i++) {
        if (!action) printf(",");
        else if (as->kind == ACRL_SPACE_DISCRETE) printf(",%d", (int)action[i]);
        else printf(",%.9g", (double)action[i]);
    }
    for (int i = 0; i < od; i++) printf(",%.9g", (double)obs[i]);
    if (reward) printf(",%.17g", *reward);
    else printf(",");
    printf(",%d,%d\n", term ? 1 : 0, trunc ? 1 : 0);
}

/* A multi-agent env: columns step, a_<agent>..., o<agent>_<k>..., r_<agent>..., terminated,
 * truncated (any agent's); actions lines hold one integer per agent, comma-separated. */
static int rollout_marl(const char* id, long long seed, long long max_steps, const char* actions_path) {
    char err[ACRL_ERRLEN], msg[256];
    acrl_menv* e = acrl_menv_make(id, NULL, err, sizeof err);
    if (!e) return cli_error(CMD, "%s", err);
    const int N = e->n_agents;
    float obs[ACRL_MARL_MAX_AGENTS * 64];
    int a[ACRL_MARL_MAX_AGENTS];
    double r[ACRL_MARL_MAX_AGENTS];
    bool term[ACRL_MARL_MAX_AGENTS], trunc[ACRL_MARL_MAX_AGENTS];
    acrl_rng rng;
    acrl_rng_seed2(&rng, (uint64_t)seed, 1);
    FILE* f = NULL;
    if (actions_path && strcmp(actions_path, "random") != 0 &&
        !(f = acrl_file_open_read(actions_path, "actions file", err, sizeof err))) {
        acrl_menv_close(e);
        return cli_error(CMD, "--actions: %s", err);
    }
    int rc = 0;
    char* line = NULL;
    size_t cap = 0;
    long lineno = 0;
    acrl_menv_reset(e, seed, obs);
    printf("step");
    for (int i = 0; i < N; i++) printf(",a%d", i);
    for (int i = 0; i < N; i++)
        for (int k = 0; k < e->obs_dim[i]; k++) printf(",o%d_%d", i, k);
    for (int i = 0; i < N; i++) printf(",r%d", i);
    printf(",terminated,truncated\n");
    for (long t = 0; max_steps < 0 || t <= max_steps; t++) {
        if (t > 0) {
            if (f) {
                if (getline(&line, &cap, f) < 0) {
                    if (ferror(f)) { fprintf(stderr, "acrl: %s: cannot read actions file %s: %s\n", CMD, actions_path, strerror(errno)); rc = 1; }
                    break;
                }
                lineno++;
                size_t len = strlen(line);
                while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ')) line[--len] = '\0';
                double v[ACRL_MARL_MAX_AGENTS + 1];
                int k;
                if (cli_to_doubles(line, v, ACRL_MARL_MAX_AGENTS + 1, &k, msg, sizeof msg) != 0) {
                    rc = cli_error(CMD, "actions line %ld: %s", lineno, msg);
                    break;
                }
                if (k != N) { rc = cli_error(CMD, "actions line %ld: expected %d actions (one per agent), got %d", lineno, N, k); break; }
                for (int i = 0; i < N; i++) {
                    if (v[i] != floor(v[i]) || v[i] < 0 || v[i] >= e->n_actions[i]) {
                        rc = cli_error(CMD, "actions line %ld: agent %d takes an integer in [0, %d], got %g", lineno, i,
                                       e->n_actions[i] - 1, v[i]);
                        goto out;
                    }
                    a[i] = (int)v[i];
                }
            } else {
                for (int i = 0; i < N; i++) a[i] = (int)acrl_rng_below(&rng, (uint64_t)e->n_actions[i]);
            }
            acrl_menv_step(e, a, obs, r, term, trunc);
        }
        printf("%ld", t);
        for (int i = 0; i < N; i++) t ? printf(",%d", a[i]) : printf(",");
        for (int i = 0; i < N; i++)
            for (int k = 0; k < e->obs_dim[i]; k++) printf(",%.9g", (double)obs[i * e->obs_max + k]);
        bool anyt = false, anyu = false;
        for (int i = 0; i < N; i++) {
            t ? printf(",%.17g", r[i]) : printf(",");
            if (t) { anyt |= term[i]; anyu |= trunc[i]; }
        }
        printf(",%d,%d\n", anyt, anyu);
        if (anyt || anyu) break;
    }
out:
    free(line);
    if (f) fclose(f);
    acrl_menv_close(e);
    return rc;
}

static int rollout_run(int argc, char** argv) {
    cli_opt opts[] = {
        { "--seed", true, NULL }, { "--state", true, NULL },
        { "--actions", true, NULL }, { "--steps", true, NULL }, { "--plugin", true, NULL },
        { "--env-args", true, NULL },
    };
    const char* pos[1];
    int npos, rc = cli_parse(CMD, argc, argv, opts, 6, pos, 1, &npos);
    if (rc) return rc;
    if (opts[4].value && cli_plugin_load(CMD, opts[4].value)) return CLI_EXIT_USAGE;
    if (npos != 1) return cli_error(CMD, "missing ENV (see 'acrl envs' for the ids)");
    long long seed = 0, max_steps = -1;
    if (opts[0].value && (rc = cli_opt_int(CMD, "--seed", opts[0].value, 0, INT64_MAX, &seed))) return rc;
    if (opts[3].value && (rc = cli_opt_int(CMD, "--steps", opts[3].value, 0, INT32_MAX, &max_steps))) return rc;
    if (acrl_menv_exists(pos[0])) {
        if (opts[1].value) return cli_error(CMD, "--state: %s is a multi-agent env; it takes no state", pos[0]);
        if (opts[5].value) return cli_error(CMD, "--env-args: not supported for the multi-agent env %s", pos[0]);
        return rollout_marl(pos[0], seed, max_steps, opts[2].value);
    }
    double state[MAX_DIM];
    int nstate = 0;
    if (opts[1].value) {
        char msg[256];
        if (cli_to_doubles(opts[1].value, state, MAX_DIM, &nstate, msg, sizeof msg) != 0)
            return cli_error(CMD, "--state: %s", msg);
    }

    char err[ACRL_ERRLEN];
    acrl_env_options eo = acrl_env_options_default();
    eo.env_args = opts[5].value;
    acrl_env* env = acrl_env_make(pos[0], &eo, err, sizeof err);
    if (!env) return cli_error(CMD, "%s", err);
    const acrl_space* as = &env->act_space;
    int od = env->obs_space.dim;
    if (od > MAX_DIM || as->dim > MAX_DIM) {
        acrl_env_close(env);
        return cli_error(CMD, "%s: spaces larger than %d are not supported", pos[0], MAX_DIM);
    }
    if (opts[1].value && nstate != env->state_dim) {
        int want = env->state_dim;
        acrl_env_close(env);
        if (want == 0) return cli_error(CMD, "--state: %s does not support setting the state", pos[0]);
        return cli_error(CMD, "--state: %s expects %d values (env.unwrapped.state order), got %d",
                         pos[0], want, nstate);
    }
    action_source src = { NULL, { 0 }, 0, NULL, 0 };
    acrl_rng_seed2(&src.rng, (uint64_t)seed, 1);
    if (opts[2].value && strcmp(opts[2].value, "random") != 0) {
        src.file = acrl_file_open_read(opts[2].value, "actions file", err, sizeof err);
        if (!src.file) {
            acrl_env_close(env);
            return cli_error(CMD, "--actions: %s", err);
        }
    }

    float obs[MAX_DIM], action[MAX_DIM];
    acrl_env_reset(env, seed, obs);
    if (opts[1].value && acrl_env_set_state(env, state, nstate, obs, err, sizeof err) != 0) {
        rc = cli_error(CMD, "--state: %s", err);
        goto done;
    }
    printf("step");
    for (int i = 0; i < as->dim; i++) printf(",a%d", i);
    for (int i = 0; i < od; i++) printf(",o%d", i);
    printf(",reward,terminated,truncated\n");
    print_row(0, as, NULL, obs, od, NULL, false, false);
    for (long t = 1; max_steps < 0 || t <= max_steps; t++) {
        int got = next_action(&src, as, action);
        if (got == 0) break;
        if (got < 0) { /* an I/O error: exit 1 without the usage hint */
            fprintf(stderr, "acrl: %s: cannot read actions file %s: %s\n", CMD, opts[2].value, strerror(errno));
            rc = 1;
            goto done;
        }
        if (got != 1) { rc = CLI_EXIT_USAGE; goto done; }
        double r;
        bool term, trunc;
        acrl_env_step(env, action, obs, &r, &term, &trunc);
        print_row(t, as, action, obs, od, &r, term, trunc);
        if (term || trunc) break;
    }
done:
    free(src.buf);
    if (src.file) fclose(src.file);
    acrl_env_close(env);
    return rc;
}

const cli_command cli_cmd_rollout = {
    "rollout",
    "run one episode and print every transition as CSV",
    "usage: acrl rollout ENV [--seed S] [--state V1,V2,...] [--actions FILE|random] [--steps N]\n"
    "                    [--env-args K=V,K=V] [--plugin FILE]\n\n"
    "Resets ENV (as made by gym.make, with its time limit) with seed S (default 0), runs\n"
    "one episode and prints CSV on stdout:\n\n"
    "  step,a0..a{k-1},o0..o{n-1},reward,terminated,truncated\n\n"
    "Row 0 is the observation after reset (and after --state): its action and reward\n"
    "fields are empty, its flags 0. Row t is the action taken at step t and what the\n"
    "env returned. Floats are printed with %.9g, the reward with %.17g.\n\n"
    "options:\n"
    "  --seed S        reset seed, an integer >= 0 (default 0)\n"
    "  --state V,...   set the state after reset (Gymnasium's env.unwrapped.state order)\n"
    "  --actions FILE  one action per line: an integer for Discrete spaces, comma-separated\n"
    "                  finite floats for Box (out-of-bounds values are passed on: the envs\n"
    "                  clip them); the rollout stops when the file runs out\n"
    "  --actions random  sample uniformly from the action space, from an RNG seeded with S\n"
    "                  on its own stream (the default)\n"
    "  --steps N       stop after N steps even if the episode goes on\n"
    "  --env-args K=V,...  the env's settings, as the run key env_args (e.g. LaserNav-v0\n"
    "                  moving=0; an unknown or bad setting exits with code 2)\n"
    CLI_PLUGIN_USAGE "\n"
    "Multi-agent envs (the second table of acrl envs): columns step, a<i> per agent,\n"
    "o<i>_<k> per agent, r<i> per agent, terminated, truncated; an actions line holds one\n"
    "integer per agent, comma-separated.\n\n"
    "Errors (unknown options or env, malformed numbers, bad action lines) exit with code 2.\n",
    rollout_run,
};

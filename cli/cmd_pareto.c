/* acrl pareto RUN_DIR: the (delay, energy) points of a preference-conditioned MecOffload-v0
 * policy evaluated at evenly spaced preferences, their non-dominated front and its
 * hypervolume, beside the same for heuristic baselines and for per-weight policies. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acrl.h"
#include "cli.h"

#define CMD "pareto"
#define MAX_SETS 32
#define MAX_PW 128
#define MAX_W 1001
#define NHEUR 4

static const char* const HEUR_NAMES[NHEUR] = {"all_local", "fastest_server", "random", "greedy_delay"};
static const acrl_mec_heuristic HEUR_KINDS[NHEUR] = {ACRL_MEC_LOCAL, ACRL_MEC_FASTEST, ACRL_MEC_RANDOM, ACRL_MEC_GREEDY};

typedef struct {
    char name[64];
    int n;               /* points */
    double* x, *y;       /* (n) mean delay (s) and energy (J) per task */
    double hv;
    int* front;          /* (n) indices of the non-dominated points, by delay */
    int nfront;
} prow;

typedef struct {
    double delay, energy;
    int tasks;
    char args[4096];     /* the env's settings (first episode) */
    int not_mec;
} ep_acc;

static void on_end(void* user, acrl_env* env) {
    ep_acc* a = user;
    double d, e;
    int t;
    if (acrl_mec_totals(env, &d, &e, &t)) { a->not_mec = 1; return; }
    a->delay += d;
    a->energy += e;
    a->tasks += t;
    if (!a->args[0]) acrl_mec_args(env, a->args, sizeof a->args);
}

/* the checkpoint file of a run directory (policy.ckpt, else final.ckpt, else last.ckpt) */
static int ckpt_of(const char* target, char* path, size_t len) {
    struct stat st;
    snprintf(path, len, "%s", target);
    if (stat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
        char err[ACRL_ERRLEN];
        if (acrl_path_join(path, len, target, "policy.ckpt", err, sizeof err)) return cli_error(CMD, "%s", err);
        if (stat(path, &st) != 0) acrl_path_join(path, len, target, "final.ckpt", NULL, 0);
        if (stat(path, &st) != 0) acrl_path_join(path, len, target, "last.ckpt", NULL, 0);
    }
    return 0;
}

/* mean delay and energy per task of episodes of a checkpoint's policy (its env settings,
 * then extra); 0, or an exit code after a message */
static int eval_ckpt(const char* path, const char* extra, int episodes, long long seed, double* x, double* y,
                     char* args_out, size_t args_len) {
    ep_acc a;
    memset(&a, 0, sizeof a);
    char err[1024];
    for (int e = 0; e < episodes; e++) {
        int rc = acrl_checkpoint_episode(path, extra, seed + e, on_end, &a, err, sizeof err);
        if (rc != ACRL_OK) {
            if (rc == ACRL_ERR_INPUT) return cli_error(CMD, "%s", err);
            fprintf(stderr, "acrl: %s: %s\n", CMD, err);
            return 1;
        }
        if (a.not_mec) return cli_error(CMD, "%s: the checkpoint's env is not MecOffload-v0", path);
    }
    *x = a.tasks ? a.delay / a.tasks : 0;
    *y = a.tasks ? a.energy / a.tasks : 0;
    if (args_out) snprintf(args_out, args_len, "%s", a.args);
    return 0;
}

static int eval_heuristic(const char* args, acrl_mec_heuristic h, int episodes, long long seed, double* x, double* y) {
    acrl_env_options eo = acrl_env_options_default();
    eo.env_args = args;
    char err[1024];
    acrl_env* env = acrl_env_make("MecOffload-v0", &eo, err, sizeof err);
    if (!env) return cli_error(CMD, "%s", err);
    float* obs = malloc(sizeof(float) * (size_t)env->obs_space.dim);
    if (!obs) { acrl_env_close(env); fprintf(stderr, "acrl: %s: out of memory\n", CMD); return 1; }
    acrl_rng rng;
    acrl_rng_seed2(&rng, (uint64_t)seed, 7);
    double D = 0, E = 0;
    int T = 0;
    for (int e = 0; e < episodes; e++) {
        acrl_env_reset(env, seed + e, obs);
        bool term = false, trunc = false;
        while (!term && !trunc) {
            double r;
            acrl_mec_step_server(env, acrl_mec_heuristic_choice(env, h, &rng), obs, &r, &term, &trunc);
        }
        double d, en;
        int t;
        acrl_mec_totals(env, &d, &en, &t);
        D += d;
        E += en;
        T += t;
    }
    free(obs);
    acrl_env_close(env);
    *x = T ? D / T : 0;
    *y = T ? E / T : 0;
    return 0;
}

static int row_alloc(prow* r, const char* name, int n) {
    snprintf(r->name, sizeof r->name, "%s", name);
    r->n = n;
    r->x = calloc((size_t)n + 1, sizeof(double));
    r->y = calloc((size_t)n + 1, sizeof(double));
    r->front = calloc((size_t)n + 1, sizeof(int));
    return r->x && r->y && r->front ? 0 : -1;
}

static int pareto_run(int argc, char** argv) {
    const char* sets[MAX_SETS], *pw[MAX_PW];
    int nsets = 0, npw = 0;
    char* rest[argc + 1];
    int nrest = 0;
    for (int i = 0; i < argc; i++) {
        int is_set = strcmp(argv[i], "--set") == 0 || strncmp(argv[i], "--set=", 6) == 0;
        int is_pw = strcmp(argv[i], "--per-weight") == 0 || strncmp(argv[i], "--per-weight=", 13) == 0;
        if (is_set || is_pw) {
            size_t ol = is_set ? 5 : 12;
            const char* v = argv[i][ol] == '=' ? argv[i] + ol + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v) return cli_error(CMD, "%s needs a value", is_set ? "--set" : "--per-weight");
            if (is_set) {
                if (nsets == MAX_SETS) return cli_error(CMD, "too many --set options (at most %d)", MAX_SETS);
                sets[nsets++] = v;
            } else {
                if (npw == MAX_PW) return cli_error(CMD, "too many --per-weight runs (at most %d)", MAX_PW);
                pw[npw++] = v;
            }
        } else {
            rest[nrest++] = argv[i];
        }
    }
    rest[nrest] = NULL;
    enum { O_WEIGHTS, O_EPISODES, O_SEED, O_REF, O_PLOT, O_CSV, O_N };
    cli_opt opts[O_N] = {{"--weights", true, NULL}, {"--episodes", true, NULL}, {"--seed", true, NULL},
                         {"--ref", true, NULL},     {"--plot", true, NULL},     {"--csv", true, NULL}};
    const char* pos[1];
    int npos = 0;
    if (cli_parse(CMD, nrest, rest, opts, O_N, pos, 1, &npos)) return CLI_EXIT_USAGE;
    if (npos != 1) return cli_error(CMD, "expected one RUN_DIR (or checkpoint) of a MecOffload-v0 policy");
    long long nw = 11, episodes = 10, seed = 1000000;
    if (opts[O_WEIGHTS].value && cli_opt_int(CMD, "--weights", opts[O_WEIGHTS].value, 2, MAX_W, &nw))
        return CLI_EXIT_USAGE;
    if (opts[O_EPISODES].value && cli_opt_int(CMD, "--episodes", opts[O_EPISODES].value, 1, 100000, &episodes))
        return CLI_EXIT_USAGE;
    if (opts[O_SEED].value && cli_opt_int(CMD, "--seed", opts[O_SEED].value, 0, 4294967295LL, &seed))
        return CLI_EXIT_USAGE;
    double ref[2];
    int nref = 0;
    char msg[256];
    if (opts[O_REF].value) {
        if (cli_to_doubles(opts[O_REF].value, ref, 2, &nref, msg, sizeof msg) || nref != 2 || !(ref[0] > 0) ||
            !(ref[1] > 0))
            return cli_error(CMD, "--ref: needs two numbers > 0, DELAY,ENERGY (seconds, joules per task)");
    }
    /* env settings: --set key=value pairs (a preference is the command's own business) */
    char args[2048] = "";
    size_t k = 0;
    for (int i = 0; i < nsets; i++) {
        if (!strchr(sets[i], '=')) return cli_error(CMD, "--set %s: expected key=value", sets[i]);
        const char* s = strncmp(sets[i], "env_args=", 9) == 0 ? sets[i] + 9 : sets[i];
        if (strncmp(s, "pref=", 5) == 0) return cli_error(CMD, "--set %s: the preferences are set by --weights", s);
        k += (size_t)snprintf(args + k, k < sizeof args ? sizeof args - k : 0, "%s%s", k ? "," : "", s);
        if (k >= sizeof args) return cli_error(CMD, "--set: the settings are too long");
    }
    /* the settings must parse: check them on an env before the long evaluation */
    {
        acrl_env_options eo = acrl_env_options_default();
        eo.env_args = args;
        char err[1024];
        acrl_env* env = acrl_env_make("MecOffload-v0", &eo, err, sizeof err);
        if (!env) return cli_error(CMD, "--set: %s", err);
        acrl_env_close(env);
    }
    int code = 0;
    prow rows[NHEUR + 2];
    memset(rows, 0, sizeof rows);
    int nrows = 0;
    char path[4096], extra[2200], env_args[4096] = "";
    if ((code = ckpt_of(pos[0], path, sizeof path))) return code;
    /* the policy at each preference */
    if (row_alloc(&rows[nrows++], "policy", (int)nw)) { fprintf(stderr, "acrl: %s: out of memory\n", CMD); return 1; }
    for (int i = 0; i < nw && !code; i++) {
        double w = (double)i / (double)(nw - 1);
        snprintf(extra, sizeof extra, "%s%spref=%.17g", args, args[0] ? "," : "", w);
        code = eval_ckpt(path, extra, (int)episodes, seed, &rows[0].x[i], &rows[0].y[i], i ? NULL : env_args,
                         sizeof env_args);
    }
    /* heuristics on the policy's env settings (w does not matter to them: fixed at 0.5, so that
     * every row sees the same episodes) */
    for (int h = 0; h < NHEUR && !code; h++) {
        char hargs[4200];
        snprintf(hargs, sizeof hargs, "%s,pref=0.5", env_args);
        if (row_alloc(&rows[nrows++], HEUR_NAMES[h], 1)) { code = 1; break; }
        code = eval_heuristic(hargs, HEUR_KINDS[h], (int)episodes, seed, &rows[nrows - 1].x[0], &rows[nrows - 1].y[0]);
    }
    /* per-weight policies, each at its own (fixed) preference */
    if (npw > 0 && !code) {
        if (row_alloc(&rows[nrows++], "per_weight", npw)) code = 1;
        for (int i = 0; i < npw && !code; i++) {
            char p2[4096], a2[4096];
            if ((code = ckpt_of(pw[i], p2, sizeof p2))) break;
            code = eval_ckpt(p2, args[0] ? args : NULL, (int)episodes, seed, &rows[nrows - 1].x[i],
                             &rows[nrows - 1].y[i], a2, sizeof a2);
            if (!code && strncmp(a2, "pref=random", 11) == 0)
                code = cli_error(CMD, "--per-weight %s: the run's preference is random, not fixed", pw[i]);
            /* settings other than the preference should be the policy's, else the rows compare
             * different systems: said, not refused */
            const char* s1 = strchr(env_args, ','), *s2 = strchr(a2, ',');
            if (!code && s1 && s2 && strcmp(s1, s2) != 0)
                fprintf(stderr, "acrl: %s: note: --per-weight %s has other env settings than the policy: %s\n", CMD,
                        pw[i], s2 + 1);
        }
    }
    if (code) {
        for (int r = 0; r < nrows; r++) { free(rows[r].x); free(rows[r].y); free(rows[r].front); }
        return code;
    }
    /* reference point: given, else 1.1 x the worst delay and the worst energy on the front of
     * all rows' points together (its nadir), so that points no policy would pick do not set it */
    if (!nref) {
        int tot = 0;
        for (int r = 0; r < nrows; r++) tot += rows[r].n;
        double* ux = malloc(sizeof(double) * 2 * (size_t)tot);
        int* keep = malloc(sizeof(int) * (size_t)tot);
        if (!ux || !keep) { free(ux); free(keep); fprintf(stderr, "acrl: %s: out of memory\n", CMD); return 1; }
        double* uy = ux + tot;
        int m = 0;
        for (int r = 0; r < nrows; r++)
            for (int i = 0; i < rows[r].n; i++) { ux[m] = rows[r].x[i]; uy[m] = rows[r].y[i]; m++; }
        int nk = acrl_pareto_front(ux, uy, m, keep);
        ref[0] = ref[1] = 0;
        for (int i = 0; i < nk; i++) {
            ref[0] = fmax(ref[0], 1.1 * ux[keep[i]]);
            ref[1] = fmax(ref[1], 1.1 * uy[keep[i]]);
        }
        free(ux);
        free(keep);
    }
    for (int r = 0; r < nrows; r++) {
        rows[r].nfront = acrl_pareto_front(rows[r].x, rows[r].y, rows[r].n, rows[r].front);
        rows[r].hv = acrl_hypervolume2(rows[r].x, rows[r].y, rows[r].n, ref[0], ref[1]);
    }
    printf("env settings: %s\n", env_args);
    printf("episodes %lld per point (seeds %lld..%lld); delay s and energy J are means per task\n", episodes, seed,
           seed + episodes - 1);
    printf("policy at each preference w (reward w r_delay + (1 - w) r_energy):\n%8s %12s %12s\n", "w", "delay",
           "energy");
    for (int i = 0; i < rows[0].n; i++)
        printf("%8.4f %12.6g %12.6g\n", (double)i / (double)(nw - 1), rows[0].x[i], rows[0].y[i]);
    printf("reference point (delay, energy) = (%.6g, %.6g)%s\n", ref[0], ref[1],
           nref ? " (--ref)" : " (1.1 x the nadir of the front of all points together)");
    printf("%-16s %14s %6s  %s\n", "name", "hypervolume", "points", "non-dominated front (delay, energy)");
    for (int r = 0; r < nrows; r++) {
        printf("%-16s %14.6g %6d ", rows[r].name, rows[r].hv, rows[r].n);
        for (int i = 0; i < rows[r].nfront; i++)
            printf(" (%.4g, %.4g)", rows[r].x[rows[r].front[i]], rows[r].y[rows[r].front[i]]);
        printf("\n");
    }
    if (opts[O_CSV].value) {
        FILE* f = fopen(opts[O_CSV].value, "w");
        int bad = !f;
        if (f) {
            fprintf(f, "name,hypervolume,points\n");
            for (int r = 0; r < nrows; r++) fprintf(f, "%s,%.9g,%d\n", rows[r].name, rows[r].hv, rows[r].nfront);
            bad = fclose(f) != 0;
        }
        if (bad) { fprintf(stderr, "acrl: %s: cannot write %s\n", CMD, opts[O_CSV].value); code = 1; }
    }
    if (opts[O_PLOT].value) {
        /* each row's non-dominated front, by delay */
        const char* names[NHEUR + 2];
        const double* xs[NHEUR + 2], *ys[NHEUR + 2];
        double* buf = malloc(sizeof(double) * 2 * (size_t)(nw + npw + 8));
        int lens[NHEUR + 2], off = 0;
        char labels[NHEUR + 2][128];
        for (int r = 0; buf && r < nrows; r++) {
            double* px = buf + off, *py = px + rows[r].nfront;
            for (int i = 0; i < rows[r].nfront; i++) { px[i] = rows[r].x[rows[r].front[i]]; py[i] = rows[r].y[rows[r].front[i]]; }
            off += 2 * rows[r].nfront;
            snprintf(labels[r], sizeof labels[r], "%.60s (HV %.4g)", rows[r].name, rows[r].hv);
            names[r] = labels[r];
            xs[r] = px;
            ys[r] = py;
            lens[r] = rows[r].nfront;
        }
        char err[1024], title[160];
        snprintf(title, sizeof title, "MecOffload-v0: non-dominated fronts (reference %.4g s, %.4g J)", ref[0], ref[1]);
        int rc = buf ? acrl_plot_points(title, "mean delay per task (s)", "mean energy per task (J)", names, xs, ys,
                                        lens, nrows, 1, 1, opts[O_PLOT].value, err, sizeof err)
                     : (snprintf(err, sizeof err, "out of memory"), -2);
        free(buf);
        if (rc) {
            fprintf(stderr, "acrl: %s: %s\n", CMD, err);
            code = rc == -1 ? CLI_EXIT_USAGE : 1;
        }
    }
    for (int r = 0; r < nrows; r++) { free(rows[r].x); free(rows[r].y); free(rows[r].front); }
    return code;
}

const cli_command cli_cmd_pareto = {
    CMD, "Pareto front of a MecOffload-v0 policy and baselines: acrl pareto RUN_DIR [--weights 11] ...",
    "usage: acrl pareto RUN_DIR|CHECKPOINT [--weights N] [--episodes N] [--seed S] [--set key=value]...\n"
    "                   [--per-weight RUN_DIR]... [--ref DELAY,ENERGY] [--plot FILE.png] [--csv FILE]\n"
    "\n"
    "Evaluates a MecOffload-v0 policy (docs/mec.md) at the preferences w = i / (N - 1),\n"
    "i = 0..N-1 (default N 11), each on --episodes episodes (default 10, seeds S, S+1, ...;\n"
    "default S 1000000), and prints its (mean delay, mean energy) per task at each w, the\n"
    "non-dominated front and its hypervolume (both objectives minimised; the area dominated\n"
    "up to the reference point: --ref, else 1.1 x the nadir, the worst delay and the worst\n"
    "energy, of the front of all rows' points together). Beside it, on the same episodes: all_local, fastest_server (the\n"
    "highest CPU frequency), random (local or a server, uniformly) and greedy_delay (the\n"
    "least expected delay), and, with --per-weight (repeatable), a row per_weight whose\n"
    "points are those runs (policies trained at one fixed preference each) on their own\n"
    "settings. --set changes the env settings of every row (e.g. --set servers=8 evaluates\n"
    "with more servers than in training). --plot draws the fronts (gnuplot PNG, log axes);\n"
    "--csv writes name,hypervolume,points (points: the size of the front), the policy's row\n"
    "named policy, then one row per baseline. A run directory stands for its policy.ckpt\n"
    "(else final.ckpt, last.ckpt).\n",
    pareto_run,
};

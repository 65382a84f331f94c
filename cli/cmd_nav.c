/* acrl nav CHECKPOINT: success rate, collision rate and time to goal of a LaserNav-v0 policy
 * on the held-out layouts, and optionally the trajectories as gnuplot data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acrl.h"
#include "algo/agent.h"
#include "cli.h"

#define CMD "nav"

/* One episode's trajectory as gnuplot data blocks (index 0: robot path x y; 1: static
 * obstacles x y r; 2: moving obstacles at the start x y r; 3: moving obstacles' tracks x y,
 * one line each; 4: goal x y r; 5: start x y; 6: robot at the end x y r; 7: moving obstacles
 * at the end x y r). */
static int trace_write(const char* path, const acrl_lasernav_status* end, const double* px, const double* py, int n,
                       const double* mx, const double* my, int nm) {
    FILE* f = fopen(path, "w");
    if (!f) return -1;
    const acrl_lasernav_layout* l = &end->layout;
    fprintf(f, "# LaserNav-v0 layout %lld%s, outcome %d (1 goal, 2 collision, 0 time limit), %d steps, arena %g\n",
            (long long)l->index, l->heldout ? " (held-out)" : "", (int)end->outcome, end->steps, end->arena);
    for (int t = 0; t < n; t++) fprintf(f, "%.4f %.4f\n", px[t], py[t]);
    fprintf(f, "\n\n");
    int moving = 0;
    for (int i = 0; i < l->n; i++)
        if (l->obst[i].vx == 0 && l->obst[i].vy == 0) fprintf(f, "%.4f %.4f %.4f\n", l->obst[i].x, l->obst[i].y, l->obst[i].r);
        else moving++;
    if (moving == l->n) fprintf(f, "-100 -100 0\n");   /* gnuplot needs a point in every block */
    fprintf(f, "\n\n");
    for (int i = 0; i < l->n; i++)
        if (l->obst[i].vx != 0 || l->obst[i].vy != 0) fprintf(f, "%.4f %.4f %.4f\n", l->obst[i].x, l->obst[i].y, l->obst[i].r);
    if (!moving) fprintf(f, "-100 -100 0\n");
    fprintf(f, "\n\n");
    for (int j = 0; j < nm; j++) {
        for (int t = 0; t < n; t++) fprintf(f, "%.4f %.4f\n", mx[t * nm + j], my[t * nm + j]);
        fprintf(f, "\n");
    }
    if (!nm) fprintf(f, "-100 -100\n");
    fprintf(f, "\n\n%.4f %.4f %.4f\n\n\n%.4f %.4f\n\n\n%.4f %.4f %.4f\n", l->gx, l->gy, end->goal_radius, l->x, l->y,
            end->x, end->y, end->robot_radius);
    fprintf(f, "\n\n");
    for (int i = 0; i < l->n; i++)
        if (l->obst[i].vx != 0 || l->obst[i].vy != 0) fprintf(f, "%.4f %.4f %.4f\n", end->obst[i].x, end->obst[i].y, end->obst[i].r);
    if (!moving) fprintf(f, "-100 -100 0\n");
    return fclose(f) ? -1 : 0;
}

/* The reference without obstacle avoidance: turn towards the goal (w = 2 rad/s per rad of
 * bearing, clipped to 1) and drive at 1 m/s times the cosine of the bearing (0 when the goal
 * is behind), from the observation's goal direction. */
static void goal_controller(const acrl_env* env, const float* obs, float* act) {
    const int n = env->obs_space.dim - 5;
    double bearing = atan2(obs[n + 2], obs[n + 1]);
    double v = cos(bearing) > 0 ? cos(bearing) : 0.0, w = 2.0 * bearing;
    w = w > 1 ? 1 : w < -1 ? -1 : w;
    if (env->act_space.kind == ACRL_SPACE_DISCRETE) {   /* the nearest of 3 speeds x 5 turn rates */
        int s = (int)lround(2 * v), t = (int)lround(2 * w) + 2;
        act[0] = (float)(5 * s + t);
    } else {
        act[0] = (float)(2 * v - 1);
        act[1] = (float)w;
    }
}

static int nav_run(int argc, char** argv) {
    enum { O_LAYOUTS, O_FIRST, O_SEED, O_STOCH, O_TRACE, O_TRAIN, O_CONTROLLER, O_ENV_ARGS, O_N };
    cli_opt opts[O_N] = {{"--layouts", true, NULL},   {"--first", true, NULL},      {"--seed", true, NULL},
                         {"--stochastic", false, NULL}, {"--trace", true, NULL},     {"--train", false, NULL},
                         {"--controller", true, NULL}, {"--env-args", true, NULL}};
    const char* pos[1];
    int npos = 0;
    if (cli_parse(CMD, argc, argv, opts, O_N, pos, 1, &npos)) return CLI_EXIT_USAGE;
    const bool ctrl = opts[O_CONTROLLER].value != NULL;
    if (ctrl && strcmp(opts[O_CONTROLLER].value, "goal") != 0)
        return cli_error(CMD, "--controller %s: the only controller is 'goal'", opts[O_CONTROLLER].value);
    if (ctrl ? npos != 0 : npos != 1)
        return cli_error(CMD, ctrl ? "--controller goal takes no checkpoint" : "expected one CHECKPOINT file or run directory");
    long long layouts = 100, first = 0, seed = 1000000;
    if (opts[O_LAYOUTS].value && cli_opt_int(CMD, "--layouts", opts[O_LAYOUTS].value, 1, 1000000, &layouts))
        return CLI_EXIT_USAGE;
    if (opts[O_FIRST].value && cli_opt_int(CMD, "--first", opts[O_FIRST].value, 0, 1000000000, &first))
        return CLI_EXIT_USAGE;
    if (opts[O_SEED].value && cli_opt_int(CMD, "--seed", opts[O_SEED].value, 0, 4294967295LL, &seed))
        return CLI_EXIT_USAGE;
    char path[4096] = "", err[1024];
    struct stat st;
    if (!ctrl) snprintf(path, sizeof path, "%s", pos[0]);
    if (!ctrl && stat(pos[0], &st) == 0 && S_ISDIR(st.st_mode)) {
        if (acrl_path_join(path, sizeof path, pos[0], "final.ckpt", err, sizeof err)) return cli_error(CMD, "%s", err);
        if (stat(path, &st) != 0) acrl_path_join(path, sizeof path, pos[0], "last.ckpt", NULL, 0);
    }
    if (opts[O_TRACE].value) {
        if (stat(opts[O_TRACE].value, &st) != 0 || !S_ISDIR(st.st_mode))
            return cli_error(CMD, "--trace %s: not a directory", opts[O_TRACE].value);
    }
    acrl_agent* a = ctrl ? NULL : acrl_agent_load(path, err, sizeof err);
    if (!ctrl && !a) return cli_error(CMD, "%s", err);
    if (!ctrl && strcmp(acrl_agent_env_id(a), "LaserNav-v0") != 0) {
        int rc = cli_error(CMD, "%s's env is %s; acrl nav evaluates LaserNav-v0 policies", path, acrl_agent_env_id(a));
        acrl_agent_free(a);
        return rc;
    }
    /* the run's settings, then the held-out set (later keys override earlier ones) */
    char args[1400] = "", run_args[600] = "";
    if (ctrl || agent_config_value(a, "env_args", run_args, sizeof run_args)) run_args[0] = 0;
    const char* extra = opts[O_ENV_ARGS].value ? opts[O_ENV_ARGS].value : "";
    if (strlen(extra) > 600) {
        acrl_agent_free(a);
        return cli_error(CMD, "--env-args: too long");
    }
    snprintf(args, sizeof args, "%s%s%s%slayouts=%s", run_args, run_args[0] ? "," : "", extra, extra[0] ? "," : "",
             opts[O_TRAIN].value ? "train" : "heldout");
    acrl_env_options eo = acrl_env_options_default();
    eo.env_args = args;
    acrl_env* env = acrl_env_make("LaserNav-v0", &eo, err, sizeof err);
    if (!env) {
        acrl_agent_free(a);
        return cli_error(CMD, "%s", err);
    }
    if (!ctrl && (acrl_agent_obs_space(a)->dim != env->obs_space.dim ||
                  acrl_agent_act_space(a)->kind != env->act_space.kind)) {
        acrl_env_close(env);
        acrl_agent_free(a);
        return cli_error(CMD, "%s: the policy's spaces do not match LaserNav-v0 with env_args '%s'", path, args);
    }
    const int od = env->obs_space.dim, T = acrl_env_spec_find("LaserNav-v0")->max_episode_steps;
    float* obs = malloc(sizeof(float) * (size_t)od);
    double* tr = malloc(sizeof(double) * (size_t)(T + 1) * (2 + 2 * ACRL_LASERNAV_MAX_OBSTACLES));
    if (!obs || !tr) {
        free(obs); free(tr);
        acrl_env_close(env);
        acrl_agent_free(a);
        fprintf(stderr, "acrl: nav: out of memory\n");
        return 1;
    }
    double *px = tr, *py = px + T + 1, *mx = py + T + 1, *my = mx + (size_t)(T + 1) * ACRL_LASERNAV_MAX_OBSTACLES;
    long long goals = 0, hits = 0, hit_kind[3] = {0, 0, 0};   /* static, moving, wall */
    double ret_sum = 0, t_goal = 0, dt = 0;
    int rc = 0;
    for (long long i = 0; i < layouts && rc == 0; i++) {
        acrl_lasernav_layout l;
        acrl_lasernav_make_layout(env, first + i, !opts[O_TRAIN].value, &l);
        if (acrl_lasernav_set_layout(env, &l, err, sizeof err)) { rc = cli_error(CMD, "%s", err); break; }
        acrl_env_reset(env, (int64_t)(seed + (uint64_t)i), obs);
        bool term = false, trunc = false;
        double ret = 0;
        acrl_lasernav_status s;
        int n = 0, nm = 0;
        for (;;) {
            acrl_lasernav_get_status(env, &s);
            px[n] = s.x;
            py[n] = s.y;
            nm = 0;
            for (int j = 0; j < s.layout.n; j++)
                if (s.layout.obst[j].vx != 0 || s.layout.obst[j].vy != 0) {
                    mx[n * ACRL_LASERNAV_MAX_OBSTACLES + nm] = s.obst[j].x;
                    my[n * ACRL_LASERNAV_MAX_OBSTACLES + nm] = s.obst[j].y;
                    nm++;
                }
            n++;
            if (term || trunc || n > T) break;
            float act[2];
            double r;
            if (ctrl) goal_controller(env, obs, act);
            else acrl_agent_act(a, obs, 1, act, !opts[O_STOCH].value);
            acrl_env_step(env, act, obs, &r, &term, &trunc);
            ret += r;
        }
        goals += s.outcome == ACRL_LASERNAV_GOAL;
        hits += s.outcome == ACRL_LASERNAV_COLLISION;
        if (s.outcome == ACRL_LASERNAV_COLLISION)
            hit_kind[s.hit < 0 ? 2 : s.layout.obst[s.hit].vx != 0 || s.layout.obst[s.hit].vy != 0 ? 1 : 0]++;
        if (s.outcome == ACRL_LASERNAV_GOAL) t_goal += s.steps;
        dt = s.dt;
        ret_sum += ret;
        if (opts[O_TRACE].value) {
            char f[4200];
            snprintf(f, sizeof f, "%s/layout%lld.dat", opts[O_TRACE].value, first + i);
            /* the tracks, packed with nm per step */
            for (int t = 0; t < n; t++)
                for (int j = 0; j < nm; j++) {
                    mx[t * nm + j] = mx[t * ACRL_LASERNAV_MAX_OBSTACLES + j];
                    my[t * nm + j] = my[t * ACRL_LASERNAV_MAX_OBSTACLES + j];
                }
            if (trace_write(f, &s, px, py, n, mx, my, nm)) {
                fprintf(stderr, "acrl: nav: cannot write %s\n", f);
                rc = 1;
            }
        }
    }
    if (rc == 0)
        printf("layouts %lld  success rate %.4f  collision rate %.4f  time-limit rate %.4f  time to goal mean %.2f "
               "steps (%.2f s)  return mean %.3f  collisions static %lld moving %lld wall %lld\n",
               layouts, (double)goals / (double)layouts, (double)hits / (double)layouts,
               (double)(layouts - goals - hits) / (double)layouts, goals ? t_goal / (double)goals : 0.0,
               goals ? t_goal / (double)goals * dt : 0.0, ret_sum / (double)layouts, hit_kind[0],
               hit_kind[1], hit_kind[2]);
    free(obs);
    free(tr);
    acrl_env_close(env);
    acrl_agent_free(a);
    return rc;
}

const cli_command cli_cmd_nav = {
    "nav", "evaluate a LaserNav-v0 policy on held-out layouts: acrl nav CHECKPOINT|RUN_DIR [--layouts N] [--trace DIR]",
    "usage: acrl nav CHECKPOINT|RUN_DIR [--layouts N] [--first K] [--seed S] [--stochastic] [--train]\n"
    "                [--trace DIR]\n"
    "                [--env-args ARGS]\n"
    "       acrl nav --controller goal [--env-args ARGS] [--layouts N] ...\n"
    "\n"
    "Plays a LaserNav-v0 policy (acrl/lasernav.h, docs/generalisation.md) once on each of the\n"
    "held-out layouts K..K+N-1 (default K 0, N 100), with the run's env_args, and prints\n"
    "\n"
    "  layouts N  success rate R  collision rate C  time-limit rate L  time to goal mean T steps (S s)  return mean M\n"
    "  collisions static A moving B wall W\n"
    "\n"
    "(one line; time to goal: over the episodes that reached the goal, in steps and seconds;\n"
    "collisions: episodes that ended on a static obstacle, a moving one, a wall). A run\n"
    "directory stands for its final.ckpt (or last.ckpt while unfinished). Episode i is reset\n"
    "with seed S + i (default S 1000000); actions are the policy's mode unless --stochastic.\n"
    "--train plays training layouts K..K+N-1 instead.\n"
    "--env-args ARGS  env settings after the run's (a later key overrides an earlier one), e.g.\n"
    "             moving=0 to play the same layouts without their moving obstacles; settings\n"
    "             that change the observation or action space are refused.\n"
    "--controller goal  plays the reference controller without obstacle avoidance instead of a\n"
    "             policy: turn towards the goal (w = 2 x bearing, clipped to 1 rad/s) at a speed of\n"
    "             cos(bearing) m/s (0 when the goal is behind).\n"
    "--trace DIR  writes DIR/layoutK.dat per episode, gnuplot data blocks (index 0 the robot's\n"
    "             path x y; 1 static obstacles x y r; 2 moving obstacles at the start x y r;\n"
    "             3 their tracks; 4 goal x y r; 5 start x y; 6 the robot at the end x y r; 7 the\n"
    "             moving obstacles at the end x y r);\n"
    "             scripts/lasernav_plot.sh draws them.\n",
    nav_run,
};

/* test_mujoco_safety.c - constrained RL: the Safety-Gymnasium velocity tasks' costs against
 * hand-computed speeds and thresholds, the v4 task unchanged beside them, cost sums through
 * the vectorized env and the collector, envs without costs untouched, the Lagrange
 * multiplier's Adam update on a constructed case, and PPO-Lagrangian's determinism, exact
 * resume, logs and refusals. */
#include <mujoco/mujoco.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acrl.h"
#include "acrl/mujoco.h"
#include "algo/collector.h"
#include "algo/lagrange.h"
#include "algo/policy.h"
#include "algo/tscac.h"
#include "env/mujoco/mjenv.h"
#include "test.h"
#include "test_files.h"

static char tmp_root[] = "/tmp/acrl-test-safety-XXXXXX";

static acrl_env* make(const char* id) {
    char err[ACRL_ERRLEN] = "";
    acrl_env_options o = acrl_env_options_default();
    acrl_env* e = acrl_env_make(id, &o, err, sizeof err);
    if (!e) fprintf(stderr, "make %s: %s\n", id, err);
    return e;
}

/* The cost rule on constructed displacements: 1 only when the speed is strictly above. */
static void check_speed_rule(void) {
    mjenv_task hop = {0}, ant = {0};
    hop.speed_dims = 1;
    hop.cost_threshold = 0.7402;
    ant.speed_dims = 2;
    ant.cost_threshold = 2.6222;
    double before[3] = {1.0, 5.0, 0}, a[3];
    /* Hopper dt = 0.002 * 4 = 0.008: dx 0.0059 -> 0.7375 m/s, 0.006 -> 0.75 m/s */
    a[0] = 1.0059; a[1] = 99.0;   /* the second coordinate is not Hopper's speed */
    CHECK(mjenv_speed_cost(&hop, a, before, 0.008) == 0.0);
    a[0] = 1.006;
    CHECK(mjenv_speed_cost(&hop, a, before, 0.008) == 1.0);
    a[0] = 0.9;                   /* backwards: negative x velocity, no cost */
    CHECK(mjenv_speed_cost(&hop, a, before, 0.008) == 0.0);
    /* Ant dt = 0.01 * 5 = 0.05: (0.1, 0.08) -> |v| = sqrt(4 + 2.56) = 2.561; (0.1, 0.09) -> 2.691 */
    a[0] = 1.1; a[1] = 5.08;
    CHECK(mjenv_speed_cost(&ant, a, before, 0.05) == 0.0);
    a[1] = 5.09;
    CHECK(mjenv_speed_cost(&ant, a, before, 0.05) == 1.0);
    a[0] = 1.0; a[1] = 4.86;      /* |(0, -2.8)| = 2.8 sideways counts too */
    CHECK(mjenv_speed_cost(&ant, a, before, 0.05) == 1.0);
    printf("  speed rule: strict threshold, x only (1 dim), xy norm (2 dims)\n");
}

/* Runs the safety task and its v4 base side by side with the same seed and actions: the
 * rewards, observations and ends agree exactly, and each step's cost is 1[v > threshold]
 * with v computed here from MuJoCo's data. */
static void check_task(const char* safe_id, const char* base_id, double threshold, int dims, bool com) {
    acrl_env* s = make(safe_id);
    acrl_env* b = make(base_id);
    CHECK(s && b);
    if (!s || !b) { acrl_env_close(s); acrl_env_close(b); return; }
    CHECK(acrl_env_num_costs(s) == 1);
    CHECK(acrl_env_num_costs(b) == 0);
    int od = s->obs_space.dim, ad = s->act_space.dim;
    float os[400], ob[400], act[32];
    acrl_env_reset(s, 3, os);
    acrl_env_reset(b, 3, ob);
    const mjModel* m = acrl_mujoco_model(acrl_env_unwrapped(s));
    mjData* d = acrl_mujoco_data(acrl_env_unwrapped(s));
    double dt = m->opt.timestep * acrl_mujoco_frame_skip(acrl_env_unwrapped(s));
    acrl_rng rng;
    acrl_rng_seed(&rng, 11);
    int steps = 0, costly = 0, mismatches = 0, wrong_cost = 0;
    for (int t = 0; t < 120; t++) {
        /* large actions so that fast steps happen */
        for (int j = 0; j < ad; j++) act[j] = (float)acrl_rng_uniform(&rng, -1.0, 1.0) * s->act_space.high[j];
        if (t % 4 == 1) {
            /* kick: restart from the current state with the root moving at 0.5x, 1.5x or 3x
             * the threshold (x, or along (0.6, 0.8) for the xy tasks), same in both envs */
            double st[64], f = t % 12 == 1 ? 0.5 : t % 12 == 5 ? 1.5 : 3.0;
            int nq = m->nq, nv = m->nv;
            memcpy(st, d->qpos, sizeof(double) * (size_t)nq);
            memcpy(st + nq, d->qvel, sizeof(double) * (size_t)nv);
            st[nq] = dims == 2 ? 0.6 * f * threshold : f * threshold;
            if (dims == 2) st[nq + 1] = 0.8 * f * threshold;
            char err[ACRL_ERRLEN];
            CHECK(acrl_env_set_state(s, st, nq + nv, os, err, sizeof err) == 0);
            CHECK(acrl_env_set_state(b, st, nq + nv, ob, err, sizeof err) == 0);
        }
        double p0[2];
        if (com) {   /* Humanoid: mass centre; Ant: torso body position; others: qpos[0] */
            double sx = 0, sy = 0, mass = 0;
            for (int k = 0; k < m->nbody; k++) {
                sx += m->body_mass[k] * d->xipos[3 * k];
                sy += m->body_mass[k] * d->xipos[3 * k + 1];
                mass += m->body_mass[k];
            }
            p0[0] = sx / mass; p0[1] = sy / mass;
        } else if (dims == 2) {
            int torso = mj_name2id(m, mjOBJ_BODY, "torso");
            p0[0] = d->xpos[3 * torso]; p0[1] = d->xpos[3 * torso + 1];
        } else {
            p0[0] = d->qpos[0]; p0[1] = 0;
        }
        double rs, rb;
        bool ts, tr_s, tb, tr_b;
        acrl_env_step(s, act, os, &rs, &ts, &tr_s);
        acrl_env_step(b, act, ob, &rb, &tb, &tr_b);
        double p1[2];
        if (com) {
            double sx = 0, sy = 0, mass = 0;
            for (int k = 0; k < m->nbody; k++) {
                sx += m->body_mass[k] * d->xipos[3 * k];
                sy += m->body_mass[k] * d->xipos[3 * k + 1];
                mass += m->body_mass[k];
            }
            p1[0] = sx / mass; p1[1] = sy / mass;
        } else if (dims == 2) {
            int torso = mj_name2id(m, mjOBJ_BODY, "torso");
            p1[0] = d->xpos[3 * torso]; p1[1] = d->xpos[3 * torso + 1];
        } else {
            p1[0] = d->qpos[0]; p1[1] = 0;
        }
        double vx = (p1[0] - p0[0]) / dt, vy = (p1[1] - p0[1]) / dt;
        double v = dims == 2 ? sqrt(vx * vx + vy * vy) : vx;
        double want = v > threshold ? 1.0 : 0.0;
        /* a speed within 1e-9 of the threshold could round either way: skip it */
        if (fabs(v - threshold) > 1e-9 && acrl_env_costs(s)[0] != want) wrong_cost++;
        costly += acrl_env_costs(s)[0] == 1.0;
        if (rs != rb || ts != tb || tr_s != tr_b || memcmp(os, ob, sizeof(float) * (size_t)od) != 0) mismatches++;
        steps++;
        if (ts || tr_s) break;
    }
    printf("  %-28s %3d steps, %3d with cost 1, wrong costs %d, differences from %s %d\n", safe_id, steps, costly,
           wrong_cost, base_id, mismatches);
    CHECK(wrong_cost == 0);
    CHECK(mismatches == 0);
    CHECK(costly > 0 && costly < steps);   /* both outcomes were checked */
    acrl_env_close(s);
    acrl_env_close(b);
}

/* Episode cost sums through the vectorized env and the collector equal the sums of the
 * per-step costs; an env without costs has K = 0 and no cost buffers. */
static void check_vecenv_sums(void) {
    char err[ACRL_ERRLEN];
    acrl_env_options eo = acrl_env_options_default();
    eo.max_episode_steps = 40;   /* short episodes so that several end */
    acrl_vecenv* v = acrl_vecenv_make("SafetySwimmerVelocity-v1", 2, 5, 1, &eo, err, sizeof err);
    CHECK(v != NULL);
    if (!v) return;
    CHECK(v->num_costs == 1 && v->costs && v->episode_cost && v->done_cost);
    acrl_vecenv_reset(v);
    float act[4];
    acrl_rng rng;
    acrl_rng_seed(&rng, 2);
    double run[2] = {0, 0};
    int ends = 0, bad = 0, total_cost = 0;
    for (int t = 0; t < 100; t++) {
        for (int j = 0; j < 4; j++) act[j] = (float)acrl_rng_uniform(&rng, -1, 1);
        acrl_vecenv_step(v, act);
        for (int e = 0; e < 2; e++) {
            run[e] += v->costs[e];
            total_cost += v->costs[e] == 1.0;
            if (v->terminated[e] || v->truncated[e]) {
                ends++;
                bad += v->done_cost[e] != run[e] || v->episode_cost[e] != 0.0;
                run[e] = 0;
            } else {
                bad += v->done_cost[e] != 0.0 || v->episode_cost[e] != run[e];
            }
        }
    }
    printf("  vecenv: %d episode ends, %d costly steps, wrong sums %d\n", ends, total_cost, bad);
    CHECK(ends == 4);
    CHECK(bad == 0);
    CHECK(total_cost > 0);
    acrl_vecenv_close(v);
    acrl_vecenv* u = acrl_vecenv_make("Hopper-v4", 2, 5, 1, &eo, err, sizeof err);
    CHECK(u && u->num_costs == 0 && !u->costs && !u->episode_cost && !u->done_cost);
    acrl_vecenv_close(u);
    /* the collector's ring of episode cost sums, and its snapshot round trip */
    acrl_collector_options co = {true, false, 10.0f, 10.0f, 0.99f, NULL};
    acrl_collector* c = collector_create("SafetyHopperVelocity-v1", 2, 9, 1, &co, err, sizeof err);
    CHECK(c && c->num_costs == 1);
    if (!c) return;
    double want_sum = 0;
    int want_n = 0;
    double live[2] = {0, 0};
    for (int t = 0; t < 400; t++) {
        float a[6];
        for (int j = 0; j < 6; j++) a[j] = (float)acrl_rng_uniform(&rng, -1, 1);
        collector_step(c, a);
        for (int e = 0; e < 2; e++) {
            live[e] += c->costs[e];
            if (c->venv->terminated[e] || c->venv->truncated[e]) {
                if (want_n < 100) { want_sum += live[e]; want_n++; }
                live[e] = 0;
            }
        }
    }
    CHECK(want_n > 0 && want_n <= 100);
    CHECK_NEAR(collector_recent_cost(c, 0), want_sum / want_n, 1e-12);
    CHECK(isnan(collector_recent_cost(c, 1)));
    printf("  collector: %d episodes, mean episode cost %.3f\n", want_n, collector_recent_cost(c, 0));
    size_t n = collector_state_bytes(c);
    unsigned char* buf = malloc(n);
    collector_state_save(c, buf);
    double before = collector_recent_cost(c, 0), ec = c->venv->episode_cost[1];
    float a0[12] = {0};
    for (int t = 0; t < 50; t++) collector_step(c, a0);
    CHECK(collector_state_load(c, buf, n, err, sizeof err) == 0);
    CHECK(collector_recent_cost(c, 0) == before && c->venv->episode_cost[1] == ec);
    free(buf);
    collector_free(c);
}

/* Adam on -lambda * (Jc - limit), PyTorch betas 0.9 / 0.999, eps 1e-8, clamped at zero:
 * step 1 moves lambda by lr * g / (|g| + eps) whatever |g| is; the values below were
 * worked out by hand from m_t, v_t and their bias corrections. */
static void check_lagrange(void) {
    acrl_lagrange l;
    acrl_lagrange_init(&l, 0.001, 0.035);
    acrl_lagrange_update(&l, 30.0, 25.0);   /* g = -5: m 0.5, v 0.025, mhat -5, vhat 25 */
    CHECK_NEAR(l.lambda, 0.001 + 0.035 * 5.0 / (5.0 + 1e-8), 1e-15);
    acrl_lagrange_update(&l, 20.0, 25.0);   /* g = +5: m 0.05, v 0.049975, mhat 0.05/0.19, vhat 25 */
    CHECK_NEAR(l.lambda, 0.035999999930000005 - 0.035 * (0.05 / 0.19) / (5.0 + 1e-8), 1e-12);
    CHECK_NEAR(l.lambda, 0.03415789467052634, 1e-12);
    acrl_lagrange_update(&l, 0.0, 25.0);    /* g = +25 */
    CHECK_NEAR(l.lambda, 0.012254964521885427, 1e-12);
    acrl_lagrange_update(&l, 0.0, 25.0);    /* would go below zero: clamped */
    CHECK(l.lambda == 0.0);
    CHECK(l.t == 4);
    acrl_lagrange_init(&l, 0.5, 0.035);
    acrl_lagrange_update(&l, 25.0, 25.0);   /* on the limit: g = 0, no move */
    CHECK(l.lambda == 0.5);
    printf("  Lagrange multiplier: hand-computed Adam steps, clamp at zero\n");
}

/* tscac's dual step on a constructed case, worked by hand: lambda + lr (KL - target),
 * floored at lambda_min. */
static void check_tscac_dual(void) {
    double l = 1.0;
    l = tscac_dual_step(l, 0.15, 0.05, 5.0, 0.1);      /* 1 + 5 * 0.10 */
    CHECK_NEAR(l, 1.5, 1e-12);
    l = tscac_dual_step(l, 0.01, 0.05, 5.0, 0.1);      /* 1.5 - 5 * 0.04 */
    CHECK_NEAR(l, 1.3, 1e-12);
    l = tscac_dual_step(l, 0.0, 0.05, 20.0, 0.1);      /* 1.3 - 1.0 */
    CHECK_NEAR(l, 0.3, 1e-12);
    l = tscac_dual_step(l, 0.0, 0.05, 20.0, 0.1);      /* 0.3 - 1.0 < 0.1: the floor */
    CHECK(l == 0.1);
    CHECK(tscac_dual_step(0.7, 0.05, 0.05, 5.0, 0.1) == 0.7);   /* on the bound: no move */
    CHECK(tscac_dual_step(0.7, NAN, 0.05, 5.0, 0.1) == 0.1);
    printf("  tscac dual step: hand-computed ascent 1 -> 1.5 -> 1.3 -> 0.3 -> floor 0.1\n");
}

/* The KL term between diagonal Gaussians: a hand-computed value, zero between equal
 * distributions, and its gradient with respect to the means and log-stds against central
 * finite differences (double). */
static void check_tscac_kl(void) {
    /* d0: log 2 + (1 + 0.25) / 8 - 0.5 = 0.349397; d1: log 2 + 0.25 / 2 - 0.5 = 0.318147 */
    const float mu[2] = {0.5f, -1.0f}, ls[2] = {0.0f, (float)log(0.5)};
    const float mk[2] = {0.0f, -1.0f}, lk[2] = {(float)log(2.0), 0.0f};
    double kl[3];
    tscac_gauss_kl(kl, NULL, NULL, mu, ls, mk, lk, 1.0f, 1, 2);
    double want = 2 * log(2.0) + 1.25 / 8 + 0.125 - 1.0;
    CHECK_NEAR(kl[0], want, 1e-6);
    CHECK_NEAR(kl[0], 0.6675443, 1e-6);
    tscac_gauss_kl(kl, NULL, NULL, mu, ls, mu, ls, 1.0f, 1, 2);
    CHECK_NEAR(kl[0], 0.0, 1e-12);
    /* B = 3, D = 2: gradient of sum_b w kl_b with scale w = 0.7 */
    float m[6] = {0.3f, -0.2f, 1.1f, 0.05f, -0.7f, 0.4f}, s[6] = {-0.5f, 0.2f, 0.1f, -1.0f, 0.3f, 0.0f};
    const float m2[6] = {0.1f, 0.4f, 0.9f, -0.3f, -0.2f, 0.6f}, s2[6] = {-0.2f, 0.0f, 0.5f, -0.6f, -0.1f, 0.2f};
    float dm[6] = {0}, ds[6] = {0};
    tscac_gauss_kl(kl, dm, ds, m, s, m2, s2, 0.7f, 3, 2);
    double worst = 0;
    const double h = 1e-3;
    for (int i = 0; i < 6; i++) {
        for (int which = 0; which < 2; which++) {
            float* x = which ? s : m;
            float x0 = x[i];
            double f[2];
            for (int sgn = 0; sgn < 2; sgn++) {
                x[i] = (float)(x0 + (sgn ? -h : h));
                tscac_gauss_kl(kl, NULL, NULL, m, s, m2, s2, 1.0f, 3, 2);
                f[sgn] = 0.7 * (kl[0] + kl[1] + kl[2]);
                x[i] = x0;
            }
            /* the perturbed float values' actual distance */
            double step = (double)(float)(x0 + h) - (double)(float)(x0 - h);
            double fd = (f[0] - f[1]) / step, an = which ? ds[i] : dm[i];
            double d = fabs(fd - an);
            if (d > worst) worst = d;
            CHECK_NEAR(an, fd, 2e-4);
        }
    }
    printf("  tscac KL term: hand-computed 0.667544, gradient vs finite differences max |diff| %.2e\n", worst);
}

/* The stage-two KL term through a policy network: L = sum_i lambda_i / B sum_b
 * KL(pi(.|s_b) || pi_i(.|s_b)) for K = 2 fixed reference Gaussians, its gradient with respect
 * to every weight and the log-std (tscac_gauss_kl, then tscac_policy_backward) against
 * central finite differences. */
static double kl_loss(acrl_policy* pol, acrl_params* p, const float* obs, const float* const* mk,
                      const float* const* lk, const double* lam, int B) {
    double kl[4], L = 0;
    policy_forward(pol, p, obs, B);
    for (int i = 0; i < 2; i++) {
        tscac_gauss_kl(kl, NULL, NULL, pol->head, pol->log_std, mk[i], lk[i], 0.0f, B, 2);
        for (int b = 0; b < B; b++) L += lam[i] * kl[b] / B;
    }
    return L;
}

static void check_tscac_kl_network(void) {
    acrl_policy_config cfg;
    policy_config_default(&cfg);
    cfg.net_arch = (acrl_intlist){2, {6, 5}};
    cfg.log_std_init = -0.3f;
    acrl_space as = {ACRL_SPACE_BOX, 2, 0, (float[]){-1, -1}, (float[]){1, 1}, {0, 0, 0}};
    acrl_params p;
    acrl_params_init(&p);
    acrl_policy pol;
    memset(&pol, 0, sizeof pol);
    char err[ACRL_ERRLEN];
    int rc = policy_build(&pol, &p, 3, &as, &cfg, 4, err, sizeof err) || acrl_params_finalize(&p, err, sizeof err);
    CHECK(rc == 0);
    if (rc) { fprintf(stderr, "%s\n", err); return; }
    acrl_rng rng;
    acrl_rng_seed(&rng, 17);
    CHECK(policy_init(&pol, &p, &cfg, &rng, err, sizeof err) == 0);
    /* larger weights than the orthogonal init's 0.01 policy gain, so that the means vary */
    for (size_t j = 0; j < p.count; j++) p.param[j] = (float)acrl_rng_uniform(&rng, -0.8, 0.8);
    const int B = 4;
    float obs[12], m0[8], m1[8], l0[8], l1[8];
    for (int i = 0; i < 12; i++) obs[i] = (float)acrl_rng_uniform(&rng, -1, 1);
    for (int i = 0; i < 8; i++) {
        m0[i] = (float)acrl_rng_uniform(&rng, -1, 1);
        m1[i] = (float)acrl_rng_uniform(&rng, -1, 1);
        l0[i] = (float)acrl_rng_uniform(&rng, -0.7, 0.3);
        l1[i] = (float)acrl_rng_uniform(&rng, -0.7, 0.3);
    }
    const float* mk[2] = {m0, m1};
    const float* lk[2] = {l0, l1};
    const double lam[2] = {0.7, 2.5};
    /* analytic */
    float dmu[8] = {0}, dls[8] = {0};
    policy_forward(&pol, &p, obs, B);
    for (int i = 0; i < 2; i++)
        tscac_gauss_kl(NULL, dmu, dls, pol.head, pol.log_std, mk[i], lk[i], (float)(lam[i] / B), B, 2);
    acrl_params_zero_grad(&p);
    tscac_policy_backward(&pol, &p, dmu, dls, NULL);
    float* g = malloc(sizeof(float) * p.count);
    memcpy(g, p.grad, sizeof(float) * p.count);
    /* central differences on every parameter (the value network's are 0 on both sides) */
    double worst = 0, gmax = 0;
    int nonzero = 0;
    for (size_t j = 0; j < p.count; j++) {
        float x0 = p.param[j];
        const float h = 1e-2f;
        p.param[j] = x0 + h;
        double fp = kl_loss(&pol, &p, obs, mk, lk, lam, B);
        float xp = p.param[j];
        p.param[j] = x0 - h;
        double fm = kl_loss(&pol, &p, obs, mk, lk, lam, B);
        float xm = p.param[j];
        p.param[j] = x0;
        double fd = (fp - fm) / ((double)xp - xm);
        double d = fabs(fd - g[j]);
        if (d > worst) worst = d;
        if (fabs(g[j]) > gmax) gmax = fabs(g[j]);
        nonzero += g[j] != 0.0f;
        CHECK_NEAR(g[j], fd, 2e-3 + 2e-3 * fabs(fd));
    }
    printf("  tscac KL term through a 3-6-5-2 policy: %zu parameters (%d with a gradient, largest %.3f), "
           "max |analytic - finite difference| %.2e\n", p.count, nonzero, gmax, worst);
    CHECK(nonzero > 40);
    free(g);
    policy_free(&pol);
    acrl_params_free(&p);
}

/* ---- training ------------------------------------------------------------------------ */

static int train(const char* algo, const char* env, const char* dir, long steps, long stop_at, const char* resume,
                 const char* const* sets, int nsets, char* err) {
    acrl_train_options o = acrl_train_options_default();
    o.algo = algo;
    o.env_id = env;
    o.out_dir = dir;
    o.steps = steps;
    o.stop_at = stop_at;
    o.resume_dir = resume;
    o.seed = 3;
    o.quiet = true;
    o.eval_episodes = 2;
    o.overrides = sets;
    o.n_overrides = nsets;
    return acrl_train(&o, err, ACRL_ERRLEN);
}

static void check_ppo_lag_train(void) {
    char err[ACRL_ERRLEN], a[1200], b[1200], c[1200], p[3][1300];
    snprintf(a, sizeof a, "%s/a", tmp_root);
    snprintf(b, sizeof b, "%s/b", tmp_root);
    snprintf(c, sizeof c, "%s/c", tmp_root);
    /* small rollouts; a cost limit of 2 so that lambda moves within the run */
    const char* sets[] = {"n_steps=64", "batch_size=32", "n_epochs=2", "n_envs=2", "cost_limit=2",
                          "eval_freq=0", "checkpoint_freq=0", "log_freq=128"};
    int rc = train("ppo-lag", "SafetyHopperVelocity-v1", a, 1024, 0, NULL, sets, 8, err);
    if (rc) fprintf(stderr, "  ppo-lag: %s\n", err);
    CHECK(rc == ACRL_OK);
    CHECK(train("ppo-lag", "SafetyHopperVelocity-v1", b, 1024, 0, NULL, sets, 8, err) == ACRL_OK);
    CHECK(train("ppo-lag", "SafetyHopperVelocity-v1", c, 1024, 512, NULL, sets, 8, err) == ACRL_OK);
    rc = train(NULL, NULL, NULL, 0, 0, c, NULL, 0, err);
    if (rc) fprintf(stderr, "  ppo-lag resume: %s\n", err);
    CHECK(rc == ACRL_OK);
    snprintf(p[0], sizeof p[0], "%s/final.ckpt", a);
    snprintf(p[1], sizeof p[1], "%s/final.ckpt", b);
    snprintf(p[2], sizeof p[2], "%s/final.ckpt", c);
    bool ab = same_file(p[0], p[1]), ac = same_file(p[0], p[2]);
    printf("  ppo-lag same seed: %s; stop at 512 + resume: %s\n", ab ? "identical" : "DIFFER", ac ? "identical" : "DIFFER");
    CHECK(ab);
    CHECK(ac);
    /* progress.csv has the cost and multiplier columns; lambda moved off its start */
    char path[1300];
    snprintf(path, sizeof path, "%s/progress.csv", a);
    size_t n;
    char* text = slurp(path, &n);
    CHECK(text && strstr(text, ",q_clip_bound,cost_mean,lagrange_multiplier,rollout_episode_cost,cost_value_loss\n"));
    free(text);
    snprintf(path, sizeof path, "%s/summary.json", a);
    text = slurp(path, &n);
    CHECK(text && strstr(text, "\"eval_cost_mean\"") && strstr(text, "\"train_cost_mean\""));
    free(text);
    double mean, std, cost[ACRL_MAX_COSTS];
    int k = -1;
    CHECK(acrl_eval_checkpoint_costs(p[0], 2, 5, false, &mean, &std, &k, cost, err, sizeof err) == ACRL_OK);
    CHECK(k == 1 && cost[0] >= 0 && cost[0] <= 1000 && isnan(cost[1]));
    /* the same policy on the cost-free v4 task: K = 0 */
    /* plain PPO on a safety task logs the costs too, and summary.json has them */
    snprintf(path, sizeof path, "%s/ppo", tmp_root);
    const char* psets[] = {"n_steps=64", "batch_size=32", "n_epochs=1", "eval_freq=0"};
    CHECK(train("ppo", "SafetyHopperVelocity-v1", path, 256, 0, NULL, psets, 4, err) == ACRL_OK);
    /* and PPO on Hopper-v4 has no cost column */
    snprintf(path, sizeof path, "%s/ppo4", tmp_root);
    CHECK(train("ppo", "Hopper-v4", path, 128, 0, NULL, psets, 4, err) == ACRL_OK);
    snprintf(path, sizeof path, "%s/ppo4/progress.csv", tmp_root);
    text = slurp(path, &n);
    CHECK(text && !strstr(text, "cost") && strstr(text, ",q_loss,alpha,q_sigma,q_clip_bound\n"));
    free(text);
    snprintf(path, sizeof path, "%s/ppo4/summary.json", tmp_root);
    text = slurp(path, &n);
    CHECK(text && !strstr(text, "cost"));
    free(text);
    /* refusals: a negative cost limit, an env without costs */
    snprintf(path, sizeof path, "%s/bad", tmp_root);
    const char* neg[] = {"cost_limit=-1"};
    CHECK(train("ppo-lag", "SafetyHopperVelocity-v1", path, 128, 0, NULL, neg, 1, err) == ACRL_ERR_INPUT);
    printf("  negative cost limit: %s\n", err);
    CHECK(strstr(err, "cost_limit") != NULL);
    CHECK(train("ppo-lag", "Hopper-v4", path, 128, 0, NULL, NULL, 0, err) == ACRL_ERR_INPUT);
    printf("  env without costs: %s\n", err);
    CHECK(strstr(err, "Hopper-v4") && strstr(err, "cost"));
}

/* tscac: same seed -> identical checkpoints; stops in stage one and in stage two resumed
 * -> identical; both stages' learners and the duals in the checkpoint; the stage and dual
 * columns in progress.csv; refusals. */
static void check_tscac_train(void) {
    char err[ACRL_ERRLEN], dir[4][1200], p[4][1300];
    const char* names[4] = {"ta", "tb", "tc", "td"};
    for (int i = 0; i < 4; i++) {
        snprintf(dir[i], sizeof dir[i], "%s/%s", tmp_root, names[i]);
        snprintf(p[i], sizeof p[i], "%s/%s/final.ckpt", tmp_root, names[i]);
    }
    /* 8 rollouts of 128 steps: 4 of stage one (PPO-Lagrangian, a cost limit of 2 so that its
     * multiplier moves), 4 of stage two (a KL target of 0.0005, so that the dual moves) */
    const char* sets[] = {"n_steps=64", "batch_size=32", "n_epochs=2", "n_envs=2", "stage1_fraction=0.5",
                          "cost_limit=2", "kl_target=0.0005", "kl_lambda_lr=5", "eval_freq=0", "checkpoint_freq=0",
                          "log_freq=128"};
    int rc = train("tscac", "SafetyHopperVelocity-v1", dir[0], 1024, 0, NULL, sets, 11, err);
    if (rc) fprintf(stderr, "  tscac: %s\n", err);
    CHECK(rc == ACRL_OK);
    CHECK(train("tscac", "SafetyHopperVelocity-v1", dir[1], 1024, 0, NULL, sets, 11, err) == ACRL_OK);
    /* a stop in stage one (384) and one in stage two (768), each resumed to the end */
    CHECK(train("tscac", "SafetyHopperVelocity-v1", dir[2], 1024, 384, NULL, sets, 11, err) == ACRL_OK);
    CHECK(train("tscac", "SafetyHopperVelocity-v1", dir[3], 1024, 768, NULL, sets, 11, err) == ACRL_OK);
    for (int i = 2; i < 4; i++) {
        rc = train(NULL, NULL, NULL, 0, 0, dir[i], NULL, 0, err);
        if (rc) fprintf(stderr, "  tscac resume: %s\n", err);
        CHECK(rc == ACRL_OK);
    }
    bool ab = same_file(p[0], p[1]), ac = same_file(p[0], p[2]), ad = same_file(p[0], p[3]);
    printf("  tscac same seed: %s; stop at 384 (stage one) + resume: %s; stop at 768 (stage two) + resume: %s\n",
           ab ? "identical" : "DIFFER", ac ? "identical" : "DIFFER", ad ? "identical" : "DIFFER");
    CHECK(ab);
    CHECK(ac);
    CHECK(ad);
    size_t n;
    char* bytes = slurp(p[0], &n);
    CHECK(bytes && memmem(bytes, n, "tscac.main.param", 16) && memmem(bytes, n, "tscac.aux0.param", 16) &&
          memmem(bytes, n, "tscac.aux0.cost.param", 21) && memmem(bytes, n, "tscac.aux0.lambda", 17) &&
          memmem(bytes, n, "tscac.dual", 10));
    free(bytes);
    char path[1300];
    snprintf(path, sizeof path, "%s/progress.csv", dir[0]);
    char* text = slurp(path, &n);
    /* rows of stage one (tscac_stage 1, dual untouched at 1, no KL yet) then of stage two;
     * the dual has moved by the last row */
    CHECK(text && strstr(text, ",tscac_stage,lagrange_multiplier,kl_lambda,kl_to_stage_one\n"));
    CHECK(text && strstr(text, ",1,") && strstr(text, ",1,\n") && strstr(text, "\n1024,"));
    /* each stage-two row's dual is the dual step from the row before with that row's KL
     * (the KL of the rollout, before its update) */
    int rows2 = 0, moved = 0;
    double lam_prev = 1.0, worst = 0;
    for (const char* line = text ? strchr(text, '\n') : NULL; line && line[1]; line = strchr(line + 1, '\n')) {
        const char* f[64];
        int nf = 0;
        f[nf++] = line + 1;
        for (const char* x = line + 1; *x && *x != '\n'; x++)
            if (*x == ',' && nf < 64) f[nf++] = x + 1;
        if (nf < 4 || atof(f[nf - 4]) != 2) continue;
        double lam = atof(f[nf - 2]), kl = atof(f[nf - 1]);
        double want = tscac_dual_step(lam_prev, kl, 0.0005, 5.0, 0.1);
        if (fabs(lam - want) > worst) worst = fabs(lam - want);
        CHECK_NEAR(lam, want, 1e-6);
        moved += lam != lam_prev;
        lam_prev = lam;
        rows2++;
    }
    printf("  tscac duals: %d stage-two rows, %d moves, last %.6g, max |logged - dual step| %.2e\n", rows2, moved,
           lam_prev, worst);
    CHECK(rows2 == 4 && moved >= 3);
    free(text);
    /* the main policy starts stage two as the stage-one policy: at the stop at 384 (stage
     * one, after rollout 3) both hold the same weights */
    snprintf(path, sizeof path, "%s/tstop", tmp_root);
    CHECK(train("tscac", "SafetyHopperVelocity-v1", path, 1024, 384, NULL, sets, 11, err) == ACRL_OK);
    {
        char ck[1400];
        snprintf(ck, sizeof ck, "%s/last.ckpt", path);
        acrl_ckpt* c = acrl_ckpt_load(ck, err, sizeof err);
        CHECK(c != NULL);
        if (c) {
            size_t l0 = 0, l1 = 0;
            const char* w0 = acrl_ckpt_section(c, "tscac.main.param", &l0);
            const char* w1 = acrl_ckpt_section(c, "tscac.aux0.param", &l1);
            CHECK(w0 && w1 && l0 == l1 && l0 > 0 && memcmp(w0, w1, l0) == 0);
            acrl_ckpt_free(c);
        }
    }
    snprintf(path, sizeof path, "%s/tbad", tmp_root);
    CHECK(train("tscac", "Hopper-v4", path, 128, 0, NULL, NULL, 0, err) == ACRL_ERR_INPUT);
    CHECK(strstr(err, "Hopper-v4") && strstr(err, "cost"));
    const char* badf[] = {"stage1_fraction=1"};
    CHECK(train("tscac", "SafetyHopperVelocity-v1", path, 128, 0, NULL, badf, 1, err) == ACRL_ERR_INPUT);
    CHECK(strstr(err, "stage1_fraction") != NULL);
    printf("  tscac refusals: %s\n", err);
    const char* badmin[] = {"kl_lambda=0.5", "kl_lambda_min=0.6"};
    CHECK(train("tscac", "SafetyHopperVelocity-v1", path, 128, 0, NULL, badmin, 2, err) == ACRL_ERR_INPUT);
    CHECK(strstr(err, "kl_lambda_min") && strstr(err, "kl_lambda ="));
    printf("    %s\n", err);
    const char* badlr[] = {"kl_lambda_lr=-1"};
    CHECK(train("tscac", "SafetyHopperVelocity-v1", path, 128, 0, NULL, badlr, 1, err) == ACRL_ERR_INPUT);
    CHECK(strstr(err, "kl_lambda_lr") != NULL);
    printf("    %s\n", err);
    const char* gbrl[] = {"model=gbrl"};
    CHECK(train("tscac", "SafetyHopperVelocity-v1", path, 128, 0, NULL, gbrl, 1, err) == ACRL_ERR_INPUT);
    CHECK(strstr(err, "model = gbrl") != NULL);
    printf("    %s\n", err);
    const char* sde[] = {"use_sde=1"};
    CHECK(train("tscac", "SafetyHopperVelocity-v1", path, 128, 0, NULL, sde, 1, err) == ACRL_ERR_INPUT);
    CHECK(strstr(err, "use_sde") != NULL);
    printf("    %s\n", err);
}

int main(void) {
    if (!mkdtemp(tmp_root)) { perror("mkdtemp"); return 1; }
    check_speed_rule();
    check_task("SafetyHopperVelocity-v1", "Hopper-v4", 0.7402, 1, false);
    check_task("SafetyWalker2dVelocity-v1", "Walker2d-v4", 2.3415, 1, false);
    check_task("SafetyHalfCheetahVelocity-v1", "HalfCheetah-v4", 3.2096, 1, false);
    check_task("SafetySwimmerVelocity-v1", "Swimmer-v4", 0.2282, 1, false);
    check_task("SafetyAntVelocity-v1", "Ant-v4", 2.6222, 2, false);
    check_task("SafetyHumanoidVelocity-v1", "Humanoid-v4", 1.4149, 2, true);
    check_vecenv_sums();
    check_lagrange();
    check_tscac_dual();
    check_tscac_kl();
    check_tscac_kl_network();
    check_ppo_lag_train();
    check_tscac_train();
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp_root);
    return test_summary("test_mujoco_safety");
}

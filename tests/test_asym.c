/* Privileged states and asymmetric critics (docs/generalisation.md, "Asymmetric critics and
 * distillation"): the partial-observation wrapper's observations and states against hand-computed
 * Pendulum-v1 and MuJoCo cases, its noise against the base env's generator, snapshots, the vector
 * env's final states, bad env_args; the on-policy critic's value and gradient (finite differences)
 * on the state; SAC's, TD3's and DDPG's updates depend on the batch's states, not its observations, in
 * the critics. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/env.h"
#include "algo/offpolicy.h"
#include "algo/policy.h"
#include "test.h"

static acrl_env* make(const char* id, const char* args) {
    acrl_env_options o = acrl_env_options_default();
    o.env_args = args;
    char err[ACRL_ERRLEN];
    acrl_env* e = acrl_env_make(id, &o, err, sizeof err);
    if (!e) fprintf(stderr, "make %s (%s): %s\n", id, args, err);
    return e;
}

/* Pendulum-v1 hide=velocity(,obs_stack=2): set_state, then one step with u = 1.5 by hand */
static void test_pendulum(void) {
    for (int stack = 1; stack <= 2; stack++) {
        acrl_env* e = make("Pendulum-v1", stack == 1 ? "hide=velocity" : "hide=velocity,obs_stack=2");
        CHECK(e != NULL);
        if (!e) return;
        CHECK(e->obs_space.dim == 2 * stack);
        CHECK(acrl_env_priv_dim(e) == 3);
        float obs[4], st[3];
        double s0[2] = {0.3, -1.2};
        char err[ACRL_ERRLEN];
        CHECK(acrl_env_set_state(e, s0, 2, obs, err, sizeof err) == 0);
        acrl_env_priv_state(e, st);
        for (int k = 0; k < stack; k++) {
            CHECK_NEAR(obs[2 * k], cos(0.3), 1e-7);
            CHECK_NEAR(obs[2 * k + 1], sin(0.3), 1e-7);
        }
        CHECK_NEAR(st[0], cos(0.3), 1e-7);
        CHECK_NEAR(st[1], sin(0.3), 1e-7);
        CHECK_NEAR(st[2], -1.2, 1e-7);
        float u = 1.5f;
        double r;
        bool term, trunc;
        acrl_env_step(e, &u, obs, &r, &term, &trunc);
        acrl_env_priv_state(e, st);
        double thdot = -1.2 + (3 * 10.0 / 2 * sin(0.3) + 3.0 * 1.5) * 0.05, th = 0.3 + thdot * 0.05;
        CHECK_NEAR(st[0], cos(th), 1e-7);
        CHECK_NEAR(st[1], sin(th), 1e-7);
        CHECK_NEAR(st[2], thdot, 1e-6);
        CHECK_NEAR(obs[2 * (stack - 1)], cos(th), 1e-7);
        CHECK_NEAR(obs[2 * (stack - 1) + 1], sin(th), 1e-7);
        if (stack == 2) { /* the older frame is the state before the step */
            CHECK_NEAR(obs[0], cos(0.3), 1e-7);
            CHECK_NEAR(obs[1], sin(0.3), 1e-7);
        }
        CHECK_NEAR(r, -(0.3 * 0.3 + 0.1 * 1.44 + 0.001 * 2.25), 1e-9);
        acrl_env_close(e);
    }
}

/* obs_noise=0.5: the observation is the clean one plus 0.5 N(0, 1) from the base env's generator,
 * drawn in entry order after the reset's own draws */
static void test_noise(void) {
    acrl_env* a = make("Pendulum-v1", "obs_noise=0.5");
    acrl_env* b = make("Pendulum-v1", NULL);
    CHECK(a && b);
    if (!a || !b) { acrl_env_close(a); acrl_env_close(b); return; }
    float oa[3], ob[3], st[3];
    acrl_env_reset(a, 7, oa);
    acrl_env_reset(b, 7, ob);
    double maxd = 0;
    for (int t = 0; t < 5; t++) {
        acrl_env_priv_state(a, st);
        acrl_rng* rng = &acrl_env_unwrapped(b)->rng;
        for (int j = 0; j < 3; j++) {
            maxd = fmax(maxd, fabs(st[j] - ob[j]));                       /* the state is b's clean obs */
            double z = acrl_rng_normal(rng);                              /* the draw the wrapper made */
            maxd = fmax(maxd, fabs(oa[j] - (float)(ob[j] + 0.5 * z)));
        }
        float u = 0.3f * (float)t - 0.5f;
        double r;
        bool te, tr;
        acrl_env_step(a, &u, oa, &r, &te, &tr);
        acrl_env_step(b, &u, ob, &r, &te, &tr);
    }
    CHECK_MAXDIFF("noisy obs = clean + 0.5 z (env RNG)", maxd, 1e-6);
    /* snapshot: save, step twice, load, step twice again: the same observations and states */
    size_t n = a->vt->state_bytes(a);
    void* snap = malloc(n);
    a->vt->state_save(a, snap);
    float o1[2][3], s1[2][3], o2[2][3], s2[2][3], u = 0.7f;
    double r;
    bool te, tr;
    for (int k = 0; k < 2; k++) { acrl_env_step(a, &u, o1[k], &r, &te, &tr); acrl_env_priv_state(a, s1[k]); }
    CHECK(a->vt->state_load(a, snap) == 0);
    for (int k = 0; k < 2; k++) { acrl_env_step(a, &u, o2[k], &r, &te, &tr); acrl_env_priv_state(a, s2[k]); }
    CHECK(memcmp(o1, o2, sizeof o1) == 0);
    CHECK(memcmp(s1, s2, sizeof s1) == 0);
    ((unsigned char*)snap)[0] ^= 0xff; /* a wrong tag is refused */
    CHECK(a->vt->state_load(a, snap) != 0);
    free(snap);
    acrl_env_close(a);
    acrl_env_close(b);
}

/* vector env: the state of the final observation, then the new episode's */
static void test_vecenv(void) {
    acrl_env_options o = acrl_env_options_default();
    o.env_args = "hide=velocity";
    o.max_episode_steps = 2;
    char err[ACRL_ERRLEN];
    acrl_vecenv* v = acrl_vecenv_make("Pendulum-v1", 2, 3, 1, &o, err, sizeof err);
    CHECK(v != NULL);
    if (!v) return;
    CHECK(v->priv_dim == 3 && v->obs_dim == 2);
    acrl_vecenv_reset(v);
    float a[2] = {1.0f, -2.0f};
    for (int i = 0; i < 2; i++) CHECK(v->states[i * 3] == v->obs[i * 2] && v->states[i * 3 + 1] == v->obs[i * 2 + 1]);
    acrl_vecenv_step(v, a);
    float before[6];
    memcpy(before, v->states, sizeof before);
    acrl_vecenv_step(v, a);
    for (int i = 0; i < 2; i++) {
        CHECK(v->truncated[i]);
        /* the final state continues the one before it: thdot' = thdot + (15 sin th + 3u) dt,
         * with th from cos/sin of the step before */
        double th = atan2(before[i * 3 + 1], before[i * 3]), thd = before[i * 3 + 2];
        double nthd = fmin(fmax(thd + (15 * sin(th) + 3.0 * a[i]) * 0.05, -8), 8), nth = th + nthd * 0.05;
        CHECK_NEAR(v->final_states[i * 3 + 2], nthd, 1e-5);
        CHECK_NEAR(v->final_states[i * 3], cos(nth), 1e-5);
        CHECK(v->final_obs[i * 2] == v->final_states[i * 3] && v->final_obs[i * 2 + 1] == v->final_states[i * 3 + 1]);
        /* the new episode's state goes with the new observation */
        CHECK(v->states[i * 3] == v->obs[i * 2] && v->states[i * 3 + 1] == v->obs[i * 2 + 1]);
        CHECK(fabsf(v->states[i * 3 + 2]) <= 1.0f); /* reset draws thdot in [-1, 1] */
    }
    acrl_vecenv_close(v);
    /* envs without the wrapper have no states */
    o.env_args = NULL;
    v = acrl_vecenv_make("Pendulum-v1", 1, 0, 1, &o, err, sizeof err);
    CHECK(v && v->priv_dim == 0 && v->states == NULL);
    acrl_vecenv_close(v);
}

static void expect_refused(const char* id, const char* args, const char* pat) {
    acrl_env_options o = acrl_env_options_default();
    o.env_args = args;
    char err[ACRL_ERRLEN] = "";
    acrl_env* e = acrl_env_make(id, &o, err, sizeof err);
    CHECK(e == NULL);
    acrl_env_close(e);
    if (!strstr(err, pat)) fprintf(stderr, "FAIL: %s %s: '%s' lacks '%s'\n", id, args, err, pat);
    CHECK(strstr(err, pat) != NULL);
}

static void test_refusals(void) {
    expect_refused("Pendulum-v1", "hide=3", "indices in [0, 3)");
    expect_refused("Pendulum-v1", "hide=0+1+2", "hides every observation entry");
    expect_refused("Pendulum-v1", "hide=1+1", "index 1 twice");
    expect_refused("Pendulum-v1", "hide=1+", "indices in [0, 3)");
    expect_refused("Pendulum-v1", "hide=+1", "indices in [0, 3)");
    expect_refused("Pendulum-v1", "hide=0++2", "indices in [0, 3)");
    expect_refused("Pendulum-v1", "obs_noise=-1", "obs_noise=-1");
    expect_refused("Pendulum-v1", "obs_stack=0", "obs_stack=0");
    expect_refused("DoorKeyGrid-v0", "hide=velocity", "no known velocity entries");
    acrl_env* e = make("CartPole-v1", "hide=velocity");
    CHECK(e && e->obs_space.dim == 2 && acrl_env_priv_dim(e) == 4);
    acrl_env_close(e);
    e = make("Pendulum-v1", "hide=2+0");
    CHECK(e && e->obs_space.dim == 1 && acrl_env_priv_dim(e) == 3);
    if (e) {
        float o[1];
        double s0[2] = {0.4, 2.0};
        char err[ACRL_ERRLEN];
        CHECK(acrl_env_set_state(e, s0, 2, o, err, sizeof err) == 0);
        CHECK_NEAR(o[0], sin(0.4), 1e-7); /* entry 1 is what is left */
    }
    acrl_env_close(e);
}

#ifdef ACRL_HAVE_MUJOCO
static void test_mujoco(void) {
    acrl_env* e = make("InvertedPendulum-v4", "hide=velocity");
    CHECK(e != NULL);
    if (e) {
        double s[4] = {0.1, -0.05, 0.3, 0.2};
        float obs[2], st[4];
        char err[ACRL_ERRLEN];
        CHECK(acrl_env_set_state(e, s, 4, obs, err, sizeof err) == 0);
        acrl_env_priv_state(e, st);
        CHECK(e->obs_space.dim == 2 && acrl_env_priv_dim(e) == 4);
        CHECK_NEAR(obs[0], 0.1, 1e-7);
        CHECK_NEAR(obs[1], -0.05, 1e-7);
        for (int j = 0; j < 4; j++) CHECK_NEAR(st[j], s[j], 1e-7);
        acrl_env_close(e);
    }
    e = make("Hopper-v4", "obs_noise=0.1");
    CHECK(e != NULL);
    if (e) {
        float obs[11], st[11];
        acrl_env_reset(e, 1, obs);
        acrl_env_priv_state(e, st);
        double d = 0, s2 = 0;
        for (int j = 0; j < 11; j++) { d = fmax(d, fabs(obs[j] - st[j])); s2 += (obs[j] - st[j]) * (obs[j] - st[j]); }
        printf("  Hopper-v4 obs_noise=0.1: max |obs - state| %.3f, rms %.3f\n", d, sqrt(s2 / 11));
        CHECK(d > 0 && d < 0.6); /* 11 draws of 0.1 N(0, 1) */
        acrl_env_close(e);
    }
}
#endif

/* The on-policy critic on states: value, its gradient against central differences, and no
 * dependence on the observation. */
static void test_policy_critic(void) {
    acrl_policy_config cfg;
    policy_config_default(&cfg);
    cfg.net_arch = (acrl_intlist){2, {8, 8}};
    cfg.critic_dim = 3;
    acrl_space as = {ACRL_SPACE_BOX, 1, 0, (float[]){-2}, (float[]){2}, {0, 0, 0}};
    acrl_params p;
    acrl_params_init(&p);
    acrl_policy pol;
    memset(&pol, 0, sizeof pol);
    char err[ACRL_ERRLEN];
    int rc = policy_build(&pol, &p, 2, &as, &cfg, 4, err, sizeof err) || acrl_params_finalize(&p, err, sizeof err);
    CHECK(rc == 0);
    if (rc) { fprintf(stderr, "%s\n", err); return; }
    acrl_rng rng;
    acrl_rng_seed(&rng, 5);
    CHECK(policy_init(&pol, &p, &cfg, &rng, err, sizeof err) == 0);
    CHECK(pol.vf.sizes[0] == 3 && pol.pi.sizes[0] == 2);
    float obs[8], st[12], c[4] = {0.5f, -1.0f, 2.0f, 0.25f}, v0[4];
    for (int i = 0; i < 8; i++) obs[i] = (float)acrl_rng_uniform(&rng, -1, 1);
    for (int i = 0; i < 12; i++) st[i] = (float)acrl_rng_uniform(&rng, -1, 1);
    policy_forward_s(&pol, &p, obs, st, 4);
    memcpy(v0, pol.value, sizeof v0);
    policy_forward(&pol, &p, obs, 4);
    CHECK(pol.value == NULL); /* no state: no value */
    float obs2[8];
    for (int i = 0; i < 8; i++) obs2[i] = obs[i] + 0.5f;
    policy_forward_s(&pol, &p, obs2, st, 4);
    CHECK(memcmp(pol.value, v0, sizeof v0) == 0); /* the observation does not enter the value */
    st[1] += 0.5f;
    policy_forward_s(&pol, &p, obs, st, 4);
    CHECK(pol.value[0] != v0[0]);
    st[1] -= 0.5f;
    /* L = sum_b c_b V(s_b): analytic gradient vs central differences on every vf weight */
    acrl_params_zero_grad(&p);
    policy_forward_s(&pol, &p, obs, st, 4);
    float dhead[4] = {0};
    policy_backward_outputs(&pol, &p, dhead, c);
    double maxd = 0, maxg = 0;
    for (int l = 0; l < pol.vf.nlayers; l++) {
        size_t off = pol.vf.w_off[l], n = (size_t)pol.vf.sizes[l] * (size_t)pol.vf.sizes[l + 1];
        for (size_t k = off; k < off + n; k++) {
            float keep = p.param[k];
            double L[2];
            for (int sgn = 0; sgn < 2; sgn++) {
                p.param[k] = keep + (sgn ? -1e-2f : 1e-2f);
                policy_forward_s(&pol, &p, obs, st, 4);
                L[sgn] = 0;
                for (int b = 0; b < 4; b++) L[sgn] += (double)c[b] * pol.value[b];
            }
            p.param[k] = keep;
            double fd = (L[0] - L[1]) / 2e-2;
            maxd = fmax(maxd, fabs(fd - p.grad[k]));
            maxg = fmax(maxg, fabs(p.grad[k]));
        }
    }
    printf("  critic on states: largest |dL/dw| %.3f\n", maxg);
    CHECK(maxg > 0.1);
    CHECK_MAXDIFF("critic gradient vs finite differences", maxd, 2e-3);
    /* the actor's parameters get no gradient from the value */
    double ga = 0;
    for (int l = 0; l < pol.pi.nlayers; l++) ga = fmax(ga, fabs(p.grad[pol.pi.w_off[l]]));
    CHECK(ga == 0);
    /* separate networks are required */
    acrl_policy pol2;
    memset(&pol2, 0, sizeof pol2);
    acrl_params p2;
    acrl_params_init(&p2);
    cfg.shared_trunk = 1;
    CHECK(policy_build(&pol2, &p2, 2, &as, &cfg, 4, err, sizeof err) != 0 && strstr(err, "shared_trunk"));
    policy_free(&pol2);
    acrl_params_free(&p2);
    policy_free(&pol);
    acrl_params_free(&p);
}

/* Off-policy: one update from the same learner with the actor's weights zeroed (its outputs,
 * hence everything the critics see of it, do not depend on the observation). Observations
 * changed: every store bit-identical; states changed: the critics differ. */
extern const acrl_algo acrl_algo_sac, acrl_algo_td3, acrl_algo_ddpg;

typedef struct { float* v; size_t n; } floats;

static floats copy_params(const acrl_params* p) {
    floats f = {malloc(sizeof(float) * (p->count ? p->count : 1)), p->count};
    memcpy(f.v, p->param, sizeof(float) * p->count);
    return f;
}

static bool same(floats a, floats b) { return a.n == b.n && memcmp(a.v, b.v, sizeof(float) * a.n) == 0; }

static int one_update(const acrl_algo* algo, bool is_sac, const replay_batch* b, int B, const float* eps1,
                      const float* eps2, floats* critic_out, floats* actor_out) {
    acrl_space os = {ACRL_SPACE_BOX, 2, 0, (float[]){-5, -5}, (float[]){5, 5}, {0, 0, 0}};
    acrl_space as = {ACRL_SPACE_BOX, 1, 0, (float[]){-2}, (float[]){2}, {0, 0, 0}};
    acrl_algo_ctx ctx = {&os, &as, "test", 1, 1000, 3, 1, 0.99f, NULL, NULL, 3};
    void* cfg = calloc(1, algo->cfg_size);
    algo->cfg_defaults(cfg);
    offp_config* oc = cfg; /* the off-policy keys come first */
    oc->net_arch = (acrl_intlist){2, {16, 16}};
    oc->batch_size = B;
    oc->buffer_size = 100;
    char err[ACRL_ERRLEN];
    void* L = algo->create(cfg, &ctx, err, sizeof err);
    free(cfg);
    if (!L) { fprintf(stderr, "%s\n", err); return -1; }
    offp_learner* ol = L;
    CHECK(ol->core.critic_dim == 3);
    memset(ol->actor.param, 0, sizeof(float) * ol->actor.count);
    if (ol->actor_targ.count) memset(ol->actor_targ.param, 0, sizeof(float) * ol->actor_targ.count);
    double sums[M_COUNT + 1] = {0};
    int rc = is_sac ? sac_update(L, b, B, eps1, eps2, sums, err, sizeof err)
                    : td3_update(L, b, B, eps1, true, sums, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    *critic_out = copy_params(&ol->critic);
    *actor_out = copy_params(&ol->actor);
    algo->destroy(L);
    return rc;
}

static void test_offpolicy_critics(void) {
    const int B = 8;
    replay_batch b;
    CHECK(replay_batch_init(&b, B, 2, 1) == 0 && replay_batch_enable_state(&b, 3) == 0);
    acrl_rng rng;
    acrl_rng_seed(&rng, 11);
    float eps1[B], eps2[B];
    for (int i = 0; i < B; i++) {
        for (int j = 0; j < 2; j++) b.obs[i * 2 + j] = (float)acrl_rng_uniform(&rng, -1, 1);
        for (int j = 0; j < 2; j++) b.next_obs[i * 2 + j] = (float)acrl_rng_uniform(&rng, -1, 1);
        for (int j = 0; j < 3; j++) b.state[i * 3 + j] = (float)acrl_rng_uniform(&rng, -1, 1);
        for (int j = 0; j < 3; j++) b.next_state[i * 3 + j] = (float)acrl_rng_uniform(&rng, -1, 1);
        b.act[i] = (float)acrl_rng_uniform(&rng, -1, 1);
        b.rew[i] = (float)acrl_rng_uniform(&rng, -1, 0);
        b.done[i] = 0;
        b.discount[i] = 0.99f;
        eps1[i] = (float)acrl_rng_normal(&rng);
        eps2[i] = (float)acrl_rng_normal(&rng);
    }
    for (int k = 0; k < 3; k++) {
        const acrl_algo* algo = k == 0 ? &acrl_algo_sac : k == 1 ? &acrl_algo_td3 : &acrl_algo_ddpg;
        floats c0 = {0}, a0 = {0}, c1 = {0}, a1 = {0}, c2 = {0}, a2 = {0};
        CHECK(one_update(algo, k == 0, &b, B, eps1, eps2, &c0, &a0) == 0);
        float keep[4 * B];
        memcpy(keep, b.obs, sizeof(float) * 2 * B);
        memcpy(keep + 2 * B, b.next_obs, sizeof(float) * 2 * B);
        for (int i = 0; i < 2 * B; i++) { b.obs[i] += 0.7f; b.next_obs[i] -= 0.4f; }
        CHECK(one_update(algo, k == 0, &b, B, eps1, eps2, &c1, &a1) == 0);
        memcpy(b.obs, keep, sizeof(float) * 2 * B);
        memcpy(b.next_obs, keep + 2 * B, sizeof(float) * 2 * B);
        bool same_c = same(c0, c1), same_a = same(a0, a1);
        printf("  %s: observations changed: critics %s, actor %s\n", algo->name, same_c ? "identical" : "DIFFER",
               same_a ? "identical" : "DIFFER");
        CHECK(same_c && same_a);
        b.state[0] += 0.5f;
        b.next_state[5] -= 0.5f;
        CHECK(one_update(algo, k == 0, &b, B, eps1, eps2, &c2, &a2) == 0);
        b.state[0] -= 0.5f;
        b.next_state[5] += 0.5f;
        bool diff_c = c2.n == c0.n && !same(c0, c2);
        printf("  %s: states changed: critics %s\n", algo->name, diff_c ? "differ" : "IDENTICAL");
        CHECK(diff_c);
        free(c0.v); free(a0.v); free(c1.v); free(a1.v); free(c2.v); free(a2.v);
    }
    replay_batch_free(&b);
}

int main(void) {
    test_pendulum();
    test_noise();
    test_vecenv();
    test_refusals();
#ifdef ACRL_HAVE_MUJOCO
    test_mujoco();
#endif
    test_policy_critic();
    test_offpolicy_critics();
    return test_summary("asym");
}

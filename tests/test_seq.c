/* test_seq: SAC with action_sequence = K (SRL's action sequences, docs/generalisation.md
 * "Action sequences").
 *  - One update against an independent PyTorch implementation (tests/gen_seq_torch.py ->
 *    fixtures/seq_sac.txt): losses, temperature, actor, critics, targets, model and target
 *    model, with one and two update threads.
 *  - A constructed case by hand: constant critics and an actor with zero weights give the
 *    soft TD targets (first action of the sequence at s', termination, discount) and so the
 *    critic loss in closed form; a critic Q(s, a) = s and a model with zero weights give the
 *    actor loss, which shows the intermediate state s_1 = model'(s_0, a_0).
 *  - Through the trainer: same seed -> byte-identical final.ckpt; stopped inside a sequence
 *    (sac.seq holds a position > 0) and resumed -> byte-identical final.ckpt; two threads.
 *  - The decision-interval evaluation and the FAS on a constructed env (reward = action,
 *    constant observation, 12 steps): returns follow from the policy's two actions.
 *  - Refusals: Discrete actions, a distributed layout, critic_obs = state, warm_start = lqr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acrl.h"
#include "algo/offpolicy.h"
#include "algo/sac.h"
#include "dist/layout.h"
#include "test.h"
#include "test_files.h"

#include "torch_fixture.h"

/* A SAC learner for spaces os/as with the settings given; NULL (and the message printed) if refused. */
static void* make_sac_cd(void* cfg, const acrl_space* os, const acrl_space* as, const char* const* sets, int nsets,
                         int threads, const acrl_layout* layout, int critic_dim, char* err) {
    const acrl_algo* algo = &acrl_algo_sac;
    algo->cfg_defaults(cfg);
    for (int i = 0; i < nsets; i++)
        CHECK(acrl_config_parse_override(algo->cfg_table, cfg, sets[i], err, ACRL_ERRLEN) == 0);
    acrl_algo_ctx ctx = {os, as, "test", 1, 1000, 0, threads, 0.99f, NULL, layout, critic_dim};
    return algo->create(cfg, &ctx, err, ACRL_ERRLEN);
}

static void* make_sac(void* cfg, const acrl_space* os, const acrl_space* as, const char* const* sets, int nsets,
                      int threads, const acrl_layout* layout, char* err) {
    return make_sac_cd(cfg, os, as, sets, nsets, threads, layout, 0, err);
}

/* ---- one update against PyTorch -------------------------------------------------------- */

enum { OD = 3, D = 2, K = 3, B = 8 };

static void test_torch(int threads) {
    printf("SAC action_sequence = %d against PyTorch, %d update thread%s\n", K, threads, threads > 1 ? "s" : "");
    fixture fx;
    if (fixture_load(&fx, "fixtures/seq_sac.txt")) { CHECK(0); return; }
    float olo[OD] = {-INFINITY, -INFINITY, -INFINITY}, ohi[OD] = {INFINITY, INFINITY, INFINITY};
    float alo[D] = {-1, -1}, ahi[D] = {1, 1};
    acrl_space os = {ACRL_SPACE_BOX, OD, 0, olo, ohi, {0, 0, 0}};
    acrl_space as = {ACRL_SPACE_BOX, D, 0, alo, ahi, {0, 0, 0}};
    const char* sets[] = {"batch_size=8", "net_arch=16,16", "learning_rate=0.003", "tau=0.05", "buffer_size=64",
                          "ent_coef_init=0.5", "target_entropy_scale=1", "action_sequence=3"};
    unsigned char cfg[4096];
    char err[ACRL_ERRLEN];
    offp_learner* L = make_sac(cfg, &os, &as, sets, 8, threads, NULL, err);
    CHECK(L != NULL);
    if (!L) { fprintf(stderr, "  %s\n", err); fixture_free(&fx); return; }
    load_store(&fx, &L->actor, "init.actor");
    load_store(&fx, &L->critic, "init.critic");
    load_store(&fx, &L->critic_targ, "init.critic");
    load_store(&fx, sac_model_params(L, false), "init.model");
    load_store(&fx, sac_model_params(L, true), "init.model");
    replay_batch b;
    CHECK(replay_batch_init(&b, B, OD, D) == 0);
    const char* names[6] = {"batch.obs", "batch.act", "batch.rew", "batch.next_obs", "batch.done", "batch.discount"};
    float* dst[6] = {b.obs, b.act, b.rew, b.next_obs, b.done, b.discount};
    int len[6] = {B * OD, B * D, B, B * OD, B, B};
    for (int k = 0; k < 6; k++) {
        const record* r = get(&fx, names[k]);
        CHECK(r && r->n == len[k]);
        if (r && r->n == len[k]) memcpy(dst[k], r->v, sizeof(float) * (size_t)len[k]);
    }
    const record* e1 = get(&fx, "noise.eps_pi");
    const record* e2 = get(&fx, "noise.eps_next");
    CHECK(e1 && e1->n == B * K * D && e2 && e2->n == B * D);
    double sums[M_COUNT + 1] = {0};
    int rc = e1 && e2 ? sac_update(L, &b, B, e1->v, e2->v, sums, err, sizeof err) : -1;
    CHECK(rc == 0);
    check_scalar("alpha used", sums[M_ALPHA], get(&fx, "out.alpha"));
    check_scalar("critic loss", sums[M_Q_LOSS], get(&fx, "out.critic_loss"));
    check_scalar("actor loss (sum over the sequence)", sums[M_POLICY_LOSS], get(&fx, "out.actor_loss"));
    check_scalar("entropy (mean over the sequence)", sums[M_ENTROPY], get(&fx, "out.entropy"));
    compare_store(&fx, &L->alpha, "final.alpha", "log alpha after its Adam step");
    compare_store(&fx, &L->critic, "final.critic", "critics after their Adam step");
    compare_store(&fx, &L->actor, "final.actor", "actor (K heads) after its Adam step");
    compare_store(&fx, &L->critic_targ, "final.critic_targ", "target critics after Polyak");
    compare_store(&fx, sac_model_params(L, false), "final.model", "model after its Adam step");
    compare_store(&fx, sac_model_params(L, true), "final.model_targ", "target model after Polyak");
    replay_batch_free(&b);
    acrl_algo_sac.destroy(L);
    fixture_free(&fx);
}

/* ---- a constructed case by hand --------------------------------------------------------- */

/* Sets every float of store p to 0, then the named tensor's element i to v. */
static void set_param(acrl_params* p, const char* name, int i, float v) {
    const acrl_tensor* t = acrl_params_find(p, name);
    CHECK(t != NULL);
    if (t) p->param[t->offset + i] = v;
}

static void test_by_hand(void) {
    printf("SAC action_sequence = 2, a constructed update by hand\n");
    /* obs 1-D, action 1-D, one hidden layer of 1 unit, learning rate 0 (no weight moves, so
     * the actor step sees the critics as they were) */
    float olo[1] = {-INFINITY}, ohi[1] = {INFINITY}, alo[1] = {-1}, ahi[1] = {1};
    acrl_space os = {ACRL_SPACE_BOX, 1, 0, olo, ohi, {0, 0, 0}};
    acrl_space as = {ACRL_SPACE_BOX, 1, 0, alo, ahi, {0, 0, 0}};
    const char* sets[] = {"batch_size=2", "net_arch=1", "learning_rate=0", "ent_coef=0.5", "action_sequence=2"};
    unsigned char cfg[4096];
    char err[ACRL_ERRLEN];
    offp_learner* L = make_sac(cfg, &os, &as, sets, 5, 1, NULL, err);
    CHECK(L != NULL);
    if (!L) { fprintf(stderr, "  %s\n", err); return; }
    acrl_params* model_t = sac_model_params(L, true);
    acrl_params* stores[] = {&L->actor, &L->critic, &L->critic_targ, sac_model_params(L, false), model_t};
    for (int i = 0; i < 5; i++) memset(stores[i]->param, 0, sizeof(float) * stores[i]->count);
    /* actor: zero weights; head bias (1, 2 * 2D) = [mean_0, log_std_0, mean_1, log_std_1] */
    const float l0 = -1.0f, l1 = 0.5f;
    set_param(&L->actor, "pi.1.b", 1, l0);
    set_param(&L->actor, "pi.1.b", 3, l1);
    /* target critics: Q'_0 = 1, Q'_1 = 2 (output biases) */
    set_param(&L->critic_targ, "q0.1.b", 0, 1.0f);
    set_param(&L->critic_targ, "q1.1.b", 0, 2.0f);
    /* critics: Q_i(s, a) = relu(s + 10) - 10 = s for s > -10 (the same for both) */
    for (int q = 0; q < 2; q++) {
        char n0[16], b0[16], n1[16], b1[16];
        snprintf(n0, sizeof n0, "q%d.0.w", q);
        snprintf(b0, sizeof b0, "q%d.0.b", q);
        snprintf(n1, sizeof n1, "q%d.1.w", q);
        snprintf(b1, sizeof b1, "q%d.1.b", q);
        set_param(&L->critic, n0, 0, 1.0f); /* weight of s (input row 0), not of a */
        set_param(&L->critic, b0, 0, 10.0f);
        set_param(&L->critic, n1, 0, 1.0f);
        set_param(&L->critic, b1, 0, -10.0f);
    }
    /* target model: s' = 0.25 whatever (s, a) */
    const float beta = 0.25f;
    set_param(model_t, "model.1.b", 0, beta);
    replay_batch b;
    CHECK(replay_batch_init(&b, 2, 1, 1) == 0);
    const float obs[2] = {0.3f, -0.7f}, act[2] = {0.1f, -0.2f}, rew[2] = {0.5f, -1.0f}, nobs[2] = {1.0f, 2.0f};
    const float done[2] = {0, 1}, disc[2] = {0.99f, 0.99f};
    memcpy(b.obs, obs, sizeof obs);
    memcpy(b.act, act, sizeof act);
    memcpy(b.rew, rew, sizeof rew);
    memcpy(b.next_obs, nobs, sizeof nobs);
    memcpy(b.done, done, sizeof done);
    memcpy(b.discount, disc, sizeof disc);
    const float eps_pi[4] = {0, 0, 0, 0}, eps_next[2] = {0, 0};
    double sums[M_COUNT + 1] = {0};
    CHECK(sac_update(L, &b, 2, eps_pi, eps_next, sums, err, sizeof err) == 0);
    /* With eps = 0 and mean 0: u = 0, a = 0, log pi_j = -l_j - log(2 pi) / 2 - log(1 - tanh(0)^2)
     * = -l_j - 0.918939: log pi_0 = 0.081061, log pi_1 = -1.418939 (the target must use pi_0).
     * y_0 = 0.5 + 0.99 (min(1, 2) - 0.5 log pi_0) = 1.449875; y_1 = -1 (terminated).
     * critic loss = 0.5 [mean_b (0.3 - y_b)^2 + mean_b (-0.7 - y_b)^2] with Q_i(s, a) = s:
     * 0.5 [((0.3 - 1.449875)^2 + (-0.7 + 1)^2) / 2 + ((0.3 - 1.449875)^2 + (-0.7 + 1)^2) / 2] = 0.706107. */
    const double half_log_2pi = 0.5 * log(2 * M_PI);
    const double lp0 = -l0 - half_log_2pi, lp1 = -l1 - half_log_2pi;
    double y[2], qloss = 0;
    for (int i = 0; i < 2; i++) {
        y[i] = rew[i] + (1 - done[i]) * disc[i] * (1.0 - 0.5 * lp0);
        qloss += 2 * 0.5 * (obs[i] - y[i]) * (obs[i] - y[i]) / 2;
    }
    printf("  hand: log pi_0 %.6f, log pi_1 %.6f, y = (%.6f, %.6f), critic loss %.6f\n", lp0, lp1, y[0], y[1], qloss);
    CHECK_NEAR(qloss, 0.706107, 1e-5);
    CHECK_MAXDIFF("critic loss (targets from pi_0 at s')", fabs(sums[M_Q_LOSS] - qloss), 1e-5);
    /* actor loss = sum_j mean_b (0.5 log pi_j - Q(s_j, a_j)) with s_0 = obs, s_1 = beta:
     * 0.5 (0.081061 - 1.418939) - mean(0.3, -0.7) - 0.25 = -0.718939 */
    const double aloss = 0.5 * (lp0 + lp1) - 0.5 * (obs[0] + obs[1]) - beta;
    CHECK_NEAR(aloss, -0.718939, 1e-5);
    CHECK_MAXDIFF("actor loss (s_1 from the target model)", fabs(sums[M_POLICY_LOSS] - aloss), 1e-5);
    CHECK_MAXDIFF("entropy: -mean_j log pi_j", fabs(sums[M_ENTROPY] + 0.5 * (lp0 + lp1)), 1e-5);
    replay_batch_free(&b);
    acrl_algo_sac.destroy(L);
}

/* ---- refusals ----------------------------------------------------------------------------- */

static void test_refusals(void) {
    printf("refusals\n");
    float olo[1] = {-INFINITY}, ohi[1] = {INFINITY}, alo[1] = {-1}, ahi[1] = {1};
    acrl_space os = {ACRL_SPACE_BOX, 1, 0, olo, ohi, {0, 0, 0}};
    acrl_space box = {ACRL_SPACE_BOX, 1, 0, alo, ahi, {0, 0, 0}};
    acrl_space disc = {ACRL_SPACE_DISCRETE, 1, 3, NULL, NULL, {0, 0, 0}};
    unsigned char cfg[4096];
    char err[ACRL_ERRLEN];
    const char* sets[] = {"action_sequence=4", "batch_size=4", "net_arch=4"};
    void* l = make_sac(cfg, &os, &disc, sets, 3, 1, NULL, err);
    printf("  Discrete: %s\n", err);
    CHECK(l == NULL && strstr(err, "action_sequence") && strstr(err, "Discrete"));
    acrl_layout lay = {0};
    lay.shards = lay.ranks = 2;
    lay.num_envs = 2;
    l = make_sac(cfg, &os, &box, sets, 3, 1, &lay, err);
    printf("  distributed: %s\n", err);
    CHECK(l == NULL && strstr(err, "action_sequence") && strstr(err, "distributed"));
    l = make_sac_cd(cfg, &os, &box, sets, 3, 1, NULL, 2, err);
    printf("  critic_obs = state: %s\n", err);
    CHECK(l == NULL && strstr(err, "action_sequence") && strstr(err, "critic_obs"));
    const acrl_algo* algo = &acrl_algo_sac;
    algo->cfg_defaults(cfg);
    CHECK(acrl_config_parse_override(algo->cfg_table, cfg, "action_sequence=65", err, sizeof err) != 0);
    printf("  65: %s\n", err);
    CHECK(strstr(err, "action_sequence") != NULL);
    CHECK(acrl_config_parse_override(algo->cfg_table, cfg, "action_sequence=0", err, sizeof err) != 0);
    CHECK(acrl_config_parse_override(algo->cfg_table, cfg, "action_sequence=64", err, sizeof err) == 0);
    /* a learner with K > 1 refuses the LQR warm start (it regresses one action per state) */
    l = make_sac(cfg, &os, &box, sets, 3, 1, NULL, err);
    CHECK(l != NULL);
    if (l) {
        acrl_pretrain_data d = {0};
        CHECK(sac_pretrain(l, &d, err, sizeof err) != 0 && strstr(err, "warm_start") && strstr(err, "action_sequence"));
        printf("  warm start: %s\n", err);
        algo->destroy(l);
    }
}

/* ---- through the trainer: determinism and exact resume inside a sequence ---------------- */

static char tmp_root[] = "/tmp/acrl-test-seq-XXXXXX";

static int train_t(const char* env, const char* dir, long steps, long stop_at, const char* resume,
                   const char* const* sets, int nsets, int threads, char* err) {
    acrl_train_options o = acrl_train_options_default();
    o.algo = resume ? NULL : "sac";
    o.env_id = resume ? NULL : env;
    o.out_dir = dir;
    o.steps = steps;
    o.stop_at = stop_at;
    o.resume_dir = resume;
    o.seed = 5;
    o.quiet = true;
    o.eval_episodes = 1;
    o.overrides = sets;
    o.n_overrides = nsets;
    o.threads = threads;
    return acrl_train(&o, err, ACRL_ERRLEN);
}

static void test_resume(void) {
    printf("trainer: determinism and resume inside a sequence\n");
    /* 3 copies, K = 3: 100 random env steps (34 vectorized steps), then a decision every 3
     * vectorized steps (Pendulum's episodes of 200 steps do not end before the stop below) */
    const char* sets[] = {"action_sequence=3", "n_envs=3", "learning_starts=100", "batch_size=16", "net_arch=8,8",
                          "buffer_size=1000", "save_buffer=1", "eval_freq=0", "checkpoint_freq=0"};
    const int nsets = 9;
    char err[ACRL_ERRLEN], a[1200], bd[1200], c[1200], d[1200], pa[1300], pb[1300], pc[1300], pd[1300], pl[1300];
    snprintf(a, sizeof a, "%s/a", tmp_root);
    snprintf(bd, sizeof bd, "%s/b", tmp_root);
    snprintf(c, sizeof c, "%s/c", tmp_root);
    snprintf(d, sizeof d, "%s/d", tmp_root);
    int rc = train_t("Pendulum-v1", a, 600, 0, NULL, sets, nsets, 1, err);
    if (rc) fprintf(stderr, "  %s\n", err);
    CHECK(rc == ACRL_OK);
    CHECK(train_t("Pendulum-v1", bd, 600, 0, NULL, sets, nsets, 1, err) == ACRL_OK);
    CHECK(train_t("Pendulum-v1", d, 600, 0, NULL, sets, nsets, 2, err) == ACRL_OK);
    /* stop at 312 env steps = 104 vectorized steps: 70 after the 34 random ones, 70 mod 3 = 1 */
    CHECK(train_t("Pendulum-v1", c, 600, 312, NULL, sets, nsets, 1, err) == ACRL_OK);
    snprintf(pl, sizeof pl, "%s/last.ckpt", c);
    acrl_ckpt* ck = acrl_ckpt_load(pl, err, sizeof err);
    CHECK(ck != NULL);
    if (ck) {
        size_t len = 0;
        const unsigned char* p = acrl_ckpt_section(ck, "sac.seq", &len);
        CHECK(p && len == 4 * 3 + 4 * 3 * 3 * 1);
        int pos = p ? (int)(p[0] | p[1] << 8 | p[2] << 16 | (unsigned)p[3] << 24) : -1;
        printf("  stopped at step 312: copy 0 at position %d of its sequence\n", pos);
        CHECK(pos > 0 && pos < 3);
        CHECK(acrl_ckpt_section(ck, "sac.model.param", NULL) != NULL);
        acrl_ckpt_free(ck);
    }
    rc = train_t(NULL, NULL, 0, 0, c, NULL, 0, 1, err);
    if (rc) fprintf(stderr, "  resume: %s\n", err);
    CHECK(rc == ACRL_OK);
    snprintf(pa, sizeof pa, "%s/final.ckpt", a);
    snprintf(pb, sizeof pb, "%s/final.ckpt", bd);
    snprintf(pc, sizeof pc, "%s/final.ckpt", c);
    snprintf(pd, sizeof pd, "%s/final.ckpt", d);
    bool ab = same_file(pa, pb), ac = same_file(pa, pc), ad = same_file(pa, pd);
    printf("  same seed: %s; stop inside a sequence + resume: %s; 2 threads: %s\n", ab ? "identical" : "DIFFER",
           ac ? "identical" : "DIFFER", ad ? "identical" : "DIFFER");
    CHECK(ab);
    CHECK(ac);
    CHECK(ad);
}

/* ---- decision intervals and the FAS on a constructed env ---------------------------------- */

/* Reward = the action, observation constant 1, 12 steps (the registry's time limit). */
typedef struct { acrl_env env; float lo[1], hi[1], alo[1], ahi[1]; } ra_env;

static void ra_reset(acrl_env* e, float* obs) { (void)e; obs[0] = 1.0f; }
static void ra_step(acrl_env* e, const float* a, float* obs, double* r, bool* term, bool* trunc) {
    (void)e;
    obs[0] = 1.0f;
    *r = a[0];
    *term = *trunc = false;
}
static size_t ra_bytes(const acrl_env* e) { (void)e; return 1; }
static void ra_save(const acrl_env* e, void* buf) { (void)e; memset(buf, 0, 1); }
static int ra_load(acrl_env* e, const void* buf) { (void)e; (void)buf; return 0; }
static const acrl_env_vtable ra_vt = {ra_reset, ra_step, NULL, ra_bytes, ra_save, ra_load, NULL};

static acrl_env* ra_create(const acrl_env_options* opt, char* err, size_t errlen) {
    (void)opt;
    ra_env* t = calloc(1, sizeof *t);
    if (!t) { snprintf(err, errlen, "out of memory"); return NULL; }
    t->lo[0] = -INFINITY;
    t->hi[0] = INFINITY;
    t->alo[0] = -1;
    t->ahi[0] = 1;
    t->env.vt = &ra_vt;
    t->env.id = "RewardIsAction-v0";
    t->env.obs_space = (acrl_space){ACRL_SPACE_BOX, 1, 0, t->lo, t->hi, {0, 0, 0}};
    t->env.act_space = (acrl_space){ACRL_SPACE_BOX, 1, 0, t->alo, t->ahi, {0, 0, 0}};
    return &t->env;
}

static void test_intervals(void) {
    printf("decision intervals and FAS on RewardIsAction-v0 (12 steps)\n");
    char err[ACRL_ERRLEN], dir[1200], pol[1300];
    acrl_env_spec spec = {"RewardIsAction-v0", 12, NAN, ra_create};
    CHECK(acrl_env_register(&spec, err, sizeof err) == 0);
    const int d[5] = {1, 2, 4, 8, 16};
    for (int k = 1; k <= 2; k++) {
        /* no update is made (learning_starts past the run): the policy is the initial actor */
        char ks[32];
        snprintf(ks, sizeof ks, "action_sequence=%d", k);
        const char* sets[] = {ks, "learning_starts=1000", "net_arch=8", "normalize=0", "eval_freq=0"};
        snprintf(dir, sizeof dir, "%s/ra%d", tmp_root, k);
        int rc = train_t("RewardIsAction-v0", dir, 24, 0, NULL, sets, 5, 1, err);
        if (rc) fprintf(stderr, "  %s\n", err);
        CHECK(rc == ACRL_OK);
        snprintf(pol, sizeof pol, "%s/policy.ckpt", dir);
        double mean[5], std[5];
        int K = 0;
        rc = acrl_eval_decision_intervals(pol, d, 5, 2, 0, false, mean, std, &K, err, sizeof err);
        if (rc) fprintf(stderr, "  %s\n", err);
        CHECK(rc == ACRL_OK && K == k);
        if (rc) continue;
        /* the policy's actions at the constant observation: a0 from d = 1 (12 decisions), a1
         * from d = 16 (one decision: a0, then a1 held for 11 steps) */
        const double a0 = mean[0] / 12, a1 = k == 1 ? a0 : (mean[4] - a0) / 11;
        double want[5] = {12 * a0, 6 * (a0 + a1), 3 * (a0 + 3 * a1), 2 * a0 + 10 * a1, a0 + 11 * a1};
        double maxd = 0, fas = 0;
        for (int i = 0; i < 5; i++) {
            maxd = fmax(maxd, fabs(mean[i] - want[i]));
            CHECK(std[i] < 1e-9); /* deterministic policy, deterministic env */
            fas += mean[i] / 5;
        }
        printf("  K = %d: a0 %.6f a1 %.6f; returns %.4f %.4f %.4f %.4f %.4f; FAS %.4f (by hand %.4f)\n", k, a0, a1,
               mean[0], mean[1], mean[2], mean[3], mean[4], fas,
               (12 * a0 + 6 * (a0 + a1) + 3 * (a0 + 3 * a1) + 2 * a0 + 10 * a1 + a0 + 11 * a1) / 5);
        if (k == 2) CHECK(fabs(a0 - a1) > 1e-3); /* the two actions differ, so the check means something */
        CHECK_MAXDIFF(k == 1 ? "returns, action held for d steps" : "returns, 2 actions open loop, last held",
                      maxd, 1e-4);
    }
    /* refusals of the evaluation: a Discrete policy */
    const char* sets[] = {"learning_starts=1000", "net_arch=8", "eval_freq=0"};
    snprintf(dir, sizeof dir, "%s/cartpole", tmp_root);
    CHECK(train_t("CartPole-v1", dir, 16, 0, NULL, sets, 3, 1, err) == ACRL_OK);
    snprintf(pol, sizeof pol, "%s/policy.ckpt", dir);
    double m, s;
    CHECK(acrl_eval_decision_intervals(pol, d, 1, 1, 0, false, &m, &s, NULL, err, sizeof err) == ACRL_ERR_INPUT);
    printf("  Discrete policy: %s\n", err);
    CHECK(strstr(err, "Discrete") != NULL);
}

int main(void) {
    test_torch(1);
    test_torch(2);
    test_by_hand();
    test_refusals();
    if (!mkdtemp(tmp_root)) { perror("mkdtemp"); return 1; }
    test_resume();
    test_intervals();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp_root);
    return test_summary("test_seq");
}

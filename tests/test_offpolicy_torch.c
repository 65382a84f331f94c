/* test_offpolicy_torch: one full update of SAC, discrete SAC, TD3 (a critic-only step, then
 * a delayed actor step) and DDPG against an independent PyTorch implementation
 * (tests/gen_offpolicy_torch.py -> fixtures/offpolicy_*.txt): the same initial weights,
 * batch and noise go in; losses, temperature and every updated parameter (actor, critics,
 * targets) are compared, printing the largest difference. Each runs with one update thread
 * and with two (the update's lanes on a worker thread). PMOE (tests/gen_pmoe_torch.py), DSAC-T
 * (tests/gen_dsact_torch.py) and STAC (tests/gen_stac_torch.py) are held to 1e-6. SAC-Lagrangian
 * (offpolicy_sac_lag.txt): SAC's update with the cost critic's step and the lambda term. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl.h"
#include "algo/offpolicy.h"
#include "algo/sac.h"
#include "test.h"

#include "torch_fixture.h"

static void fill_batch(const fixture* fx, replay_batch* b, int B, int od, int ad) {
    CHECK(replay_batch_init(b, B, od, ad) == 0);
    const char* names[6] = {"batch.obs", "batch.act", "batch.rew", "batch.next_obs", "batch.done", "batch.discount"};
    float* dst[6] = {b->obs, b->act, b->rew, b->next_obs, b->done, b->discount};
    int len[6] = {B * od, B * ad, B, B * od, B, B};
    for (int k = 0; k < 6; k++) {
        const record* r = get(fx, names[k]);
        CHECK(r && r->n == len[k]);
        if (r && r->n == len[k]) memcpy(dst[k], r->v, sizeof(float) * (size_t)len[k]);
    }
}

/* Builds the learner with the fixture's sizes; extra "key=value" settings follow. */
static void* make_learner_env(const acrl_algo* algo, void* cfg, const acrl_space* os, const acrl_space* as,
                              const char* const* sets, int nsets, int threads, const char* env_id) {
    char err[ACRL_ERRLEN];
    algo->cfg_defaults(cfg);
    const char* common[] = {"batch_size=8", "net_arch=16,16", "learning_rate=0.003", "tau=0.05", "buffer_size=64"};
    for (int i = 0; i < 5; i++) CHECK(acrl_config_parse_override(algo->cfg_table, cfg, common[i], err, sizeof err) == 0);
    for (int i = 0; i < nsets; i++) CHECK(acrl_config_parse_override(algo->cfg_table, cfg, sets[i], err, sizeof err) == 0);
    acrl_algo_ctx ctx = {os, as, env_id, 1, 1000, 0, threads, 0.99f, NULL, NULL, 0};
    void* l = algo->create(cfg, &ctx, err, sizeof err);
    if (!l) fprintf(stderr, "create %s: %s\n", algo->name, err);
    CHECK(l != NULL);
    return l;
}

static void* make_learner(const acrl_algo* algo, void* cfg, const acrl_space* os, const acrl_space* as,
                          const char* const* sets, int nsets, int threads) {
    return make_learner_env(algo, cfg, os, as, sets, nsets, threads, "test");
}

enum { OD = 3, D = 2, K = 3, B = 8 };

static void test_sac(bool discrete, int threads) {
    const char* tag = discrete ? "sacd" : "sac";
    printf("%s, %d update thread%s\n", discrete ? "discrete SAC" : "SAC", threads, threads > 1 ? "s" : "");
    char path[64];
    snprintf(path, sizeof path, "fixtures/offpolicy_%s.txt", tag);
    fixture fx;
    if (fixture_load(&fx, path)) { CHECK(0); return; }
    float olo[OD] = {-INFINITY, -INFINITY, -INFINITY}, ohi[OD] = {INFINITY, INFINITY, INFINITY};
    float alo[D] = {-1, -1}, ahi[D] = {1, 1};
    acrl_space os = {ACRL_SPACE_BOX, OD, 0, olo, ohi, {0, 0, 0}};
    acrl_space as = discrete ? (acrl_space){ACRL_SPACE_DISCRETE, 1, K, NULL, NULL, {0, 0, 0}}
                             : (acrl_space){ACRL_SPACE_BOX, D, 0, alo, ahi, {0, 0, 0}};
    const acrl_algo* algo = acrl_algo_find("sac");
    unsigned char cfg[4096];
    CHECK(algo && algo->cfg_size <= sizeof cfg);
    const char* sets_c[] = {"ent_coef_init=0.5", "target_entropy_scale=1"};
    const char* sets_d[] = {"ent_coef_init=0.3", "target_entropy_ratio=0.5"};
    offp_learner* L = make_learner(algo, cfg, &os, &as, discrete ? sets_d : sets_c, 2, threads);
    if (!L) { fixture_free(&fx); return; }
    load_store(&fx, &L->actor, "init.actor");
    load_store(&fx, &L->critic, "init.critic");
    load_store(&fx, &L->critic_targ, "init.critic");
    replay_batch b;
    fill_batch(&fx, &b, B, OD, discrete ? 1 : D);
    double sums[M_COUNT + 1] = {0};
    char err[ACRL_ERRLEN];
    int rc;
    if (discrete) {
        rc = sacd_update(L, &b, B, sums, err, sizeof err);
    } else {
        const record* e1 = get(&fx, "noise.eps_pi");
        const record* e2 = get(&fx, "noise.eps_next");
        rc = e1 && e2 ? sac_update(L, &b, B, e1->v, e2->v, sums, err, sizeof err) : -1;
    }
    CHECK(rc == 0);
    check_scalar("alpha used", sums[M_ALPHA], get(&fx, "out.alpha"));
    check_scalar("critic loss", sums[M_Q_LOSS], get(&fx, "out.critic_loss"));
    check_scalar("actor loss", sums[M_POLICY_LOSS], get(&fx, "out.actor_loss"));
    check_scalar("entropy", sums[M_ENTROPY], get(&fx, "out.entropy"));
    compare_store(&fx, &L->alpha, "final.alpha", "log alpha after its Adam step");
    compare_store(&fx, &L->critic, "final.critic", "critics after their Adam step");
    compare_store(&fx, &L->actor, "final.actor", "actor after its Adam step");
    compare_store(&fx, &L->critic_targ, "final.critic_targ", "target critics after Polyak");
    replay_batch_free(&b);
    algo->destroy(L);
    fixture_free(&fx);
}

/* SAC-Lagrangian: the learner needs an env with costs (only its id is probed; the spaces are
 * the fixture's). */
static void test_sac_lag(int threads) {
    printf("SAC-Lagrangian, %d update thread%s\n", threads, threads > 1 ? "s" : "");
    fixture fx;
    if (fixture_load(&fx, "fixtures/offpolicy_sac_lag.txt")) { CHECK(0); return; }
    float olo[OD] = {-INFINITY, -INFINITY, -INFINITY}, ohi[OD] = {INFINITY, INFINITY, INFINITY};
    float alo[D] = {-1, -1}, ahi[D] = {1, 1};
    acrl_space os = {ACRL_SPACE_BOX, OD, 0, olo, ohi, {0, 0, 0}};
    acrl_space as = {ACRL_SPACE_BOX, D, 0, alo, ahi, {0, 0, 0}};
    const acrl_algo* algo = acrl_algo_find("sac-lag");
    unsigned char cfg[4096];
    CHECK(algo && algo->cfg_size <= sizeof cfg);
    if (!algo) { fixture_free(&fx); return; }
    const char* sets[] = {"ent_coef=0", "ent_coef_init=0.5", "target_entropy_scale=1", "lagrangian_init=0.7"};
    void* l = make_learner_env(algo, cfg, &os, &as, sets, 4, threads, "SafetyHopperVelocity-v1");
    if (!l) { fixture_free(&fx); return; }
    offp_learner* L = sac_lag_base(l);
    CHECK(*sac_lag_lambda(l) == (double)0.7f);
    load_store(&fx, &L->actor, "init.actor");
    load_store(&fx, &L->critic, "init.critic");
    load_store(&fx, &L->critic_targ, "init.critic");
    load_store(&fx, sac_lag_cost_params(l, false), "init.cost");
    load_store(&fx, sac_lag_cost_params(l, true), "init.cost");
    *sac_lag_lambda(l) = get(&fx, "lambda") ? get(&fx, "lambda")->v[0] : NAN;
    replay_batch b;
    fill_batch(&fx, &b, B, OD, D);
    const record* c = get(&fx, "batch.cost");
    CHECK(c && c->n == B);
    if (c && c->n == B) memcpy(b.cost, c->v, sizeof(float) * B);
    double sums[M_COUNT + 1] = {0};
    char err[ACRL_ERRLEN];
    const record* e1 = get(&fx, "noise.eps_pi");
    const record* e2 = get(&fx, "noise.eps_next");
    int rc = e1 && e2 ? sac_update(L, &b, B, e1->v, e2->v, sums, err, sizeof err) : -1;
    if (rc) fprintf(stderr, "sac-lag update: %s\n", err);
    CHECK(rc == 0);
    check_scalar("alpha used", sums[M_ALPHA], get(&fx, "out.alpha"));
    check_scalar("critic loss", sums[M_Q_LOSS], get(&fx, "out.critic_loss"));
    check_scalar("actor loss (with lambda Q_c, over 1 + lambda)", sums[M_POLICY_LOSS], get(&fx, "out.actor_loss"));
    compare_store(&fx, &L->critic, "final.critic", "critics after their Adam step");
    compare_store(&fx, &L->actor, "final.actor", "actor after its Adam step");
    compare_store(&fx, &L->critic_targ, "final.critic_targ", "target critics after Polyak");
    compare_store(&fx, sac_lag_cost_params(l, false), "final.cost", "cost critic after its Adam step");
    compare_store(&fx, sac_lag_cost_params(l, true), "final.cost_targ", "cost critic target after Polyak");
    replay_batch_free(&b);
    algo->destroy(l);
    fixture_free(&fx);
}

static void test_td3(const char* name, int threads) {
    bool td3 = strcmp(name, "td3") == 0;
    printf("%s, %d update thread%s\n", td3 ? "TD3 (update 1: critics only; update 2: critics, delayed actor, targets)"
                                           : "DDPG", threads, threads > 1 ? "s" : "");
    char path[64];
    snprintf(path, sizeof path, "fixtures/offpolicy_%s.txt", name);
    fixture fx;
    if (fixture_load(&fx, path)) { CHECK(0); return; }
    float olo[OD] = {-INFINITY, -INFINITY, -INFINITY}, ohi[OD] = {INFINITY, INFINITY, INFINITY};
    float alo[D] = {-1, -1}, ahi[D] = {1, 1};
    acrl_space os = {ACRL_SPACE_BOX, OD, 0, olo, ohi, {0, 0, 0}};
    acrl_space as = {ACRL_SPACE_BOX, D, 0, alo, ahi, {0, 0, 0}};
    const acrl_algo* algo = acrl_algo_find(name);
    unsigned char cfg[4096];
    CHECK(algo && algo->cfg_size <= sizeof cfg);
    const char* sets[] = {"target_policy_noise=0.2", "target_noise_clip=0.5", "policy_delay=2"};
    offp_learner* L = make_learner(algo, cfg, &os, &as, sets, td3 ? 3 : 0, threads);
    if (!L) { fixture_free(&fx); return; }
    load_store(&fx, &L->actor, "init.actor");
    load_store(&fx, &L->actor_targ, "init.actor");
    load_store(&fx, &L->critic, "init.critic");
    load_store(&fx, &L->critic_targ, "init.critic");
    replay_batch b;
    fill_batch(&fx, &b, B, OD, D);
    char err[ACRL_ERRLEN];
    const record* q = get(&fx, "out.critic_loss");
    int steps = td3 ? 2 : 1;
    double aloss = NAN;
    for (int k = 0; k < steps; k++) {
        double sums[M_COUNT + 1] = {0};
        char nm[32];
        snprintf(nm, sizeof nm, "noise.eps%d", k);
        const record* e = get(&fx, nm);
        /* DDPG has no smoothing: its noise is multiplied by target_policy_noise = 0 */
        CHECK(e && td3_update(L, &b, B, e->v, k == steps - 1, sums, err, sizeof err) == 0);
        char label[48];
        snprintf(label, sizeof label, "critic loss, update %d", k + 1);
        CHECK(q && q->n == steps);
        if (q && q->n == steps) CHECK_MAXDIFF(label, fabs(sums[M_Q_LOSS] - q->v[k]) / fmax(1.0, fabs(q->v[k])), 1e-5);
        if (k == steps - 1) aloss = sums[M_POLICY_LOSS];
        else CHECK(sums[OFFP_ACTOR_STEPS] == 0);
    }
    check_scalar("actor loss", aloss, get(&fx, "out.actor_loss"));
    compare_store(&fx, &L->critic, "final.critic", "critics after their Adam steps");
    compare_store(&fx, &L->actor, "final.actor", "actor after its Adam step");
    compare_store(&fx, &L->critic_targ, "final.critic_targ", "target critics after Polyak");
    compare_store(&fx, &L->actor_targ, "final.actor_targ", "target actor after Polyak");
    replay_batch_free(&b);
    algo->destroy(L);
    fixture_free(&fx);
}

/* PMOE: the same noise draws go in (every expert's eps, the next action's eps and the uniform
 * that draws the next expert); the argmax over experts and the drawn experts then agree with the
 * fixture's (a different choice would move whole heads of the actor). Tolerance 1e-6. */
static void test_pmoe(int threads) {
    printf("PMOE (K = 3 experts), %d update thread%s\n", threads, threads > 1 ? "s" : "");
    fixture fx;
    if (fixture_load(&fx, "fixtures/offpolicy_pmoe.txt")) { CHECK(0); return; }
    float olo[OD] = {-INFINITY, -INFINITY, -INFINITY}, ohi[OD] = {INFINITY, INFINITY, INFINITY};
    float alo[D] = {-1, -1}, ahi[D] = {1, 1};
    acrl_space os = {ACRL_SPACE_BOX, OD, 0, olo, ohi, {0, 0, 0}};
    acrl_space as = {ACRL_SPACE_BOX, D, 0, alo, ahi, {0, 0, 0}};
    const acrl_algo* algo = acrl_algo_find("pmoe");
    unsigned char cfg[4096];
    CHECK(algo && algo->cfg_size <= sizeof cfg);
    if (!algo) { fixture_free(&fx); return; }
    const char* sets[] = {"ent_coef_init=0.5", "target_entropy_scale=1", "n_experts=3"};
    offp_learner* L = make_learner(algo, cfg, &os, &as, sets, 3, threads);
    if (!L) { fixture_free(&fx); return; }
    load_store(&fx, &L->actor, "init.actor");
    load_store(&fx, &L->critic, "init.critic");
    load_store(&fx, &L->critic_targ, "init.critic");
    replay_batch b;
    fill_batch(&fx, &b, B, OD, D);
    double sums[M_COUNT + 1] = {0};
    char err[ACRL_ERRLEN];
    const record *e1 = get(&fx, "noise.eps_pi"), *e2 = get(&fx, "noise.eps_next"), *u = get(&fx, "noise.u");
    CHECK(e1 && e2 && u && e1->n == B * 3 * D && e2->n == B * D && u->n == B);
    int rc = e1 && e2 && u ? pmoe_update(L, &b, B, e1->v, e2->v, u->v, sums, err, sizeof err) : -1;
    CHECK(rc == 0);
    const double tol = 1e-6;
    const record* r;
    r = get(&fx, "out.alpha");
    CHECK_MAXDIFF("alpha used", fabs(sums[M_ALPHA] - r->v[0]) / fmax(1.0, fabs(r->v[0])), tol);
    r = get(&fx, "out.critic_loss");
    CHECK_MAXDIFF("critic loss", fabs(sums[M_Q_LOSS] - r->v[0]) / fmax(1.0, fabs(r->v[0])), tol);
    r = get(&fx, "out.actor_loss");
    CHECK_MAXDIFF("actor loss (best experts + gate CE)", fabs(sums[M_POLICY_LOSS] - r->v[0]) / fmax(1.0, fabs(r->v[0])), tol);
    r = get(&fx, "out.entropy");
    CHECK_MAXDIFF("entropy (-log pi of the best)", fabs(sums[M_ENTROPY] - r->v[0]) / fmax(1.0, fabs(r->v[0])), tol);
    compare_store_tol(&fx, &L->alpha, "final.alpha", "log alpha after its Adam step", tol);
    compare_store_tol(&fx, &L->critic, "final.critic", "critics after their Adam step", tol);
    compare_store_tol(&fx, &L->actor, "final.actor", "actor (experts and gate) after Adam", tol);
    compare_store_tol(&fx, &L->critic_targ, "final.critic_targ", "target critics after Polyak", tol);
    replay_batch_free(&b);
    algo->destroy(L);
    fixture_free(&fx);
}

/* DSAC-T: three updates (0 and 2 with the actor, temperature and targets; 1 critics only),
 * every number within 1e-6 relative of PyTorch's. */
static void test_dsact(int threads) {
    printf("DSAC-T (updates 1 and 3: critics, actor, temperature, targets; update 2: critics), %d update thread%s\n",
           threads, threads > 1 ? "s" : "");
    const double tol = 1e-6;
    fixture fx;
    if (fixture_load(&fx, "fixtures/offpolicy_dsact.txt")) { CHECK(0); return; }
    float olo[OD] = {-INFINITY, -INFINITY, -INFINITY}, ohi[OD] = {INFINITY, INFINITY, INFINITY};
    float alo[D] = {-1, -1}, ahi[D] = {1, 1};
    acrl_space os = {ACRL_SPACE_BOX, OD, 0, olo, ohi, {0, 0, 0}};
    acrl_space as = {ACRL_SPACE_BOX, D, 0, alo, ahi, {0, 0, 0}};
    const acrl_algo* algo = acrl_algo_find("dsact");
    unsigned char cfg[4096];
    CHECK(algo && algo->cfg_size <= sizeof cfg);
    const char* sets[] = {"policy_lr=0.002", "alpha_lr=0.001", "tau_b=0.1", "std_eps=0.1", "delay=2",
                          "log_alpha_init=1", "log_std_max=0.5", "activation=gelu"};
    offp_learner* L = make_learner(algo, cfg, &os, &as, sets, 8, threads);
    if (!L) { fixture_free(&fx); return; }
    load_store(&fx, &L->actor, "init.actor");
    load_store(&fx, &L->actor_targ, "init.actor");
    load_store(&fx, &L->critic, "init.critic");
    load_store(&fx, &L->critic_targ, "init.critic");
    replay_batch b;
    fill_batch(&fx, &b, B, OD, D);
    char err[ACRL_ERRLEN];
    const record *q = get(&fx, "out.qloss"), *al = get(&fx, "out.alpha"), *sg = get(&fx, "out.sigma"),
                 *bd = get(&fx, "out.bound"), *pl = get(&fx, "out.aloss"), *en = get(&fx, "out.entropy");
    if (!q || !al || !sg || !bd || !pl || !en) { CHECK(0); fixture_free(&fx); return; }
    for (int k = 0, actor_k = 0; k < 3; k++) {
        double sums[M_COUNT + 1] = {0};
        char nm[3][32];
        snprintf(nm[0], sizeof nm[0], "noise.eps_pi%d", k);
        snprintf(nm[1], sizeof nm[1], "noise.eps_next%d", k);
        snprintf(nm[2], sizeof nm[2], "noise.eps_z%d", k);
        const record *e1 = get(&fx, nm[0]), *e2 = get(&fx, nm[1]), *ez = get(&fx, nm[2]);
        CHECK(e1 && e2 && ez && dsact_update(L, &b, B, e1->v, e2->v, ez->v, sums, err, sizeof err) == 0);
        const char* what[4] = {"critic loss", "alpha used", "mean sigma", "clip bound"};
        const record* want[4] = {q, al, sg, bd};
        double got[4] = {sums[M_Q_LOSS], sums[M_ALPHA], sums[M_Q_SIGMA], sums[M_Q_CLIP]};
        for (int m = 0; m < 4; m++) {
            char label[64];
            snprintf(label, sizeof label, "%s, update %d", what[m], k + 1);
            CHECK_MAXDIFF(label, fabs(got[m] - want[m]->v[k]) / fmax(1.0, fabs(want[m]->v[k])), tol);
        }
        CHECK(sums[OFFP_ACTOR_STEPS] == (k % 2 == 0 ? 1 : 0));
        if (k % 2 == 0) {
            char label[64];
            snprintf(label, sizeof label, "actor loss, update %d", k + 1);
            CHECK_MAXDIFF(label, fabs(sums[M_POLICY_LOSS] - pl->v[actor_k]) / fmax(1.0, fabs(pl->v[actor_k])), tol);
            snprintf(label, sizeof label, "entropy, update %d", k + 1);
            CHECK_MAXDIFF(label, fabs(sums[M_ENTROPY] - en->v[actor_k]) / fmax(1.0, fabs(en->v[actor_k])), tol);
            actor_k++;
        }
    }
    compare_store_tol(&fx, &L->alpha, "final.alpha", "log alpha after two Adam steps", tol);
    compare_store_tol(&fx, &L->critic, "final.critic", "critics after three Adam steps", tol);
    compare_store_tol(&fx, &L->actor, "final.actor", "actor after two Adam steps", tol);
    compare_store_tol(&fx, &L->critic_targ, "final.critic_targ", "target critics after two Polyak steps", tol);
    compare_store_tol(&fx, &L->actor_targ, "final.actor_targ", "target actor after two Polyak steps", tol);
    replay_batch_free(&b);
    algo->destroy(L);
    fixture_free(&fx);
}

/* STAC: two updates (critic, Polyak, actor through the updated critic, temperature) with layer
 * norm and dropout 0 (the dropout masks are tested with the MLP), within 1e-6 of PyTorch's. */
static void test_stac(int threads) {
    printf("STAC (two updates, layer norm, AdamW), %d update thread%s\n", threads, threads > 1 ? "s" : "");
    const double tol = 1e-6;
    fixture fx;
    if (fixture_load(&fx, "fixtures/offpolicy_stac.txt")) { CHECK(0); return; }
    float olo[OD] = {-INFINITY, -INFINITY, -INFINITY}, ohi[OD] = {INFINITY, INFINITY, INFINITY};
    float alo[D] = {-1, -1}, ahi[D] = {1, 1};
    acrl_space os = {ACRL_SPACE_BOX, OD, 0, olo, ohi, {0, 0, 0}};
    acrl_space as = {ACRL_SPACE_BOX, D, 0, alo, ahi, {0, 0, 0}};
    const acrl_algo* algo = acrl_algo_find("stac");
    unsigned char cfg[4096];
    CHECK(algo && algo->cfg_size <= sizeof cfg);
    const char* sets[] = {"policy_lr=0.002", "weight_decay=0.01", "beta=0.5", "dropout=0", "layer_norm=1",
                          "ent_coef_init=0.3", "sigma_raw_min=-5", "activation=relu"};
    offp_learner* L = make_learner(algo, cfg, &os, &as, sets, 8, threads);
    if (!L) { fixture_free(&fx); return; }
    load_store(&fx, &L->actor, "init.actor");
    load_store(&fx, &L->critic, "init.critic");
    load_store(&fx, &L->critic_targ, "init.critic");
    replay_batch b;
    fill_batch(&fx, &b, B, OD, D);
    char err[ACRL_ERRLEN];
    const record *q = get(&fx, "out.qloss"), *pl = get(&fx, "out.aloss"), *al = get(&fx, "out.alpha"),
                 *en = get(&fx, "out.entropy"), *sg = get(&fx, "out.sigma");
    if (!q || !pl || !al || !en || !sg) { CHECK(0); fixture_free(&fx); return; }
    acrl_rng rng;
    acrl_rng_seed(&rng, 5);
    for (int k = 0; k < 2; k++) {
        double sums[M_COUNT + 1] = {0};
        char nm[2][32];
        snprintf(nm[0], sizeof nm[0], "noise.eps_pi%d", k);
        snprintf(nm[1], sizeof nm[1], "noise.eps_next%d", k);
        const record *e1 = get(&fx, nm[0]), *e2 = get(&fx, nm[1]);
        CHECK(e1 && e2 && stac_update(L, &b, B, e1->v, e2->v, &rng, sums, err, sizeof err) == 0);
        const char* what[5] = {"critic NLL", "actor loss", "alpha used", "entropy", "mean sigma"};
        const record* want[5] = {q, pl, al, en, sg};
        double got[5] = {sums[M_Q_LOSS], sums[M_POLICY_LOSS], sums[M_ALPHA], sums[M_ENTROPY], sums[M_Q_SIGMA]};
        for (int m = 0; m < 5; m++) {
            char label[64];
            snprintf(label, sizeof label, "%s, update %d", what[m], k + 1);
            CHECK_MAXDIFF(label, fabs(got[m] - want[m]->v[k]) / fmax(1.0, fabs(want[m]->v[k])), tol);
        }
    }
    compare_store_tol(&fx, &L->alpha, "final.alpha", "alpha after two multiplicative steps", tol);
    compare_store_tol(&fx, &L->critic, "final.critic", "critic after two AdamW steps", tol);
    compare_store_tol(&fx, &L->actor, "final.actor", "actor after two AdamW steps", tol);
    compare_store_tol(&fx, &L->critic_targ, "final.critic_targ", "target critic after two Polyak steps", tol);
    replay_batch_free(&b);
    algo->destroy(L);
    fixture_free(&fx);
}

int main(void) {
    for (int threads = 1; threads <= 2; threads++) { /* threads 2: the update's lanes on two threads */
        test_sac(false, threads);
        test_sac(true, threads);
        test_td3("td3", threads);
        test_td3("ddpg", threads);
        test_pmoe(threads);
        test_dsact(threads);
        test_stac(threads);
        test_sac_lag(threads);
    }
    return test_summary("test_offpolicy_torch");
}

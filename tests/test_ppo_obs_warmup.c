/* test_ppo_obs_warmup: PPO's obs_norm_warmup (RLtools' observation-statistics rollout). With
 * obs_norm_warmup = 1 the first iteration collects a rollout that only feeds the observation
 * statistics (no update: parameters unchanged, metrics NAN); from the second on the statistics
 * no longer move and PPO updates. Refused without normalize = 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl.h"
#include "algo/collector.h"
#include "algo/ppo.h"
#include "test.h"

enum { E = 2, T = 8 };

static void* make_ppo(acrl_env* probe, const acrl_collector_options* opt, int warmup, char* err, size_t errlen) {
    const acrl_algo* algo = acrl_algo_find("ppo");
    CHECK(algo != NULL);
    if (!algo) return NULL;
    void* cfg = calloc(1, algo->cfg_size);
    algo->cfg_defaults(cfg);
    char set[64];
    snprintf(set, sizeof set, "obs_norm_warmup=%d", warmup);
    const char* sets[] = {"n_steps=8", "batch_size=8", "n_epochs=1", "net_arch=8", set};
    for (int i = 0; i < 5; i++) CHECK(acrl_config_parse_override(algo->cfg_table, cfg, sets[i], err, errlen) == 0);
    acrl_algo_ctx ctx = {&probe->obs_space, &probe->act_space, "Pendulum-v1", E, 1000, 7, 1, 0.99f, opt, NULL, 0};
    void* l = algo->create(cfg, &ctx, err, errlen);
    free(cfg);
    return l;
}

int main(void) {
    char err[ACRL_ERRLEN] = "";
    acrl_env* probe = acrl_env_make("Pendulum-v1", NULL, err, sizeof err);
    CHECK(probe != NULL);
    if (!probe) return test_summary("test_ppo_obs_warmup");
    const acrl_algo* algo = acrl_algo_find("ppo");

    /* refused without observation normalization, naming the keys */
    acrl_collector_options plain = {false, false, 10.0f, 10.0f, 0.99f, NULL};
    void* l = make_ppo(probe, &plain, 1, err, sizeof err);
    CHECK(l == NULL);
    CHECK(strstr(err, "obs_norm_warmup") && strstr(err, "normalize = 1"));
    printf("  without normalize: %s\n", err);
    if (l) algo->destroy(l);

    acrl_collector_options opt = {true, false, 10.0f, 10.0f, 0.99f, NULL};
    acrl_collector* c = collector_create("Pendulum-v1", E, 7, 1, &opt, err, sizeof err);
    l = make_ppo(probe, &opt, 1, err, sizeof err);
    CHECK(c != NULL && l != NULL);
    if (!c || !l) { fprintf(stderr, "%s\n", err); return test_summary("test_ppo_obs_warmup"); }
    acrl_params* p = algo->params(l);
    float* p0 = malloc(sizeof(float) * p->count);
    memcpy(p0, p->param, sizeof(float) * p->count);
    double m[M_COUNT];

    /* iteration 1: statistics only */
    const double n0 = c->obs_stat.count;
    CHECK(algo->iterate(l, c, 0.0, m, err, sizeof err) == 0);
    printf("  warm-up rollout: statistics count %.0f -> %.0f, parameters %s, policy loss %g\n", n0,
           c->obs_stat.count, memcmp(p0, p->param, sizeof(float) * p->count) ? "changed" : "unchanged",
           m[M_POLICY_LOSS]);
    CHECK(c->obs_stat.count == n0 + E * T);
    CHECK(memcmp(p0, p->param, sizeof(float) * p->count) == 0);
    CHECK(isnan(m[M_POLICY_LOSS]));
    CHECK(c->steps == E * T);

    /* iterations 2 and 3: PPO updates, the statistics stay */
    const double n1 = c->obs_stat.count, mean1 = c->obs_stat.mean[0];
    for (int it = 0; it < 2; it++) {
        CHECK(algo->iterate(l, c, 0.1 * it, m, err, sizeof err) == 0);
        CHECK(c->obs_stat.count == n1 && c->obs_stat.mean[0] == mean1);
        CHECK(isfinite(m[M_POLICY_LOSS]));
    }
    CHECK(c->obs_stats_frozen);
    CHECK(memcmp(p0, p->param, sizeof(float) * p->count) != 0);
    printf("  after 2 updates: statistics count %.0f (frozen), parameters changed\n", c->obs_stat.count);

    free(p0);
    algo->destroy(l);
    collector_free(c);
    acrl_env_close(probe);
    return test_summary("test_ppo_obs_warmup");
}

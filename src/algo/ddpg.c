/* DDPG (Lillicrap et al. 2016) as Stable-Baselines3 runs it: TD3's machinery with one
 * critic, no target policy smoothing and an actor update after every critic update;
 * Gaussian or Ornstein-Uhlenbeck exploration noise. */
#include "algo/td3.h"

#include <string.h>

static void ddpg_defaults(void* cfgp) {
    td3_config* c = cfgp;
    memset(c, 0, sizeof *c);
    offp_defaults(&c->off);
    c->off.learning_rate = 1e-3f;
    c->policy_delay = 1;
    c->noise_type = 0;
    c->noise_std = 0.1f;
    c->n_critics = 1;
}

#define F(k, t, lo, hi, ch, h) {#k, ACRL_CFG_##t, offsetof(td3_config, k), lo, hi, ch, h}
static const acrl_config_entry ddpg_table[] = {
    OFFP_ENTRIES(td3_config),
    F(noise_type, ENUM, 0, 0, td3_noise_names, "exploration noise: normal or ornstein-uhlenbeck"),
    F(noise_std, FLOAT, 0, 10, NULL, "exploration noise std (in [-1, 1] action units)"),
    {NULL, 0, 0, 0, 0, NULL, NULL},
};
#undef F

static void* ddpg_create(const void* cfg, const acrl_algo_ctx* ctx, char* err, size_t errlen) {
    return td3_create_from(cfg, ctx, "ddpg", err, errlen);
}

const acrl_algo acrl_algo_ddpg = {
    "ddpg", "Deep Deterministic Policy Gradient (one critic, Gaussian or OU noise), Box actions",
    sizeof(td3_config), ddpg_table, ddpg_defaults,
    ddpg_create, td3_iterate, td3_act, td3_save, td3_load, td3_params, td3_destroy,
    td3_act_rng, td3_qvalue,
};

/* test_policy: gradients of the on-policy actor-critic (categorical, Gaussian, gSDE;
 * separate networks and shared trunk) against central finite differences, and the gSDE
 * std against its definition sqrt(sum_k phi_k^2 exp(2 L_kj) + 1e-6). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algo/policy.h"
#include "test.h"

enum { OD = 5, B = 6, K = 3 };

/* J = sum_b w_b logp_b + c * sum_b ent_b + sum_b dv_b value_b, accumulated in double */
static double objective(acrl_policy* pol, const acrl_params* p, const float* obs, const float* act, const float* w,
                        float c, const float* dv) {
    float logp[B], ent[B];
    policy_forward(pol, p, obs, B);
    policy_evaluate(pol, act, logp, ent);
    double j = 0;
    for (int b = 0; b < B; b++) j += (double)w[b] * logp[b] + (double)c * ent[b] + (double)dv[b] * pol->value[b];
    return j;
}

static void check_case(const char* label, bool discrete, bool shared, bool sde) {
    acrl_rng rng;
    acrl_rng_seed(&rng, 11);
    acrl_policy_config cfg;
    policy_config_default(&cfg);
    cfg.net_arch = (acrl_intlist){2, {8, 7}};
    cfg.shared_trunk = shared;
    cfg.use_sde = sde;
    cfg.log_std_init = -0.5f;
    float lo[K] = {-1, -1, -1}, hi[K] = {1, 1, 1};
    acrl_space sp = discrete ? (acrl_space){ACRL_SPACE_DISCRETE, 1, K, NULL, NULL}
                             : (acrl_space){ACRL_SPACE_BOX, K, 0, lo, hi};
    acrl_params p;
    acrl_params_init(&p);
    acrl_policy pol;
    char err[ACRL_ERRLEN];
    if (policy_build(&pol, &p, OD, &sp, &cfg, B, err, sizeof err) || acrl_params_finalize(&p, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        CHECK(!"policy builds");
        return;
    }
    CHECK(policy_init(&pol, &p, &cfg, &rng, err, sizeof err) == 0);
    /* larger output weights than the init's 0.01 gain, and varied log-stds, so every term matters */
    for (size_t i = 0; i < p.count; i++) p.param[i] += (float)(0.3 * acrl_rng_normal(&rng));
    float obs[B * OD], act[B * K], w[B], dv[B];
    for (int i = 0; i < B * OD; i++) obs[i] = (float)acrl_rng_normal(&rng);
    for (int b = 0; b < B; b++) {
        w[b] = (float)acrl_rng_normal(&rng);
        dv[b] = (float)acrl_rng_normal(&rng);
        if (discrete) act[b] = (float)acrl_rng_below(&rng, K);
        else for (int j = 0; j < K; j++) act[b * K + j] = (float)acrl_rng_normal(&rng);
    }
    const float c = 0.37f;
    acrl_params_zero_grad(&p);
    objective(&pol, &p, obs, act, w, c, dv);
    policy_backward(&pol, &p, act, w, c, dv);
    float* g = malloc(sizeof(float) * p.count);
    memcpy(g, p.grad, sizeof(float) * p.count);
    /* gSDE treats the features phi as constants (SB3's learn_features off), so its
     * gradient leaves out the path through phi: there, only the tensors phi does not
     * depend on are compared (log-std matrix, policy output layer, value network) */
    bool* skip = calloc(p.count, sizeof(bool));
    if (sde) {
        char last[32];
        snprintf(last, sizeof last, "pi.%d.", pol.pi.nlayers - 1);
        for (int t = 0; t < p.ntensors; t++) {
            const acrl_tensor* tn = &p.tensors[t];
            bool keep = strcmp(tn->name, "log_std") == 0 || strncmp(tn->name, "vf.", 3) == 0 ||
                        strncmp(tn->name, last, strlen(last)) == 0;
            if (!keep)
                for (size_t i = 0; i < (size_t)tn->rows * tn->cols; i++) skip[tn->offset + i] = true;
        }
    }
    double worst = 0;
    const float h = 1e-3f;
    for (size_t i = 0; i < p.count; i++) {
        if (skip[i]) continue;
        float keep = p.param[i];
        p.param[i] = keep + h;
        double jp = objective(&pol, &p, obs, act, w, c, dv);
        p.param[i] = keep - h;
        double jm = objective(&pol, &p, obs, act, w, c, dv);
        p.param[i] = keep;
        double fd = (jp - jm) / (2.0 * h);
        double e = fabs(g[i] - fd) / fmax(1.0, fabs(fd));
        if (e > worst) worst = e;
    }
    char name[96];
    snprintf(name, sizeof name, "%s: d(logp, entropy, value)/dparams", label);
    CHECK_MAXDIFF(name, worst, 5e-3);
    if (sde) {
        /* the per-row std against its definition */
        objective(&pol, &p, obs, act, w, c, dv);
        const float* phi = shared ? pol.trunk_h : pol.pi.h[pol.pi.nlayers - 2];
        const float* L = p.param + pol.log_std_off;
        double md = 0;
        for (int b = 0; b < B; b++)
            for (int j = 0; j < K; j++) {
                double var = 0;
                for (int k = 0; k < pol.latent; k++) var += (double)phi[b * pol.latent + k] * phi[b * pol.latent + k] * exp(2.0 * L[k * K + j]);
                double want = 0.5 * log(var + 1e-6);
                md = fmax(md, fabs(pol.log_std[b * K + j] - want));
            }
        snprintf(name, sizeof name, "%s: gSDE log-std vs definition", label);
        CHECK_MAXDIFF(name, md, 1e-5);
        /* sampled actions: mean + phi M for the drawn matrices */
        policy_reset_noise(&pol, &p, B, &rng);
        float a[B * K], lp[B];
        policy_forward(&pol, &p, obs, B);
        policy_sample(&pol, a, lp, &rng);
        md = 0;
        for (int b = 0; b < B; b++)
            for (int j = 0; j < K; j++) {
                double n = 0;
                for (int k = 0; k < pol.latent; k++)
                    n += (double)phi[b * pol.latent + k] * pol.sde_mat[((size_t)b * pol.latent + k) * K + j];
                md = fmax(md, fabs(a[b * K + j] - (pol.head[b * K + j] + n)));
            }
        snprintf(name, sizeof name, "%s: gSDE action = mean + phi M", label);
        CHECK_MAXDIFF(name, md, 1e-5);
    }
    free(g);
    free(skip);
    policy_free(&pol);
    acrl_params_free(&p);
}

int main(void) {
    check_case("categorical, separate", true, false, false);
    check_case("categorical, shared trunk", true, true, false);
    check_case("Gaussian, separate", false, false, false);
    check_case("Gaussian, shared trunk", false, true, false);
    check_case("gSDE, separate", false, false, true);
    check_case("gSDE, shared trunk", false, true, true);
    return test_summary("test_policy");
}

/* test_a2c_torch: whole A2C iterations (n-step / GAE returns with episode ends and
 * time-limit bootstrapping, policy, value and entropy terms, grad-norm clipping,
 * RMSprop, or Adam) and synchronous A3C iterations (two workers' gradients on the same weights,
 * applied in worker order through one shared RMSprop) against PyTorch
 * (tests/gen_a2c_torch.py), on CartPole-v1 (categorical) and Pendulum-v1 (Gaussian).
 *
 * test_a2c_torch --dump DIR writes the generator's inputs (see onpolicy_ref.h). */
#include "onpolicy_ref.h"

extern const acrl_algo acrl_algo_a2c, acrl_algo_a3c;

/* measured (Release and ASan builds alike): parameters 5.4e-7, losses and grad norm 3.2e-7;
 * the tolerances sit a little above. The rollout check only guards against the envs or the
 * sampling having changed since the fixtures were made (0 here). */
#define TOL_PARAMS  1e-6
#define TOL_METRICS 5e-7
#define TOL_ROLLOUT 1e-5

static const ref_case cases[] = {
    {"a2c_torch_discrete", "CartPole-v1", 4, 7, 0.99f, 5, 3, {0.0, 0.25, 0.5},
     {"net_arch=16,16", "activation=tanh"},
     {"n_steps=5", "learning_rate=0.01", "lr_schedule=linear", "gae_lambda=1", "normalize_advantage=0",
      "ent_coef=0.01", "vf_coef=0.5", "max_grad_norm=0.5", "optimizer=rmsprop", "optim_eps=1e-5"}},
    {"a2c_torch_box", "Pendulum-v1", 2, 3, 0.9f, 193, 3, {0.1, 0.2, 0.3},
     {"net_arch=16,16", "activation=tanh", "log_std_init=-0.5"},
     {"n_steps=4", "learning_rate=0.003", "lr_schedule=constant", "gae_lambda=0.9", "normalize_advantage=1",
      "ent_coef=0.02", "vf_coef=0.25", "max_grad_norm=1.0", "optimizer=rmsprop", "optim_eps=1e-5"}},
    {"a2c_torch_adam", "CartPole-v1", 3, 21, 0.98f, 2, 2, {0.5, 0.75},
     {"net_arch=8,8", "activation=tanh"},
     {"n_steps=6", "learning_rate=0.005", "lr_schedule=linear", "gae_lambda=0.9", "normalize_advantage=1",
      "ent_coef=0.05", "vf_coef=0.5", "max_grad_norm=0", "optimizer=adam", "optim_eps=1e-7"}},
    {"a3c_torch_sync", "CartPole-v1", 2, 11, 0.99f, 0, 3, {0.0, 0.3, 0.6},
     {"net_arch=16,16", "activation=tanh"},
     {"n_workers=2", "sync=1", "updates_per_iter=1", "n_steps=8", "learning_rate=0.01", "lr_schedule=linear",
      "gae_lambda=0.95", "normalize_advantage=0", "ent_coef=0.01", "vf_coef=0.5", "max_grad_norm=0.5",
      "optimizer=rmsprop", "optim_eps=1e-5"}},
};

static int nkeys(const char* const* kv, int cap) {
    int n = 0;
    while (n < cap && kv[n]) n++;
    return n;
}

static void run_case(const ref_case* k, const char* dump_dir) {
    bool a3c = strncmp(k->name, "a3c", 3) == 0;
    const acrl_algo* algo = a3c ? &acrl_algo_a3c : &acrl_algo_a2c;
    char err[ACRL_ERRLEN], path[512], prefix[64];
    fx_file fx = {0};
    FILE* dump = NULL;
    printf("%s (%s, %s)\n", k->name, algo->name, k->env_id);
    if (dump_dir) {
        snprintf(path, sizeof path, "%s/%s.txt", dump_dir, k->name);
        dump = fopen(path, "w");
        if (!dump) { CHECK(!"dump file opens"); return; }
        ref_write_config(dump, k);
    } else {
        snprintf(path, sizeof path, "fixtures/%s.txt", k->name);
        if (fx_load(&fx, path)) { CHECK(!"fixture loads"); fx_free(&fx); return; }
    }

    /* learner and twins configured alike */
    void* cfg = calloc(1, algo->cfg_size);
    algo->cfg_defaults(cfg);
    int np = nkeys(k->policy_set, 8), na = nkeys(k->algo_set, 24);
    CHECK(ref_apply(algo->cfg_table, cfg, k->policy_set, np, err, sizeof err) == 0);
    CHECK(ref_apply(algo->cfg_table, cfg, k->algo_set, na, err, sizeof err) == 0);
    acrl_policy_config pc;
    policy_config_default(&pc);
    static const acrl_config_entry pol_table[] = {POLICY_CONFIG_ENTRIES(0), {NULL, 0, 0, 0, 0, NULL, NULL}};
    CHECK(ref_apply(pol_table, &pc, k->policy_set, np, err, sizeof err) == 0);
    int n_steps = 0, workers = a3c ? 2 : 1;
    for (int i = 0; i < na; i++) sscanf(k->algo_set[i], "n_steps=%d", &n_steps);

    acrl_collector_options opt = {false, false, 10.0f, 10.0f, k->gamma, NULL};
    acrl_collector* c = collector_create(k->env_id, k->num_envs, k->seed, 1, &opt, err, sizeof err);
    CHECK(c != NULL);
    acrl_env* probe = acrl_env_make(k->env_id, NULL, err, sizeof err);
    acrl_algo_ctx ctx = {&probe->obs_space, &probe->act_space, k->env_id, k->num_envs, 100000, k->seed, 1, k->gamma, &opt, NULL, 0};
    void* learner = algo->create(cfg, &ctx, err, sizeof err);
    if (!learner) fprintf(stderr, "%s\n", err);
    CHECK(learner != NULL);
    ref_twin tw[2];
    acrl_rng wrng[2];
    for (int i = 0; i < workers; i++) {
        /* A3C worker i: copies seeded seed + i * n_envs, RNG stream 100 + i (a3c.c) */
        CHECK(twin_init(&tw[i], k->env_id, k->num_envs, k->seed + (uint64_t)i * k->num_envs, n_steps, &pc, err,
                        sizeof err) == 0);
        acrl_rng_seed2(&wrng[i], k->seed, 100 + (uint64_t)i);
    }
    if (!learner || !c) goto done;
    acrl_params* p = algo->params(learner);
    if (dump) ref_write_params(dump, "param.", p);
    else CHECK(ref_load_params(p, &fx, "param.") == 0);
    ref_pre_steps(c, k->pre_steps);
    for (int i = 0; i < workers; i++) ref_pre_steps(tw[i].col, k->pre_steps);

    for (int it = 0; it < k->iterations; it++) {
        for (int i = 0; i < workers; i++) {
            /* A2C samples from the learner's RNG, A3C workers from their own */
            acrl_rng r = a3c ? wrng[i] : ((onpolicy_learner*)learner)->rng;
            CHECK(twin_collect(&tw[i], p, &r, k->gamma, err, sizeof err) == 0);
            if (a3c) wrng[i] = r;
            snprintf(prefix, sizeof prefix, "it%d.w%d.", it, i);
            if (dump) twin_write(&tw[i], dump, prefix);
            else {
                char label[96];
                snprintf(label, sizeof label, "iteration %d worker %d rollout as recorded", it, i);
                CHECK_MAXDIFF(label, twin_compare(&tw[i], &fx, prefix), TOL_ROLLOUT);
            }
        }
        double m[M_COUNT];
        for (int j = 0; j < M_COUNT; j++) m[j] = NAN;
        int rc = algo->iterate(learner, c, k->progress[it], m, err, sizeof err);
        if (rc) fprintf(stderr, "%s\n", err);
        CHECK(rc == 0);
        float metrics[5] = {(float)k->progress[it], (float)m[M_POLICY_LOSS], (float)m[M_VALUE_LOSS],
                            (float)m[M_ENTROPY], (float)m[M_GRAD_NORM]};
        snprintf(prefix, sizeof prefix, "it%d.", it);
        char name[96], label[96];
        if (dump) {
            snprintf(name, sizeof name, "it%d.progress", it);
            fx_write(dump, name, metrics, 1);
            /* acrl's own results, for the generator to print beside its own */
            snprintf(name, sizeof name, "it%d.c.metrics", it);
            fx_write(dump, name, metrics + 1, 4);
            snprintf(prefix, sizeof prefix, "it%d.c.param.", it);
            ref_write_params(dump, prefix, p);
            continue;
        }
        snprintf(name, sizeof name, "it%d.metrics", it);
        const fx_array* want = fx_get(&fx, name);
        const char* what[4] = {"policy loss", "value loss", "entropy", "grad norm"};
        for (int j = 0; j < 4 && want && want->n == 4; j++) {
            snprintf(label, sizeof label, "iteration %d %s", it, what[j]);
            CHECK_MAXDIFF(label, fabs(metrics[1 + j] - want->v[j]) / fmax(1.0, fabs(want->v[j])), TOL_METRICS);
        }
        CHECK(want && want->n == 4);
        snprintf(prefix, sizeof prefix, "it%d.param.", it);
        snprintf(label, sizeof label, "iteration %d parameters", it);
        CHECK_MAXDIFF(label, ref_compare_params(p, &fx, prefix), TOL_PARAMS);
    }
done:
    if (learner) algo->destroy(learner);
    for (int i = 0; i < workers; i++) twin_free(&tw[i]);
    collector_free(c);
    acrl_env_close(probe);
    free(cfg);
    if (dump) fclose(dump);
    fx_free(&fx);
}

int main(int argc, char** argv) {
    const char* dump_dir = argc == 3 && strcmp(argv[1], "--dump") == 0 ? argv[2] : NULL;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i], dump_dir);
    return test_summary("test_a2c_torch");
}

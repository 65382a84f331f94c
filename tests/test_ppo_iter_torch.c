/* test_ppo_iter_torch: whole PPO iterations against PyTorch (tests/gen_ppo_iter_torch.py):
 * GAE with episode ends and time-limit bootstrapping, epochs of minibatches in acrl's
 * shuffled order (Fisher-Yates from the learner's PCG64, reimplemented in the
 * generator), a short last minibatch, per-minibatch advantage normalization, clipped
 * surrogate and clipped value loss, entropy bonus, grad-norm clipping, Adam, linear
 * learning-rate and clip-range schedules and the target-KL early stop, on CartPole-v1
 * (categorical) and Pendulum-v1 (Gaussian), two iterations each.
 *
 * test_ppo_iter_torch --dump DIR writes the generator's inputs (see onpolicy_ref.h). */
#include "onpolicy_ref.h"

extern const acrl_algo acrl_algo_ppo;

/* measured (Release and ASan builds alike): parameters 3.6e-7, metrics 2.6e-7; the
 * tolerances sit a little above. The rollout check only guards against the envs or the
 * sampling having changed since the fixtures were made (0 here). */
#define TOL_PARAMS  5e-7
#define TOL_METRICS 5e-7
#define TOL_ROLLOUT 1e-5
#define NMETRICS    8   /* 7 metrics and the number of minibatch updates */

static const ref_case cases[] = {
    /* 2 x 16 steps in minibatches of 12, 12 and 8; the target-KL stop ends the second iteration early */
    {"ppo_iter_discrete", "CartPole-v1", 2, 5, 0.99f, 5, 2, {0.25, 0.5},
     {"net_arch=16,16", "activation=tanh"},
     {"n_steps=16", "batch_size=12", "n_epochs=4", "learning_rate=0.02", "lr_schedule=linear", "gae_lambda=0.95",
      "clip_range=0.2", "clip_range_schedule=linear", "clip_range_vf=0.2", "normalize_advantage=1",
      "ent_coef=0.01", "vf_coef=0.5", "max_grad_norm=0.5", "target_kl=0.01", "adam_eps=1e-5"}},
    /* minibatches of 10, 10, 10 and 2; time-limit truncations in the first rollout */
    {"ppo_iter_box", "Pendulum-v1", 2, 9, 0.9f, 190, 2, {0.1, 0.4},
     {"net_arch=16,16", "activation=tanh", "log_std_init=-0.3"},
     {"n_steps=16", "batch_size=10", "n_epochs=3", "learning_rate=0.01", "lr_schedule=constant", "gae_lambda=0.9",
      "clip_range=0.3", "clip_range_schedule=linear", "clip_range_vf=0.5", "normalize_advantage=1",
      "ent_coef=0.02", "vf_coef=0.5", "max_grad_norm=1", "target_kl=0", "adam_eps=1e-5"}},
};

static int nkeys(const char* const* kv, int cap) {
    int n = 0;
    while (n < cap && kv[n]) n++;
    return n;
}

static void run_case(const ref_case* k, const char* dump_dir) {
    const acrl_algo* algo = &acrl_algo_ppo;
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

    /* learner and twin configured alike */
    void* cfg = calloc(1, algo->cfg_size);
    algo->cfg_defaults(cfg);
    int np = nkeys(k->policy_set, 8), na = nkeys(k->algo_set, 24);
    CHECK(ref_apply(algo->cfg_table, cfg, k->policy_set, np, err, sizeof err) == 0);
    CHECK(ref_apply(algo->cfg_table, cfg, k->algo_set, na, err, sizeof err) == 0);
    acrl_policy_config pc;
    policy_config_default(&pc);
    static const acrl_config_entry pol_table[] = {POLICY_CONFIG_ENTRIES(0), {NULL, 0, 0, 0, 0, NULL, NULL}};
    CHECK(ref_apply(pol_table, &pc, k->policy_set, np, err, sizeof err) == 0);
    int n_steps = 0;
    for (int i = 0; i < na; i++) sscanf(k->algo_set[i], "n_steps=%d", &n_steps);

    acrl_collector_options opt = {false, false, 10.0f, 10.0f, k->gamma, NULL};
    acrl_collector* c = collector_create(k->env_id, k->num_envs, k->seed, 1, &opt, err, sizeof err);
    CHECK(c != NULL);
    acrl_env* probe = acrl_env_make(k->env_id, NULL, err, sizeof err);
    acrl_algo_ctx ctx = {&probe->obs_space, &probe->act_space, k->env_id, k->num_envs, 100000, k->seed, 1, k->gamma, &opt, NULL, 0};
    void* learner = algo->create(cfg, &ctx, err, sizeof err);
    if (!learner) fprintf(stderr, "%s\n", err);
    CHECK(learner != NULL);
    ref_twin tw;
    CHECK(twin_init(&tw, k->env_id, k->num_envs, k->seed, n_steps, &pc, err, sizeof err) == 0);
    if (!learner || !c) goto done;
    acrl_params* p = algo->params(learner);
    if (dump) ref_write_params(dump, "param.", p);
    else CHECK(ref_load_params(p, &fx, "param.") == 0);
    ref_pre_steps(c, k->pre_steps);
    ref_pre_steps(tw.col, k->pre_steps);

    for (int it = 0; it < k->iterations; it++) {
        onpolicy_learner* L = learner;
        acrl_rng r = L->rng;
        CHECK(twin_collect(&tw, p, &r, k->gamma, err, sizeof err) == 0);
        snprintf(prefix, sizeof prefix, "it%d.w0.", it);
        char name[96], label[96];
        if (dump) {
            twin_write(&tw, dump, prefix);
            /* the learner's RNG after the collection: the generator draws the minibatch order from it */
            snprintf(name, sizeof name, "it%d.rng", it);
            fprintf(dump, "%s 4 %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", name, r.state_hi, r.state_lo,
                    r.inc_hi, r.inc_lo);
        } else {
            snprintf(label, sizeof label, "iteration %d rollout as recorded", it);
            CHECK_MAXDIFF(label, twin_compare(&tw, &fx, prefix), TOL_ROLLOUT);
        }
        double m[M_COUNT];
        for (int j = 0; j < M_COUNT; j++) m[j] = NAN;
        long updates0 = L->updates;
        int rc = algo->iterate(learner, c, k->progress[it], m, err, sizeof err);
        if (rc) fprintf(stderr, "%s\n", err);
        CHECK(rc == 0);
        /* progress, then what the generator computes */
        float metrics[NMETRICS + 1] = {(float)k->progress[it], (float)m[M_POLICY_LOSS], (float)m[M_VALUE_LOSS],
                                       (float)m[M_ENTROPY], (float)m[M_APPROX_KL], (float)m[M_CLIP_FRAC],
                                       (float)m[M_GRAD_NORM], (float)m[M_LR], (float)(L->updates - updates0)};
        if (dump) {
            snprintf(name, sizeof name, "it%d.progress", it);
            fx_write(dump, name, metrics, 1);
            /* acrl's own results, for the generator to print beside its own */
            snprintf(name, sizeof name, "it%d.c.metrics", it);
            fx_write(dump, name, metrics + 1, NMETRICS);
            snprintf(prefix, sizeof prefix, "it%d.c.param.", it);
            ref_write_params(dump, prefix, p);
            continue;
        }
        snprintf(name, sizeof name, "it%d.metrics", it);
        const fx_array* want = fx_get(&fx, name);
        CHECK(want && want->n == NMETRICS);
        if (!want || want->n != NMETRICS) continue;
        printf("  iteration %d: %.0f minibatch updates (reference %.0f), approx KL %.6g, clip fraction %.4g\n", it,
               metrics[NMETRICS], want->v[NMETRICS - 1], metrics[4], metrics[5]);
        CHECK(metrics[NMETRICS] == want->v[NMETRICS - 1]); /* same number of minibatches before the KL stop */
        static const char* what[NMETRICS - 1] = {"policy loss", "value loss", "entropy", "approx KL",
                                                 "clip fraction", "grad norm", "learning rate"};
        for (int j = 0; j < NMETRICS - 1; j++) {
            snprintf(label, sizeof label, "iteration %d %s", it, what[j]);
            CHECK_MAXDIFF(label, fabs(metrics[1 + j] - want->v[j]) / fmax(1.0, fabs(want->v[j])), TOL_METRICS);
        }
        snprintf(prefix, sizeof prefix, "it%d.param.", it);
        snprintf(label, sizeof label, "iteration %d parameters", it);
        CHECK_MAXDIFF(label, ref_compare_params(p, &fx, prefix), TOL_PARAMS);
    }
done:
    if (learner) algo->destroy(learner);
    twin_free(&tw);
    collector_free(c);
    acrl_env_close(probe);
    free(cfg);
    if (dump) fclose(dump);
    fx_free(&fx);
}

int main(int argc, char** argv) {
    const char* dump_dir = argc == 3 && strcmp(argv[1], "--dump") == 0 ? argv[2] : NULL;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i], dump_dir);
    return test_summary("test_ppo_iter_torch");
}

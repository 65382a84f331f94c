/* test_learn_offpolicy_slow: the off-policy algorithms learn with their presets (one seed
 * each, deterministic final evaluation over 20 episodes): SAC and TD3 on Pendulum-v1 with
 * the RLtools settings (mean return >= -200, wall time printed), discrete SAC on
 * CartPole-v1 (>= 475), PMOE, DSAC-T and STAC on Pendulum-v1 with their presets (>= -250).
 * Skipped under sanitizers (the _slow suffix). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl.h"
#include "test.h"

static char tmp_root[] = "/tmp/acrl-test-learn-offp-XXXXXX";

static double read_number(const char* path, const char* key) {
    FILE* f = fopen(path, "r");
    if (!f) return NAN;
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    char* p = strstr(buf, pat);
    return p ? strtod(p + strlen(pat), NULL) : NAN;
}

static void learn(const char* algo, const char* env, const char* preset, double threshold) {
    char err[ACRL_ERRLEN], dir[1200], cfg[1200], sum[1300];
    snprintf(dir, sizeof dir, "%s/%s-%s", tmp_root, algo, env);
    acrl_train_options o = acrl_train_options_default();
    o.algo = algo;
    o.env_id = env;
    o.out_dir = dir;
    o.seed = 0;
    o.quiet = true;
    o.eval_episodes = 20;
    if (preset) {
        snprintf(cfg, sizeof cfg, "../configs/%s/%s", algo, preset);
        o.config_file = cfg;
    }
    int rc = acrl_train(&o, err, sizeof err);
    if (rc) fprintf(stderr, "  %s %s: %s\n", algo, env, err);
    CHECK(rc == ACRL_OK);
    snprintf(sum, sizeof sum, "%s/summary.json", dir);
    double ret = read_number(sum, "eval_return_mean"), wall = read_number(sum, "wall_seconds");
    printf("  %-4s %-12s %-26s eval return %8.1f (need >= %.0f), %.2f s\n", algo, env, preset ? preset : "(preset)",
           ret, threshold, wall);
    CHECK(ret >= threshold);
}

int main(void) {
    if (!mkdtemp(tmp_root)) { perror("mkdtemp"); return 1; }
    learn("sac", "Pendulum-v1", "Pendulum-v1-rltools.ini", -200);
    learn("td3", "Pendulum-v1", "Pendulum-v1-rltools.ini", -200);
    learn("sac", "CartPole-v1", NULL, 475);
    learn("pmoe", "Pendulum-v1", NULL, -250); /* configs/pmoe/Pendulum-v1.ini: 10,000 steps, 2 experts */
    learn("dsact", "Pendulum-v1", "Pendulum-v1.ini", -250);
    learn("stac", "Pendulum-v1", "Pendulum-v1.ini", -250);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp_root);
    return test_summary("test_learn_offpolicy_slow");
}

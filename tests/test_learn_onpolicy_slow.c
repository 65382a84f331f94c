/* test_learn_onpolicy_slow: the on-policy algorithms learn with their presets (seed 0,
 * deterministic final evaluation over 20 episodes), against the thresholds of
 * docs/benchmarks.md: PPO (RL Zoo preset) and A2C (RL Zoo preset) on CartPole-v1 (>= 475),
 * PPO on Pendulum-v1 with the RLtools settings (median of seeds 0-4 >= -200: -202.2, -193.3,
 * -206.8, -190.3, -175.1 measured). A few seconds each; skipped under sanitizers (the _slow
 * suffix). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn_harness.h"

static char tmp_root[] = "/tmp/acrl-test-learn-onp-XXXXXX";

int main(void) {
    if (!mkdtemp(tmp_root)) { perror("mkdtemp"); return 1; }
    learn_seeds(tmp_root, "ppo", "CartPole-v1", NULL, 1, 475);
    learn_seeds(tmp_root, "a2c", "CartPole-v1", NULL, 1, 475);
    learn_seeds(tmp_root, "ppo", "Pendulum-v1", "Pendulum-v1-rltools.ini", 5, -200);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp_root);
    return test_summary("test_learn_onpolicy_slow");
}

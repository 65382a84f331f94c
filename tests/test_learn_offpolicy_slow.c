/* test_learn_offpolicy_slow: the off-policy algorithms learn with their presets (one seed
 * each, deterministic final evaluation over 20 episodes): SAC and TD3 on Pendulum-v1 with
 * the RLtools settings (median of seeds 0-2 >= -200: single Pendulum runs at 10,000-20,000
 * steps swing between about -130 and -340, RLtools' own too; wall time printed), discrete SAC on
 * CartPole-v1 (>= 475), PMOE, DSAC-T and STAC on Pendulum-v1 with their presets (>= -250).
 * Skipped under sanitizers (the _slow suffix). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn_harness.h"

static char tmp_root[] = "/tmp/acrl-test-learn-offp-XXXXXX";

int main(void) {
    if (!mkdtemp(tmp_root)) { perror("mkdtemp"); return 1; }
    learn_seeds(tmp_root, "sac", "Pendulum-v1", "Pendulum-v1-rltools.ini", 3, -200);
    learn_seeds(tmp_root, "td3", "Pendulum-v1", "Pendulum-v1-rltools.ini", 3, -200);
    learn_seeds(tmp_root, "sac", "CartPole-v1", NULL, 1, 475);
    learn_seeds(tmp_root, "pmoe", "Pendulum-v1", NULL, 1, -250); /* configs/pmoe/Pendulum-v1.ini: 10,000 steps, 2 experts */
    learn_seeds(tmp_root, "dsact", "Pendulum-v1", "Pendulum-v1.ini", 1, -250);
    learn_seeds(tmp_root, "stac", "Pendulum-v1", "Pendulum-v1.ini", 1, -250);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp_root);
    return test_summary("test_learn_offpolicy_slow");
}

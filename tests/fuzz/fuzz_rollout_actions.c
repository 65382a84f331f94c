/* fuzz_rollout_actions.c - `acrl rollout ENV --actions FILE`: the action-file reader (one
 * action per line: an integer for Discrete spaces, comma-separated floats for Box), run
 * through the real subcommand on every classic-control env (their action spaces cover
 * Discrete(2), Discrete(3) and Box(1)); at most 64 steps each. The exit code must be 0
 * or 2 (bad input). */
#include "cli.h"
#include "fuzz_common.h"

static fz_file g_in;
static const char* const g_envs[] = {"CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0",
                                     "Pendulum-v1"};

int LLVMFuzzerInitialize(int* argc, char*** argv) {
    (void)argc;
    (void)argv;
    fz_file_open(&g_in, "fuzz_rollout_actions");
    FZ_CHECK(freopen("/dev/null", "w", stdout) != NULL, "cannot silence stdout"); /* the CSV */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fz_file_set(&g_in, data, size);
    for (size_t i = 0; i < sizeof g_envs / sizeof g_envs[0]; i++) {
        char* argv[] = {"rollout", (char*)g_envs[i], "--seed", "5", "--steps", "64", "--actions", g_in.path, NULL};
        int rc = cli_cmd_rollout.run(8, argv);
        FZ_CHECK(rc == 0 || rc == CLI_EXIT_USAGE, "exit code %d on %s", rc, g_envs[i]);
    }
    return 0;
}

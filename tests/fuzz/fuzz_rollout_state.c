/* fuzz_rollout_state.c - `acrl rollout ENV --state V1,V2,...`: the comma-separated number
 * reader (cli_to_doubles) and every env's set_state, through the real subcommand, on every
 * classic-control env and one MuJoCo task (state: qpos and qvel, 4 values). The input is the
 * option's value (up to the first NUL); no step is taken (--steps 0). The exit code must be
 * 0 or 2 (bad input). */
#include "cli.h"
#include "fuzz_common.h"

static const char* const g_envs[] = {"CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0",
                                     "Pendulum-v1",
#ifdef ACRL_HAVE_MUJOCO
                                     "InvertedPendulum-v4",
#endif
};

int LLVMFuzzerInitialize(int* argc, char*** argv) {
    (void)argc;
    (void)argv;
    FZ_CHECK(freopen("/dev/null", "w", stdout) != NULL, "cannot silence stdout"); /* the CSV */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    char* state = fz_cstr(data, size);
    /* the MuJoCo task (slow to make) only when the values could fit it: the count check
     * itself is the same code for every env */
    double v[8];
    int n = -1;
    char msg[256];
    if (cli_to_doubles(state, v, 8, &n, msg, sizeof msg) != 0) n = -1;
    for (size_t i = 0; i < sizeof g_envs / sizeof g_envs[0]; i++) {
        if (i >= 5 && n != 4) continue;
        char* argv[] = {"rollout", (char*)g_envs[i], "--steps", "0", "--state", state, NULL};
        int rc = cli_cmd_rollout.run(6, argv);
        FZ_CHECK(rc == 0 || rc == CLI_EXIT_USAGE, "exit code %d on %s", rc, g_envs[i]);
    }
    free(state);
    return 0;
}

/* fuzz_maze_levels.c - Maze-v0 level files (acrl_maze_load_levels, `acrl eval --levels`):
 * any bytes are either refused with a message or give levels that are valid (sizes in range,
 * start and goal open and inside, the goal reachable) and playable by the env. */
#include "fuzz_common.h"

#include "acrl/maze.h"

static char g_dir[256], g_path[300];

static void cleanup(void) {
    unlink(g_path);
    rmdir(g_dir);
}

int LLVMFuzzerInitialize(int* argc, char*** argv) {
    (void)argc;
    (void)argv;
    snprintf(g_dir, sizeof g_dir, "%s/acrl_fuzz_maze.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    FZ_CHECK(mkdtemp(g_dir) != NULL, "mkdtemp failed");
    snprintf(g_path, sizeof g_path, "%s/levels.txt", g_dir);
    atexit(cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FILE* f = fopen(g_path, "wb");
    FZ_CHECK(f != NULL, "cannot create %s", g_path);
    FZ_CHECK(fwrite(data, 1, size, f) == size && fclose(f) == 0, "cannot write %s", g_path);
    char err[ACRL_ERRLEN] = "";
    acrl_maze_level* lv = NULL;
    int n = 0;
    int rc = acrl_maze_load_levels(g_path, &lv, &n, err, sizeof err);
    FZ_CHECK(rc == 0 || err[0], "refused without a message");
    FZ_CHECK(strlen(err) < sizeof err, "message overflow");
    if (rc != 0) {
        FZ_CHECK(lv == NULL && n == 0, "refusal left levels");
        return 0;
    }
    FZ_CHECK(n >= 1 && lv != NULL, "no levels without a refusal");
    acrl_env_options eo = acrl_env_options_default();
    acrl_env* env = acrl_env_make("Maze-v0", &eo, err, sizeof err);
    FZ_CHECK(env != NULL, "Maze-v0: %s", err);
    for (int i = 0; i < n && i < 8; i++) {
        const acrl_maze_level* l = &lv[i];
        FZ_CHECK(l->w >= 1 && l->w <= ACRL_MAZE_MAX && l->h >= 1 && l->h <= ACRL_MAZE_MAX, "size %dx%d", l->w, l->h);
        FZ_CHECK(l->sx >= 0 && l->sx < l->w && l->sy >= 0 && l->sy < l->h && !l->wall[l->sy * l->w + l->sx], "start");
        FZ_CHECK(l->gx >= 0 && l->gx < l->w && l->gy >= 0 && l->gy < l->h && !l->wall[l->gy * l->w + l->gx], "goal");
        FZ_CHECK(acrl_maze_distance(l) > 0, "goal not reachable");
        float obs[64], a = (float)(i % 4);
        double r;
        bool term, trunc;
        acrl_maze_set_level(env, l);
        acrl_env_reset(env, 0, obs);
        for (int t = 0; t < 8; t++) acrl_env_step(env, &a, obs, &r, &term, &trunc);
    }
    acrl_env_close(env);
    free(lv);
    return 0;
}

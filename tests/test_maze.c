/* test_maze.c - Maze-v0: generated levels (deterministic, reachable, density), level files
 * (layouts, seeds, and every refusal naming file and line), the env's moves, reward,
 * egocentric observation, one-shot set levels and snapshots. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acrl/maze.h"
#include "test.h"

static char tmpdir[] = "/tmp/test_maze_XXXXXX";

static const char* write_file(const char* name, const char* text) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE* f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void expect_refusal(const char* name, const char* text, const char* want) {
    char err[512] = "";
    acrl_maze_level* lv = NULL;
    int n = 0;
    int rc = acrl_maze_load_levels(write_file(name, text), &lv, &n, err, sizeof err);
    printf("  %s: %s\n", name, err);
    CHECK(rc < 0 && lv == NULL);
    CHECK(strstr(err, want) != NULL);
}

static void test_generate(void) {
    char err[256];
    acrl_maze_level a, b;
    CHECK(acrl_maze_generate(&a, 17, 0.3, 9, err, sizeof err) == 0);
    CHECK(acrl_maze_generate(&b, 17, 0.3, 9, err, sizeof err) == 0);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    CHECK(acrl_maze_distance(&a) > 0);
    CHECK(!a.wall[a.sy * 9 + a.sx] && !a.wall[a.gy * 9 + a.gx]);
    /* density: the wall fraction over many levels is near the density (walls of rejected
     * draws are redrawn, so only roughly) */
    double walls = 0;
    for (int s = 0; s < 200; s++) {
        CHECK(acrl_maze_generate(&a, s, 0.2, 9, err, sizeof err) == 0);
        for (int i = 0; i < 81; i++) walls += a.wall[i];
    }
    printf("  density 0.2: wall fraction %.3f over 200 levels\n", walls / (200 * 81));
    CHECK(walls / (200 * 81) > 0.15 && walls / (200 * 81) < 0.25);
    CHECK(acrl_maze_generate(&a, 1, 0.9, 9, err, sizeof err) < 0);
    CHECK(acrl_maze_training_level(&a, 5, 0.35, 9, err, sizeof err) == 0 && a.seed == 5 && a.density < 0.35);
}

static void test_files(void) {
    char err[512];
    acrl_maze_level* lv = NULL;
    int n = 0;
    const char* ok = "; two levels\n\nseed 3 0.25\nlayout\n#..G\nS.#.\nend\nseed 4 0.1 5\n";
    CHECK(acrl_maze_load_levels(write_file("ok.txt", ok), &lv, &n, err, sizeof err) == 0);
    CHECK(n == 3);
    if (n == 3) {
        CHECK(lv[0].seed == 3 && lv[0].w == 9);
        CHECK(lv[1].seed == -1 && lv[1].w == 4 && lv[1].h == 2 && lv[1].sx == 0 && lv[1].sy == 1 && lv[1].gx == 3 &&
              lv[1].gy == 0 && lv[1].wall[0] == 1 && lv[1].wall[6] == 1);
        CHECK(acrl_maze_distance(&lv[1]) == 4);
        CHECK(lv[2].w == 5);
    }
    free(lv);
    expect_refusal("sym.txt", "seed 1 0.1\nlayout\nS.x\n..G\nend\n", "sym.txt:3: unknown symbol 'x' at column 3");
    expect_refusal("unreach.txt", "layout\nS#.\n.#G\nend\n", "unreach.txt:1: the goal is not reachable");
    expect_refusal("twos.txt", "layout\nS.S\n..G\nend\n", "twos.txt:1: a layout needs one S and one G (has 2 S");
    expect_refusal("rows.txt", "layout\nS..\n.G\nend\n", "rows.txt:3: layout row has 2 cells");
    expect_refusal("noend.txt", "layout\nS.G\n", "noend.txt:1: layout without 'end'");
    expect_refusal("dir.txt", "seeds 1 0.2\n", "dir.txt:1: unknown directive 'seeds 1 0.2'");
    expect_refusal("num.txt", "seed 1 0.2x\n", "num.txt:1: expected 'seed SEED DENSITY [SIZE]'");
    expect_refusal("dense.txt", "seed 1 0.7\n", "dense.txt:1: maze: size 9 (3..32) or density 0.7");
    expect_refusal("empty.txt", "; nothing\n", "empty.txt: no levels");
    CHECK(acrl_maze_load_levels("/nonexistent/levels.txt", &lv, &n, err, sizeof err) < 0);
}

static void test_env(void) {
    char err[512];
    acrl_env_options eo = acrl_env_options_default();
    acrl_env* env = acrl_env_make("Maze-v0", &eo, err, sizeof err);
    CHECK(env != NULL);
    if (!env) return;
    CHECK(env->obs_space.dim == 50 && env->act_space.n == 4 && env->obs_space.shape[0] == 2);
    acrl_maze_level* lv = NULL;
    int n = 0;
    CHECK(acrl_maze_load_levels(write_file("env.txt", "layout\n#..G\nS.#.\nend\n"), &lv, &n, err, sizeof err) == 0);
    float obs[50];
    CHECK(acrl_maze_set_level(env, &lv[0]) == 0);
    acrl_env_reset(env, 0, obs);
    CHECK(acrl_maze_current(env) == -1);
    /* window centred on the agent at (0, 1): row dy=-1 is the layout's row 0 */
    /* walls channel, window (5 x 5) row 1 = layout row 0 at columns -2..2: out, out, '#', '.', '.' */
    CHECK(obs[1 * 5 + 0] == 1 && obs[1 * 5 + 1] == 1 && obs[1 * 5 + 2] == 1 && obs[1 * 5 + 3] == 0 && obs[1 * 5 + 4] == 0);
    CHECK(obs[2 * 5 + 2] == 0 && obs[2 * 5 + 4] == 1); /* the agent's cell; (2, 1) is '#' */
    CHECK(obs[3 * 5 + 2] == 1);                        /* below the grid: wall */
    float up = 0, right = 1;
    double r;
    bool term, trunc;
    acrl_env_step(env, &up, obs, &r, &term, &trunc);   /* into '#': stays */
    CHECK(r == 0 && !term);
    acrl_env_step(env, &right, obs, &r, &term, &trunc); /* (1, 1) */
    acrl_env_step(env, &up, obs, &r, &term, &trunc);    /* (1, 0) */
    CHECK(obs[25 + 2 * 5 + 4] == 1);                    /* the goal two cells right */
    acrl_env_step(env, &right, obs, &r, &term, &trunc); /* (2, 0) */
    unsigned char snap[8192];
    CHECK(env->vt->state_bytes(env) <= sizeof snap);
    acrl_env* base = acrl_env_unwrapped(env);
    base->vt->state_save(base, snap);
    acrl_env_step(env, &right, obs, &r, &term, &trunc); /* the goal at step 5 */
    CHECK(term);
    CHECK_NEAR(r, 1.0 - 0.9 * 5 / 100.0, 1e-12);
    CHECK(base->vt->state_load(base, snap) == 0);
    float obs2[50];
    double r2;
    acrl_env_step(env, &right, obs2, &r2, &term, &trunc);
    CHECK(term && r2 == r);
    /* the set level served one reset: the next one is a training level */
    acrl_env_reset(env, -1, obs);
    CHECK(acrl_maze_current(env) >= 0 && acrl_maze_current(env) < 200);
    free(lv);
    acrl_env_close(env);
    /* a snapshot of an env that never had a level set (its pending slot all zero) loads: the
     * regression of a checkpoint of a uniform-level run refused by acrl eval */
    env = acrl_env_make("Maze-v0", &eo, err, sizeof err);
    acrl_env_reset(env, 3, obs);
    base = acrl_env_unwrapped(env);
    base->vt->state_save(base, snap);
    CHECK(base->vt->state_load(base, snap) == 0);
    acrl_env_close(env);
    eo.env_args = "levels=5,size=11";
    env = acrl_env_make("Maze-v0", &eo, err, sizeof err);
    CHECK(env != NULL && acrl_maze_num_levels(env) == 5);
    acrl_env_close(env);
    eo.env_args = "level=5";
    CHECK(acrl_env_make("Maze-v0", &eo, err, sizeof err) == NULL);
    printf("  env_args level=5: %s\n", err);
    CHECK(strstr(err, "unknown key 'level'") != NULL);
}

int main(void) {
    if (!mkdtemp(tmpdir)) return 1;
    test_generate();
    test_files();
    test_env();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) return 1;
    return test_summary("test_maze");
}

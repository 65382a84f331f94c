/* test_doorkey: DoorKeyGrid-v0's dynamics. For 30 seeds: the observation is one one-hot
 * code per cell with exactly one agent, key, goal and locked door and a wall column;
 * the locked door blocks without the key; a scripted walk (key, door, goal) ends the
 * episode with reward 1 - 0.9 steps / 64 and rewards 0 before; the time limit is 64;
 * the egocentric features (neighbour codes, offset signs) agree with the grid. */
#include <string.h>

#include "acrl.h"
#include "test.h"

enum { W = 5, H = 5, CODES = 7, GRID = W * H * CODES, OBS = GRID + 4 * CODES + 18 + 1 };

/* the egocentric part agrees with the grid: neighbour codes and offset signs */
static int ego_ok(const float* o) {
    int ax = -1, ay = -1;
    for (int i = 0; i < GRID; i++)
        if (o[i] == 1.0f && i % CODES == 2) { ax = (i / CODES) % W; ay = (i / CODES) / W; }
    static const int dx[4] = {0, 1, 0, -1}, dy[4] = {-1, 0, 1, 0};
    for (int k = 0; k < 4; k++) {
        int x = ax + dx[k], y = ay + dy[k], want = 1; /* wall outside */
        if (x >= 0 && x < W && y >= 0 && y < H)
            for (int c = 0; c < CODES; c++)
                if (o[(y * W + x) * CODES + c] == 1.0f) want = c;
        for (int c = 0; c < CODES; c++)
            if (o[GRID + k * CODES + c] != (c == want ? 1.0f : 0.0f)) return 0;
    }
    const int codes[3] = {3, 4, 6}; /* key, locked door (or open: 5), goal */
    for (int j = 0; j < 3; j++) {
        int tx = ax, ty = ay;
        for (int i = 0; i < GRID; i++)
            if (o[i] == 1.0f && (i % CODES == codes[j] || (j == 1 && i % CODES == 5))) { tx = (i / CODES) % W; ty = (i / CODES) / W; }
        if (j == 1 && tx == ax && ty == ay) tx = 2; /* the agent stands in the doorway */
        const float* s = o + GRID + 4 * CODES + 6 * j;
        int sx = (tx > ax) - (tx < ax), sy = (ty > ay) - (ty < ay);
        for (int k = 0; k < 3; k++)
            if (s[k] != (k == sx + 1 ? 1.0f : 0.0f) || s[3 + k] != (k == sy + 1 ? 1.0f : 0.0f)) return 0;
    }
    return 1;
}

static int cell(const float* o, int x, int y) {
    int c = -1, n = 0;
    for (int k = 0; k < CODES; k++)
        if (o[(y * W + x) * CODES + k] == 1.0f) { c = k; n++; }
    return n == 1 ? c : -1;
}

static int find(const float* o, int code, int* x, int* y) {
    int n = 0;
    for (int j = 0; j < H; j++)
        for (int i = 0; i < W; i++)
            if (cell(o, i, j) == code) { *x = i; *y = j; n++; }
    return n;
}

typedef struct { acrl_env* e; float o[OBS]; double ret; int steps; bool term, trunc; double last_r; } walker;

static int ego_all = 1;

static void step(walker* w, int a) {
    float act = (float)a;
    bool term, trunc;
    acrl_env_step(w->e, &act, w->o, &w->last_r, &term, &trunc);
    if (!ego_ok(w->o)) ego_all = 0;
    w->ret += w->last_r;
    w->steps++;
    w->term = term;
    w->trunc = trunc;
}

/* moves vertically, then horizontally, toward (tx, ty), stopping at the episode's end */
static void go(walker* w, int tx, int ty) {
    int x = -1, y = -1;
    while (!w->term && find(w->o, 2, &x, &y) == 1 && (x != tx || y != ty)) step(w, y > ty ? 0 : y < ty ? 2 : x < tx ? 1 : 3);
}

int main(void) {
    char err[ACRL_ERRLEN];
    acrl_env* e = acrl_env_make("DoorKeyGrid-v0", NULL, err, sizeof err);
    CHECK(e != NULL);
    if (!e) return test_summary("test_doorkey");
    CHECK(e->obs_space.dim == OBS && e->act_space.kind == ACRL_SPACE_DISCRETE && e->act_space.n == 4);
    int layout_ok = 1, blocked_ok = 1, blocked_tried = 0, reward_ok = 1;
    for (int seed = 0; seed < 30; seed++) {
        walker w = {e, {0}, 0, 0, false, false, 0};
        acrl_env_reset(e, seed, w.o);
        int ax = -1, ay = -1, kx = -1, ky = -1, gx = -1, gy = -1, dx = -1, dy = -1, wx, wy;
        int one = find(w.o, 2, &ax, &ay) == 1 && find(w.o, 3, &kx, &ky) == 1 && find(w.o, 6, &gx, &gy) == 1 &&
                  find(w.o, 4, &dx, &dy) == 1 && find(w.o, 1, &wx, &wy) == H - 1 && find(w.o, 0, &wx, &wy) == W * H - 8;
        if (!one || dx != 2 || ax > 1 || kx > 1 || gx < 3 || w.o[OBS - 1] != 0) { layout_ok = 0; continue; }
        /* to the cell left of the door; unless the key was picked up on the way, the door blocks */
        go(&w, 1, dy);
        if (w.o[OBS - 1] == 0) {
            blocked_tried++;
            step(&w, 1);
            int x = -1, y = -1;
            if (find(w.o, 2, &x, &y) != 1 || x != 1 || cell(w.o, 2, dy) != 4 || w.last_r != 0) blocked_ok = 0;
        }
        go(&w, kx, ky);                      /* (a no-op if the key was picked up on the way) */
        if (w.o[OBS - 1] != 1 || find(w.o, 3, &kx, &ky) != 0) { reward_ok = 0; continue; }
        go(&w, 1, dy);
        step(&w, 1);                         /* opens the door and enters the doorway */
        if (cell(w.o, 2, dy) != 2) { reward_ok = 0; continue; }
        step(&w, 1);
        go(&w, gx, gy);
        double want = 1.0 - 0.9 * w.steps / 64.0;
        if (!w.term || w.trunc || w.ret != want || w.last_r != want) reward_ok = 0;
        if (seed == 0) printf("seed 0: goal after %d steps, return %.6f (want %.6f)\n", w.steps, w.ret, want);
    }
    printf("layouts valid: %s; locked door blocks (%d seeds): %s; scripted walks: %s\n", layout_ok ? "yes" : "NO",
           blocked_tried, blocked_ok ? "yes" : "NO", reward_ok ? "reward as MiniGrid's" : "WRONG");
    printf("egocentric features agree with the grid after every step: %s\n", ego_all ? "yes" : "NO");
    CHECK(ego_all);
    CHECK(layout_ok);
    CHECK(blocked_ok && blocked_tried > 5);
    CHECK(reward_ok);
    /* time limit: bumping into the border for 64 steps truncates with return 0 */
    walker w = {e, {0}, 0, 0, false, false, 0};
    acrl_env_reset(e, 1, w.o);
    while (!w.term && !w.trunc) step(&w, 3);
    CHECK(w.trunc && !w.term && w.steps == 64 && w.ret == 0);
    acrl_env_close(e);
    return test_summary("test_doorkey");
}

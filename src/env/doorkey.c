/* doorkey.c - DoorKeyGrid-v0: a small fully observed door-and-key gridworld with
 * categorical (one-hot) observations, after MiniGrid's DoorKey task, on which the GBRL
 * paper (arXiv 2407.08250) reports trees ahead of neural networks.
 *
 * A 5x5 room split by a wall in column 2 with one locked door (random row). The agent
 * and the key start in random distinct cells left of the wall, the goal in a random
 * cell right of it. Actions: 0 up, 1 right, 2 down, 3 left. Stepping onto the key picks
 * it up; stepping into the locked door with the key opens it (and enters the doorway);
 * walls, the border and a locked door without the key block. Reaching the goal ends the
 * episode with MiniGrid's reward 1 - 0.9 steps / 64; every other step gives 0.
 * Observation (222 floats, all 0/1): per cell, row-major, a one-hot code over {empty,
 * wall, agent, key, locked door, open door, goal} (175); the codes of the four cells
 * next to the agent (up, right, down, left; outside the room counts as wall) (28); for
 * the key, the door and the goal, one-hot signs {-1, 0, +1} of their column and row
 * offsets from the agent (a carried key: 0, 0) (18); 1 if the key is carried. The grid
 * part is the full state; the egocentric part is the structured, categorical view the
 * GBRL paper's MiniGrid tasks give (object codes around the agent). */
#include "acrl/env.h"
#include "classic.h"

#define DK_W         5
#define DK_H         5
#define DK_WALL_X    2
#define DK_CODES     7
#define DK_MAX_STEPS 64   /* the registry's time limit, as MiniGrid's max_steps */
#define DK_GRID      (DK_W * DK_H * DK_CODES)
#define DK_OBS       (DK_GRID + 4 * DK_CODES + 3 * 6 + 1)

enum { DK_EMPTY, DK_WALLC, DK_AGENT, DK_KEY, DK_LOCKED, DK_OPEN, DK_GOAL };

typedef struct {
    classic_tag tag;
    int ax, ay, kx, ky;          /* agent; key (kx < 0: carried) */
    int door_y, gx, gy;          /* door row, goal */
    int has_key, door_open, steps;
} doorkey;

static int doorkey_cell(const doorkey* d, int x, int y) {
    if (x == d->ax && y == d->ay) return DK_AGENT;
    if (x == DK_WALL_X) return y == d->door_y ? (d->door_open ? DK_OPEN : DK_LOCKED) : DK_WALLC;
    if (x == d->kx && y == d->ky) return DK_KEY;
    if (x == d->gx && y == d->gy) return DK_GOAL;
    return DK_EMPTY;
}

static const int dk_dx[4] = {0, 1, 0, -1}, dk_dy[4] = {-1, 0, 1, 0}; /* up, right, down, left */

static int sign(int v) { return (v > 0) - (v < 0); }

static void doorkey_obs(const doorkey* d, float* obs) {
    for (int i = 0; i < DK_OBS; i++) obs[i] = 0.0f;
    for (int y = 0; y < DK_H; y++)
        for (int x = 0; x < DK_W; x++) obs[(y * DK_W + x) * DK_CODES + doorkey_cell(d, x, y)] = 1.0f;
    float* o = obs + DK_GRID;
    for (int k = 0; k < 4; k++) {
        int x = d->ax + dk_dx[k], y = d->ay + dk_dy[k];
        bool in = x >= 0 && x < DK_W && y >= 0 && y < DK_H;
        o[k * DK_CODES + (in ? doorkey_cell(d, x, y) : DK_WALLC)] = 1.0f;
    }
    o += 4 * DK_CODES;
    int tx[3] = {d->kx < 0 ? d->ax : d->kx, DK_WALL_X, d->gx}, ty[3] = {d->kx < 0 ? d->ay : d->ky, d->door_y, d->gy};
    for (int j = 0; j < 3; j++) {
        o[6 * j + 1 + sign(tx[j] - d->ax)] = 1.0f;
        o[6 * j + 4 + sign(ty[j] - d->ay)] = 1.0f;
    }
    obs[DK_OBS - 1] = (float)d->has_key;
}

static void doorkey_reset(acrl_env* env, float* obs) {
    doorkey* d = env->data;
    d->door_y = (int)acrl_rng_below(&env->rng, DK_H);
    int a = (int)acrl_rng_below(&env->rng, DK_WALL_X * DK_H);       /* left cells: x in 0..1 */
    int k = (int)acrl_rng_below(&env->rng, DK_WALL_X * DK_H - 1);
    if (k >= a) k++;
    int g = (int)acrl_rng_below(&env->rng, (DK_W - DK_WALL_X - 1) * DK_H);
    d->ax = a % DK_WALL_X; d->ay = a / DK_WALL_X;
    d->kx = k % DK_WALL_X; d->ky = k / DK_WALL_X;
    d->gx = DK_WALL_X + 1 + g % (DK_W - DK_WALL_X - 1); d->gy = g / (DK_W - DK_WALL_X - 1);
    d->has_key = d->door_open = d->steps = 0;
    doorkey_obs(d, obs);
}

static void doorkey_step(acrl_env* env, const float* action, float* obs, double* reward, bool* terminated,
                         bool* truncated) {
    doorkey* d = env->data;
    int a = classic_action_index(action[0], 4);
    int x = d->ax + dk_dx[a], y = d->ay + dk_dy[a];
    d->steps++;
    *reward = 0.0;
    *terminated = *truncated = false;
    bool inside = x >= 0 && x < DK_W && y >= 0 && y < DK_H;
    if (inside && x == DK_WALL_X) {
        if (y != d->door_y) inside = false;
        else if (!d->door_open && d->has_key) d->door_open = 1;
        else if (!d->door_open) inside = false;
    }
    if (inside) {
        d->ax = x;
        d->ay = y;
        if (x == d->kx && y == d->ky) { d->has_key = 1; d->kx = d->ky = -1; }
        if (x == d->gx && y == d->gy) {
            *terminated = true;
            *reward = 1.0 - 0.9 * (double)d->steps / DK_MAX_STEPS;
        }
    }
    doorkey_obs(d, obs);
}

static size_t doorkey_state_bytes(const acrl_env* env) { return classic_snap_bytes(env, 10); }
static void doorkey_state_save(const acrl_env* env, void* buf) { classic_snap_save(env, buf, 10); }
static int doorkey_state_load(acrl_env* env, const void* buf) { return classic_snap_load(env, buf, 10); }

static const acrl_env_vtable doorkey_vtable = {
    .reset = doorkey_reset, .step = doorkey_step, .set_state = NULL,
    .state_bytes = doorkey_state_bytes, .state_save = doorkey_state_save,
    .state_load = doorkey_state_load, .close = NULL,
};

acrl_env* acrl_doorkey_create(const acrl_env_options* opt, char* err, size_t errlen) {
    (void)opt;
    acrl_env* env = classic_env_alloc(&doorkey_vtable, "DoorKeyGrid-v0", CLASSIC_MAGIC('D', 'K', 'E', 'Y'),
                                      sizeof(doorkey), DK_OBS, 1, 4, 0, err, errlen);
    if (!env) return NULL;
    for (int i = 0; i < DK_OBS; i++) {
        env->obs_space.low[i] = 0.0f;
        env->obs_space.high[i] = 1.0f;
    }
    return env;
}

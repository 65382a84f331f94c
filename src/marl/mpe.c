/* mpe.c - PettingZoo's multi-agent particle envs (pettingzoo/mpe, _mpe_utils/core.py and
 * simple_env.py) with discrete actions: simple_spread_v3, simple_reference_v3 and
 * simple_speaker_listener_v4. Physics in double as NumPy does it; observations cast to
 * float32 as PettingZoo's observe() does.
 *
 * World step (core.py): force = action u (movable agents) + soft contact forces between
 * colliding entity pairs a < b (contact_force * delta / dist * margin * log(1 + e^{-(dist -
 * size_a - size_b) / margin})); then for movable entities vel = vel (1 - damping) +
 * force / mass * dt, pos += vel dt; silent agents' utterance is zero, the others' the one-hot
 * of their communication action. Discrete action a of an agent that moves and speaks:
 * movement a % 5 (0 none, 1 -x, 2 +x, 3 -y, 4 +y, times the sensitivity 5), word a / 5. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/marl.h"
#include "io/le.h"
#include "marl/marl_internal.h"

#define DT 0.1
#define DAMPING 0.25
#define CONTACT_FORCE 100.0
#define CONTACT_MARGIN 1e-3
#define SENSITIVITY 5.0
#define MAX_ENT 24
#define MAX_C 10

enum { MPE_SPREAD, MPE_REFERENCE, MPE_SPEAKER };

typedef struct {
    int    kind, na, nl, dim_c;
    double local_ratio;              /* NAN: none (the agent's own reward only) */
    /* properties of entities: agents 0..na-1, then landmarks */
    double size[MAX_ENT];
    bool   movable[MAX_ENT], collide[MAX_ENT], silent[MAX_ENT];
    double color[MAX_ENT][3];        /* landmark colors (observed as goal colors) */
    /* state */
    double pos[MAX_ENT][2], vel[MAX_ENT][2];
    double c[ACRL_MARL_MAX_AGENTS][MAX_C];
    int    goal_b[ACRL_MARL_MAX_AGENTS];   /* landmark index an agent describes (-1 none) */
    /* NumPy's PCG64 hands out 32-bit draws in halves of a 64-bit one (next_uint32 keeps
     * the upper half for the next call); Generator.choice draws through it */
    uint32_t u32_buf;
    int      has_u32;
} mpe;

/* NumPy's bit_generator next_uint32 for PCG64 on our generator. */
static uint32_t mpe_next_u32(mpe* w, acrl_rng* r) {
    if (w->has_u32) { w->has_u32 = 0; return w->u32_buf; }
    uint64_t x = acrl_rng_u64(r);
    w->has_u32 = 1;
    w->u32_buf = (uint32_t)(x >> 32);
    return (uint32_t)(x & 0xffffffffu);
}

/* Generator.choice(n) (integers(0, n): Lemire's bounded method on 32-bit draws). */
int marl_numpy_choice(uint32_t* buf, int* has, acrl_rng* r, int n) {
    mpe w;
    w.u32_buf = *buf;
    w.has_u32 = *has;
    const uint32_t rng_excl = (uint32_t)n, rng = rng_excl - 1;
    uint64_t m = (uint64_t)mpe_next_u32(&w, r) * rng_excl;
    uint32_t left = (uint32_t)m;
    if (left < rng_excl) {
        const uint32_t threshold = (UINT32_MAX - rng) % rng_excl;
        while (left < threshold) {
            m = (uint64_t)mpe_next_u32(&w, r) * rng_excl;
            left = (uint32_t)m;
        }
    }
    *buf = w.u32_buf;
    *has = w.has_u32;
    return (int)(m >> 32);
}

static int mpe_choice(mpe* w, acrl_rng* r, int n) { return marl_numpy_choice(&w->u32_buf, &w->has_u32, r, n); }

static void mpe_reset(acrl_menv* e) {
    mpe* w = e->data;
    for (int i = 0; i < w->na; i++) w->goal_b[i] = -1;
    if (w->kind == MPE_REFERENCE) {
        w->goal_b[0] = mpe_choice(w, &e->rng, w->nl);
        w->goal_b[1] = mpe_choice(w, &e->rng, w->nl);
    } else if (w->kind == MPE_SPEAKER) {
        w->goal_b[0] = mpe_choice(w, &e->rng, w->nl);
    }
    const int ne = w->na + w->nl;
    for (int i = 0; i < ne; i++) {
        w->pos[i][0] = acrl_rng_uniform(&e->rng, -1.0, 1.0);
        w->pos[i][1] = acrl_rng_uniform(&e->rng, -1.0, 1.0);
        w->vel[i][0] = w->vel[i][1] = 0.0;
    }
    memset(w->c, 0, sizeof w->c);
}

static double dist2(const double* a, const double* b) {
    double dx = a[0] - b[0], dy = a[1] - b[1];
    return dx * dx + dy * dy;
}

/* Physics of one world step given the agents' force actions u (na, 2) and words (na). */
static void marl_mpe_physics(void* world, const double (*u)[2], const int* word) {
    mpe* w = world;
    const int ne = w->na + w->nl;
    double f[MAX_ENT][2];
    bool has_f[MAX_ENT];
    for (int i = 0; i < ne; i++) { f[i][0] = f[i][1] = 0.0; has_f[i] = false; }
    for (int i = 0; i < w->na; i++)
        if (w->movable[i]) { f[i][0] = u[i][0]; f[i][1] = u[i][1]; has_f[i] = true; }
    for (int a = 0; a < ne; a++)
        for (int b = a + 1; b < ne; b++) {
            if (!w->collide[a] || !w->collide[b]) continue;
            double d[2] = {w->pos[a][0] - w->pos[b][0], w->pos[a][1] - w->pos[b][1]};
            double dist = sqrt(d[0] * d[0] + d[1] * d[1]);
            double dmin = w->size[a] + w->size[b];
            double x = -(dist - dmin) / CONTACT_MARGIN;
            /* np.logaddexp(0, x) */
            double pen = (x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))) * CONTACT_MARGIN;
            for (int k = 0; k < 2; k++) {
                double force = CONTACT_FORCE * d[k] / dist * pen;
                if (w->movable[a]) { f[a][k] = force + f[a][k]; has_f[a] = true; }
                if (w->movable[b]) { f[b][k] = -force + f[b][k]; has_f[b] = true; }
            }
        }
    for (int i = 0; i < ne; i++) {
        if (!w->movable[i]) continue;
        for (int k = 0; k < 2; k++) {
            w->vel[i][k] = w->vel[i][k] * (1 - DAMPING);
            if (has_f[i]) w->vel[i][k] += (f[i][k] / 1.0) * DT;
            w->pos[i][k] += w->vel[i][k] * DT;
        }
    }
    for (int i = 0; i < w->na; i++) {
        memset(w->c[i], 0, sizeof w->c[i]);
        if (!w->silent[i] && word[i] >= 0 && word[i] < w->dim_c) w->c[i][word[i]] = 1.0;
    }
}

/* Scenario rewards: the agent's own and the global one (simple_spread: -sum over landmarks
 * of the nearest agent's distance; simple_reference: the mean of the agents' own). */
static double agent_reward(const mpe* w, int i) {
    switch (w->kind) {
    case MPE_SPREAD: {
        double r = 0;
        for (int a = 0; a < w->na; a++)
            if (a != i && sqrt(dist2(w->pos[a], w->pos[i])) < w->size[a] + w->size[i]) r -= 1.0;
        return r;
    }
    case MPE_REFERENCE: {
        int other = 1 - i;
        return -sqrt(dist2(w->pos[other], w->pos[w->na + w->goal_b[i]]));
    }
    default: /* speaker-listener: squared distance from the listener to the goal */
        return -dist2(w->pos[1], w->pos[w->na + w->goal_b[0]]);
    }
}

static double global_reward(const mpe* w) {
    double r = 0;
    if (w->kind == MPE_SPREAD) {
        for (int l = 0; l < w->nl; l++) {
            double best = INFINITY;
            for (int a = 0; a < w->na; a++) {
                double d = sqrt(dist2(w->pos[a], w->pos[w->na + l]));
                if (d < best) best = d;
            }
            r -= best;
        }
        return r;
    }
    for (int a = 0; a < w->na; a++) r += agent_reward(w, a);
    return r / w->na;
}

static void marl_mpe_rewards(const void* world, double* rewards) {
    const mpe* w = world;
    double g = isnan(w->local_ratio) ? 0.0 : global_reward(w);
    for (int i = 0; i < w->na; i++) {
        double own = agent_reward(w, i);
        rewards[i] = isnan(w->local_ratio) ? own : g * (1 - w->local_ratio) + own * w->local_ratio;
    }
}

static void mpe_step(acrl_menv* e, const int* actions, double* rewards, bool* terminated) {
    mpe* w = e->data;
    double u[ACRL_MARL_MAX_AGENTS][2];
    int word[ACRL_MARL_MAX_AGENTS];
    for (int i = 0; i < w->na; i++) {
        int a = actions[i];
        u[i][0] = u[i][1] = 0.0;
        word[i] = -1;
        if (w->movable[i]) {
            int m = a % 5;
            a /= 5;
            if (m == 1) u[i][0] = -1.0;
            if (m == 2) u[i][0] = +1.0;
            if (m == 3) u[i][1] = -1.0;
            if (m == 4) u[i][1] = +1.0;
            u[i][0] *= SENSITIVITY;
            u[i][1] *= SENSITIVITY;
        }
        if (!w->silent[i]) word[i] = a;
    }
    marl_mpe_physics(w, (const double (*)[2])u, word);
    marl_mpe_rewards(w, rewards);
    for (int i = 0; i < w->na; i++) terminated[i] = false;
}

static void mpe_observe(const acrl_menv* e, int i, float* obs) {
    const mpe* w = e->data;
    double o[64];
    int n = 0;
    if (w->kind == MPE_SPREAD) {
        o[n++] = w->vel[i][0]; o[n++] = w->vel[i][1];
        o[n++] = w->pos[i][0]; o[n++] = w->pos[i][1];
        for (int l = 0; l < w->nl; l++)
            for (int k = 0; k < 2; k++) o[n++] = w->pos[w->na + l][k] - w->pos[i][k];
        for (int a = 0; a < w->na; a++)
            if (a != i) for (int k = 0; k < 2; k++) o[n++] = w->pos[a][k] - w->pos[i][k];
        for (int a = 0; a < w->na; a++)
            if (a != i) for (int k = 0; k < w->dim_c; k++) o[n++] = w->c[a][k];
    } else if (w->kind == MPE_REFERENCE) {
        o[n++] = w->vel[i][0]; o[n++] = w->vel[i][1];
        for (int l = 0; l < w->nl; l++)
            for (int k = 0; k < 2; k++) o[n++] = w->pos[w->na + l][k] - w->pos[i][k];
        for (int k = 0; k < 3; k++) o[n++] = w->color[w->na + w->goal_b[i]][k];
        for (int a = 0; a < w->na; a++)
            if (a != i) for (int k = 0; k < w->dim_c; k++) o[n++] = w->c[a][k];
    } else if (i == 0) { /* speaker: the goal landmark's color */
        for (int k = 0; k < 3; k++) o[n++] = w->color[w->na + w->goal_b[0]][k];
    } else {             /* listener: velocity, landmarks, the speaker's word */
        o[n++] = w->vel[i][0]; o[n++] = w->vel[i][1];
        for (int l = 0; l < w->nl; l++)
            for (int k = 0; k < 2; k++) o[n++] = w->pos[w->na + l][k] - w->pos[i][k];
        for (int k = 0; k < w->dim_c; k++) o[n++] = w->c[0][k];
    }
    for (int k = 0; k < n; k++) obs[k] = (float)o[k];
}

/* snapshot: positions, velocities (f64), words (f64), goals (i32), the 32-bit buffer */
static size_t mpe_state_bytes(const acrl_menv* e) {
    const mpe* w = e->data;
    size_t ne = (size_t)(w->na + w->nl);
    return 8 + 8 * (ne * 4 + (size_t)w->na * (size_t)w->dim_c) + 4 * (size_t)w->na + 8;
}

static void mpe_state_save(const acrl_menv* e, void* buf) {
    const mpe* w = e->data;
    uint8_t* p = le_put_u32(buf, 0x4d504531u); /* "MPE1" */
    p = le_put_u32(p, (uint32_t)(w->kind * 256 + w->na));
    for (int i = 0; i < w->na + w->nl; i++) {
        p = le_put_f64s(p, w->pos[i], 2);
        p = le_put_f64s(p, w->vel[i], 2);
    }
    for (int i = 0; i < w->na; i++) p = le_put_f64s(p, w->c[i], (size_t)w->dim_c);
    p = le_put_i32s(p, w->goal_b, (size_t)w->na);
    p = le_put_u32(p, w->u32_buf);
    le_put_u32(p, (uint32_t)w->has_u32);
}

static int mpe_state_load(acrl_menv* e, const void* buf) {
    mpe* w = e->data;
    const uint8_t* p = buf;
    if (le_get_u32(&p) != 0x4d504531u || le_get_u32(&p) != (uint32_t)(w->kind * 256 + w->na)) return -1;
    mpe t = *w;
    for (int i = 0; i < w->na + w->nl; i++) {
        le_get_f64s(&p, t.pos[i], 2);
        le_get_f64s(&p, t.vel[i], 2);
    }
    for (int i = 0; i < w->na; i++) le_get_f64s(&p, t.c[i], (size_t)w->dim_c);
    le_get_i32s(&p, t.goal_b, (size_t)w->na);
    t.u32_buf = le_get_u32(&p);
    uint32_t has = le_get_u32(&p);
    if (has > 1) return -1;
    t.has_u32 = (int)has;
    for (int i = 0; i < w->na; i++)
        if (t.goal_b[i] < -1 || t.goal_b[i] >= w->nl) return -1;
    *w = t;
    return 0;
}

static void mpe_close(acrl_menv* e) { free(e->data); }

static const acrl_menv_vtable mpe_vtable = {
    .reset = mpe_reset, .step = mpe_step, .observe = mpe_observe, .state_bytes = mpe_state_bytes,
    .state_save = mpe_state_save, .state_load = mpe_state_load, .close = mpe_close,
};

void* marl_mpe_world(acrl_menv* e) { return e->vt == &mpe_vtable ? e->data : NULL; }

/* Sets entity i's position and velocity (tests). */
int marl_mpe_set(acrl_menv* e, int i, double px, double py, double vx, double vy) {
    mpe* w = marl_mpe_world(e);
    if (!w || i < 0 || i >= w->na + w->nl) return -1;
    w->pos[i][0] = px; w->pos[i][1] = py; w->vel[i][0] = vx; w->vel[i][1] = vy;
    return 0;
}

int marl_mpe_get(const acrl_menv* e, int i, double* pos, double* vel) {
    const mpe* w = e->vt == &mpe_vtable ? e->data : NULL;
    if (!w || i < 0 || i >= w->na + w->nl) return -1;
    memcpy(pos, w->pos[i], sizeof w->pos[i]);
    memcpy(vel, w->vel[i], sizeof w->vel[i]);
    return 0;
}

int marl_mpe_goal(const acrl_menv* e, int agent) {
    const mpe* w = e->vt == &mpe_vtable ? e->data : NULL;
    return w && agent >= 0 && agent < w->na ? w->goal_b[agent] : -2;
}

acrl_menv* marl_mpe_create(const char* id, const marl_args* a, char* err, size_t errlen) {
    acrl_menv* e = calloc(1, sizeof *e);
    mpe* w = calloc(1, sizeof *w);
    if (!e || !w) {
        free(e); free(w);
        snprintf(err, errlen, "%s: out of memory", id);
        return NULL;
    }
    e->vt = &mpe_vtable;
    e->data = w;
    e->max_cycles = a->max_cycles;
    w->local_ratio = NAN;
    if (strcmp(id, "MPE-SimpleSpread-v3") == 0) {
        w->kind = MPE_SPREAD;
        w->na = a->n_agents;
        w->nl = a->n_agents;
        w->dim_c = 2;
        w->local_ratio = a->local_ratio;
        for (int i = 0; i < w->na; i++) { w->size[i] = 0.15; w->movable[i] = true; w->collide[i] = true; w->silent[i] = true; }
        for (int l = 0; l < w->nl; l++) { w->size[w->na + l] = 0.05; }
        for (int i = 0; i < w->na; i++) e->obs_dim[i] = 4 + 2 * w->nl + 2 * (w->na - 1) + w->dim_c * (w->na - 1);
        for (int i = 0; i < w->na; i++) e->n_actions[i] = 5;
    } else if (strcmp(id, "MPE-SimpleReference-v3") == 0) {
        static const double colors[3][3] = {{0.75, 0.25, 0.25}, {0.25, 0.75, 0.25}, {0.25, 0.25, 0.75}};
        w->kind = MPE_REFERENCE;
        w->na = 2; w->nl = 3; w->dim_c = 10;
        w->local_ratio = a->local_ratio;
        for (int i = 0; i < 2; i++) { w->size[i] = 0.05; w->movable[i] = true; }
        for (int l = 0; l < 3; l++) { w->size[2 + l] = 0.05; memcpy(w->color[2 + l], colors[l], sizeof colors[l]); }
        for (int i = 0; i < 2; i++) { e->obs_dim[i] = 2 + 6 + 3 + 10; e->n_actions[i] = 50; }
    } else {
        static const double colors[3][3] = {{0.65, 0.15, 0.15}, {0.15, 0.65, 0.15}, {0.15, 0.15, 0.65}};
        w->kind = MPE_SPEAKER;
        w->na = 2; w->nl = 3; w->dim_c = 3;
        w->size[0] = w->size[1] = 0.075;
        w->movable[1] = true;     /* the speaker does not move */
        w->silent[1] = true;      /* the listener does not speak */
        for (int l = 0; l < 3; l++) { w->size[2 + l] = 0.04; memcpy(w->color[2 + l], colors[l], sizeof colors[l]); }
        e->obs_dim[0] = 3; e->n_actions[0] = 3;
        e->obs_dim[1] = 2 + 6 + 3; e->n_actions[1] = 5;
    }
    e->n_agents = w->na;
    return e;
}

void marl_mpe_clear_u32(acrl_menv* e) {
    mpe* w = marl_mpe_world(e);
    if (w) { w->has_u32 = 0; w->u32_buf = 0; }
}

/* ---- a scripted reference for simple_spread ------------------------------------------
 * Greedy assignment: repeatedly pair the closest free agent and free landmark. Control: the
 * action whose stopping point (the position the agent would coast to with no-ops after it:
 * p + dt v' / damping... = p + 0.4 v' with v' = 0.75 v + 0.5 u) lies nearest its landmark. */
int marl_spread_greedy_assign(const acrl_menv* e, int* assign) {
    const mpe* w = e->vt == &mpe_vtable ? e->data : NULL;
    if (!w || w->kind != MPE_SPREAD) return -1;
    bool used_a[MAX_ENT] = {false}, used_l[MAX_ENT] = {false};
    for (int k = 0; k < w->na; k++) {
        double best = INFINITY;
        int ba = 0, bl = 0;
        for (int a = 0; a < w->na; a++)
            for (int l = 0; l < w->nl; l++) {
                if (used_a[a] || used_l[l]) continue;
                double d = dist2(w->pos[a], w->pos[w->na + l]);
                if (d < best) { best = d; ba = a; bl = l; }
            }
        used_a[ba] = used_l[bl] = true;
        assign[ba] = bl;
    }
    return 0;
}

void marl_spread_greedy_actions(const acrl_menv* e, const int* assign, int* actions) {
    const mpe* w = e->data;
    static const double dir[5][2] = {{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}};
    for (int a = 0; a < w->na; a++) {
        const double* L = w->pos[w->na + assign[a]];
        double best = INFINITY;
        int ba = 0;
        for (int k = 0; k < 5; k++) {
            double s[2];
            for (int j = 0; j < 2; j++) {
                double v = w->vel[a][j] * (1 - DAMPING) + SENSITIVITY * dir[k][j] * DT;
                s[j] = w->pos[a][j] + v * DT * (1.0 + (1 - DAMPING) / DAMPING);
            }
            double d = dist2(s, L);
            if (d < best) { best = d; ba = k; }
        }
        actions[a] = ba;
    }
}

/* lasernav.c - LaserNav-v0 (acrl/lasernav.h): a unicycle robot among static and moving
 * circles reaching a goal, observed through a simulated laser scan; its layout generator,
 * ray casting, settings (env_args) and snapshots. */
#include "acrl/lasernav.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classic.h"
#include "io/le.h"

#define LN_MAGIC CLASSIC_MAGIC('L', 'N', 'A', 'V')
#define LN_TRAIN_STREAM 0x4c4e5452ull   /* "LNTR" */
#define LN_HELDOUT_STREAM 0x4c4e484full /* "LNHO" */
#define LN_DISCRETE_N 15
#define LN_DRAWS 200        /* placement draws per obstacle */

/* settings (env_args), fixed at creation */
typedef struct {
    double arena, fov_deg, range, min_goal_dist, obstacle_speed;
    double goal_reward, collision_penalty, progress, time_penalty;
    double dt, v_max, w_max, robot_radius, goal_radius;
    int    n_static, n_moving, beams, discrete, heldout, train_layouts, heldout_layouts, frames;
} ln_settings;

typedef struct {
    classic_tag tag;
    ln_settings s;
    acrl_lasernav_layout layout;   /* the episode's layout */
    acrl_lasernav_layout next;     /* set by acrl_lasernav_set_layout for the next reset */
    int    has_next;
    double x, y, th, v, w, d_prev; /* robot pose and velocities; distance to the goal */
    acrl_lasernav_obstacle obst[ACRL_LASERNAV_MAX_OBSTACLES]; /* current obstacles */
    int    steps, outcome, hit;   /* hit: the obstacle of a collision, -1 a wall (or none) */
    float  scans[ACRL_LASERNAV_MAX_FRAMES * ACRL_LASERNAV_MAX_BEAMS]; /* (frames, beams) newest first */
} lasernav;

/* into [-pi, pi); one turn step needs one addition (exact for angles already in range) */
static double wrap_angle(double a) {
    if (a < -3.0 * M_PI || a >= 3.0 * M_PI) {
        a = fmod(a + M_PI, 2.0 * M_PI);
        return (a < 0 ? a + 2.0 * M_PI : a) - M_PI;
    }
    if (a >= M_PI) return a - 2.0 * M_PI;
    if (a < -M_PI) return a + 2.0 * M_PI;
    return a;
}

/* ---- layouts ------------------------------------------------------------------------------ */

/* Static obstacles keep this gap to each other and the walls: 0.5 m, or more than the robot's
 * diameter, so that the free space stays connected. */
static double ln_gap(const ln_settings* s) { return fmax(0.5, 2.0 * s->robot_radius + 0.1); }

/* start and goal keep this distance from the walls */
static double ln_margin(const ln_settings* s) { return s->robot_radius + 0.3; }

static void ln_generate(const ln_settings* s, int64_t index, bool heldout, acrl_lasernav_layout* l) {
    acrl_rng g;
    acrl_rng_seed2(&g, (uint64_t)index, heldout ? LN_HELDOUT_STREAM : LN_TRAIN_STREAM);
    memset(l, 0, sizeof *l);
    l->index = index;
    l->heldout = heldout;
    const double W = s->arena, m = ln_margin(s), gap = ln_gap(s);
    l->x = acrl_rng_uniform(&g, m, W - m);
    l->y = acrl_rng_uniform(&g, m, W - m);
    l->heading = acrl_rng_uniform(&g, -M_PI, M_PI);
    double best = -1;
    for (int k = 0; k < 1000; k++) {   /* the first goal far enough, else the farthest drawn */
        double gx = acrl_rng_uniform(&g, m, W - m), gy = acrl_rng_uniform(&g, m, W - m);
        double d = hypot(gx - l->x, gy - l->y);
        if (d > best) { best = d; l->gx = gx; l->gy = gy; }
        if (d >= s->min_goal_dist) break;
    }
    const double rr = s->robot_radius;
    for (int i = 0; i < s->n_static; i++)
        for (int k = 0; k < LN_DRAWS; k++) {
            double r = acrl_rng_uniform(&g, 0.3, 0.7);
            double lo = r + gap, hi = W - r - gap;
            if (hi <= lo) continue;
            double x = acrl_rng_uniform(&g, lo, hi), y = acrl_rng_uniform(&g, lo, hi);
            bool ok = hypot(x - l->x, y - l->y) >= r + rr + 0.5 && hypot(x - l->gx, y - l->gy) >= r + rr + 0.1;
            for (int j = 0; ok && j < l->n; j++) ok = hypot(x - l->obst[j].x, y - l->obst[j].y) >= r + l->obst[j].r + gap;
            if (!ok) continue;
            l->obst[l->n++] = (acrl_lasernav_obstacle){x, y, r, 0.0, 0.0};
            break;
        }
    for (int i = 0; i < s->n_moving; i++)
        for (int k = 0; k < LN_DRAWS; k++) {
            double r = acrl_rng_uniform(&g, 0.2, 0.4);
            double x = acrl_rng_uniform(&g, r, W - r), y = acrl_rng_uniform(&g, r, W - r);
            double speed = acrl_rng_uniform(&g, fmin(0.1, s->obstacle_speed), s->obstacle_speed);
            double dir = acrl_rng_uniform(&g, -M_PI, M_PI);
            if (hypot(x - l->x, y - l->y) < r + rr + 1.0 || hypot(x - l->gx, y - l->gy) < r + s->goal_radius)
                continue;
            l->obst[l->n++] = (acrl_lasernav_obstacle){x, y, r, speed * cos(dir), speed * sin(dir)};
            break;
        }
}

/* ---- geometry ----------------------------------------------------------------------------- */

/* Distance from (x, y) along the unit direction (c, s) to the arena's walls or the nearest
 * circle, at most range. The origin lies inside the arena; an origin inside a circle gives 0. */
static double ln_ray(const lasernav* e, double x, double y, double c, double s) {
    const double W = e->s.arena;
    double t = e->s.range;
    if (c > 0) t = fmin(t, (W - x) / c);
    else if (c < 0) t = fmin(t, -x / c);
    if (s > 0) t = fmin(t, (W - y) / s);
    else if (s < 0) t = fmin(t, -y / s);
    for (int i = 0; i < e->layout.n; i++) {
        const acrl_lasernav_obstacle* o = &e->obst[i];
        double ox = x - o->x, oy = y - o->y;
        double b = ox * c + oy * s, cc = ox * ox + oy * oy - o->r * o->r;
        if (cc <= 0) return 0.0;
        double disc = b * b - cc;
        if (b < 0 && disc >= 0) t = fmin(t, -b - sqrt(disc));
    }
    return t < 0 ? 0.0 : t;
}

/* How the scan history moves: a reset fills every frame with the current scan, a step shifts
 * the older ones back, set_state replaces the newest only. */
typedef enum { LN_FILL, LN_SHIFT, LN_REPLACE } ln_scan_mode;

static void ln_obs(lasernav* e, ln_scan_mode mode, float* obs) {
    const int n = e->s.beams, k = e->s.frames;
    const double fov = e->s.fov_deg * M_PI / 180.0;
    if (mode == LN_SHIFT && k > 1) memmove(e->scans + n, e->scans, sizeof(float) * (size_t)(n * (k - 1)));
    for (int i = 0; i < n; i++) {
        double a = e->s.fov_deg >= 360.0 ? -M_PI + 2.0 * M_PI * i / n : -0.5 * fov + fov * i / (n - 1);
        double phi = e->th + a;
        e->scans[i] = (float)(ln_ray(e, e->x, e->y, cos(phi), sin(phi)) / e->s.range);
    }
    if (mode == LN_FILL)
        for (int f = 1; f < k; f++) memcpy(e->scans + f * n, e->scans, sizeof(float) * (size_t)n);
    memcpy(obs, e->scans, sizeof(float) * (size_t)(n * k));
    obs += n * (k - 1);   /* the features follow the last frame */
    double dx = e->layout.gx - e->x, dy = e->layout.gy - e->y, d = hypot(dx, dy);
    double c = cos(e->th), s = sin(e->th);
    obs[n] = (float)(d / (e->s.arena * M_SQRT2));
    obs[n + 1] = d > 0 ? (float)((dx * c + dy * s) / d) : 1.0f;
    obs[n + 2] = d > 0 ? (float)((-dx * s + dy * c) / d) : 0.0f;
    obs[n + 3] = (float)(e->v / e->s.v_max);
    obs[n + 4] = (float)(e->w / e->s.w_max);
}

/* true on a collision; *hit gets the obstacle's index, or -1 for a wall */
static bool ln_collided(const lasernav* e, int* hit) {
    const double rr = e->s.robot_radius, W = e->s.arena;
    *hit = -1;
    if (e->x < rr || e->y < rr || e->x > W - rr || e->y > W - rr) return true;
    for (int i = 0; i < e->layout.n; i++)
        if (hypot(e->x - e->obst[i].x, e->y - e->obst[i].y) < rr + e->obst[i].r) {
            *hit = i;
            return true;
        }
    return false;
}

/* ---- the env ------------------------------------------------------------------------------ */

static void ln_start(lasernav* e) {
    e->x = e->layout.x;
    e->y = e->layout.y;
    e->th = e->layout.heading;
    e->v = e->w = 0.0;
    memcpy(e->obst, e->layout.obst, sizeof e->obst);
    e->d_prev = hypot(e->layout.gx - e->x, e->layout.gy - e->y);
    e->steps = 0;
    e->outcome = ACRL_LASERNAV_RUNNING;
    e->hit = -1;
}

static void ln_reset(acrl_env* env, float* obs) {
    lasernav* e = env->data;
    if (e->has_next) {
        e->layout = e->next;
        e->has_next = 0;
    } else {
        int64_t k;
        if (e->s.heldout) k = (int64_t)acrl_rng_below(&env->rng, (uint64_t)e->s.heldout_layouts);
        else if (e->s.train_layouts > 0) k = (int64_t)acrl_rng_below(&env->rng, (uint64_t)e->s.train_layouts);
        else k = (int64_t)(acrl_rng_u64(&env->rng) >> 33);
        ln_generate(&e->s, k, e->s.heldout, &e->layout);
    }
    ln_start(e);
    ln_obs(e, LN_FILL, obs);
}

static double clip1(float a) { return isnan(a) ? 0.0 : a < -1.0f ? -1.0 : a > 1.0f ? 1.0 : (double)a; }

static void ln_step(acrl_env* env, const float* action, float* obs, double* reward, bool* terminated, bool* truncated) {
    lasernav* e = env->data;
    const double dt = e->s.dt, W = e->s.arena;
    if (e->s.discrete) {
        int k = classic_action_index(action[0], LN_DISCRETE_N);
        e->v = e->s.v_max * (k / 5) / 2.0;
        e->w = e->s.w_max * (k % 5 - 2) / 2.0;
    } else {
        e->v = e->s.v_max * (clip1(action[0]) + 1.0) / 2.0;
        e->w = e->s.w_max * clip1(action[1]);
    }
    e->x += e->v * dt * cos(e->th);
    e->y += e->v * dt * sin(e->th);
    e->th = wrap_angle(e->th + e->w * dt);
    for (int i = 0; i < e->layout.n; i++) {   /* moving obstacles bounce off the walls */
        acrl_lasernav_obstacle* o = &e->obst[i];
        o->x += o->vx * dt;
        o->y += o->vy * dt;
        if (o->x < o->r) { o->x = 2 * o->r - o->x; o->vx = fabs(o->vx); }
        if (o->x > W - o->r) { o->x = 2 * (W - o->r) - o->x; o->vx = -fabs(o->vx); }
        if (o->y < o->r) { o->y = 2 * o->r - o->y; o->vy = fabs(o->vy); }
        if (o->y > W - o->r) { o->y = 2 * (W - o->r) - o->y; o->vy = -fabs(o->vy); }
    }
    e->steps++;
    double d = hypot(e->layout.gx - e->x, e->layout.gy - e->y);
    *truncated = false;
    if (ln_collided(e, &e->hit)) {
        e->outcome = ACRL_LASERNAV_COLLISION;
        *reward = -e->s.collision_penalty;
    } else if (d < e->s.goal_radius) {
        e->outcome = ACRL_LASERNAV_GOAL;
        *reward = e->s.goal_reward;
    } else {
        *reward = e->s.progress * (e->d_prev - d) - e->s.time_penalty;
    }
    *terminated = e->outcome != ACRL_LASERNAV_RUNNING;
    e->d_prev = d;
    ln_obs(e, LN_SHIFT, obs);
}

static bool in_arena(const lasernav* e, double x, double y) {
    return isfinite(x) && isfinite(y) && x >= 0 && y >= 0 && x <= e->s.arena && y <= e->s.arena;
}

/* state: x, y, heading, v, w of the robot (obstacles and goal stay) */
static int ln_set_state(acrl_env* env, const double* st, int n, float* obs, char* err, size_t errlen) {
    if (classic_check_state_len(env, n, err, errlen)) return -1;
    lasernav* e = env->data;
    for (int i = 0; i < 5; i++)
        if (!isfinite(st[i])) { snprintf(err, errlen, "LaserNav-v0: state[%d] is not finite", i); return -1; }
    if (!in_arena(e, st[0], st[1])) {
        snprintf(err, errlen, "LaserNav-v0: position (%g, %g) is outside the arena [0, %g]^2", st[0], st[1], e->s.arena);
        return -1;
    }
    e->x = st[0];
    e->y = st[1];
    e->th = wrap_angle(st[2]);
    e->v = st[3];
    e->w = st[4];
    e->d_prev = hypot(e->layout.gx - e->x, e->layout.gy - e->y);
    ln_obs(e, LN_REPLACE, obs);
    return 0;
}

/* ---- snapshots: magic, settings, layout, next, has_next, robot, obstacles, steps, outcome, hit,
 * the scan history (frames x beams float32), rng */

#define LN_OBST_BYTES (5 * 8)
#define LN_LAYOUT_BYTES (5 * 8 + 4 + ACRL_LASERNAV_MAX_OBSTACLES * LN_OBST_BYTES + 8 + 4)
#define LN_SNAP_FIXED \
    (4 + 14 * 8 + 8 * 4 + 2 * LN_LAYOUT_BYTES + 4 + 6 * 8 + ACRL_LASERNAV_MAX_OBSTACLES * LN_OBST_BYTES + 3 * 4 + 48)

static uint8_t* put_obst(uint8_t* p, const acrl_lasernav_obstacle* o) {
    double v[5] = {o->x, o->y, o->r, o->vx, o->vy};
    return le_put_f64s(p, v, 5);
}

static void get_obst(const uint8_t** p, acrl_lasernav_obstacle* o) {
    double v[5];
    le_get_f64s(p, v, 5);
    *o = (acrl_lasernav_obstacle){v[0], v[1], v[2], v[3], v[4]};
}

static uint8_t* put_layout(uint8_t* p, const acrl_lasernav_layout* l) {
    double v[5] = {l->x, l->y, l->heading, l->gx, l->gy};
    p = le_put_f64s(p, v, 5);
    p = le_put_i32(p, l->n);
    for (int i = 0; i < ACRL_LASERNAV_MAX_OBSTACLES; i++) p = put_obst(p, &l->obst[i]);
    p = le_put_i64(p, l->index);
    return le_put_i32(p, l->heldout);
}

static int get_layout(const uint8_t** p, acrl_lasernav_layout* l) {
    double v[5];
    le_get_f64s(p, v, 5);
    l->x = v[0]; l->y = v[1]; l->heading = v[2]; l->gx = v[3]; l->gy = v[4];
    l->n = le_get_i32(p);
    for (int i = 0; i < ACRL_LASERNAV_MAX_OBSTACLES; i++) get_obst(p, &l->obst[i]);
    l->index = le_get_i64(p);
    l->heldout = le_get_i32(p);
    if (l->n < 0 || l->n > ACRL_LASERNAV_MAX_OBSTACLES || (l->heldout != 0 && l->heldout != 1)) return -1;
    for (int i = 0; i < 5; i++)
        if (!isfinite(v[i])) return -1;
    return 0;
}

static void settings_pack(const ln_settings* s, double* d, int* n) {
    double dv[14] = {s->arena, s->fov_deg, s->range, s->min_goal_dist, s->obstacle_speed,
                     s->goal_reward, s->collision_penalty, s->progress, s->time_penalty,
                     s->dt, s->v_max, s->w_max, s->robot_radius, s->goal_radius};
    int iv[8] = {s->n_static, s->n_moving, s->beams, s->discrete, s->heldout, s->train_layouts, s->heldout_layouts,
                 s->frames};
    memcpy(d, dv, sizeof dv);
    memcpy(n, iv, sizeof iv);
}

static size_t ln_state_bytes(const acrl_env* env) {
    const lasernav* e = env->data;
    return LN_SNAP_FIXED + 4 * (size_t)(e->s.frames * e->s.beams);
}

static void ln_state_save(const acrl_env* env, void* buf) {
    const lasernav* e = env->data;
    double sd[14];
    int si[8];
    settings_pack(&e->s, sd, si);
    uint8_t* p = le_put_u32(buf, LN_MAGIC);
    p = le_put_f64s(p, sd, 14);
    p = le_put_i32s(p, si, 8);
    p = put_layout(p, &e->layout);
    p = put_layout(p, &e->next);
    p = le_put_i32(p, e->has_next);
    double r[6] = {e->x, e->y, e->th, e->v, e->w, e->d_prev};
    p = le_put_f64s(p, r, 6);
    for (int i = 0; i < ACRL_LASERNAV_MAX_OBSTACLES; i++) p = put_obst(p, &e->obst[i]);
    p = le_put_i32(p, e->steps);
    p = le_put_i32(p, e->outcome);
    p = le_put_i32(p, e->hit);
    p = le_put_f32s(p, e->scans, (size_t)(e->s.frames * e->s.beams));
    le_put_rng(p, &env->rng);
}

static int ln_state_load(acrl_env* env, const void* buf) {
    lasernav* e = env->data;
    lasernav t = *e;
    const uint8_t* p = buf;
    if (le_get_u32(&p) != LN_MAGIC) return -1;
    double sd[14], md[14];
    int si[8], mi[8];
    le_get_f64s(&p, sd, 14);
    le_get_i32s(&p, si, 8);
    settings_pack(&e->s, md, mi);
    /* settings come from env_args: a snapshot of other settings is not this env's */
    if (memcmp(sd, md, sizeof sd) != 0 || memcmp(si, mi, sizeof si) != 0) return -1;
    if (get_layout(&p, &t.layout) || get_layout(&p, &t.next)) return -1;
    t.has_next = le_get_i32(&p);
    double r[6];
    le_get_f64s(&p, r, 6);
    t.x = r[0]; t.y = r[1]; t.th = r[2]; t.v = r[3]; t.w = r[4]; t.d_prev = r[5];
    for (int i = 0; i < ACRL_LASERNAV_MAX_OBSTACLES; i++) get_obst(&p, &t.obst[i]);
    t.steps = le_get_i32(&p);
    t.outcome = le_get_i32(&p);
    t.hit = le_get_i32(&p);
    le_get_f32s(&p, t.scans, (size_t)(e->s.frames * e->s.beams));
    acrl_rng rng;
    if (le_get_rng(&p, &rng)) return -1;
    for (int i = 0; i < 6; i++)
        if (!isfinite(r[i])) return -1;
    if ((t.has_next != 0 && t.has_next != 1) || t.steps < 0 || t.outcome < 0 || t.outcome > 2 || t.hit < -1 ||
        t.hit >= t.layout.n)
        return -1;
    for (int i = 0; i < e->s.frames * e->s.beams; i++)
        if (!(t.scans[i] >= 0.0f && t.scans[i] <= 1.0f)) return -1;
    *e = t;
    env->rng = rng;
    return 0;
}

static const acrl_env_vtable ln_vtable = {
    .reset = ln_reset, .step = ln_step, .set_state = ln_set_state,
    .state_bytes = ln_state_bytes, .state_save = ln_state_save,
    .state_load = ln_state_load, .close = NULL,
};

/* ---- settings ----------------------------------------------------------------------------- */

typedef struct {
    const char* key;
    double lo, hi;        /* valid range (inclusive) */
    bool   integer;
    size_t off;           /* offset into ln_settings */
    const char* what;
} ln_key;

#define DK(k, f, lo, hi, what) {k, lo, hi, false, offsetof(ln_settings, f), what}
#define IK(k, f, lo, hi, what) {k, lo, hi, true, offsetof(ln_settings, f), what}
static const ln_key ln_keys[] = {
    DK("arena", arena, 3, 100, "a side in metres in [3, 100]"),
    IK("static", n_static, 0, 32, "an integer in [0, 32]"),
    IK("moving", n_moving, 0, 32, "an integer in [0, 32]"),
    IK("beams", beams, 2, ACRL_LASERNAV_MAX_BEAMS, "an integer in [2, 360]"),
    DK("fov", fov_deg, 1, 360, "degrees in [1, 360]"),
    DK("range", range, 0.5, 100, "metres in [0.5, 100]"),
    DK("min_goal_dist", min_goal_dist, 0, 100, "metres in [0, 100]"),
    DK("obstacle_speed", obstacle_speed, 0, 5, "m/s in [0, 5]"),
    IK("train_layouts", train_layouts, 0, 1e9, "an integer in [0, 1e9] (0: unbounded)"),
    IK("heldout_layouts", heldout_layouts, 1, 1e9, "an integer in [1, 1e9]"),
    IK("frames", frames, 1, ACRL_LASERNAV_MAX_FRAMES, "an integer in [1, 8]"),
    DK("goal_reward", goal_reward, 0, 1e6, "a number in [0, 1e6]"),
    DK("collision_penalty", collision_penalty, 0, 1e6, "a number in [0, 1e6]"),
    DK("progress", progress, 0, 1e6, "a number in [0, 1e6]"),
    DK("time_penalty", time_penalty, 0, 1e6, "a number in [0, 1e6]"),
    DK("dt", dt, 0.01, 1, "seconds in [0.01, 1]"),
    DK("v_max", v_max, 0.05, 10, "m/s in [0.05, 10]"),
    DK("w_max", w_max, 0.05, 10, "rad/s in [0.05, 10]"),
    DK("robot_radius", robot_radius, 0.05, 2, "metres in [0.05, 2]"),
    DK("goal_radius", goal_radius, 0.05, 5, "metres in [0.05, 5]"),
};
#define LN_NKEYS ((int)(sizeof ln_keys / sizeof ln_keys[0]))

static void ln_defaults(ln_settings* s) {
    *s = (ln_settings){.arena = 8, .fov_deg = 270, .range = 4, .min_goal_dist = 4, .obstacle_speed = 0.5,
                       .goal_reward = 15, .collision_penalty = 15, .progress = 2.5, .time_penalty = 0.01,
                       .dt = 0.2, .v_max = 1, .w_max = 1, .robot_radius = 0.2, .goal_radius = 0.3,
                       .n_static = 10, .n_moving = 4, .beams = 36, .discrete = 0, .heldout = 0,
                       .train_layouts = 0, .heldout_layouts = 100, .frames = 1};
}

static int ln_args(ln_settings* s, const char* args, char* err, size_t errlen) {
    ln_defaults(s);
    if (!args || !*args) return 0;
    char buf[600];
    if (strlen(args) >= sizeof buf) { snprintf(err, errlen, "env_args: too long"); return -1; }
    snprintf(buf, sizeof buf, "%s", args);
    char* save = NULL;
    for (char* tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char* eq = strchr(tok, '=');
        if (!eq) { snprintf(err, errlen, "env_args: '%s' is not key=value", tok); return -1; }
        *eq = 0;
        const char* v = eq + 1;
        if (strcmp(tok, "actions") == 0 || strcmp(tok, "layouts") == 0) {
            bool a = tok[0] == 'a';
            const char* x = a ? "box" : "train";
            const char* y = a ? "discrete" : "heldout";
            if (strcmp(v, x) && strcmp(v, y)) {
                snprintf(err, errlen, "env_args: %s=%s: expected %s or %s", tok, v, x, y);
                return -1;
            }
            *(a ? &s->discrete : &s->heldout) = strcmp(v, y) == 0;
            continue;
        }
        const ln_key* k = NULL;
        for (int i = 0; i < LN_NKEYS; i++)
            if (strcmp(tok, ln_keys[i].key) == 0) k = &ln_keys[i];
        if (!k) {
            snprintf(err, errlen, "env_args: unknown key '%s' for LaserNav-v0 (valid: arena, static, moving, beams, "
                     "fov, range, frames, min_goal_dist, obstacle_speed, actions, layouts, train_layouts, heldout_layouts, "
                     "goal_reward, collision_penalty, progress, time_penalty, dt, v_max, w_max, robot_radius, goal_radius)", tok);
            return -1;
        }
        char* end;
        errno = 0;
        double x = strtod(v, &end);
        if (end == v || *end || errno || !(x >= k->lo && x <= k->hi) || (k->integer && x != floor(x))) {
            snprintf(err, errlen, "env_args: %s=%s: %s", tok, v, k->what);
            return -1;
        }
        if (k->integer) *(int*)((char*)s + k->off) = (int)x;
        else *(double*)((char*)s + k->off) = x;
    }
    if (s->n_static + s->n_moving > ACRL_LASERNAV_MAX_OBSTACLES) {
        snprintf(err, errlen, "env_args: static + moving = %d exceeds %d obstacles", s->n_static + s->n_moving,
                 ACRL_LASERNAV_MAX_OBSTACLES);
        return -1;
    }
    double span = s->arena - 2 * ln_margin(s);
    if (s->arena - 2 * (ln_gap(s) + 0.3) <= 0) {
        snprintf(err, errlen, "env_args: robot_radius=%g leaves no room for obstacles in an arena of side %g",
                 s->robot_radius, s->arena);
        return -1;
    }
    if (s->min_goal_dist > span) {
        snprintf(err, errlen, "env_args: min_goal_dist=%g cannot be met in an arena of side %g (at most %g)",
                 s->min_goal_dist, s->arena, span);
        return -1;
    }
    return 0;
}

acrl_env* acrl_lasernav_create(const acrl_env_options* opt, char* err, size_t errlen) {
    ln_settings s;
    if (ln_args(&s, opt ? opt->env_args : NULL, err, errlen)) return NULL;
    int od = s.frames * s.beams + 5;
    acrl_env* env = classic_env_alloc(&ln_vtable, "LaserNav-v0", LN_MAGIC, sizeof(lasernav), od, 2,
                                      s.discrete ? LN_DISCRETE_N : 0, 5, err, errlen);
    if (!env) return NULL;
    lasernav* e = env->data;
    e->s = s;
    for (int i = 0; i < od; i++) {
        int f = i - s.frames * s.beams;   /* the features' index */
        env->obs_space.low[i] = f == 1 || f == 2 || f == 4 ? -1.0f : 0.0f;
        env->obs_space.high[i] = 1.0f;
    }
    if (!s.discrete)
        for (int i = 0; i < 2; i++) {
            env->act_space.low[i] = -1.0f;
            env->act_space.high[i] = 1.0f;
        }
    ln_generate(&e->s, 0, false, &e->layout);   /* a valid state before the first reset */
    ln_start(e);
    float* tmp = malloc(sizeof(float) * (size_t)od);
    if (!tmp) {
        free(env);
        snprintf(err, errlen, "out of memory creating LaserNav-v0");
        return NULL;
    }
    ln_obs(e, LN_FILL, tmp);
    free(tmp);
    return env;
}

/* ---- public helpers ----------------------------------------------------------------------- */

static lasernav* ln_of(const acrl_env* env) {
    for (const acrl_env* x = env; x; x = x->inner)
        if (!x->inner && x->vt == &ln_vtable) return x->data;
    return NULL;
}

int acrl_lasernav_make_layout(const acrl_env* env, int64_t index, bool heldout, acrl_lasernav_layout* out) {
    const lasernav* e = ln_of(env);
    if (!e) return -1;
    ln_generate(&e->s, index, heldout, out);
    return 0;
}

int acrl_lasernav_set_layout(acrl_env* env, const acrl_lasernav_layout* l, char* err, size_t errlen) {
    lasernav* e = ln_of(env);
    if (!e) { snprintf(err, errlen, "acrl_lasernav_set_layout: the env is not LaserNav-v0"); return -1; }
    if (l->n < 0 || l->n > ACRL_LASERNAV_MAX_OBSTACLES) {
        snprintf(err, errlen, "layout: %d obstacles (0..%d)", l->n, ACRL_LASERNAV_MAX_OBSTACLES);
        return -1;
    }
    if (!in_arena(e, l->x, l->y) || !in_arena(e, l->gx, l->gy) || !isfinite(l->heading)) {
        snprintf(err, errlen, "layout: start (%g, %g) or goal (%g, %g) outside the arena [0, %g]^2, or heading not finite",
                 l->x, l->y, l->gx, l->gy, e->s.arena);
        return -1;
    }
    for (int i = 0; i < l->n; i++) {
        const acrl_lasernav_obstacle* o = &l->obst[i];
        if (!in_arena(e, o->x, o->y) || !(o->r > 0 && o->r < e->s.arena) || !isfinite(o->vx) || !isfinite(o->vy)) {
            snprintf(err, errlen, "layout: obstacle %d (%g, %g, r %g) is outside the arena or has a bad radius or velocity",
                     i, o->x, o->y, o->r);
            return -1;
        }
    }
    e->next = *l;
    e->has_next = 1;
    return 0;
}

int acrl_lasernav_get_status(const acrl_env* env, acrl_lasernav_status* s) {
    const lasernav* e = ln_of(env);
    if (!e) return -1;
    s->x = e->x; s->y = e->y; s->heading = e->th; s->v = e->v; s->w = e->w;
    s->steps = e->steps;
    s->outcome = (acrl_lasernav_outcome)e->outcome;
    s->hit = e->hit;
    s->arena = e->s.arena;
    s->dt = e->s.dt;
    s->robot_radius = e->s.robot_radius;
    s->goal_radius = e->s.goal_radius;
    s->layout = e->layout;
    memcpy(s->obst, e->obst, sizeof s->obst);
    return 0;
}

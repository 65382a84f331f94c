/* test_lasernav.c - LaserNav-v0: laser ranges against hand-computed geometry (walls, a circle
 * ahead, at an angle and off the beam's axis), the goal features, one unicycle step by hand
 * (Box and Discrete actions), bouncing obstacles, collision and goal termination with their
 * rewards, truncation at the time limit, layouts from a seed (deterministic, held-out stream
 * apart, constraints kept), snapshot round trips mid-episode and env_args refusals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/lasernav.h"
#include "test.h"

static acrl_env* make(const char* args, bool limit) {
    char err[512];
    acrl_env_options o = acrl_env_options_default();
    o.env_args = args;
    if (!limit) o.max_episode_steps = 0;
    acrl_env* e = acrl_env_make("LaserNav-v0", &o, err, sizeof err);
    if (!e) fprintf(stderr, "make(%s): %s\n", args, err);
    return e;
}

/* An explicit layout with the robot at (x, y, heading), the goal at (gx, gy), no obstacles. */
static acrl_lasernav_layout layout_at(double x, double y, double heading, double gx, double gy) {
    acrl_lasernav_layout l;
    memset(&l, 0, sizeof l);
    l.x = x; l.y = y; l.heading = heading; l.gx = gx; l.gy = gy;
    l.index = -1;
    return l;
}

static void add_obst(acrl_lasernav_layout* l, double x, double y, double r, double vx, double vy) {
    l->obst[l->n++] = (acrl_lasernav_obstacle){x, y, r, vx, vy};
}

static void start(acrl_env* e, const acrl_lasernav_layout* l, float* obs) {
    char err[256];
    CHECK(acrl_lasernav_set_layout(e, l, err, sizeof err) == 0);
    acrl_env_reset(e, 1, obs);
}

static void test_laser(void) {
    float obs[16];
    /* 4 beams over 360 degrees: at -180, -90, 0, 90 degrees from the heading; range 20 m */
    acrl_env* e = make("arena=10,beams=4,fov=360,range=20,static=0,moving=0,min_goal_dist=0", false);
    CHECK(e && e->obs_space.dim == 9);
    acrl_lasernav_layout l = layout_at(3, 5, 0, 3, 9);
    start(e, &l, obs);
    printf("  walls: %.4f %.4f %.4f %.4f (want 3 5 7 5 m / 20)\n", obs[0] * 20, obs[1] * 20, obs[2] * 20, obs[3] * 20);
    CHECK_NEAR(obs[0], 3.0 / 20, 1e-6);   /* behind: the wall x = 0 */
    CHECK_NEAR(obs[1], 5.0 / 20, 1e-6);   /* right: y = 0 */
    CHECK_NEAR(obs[2], 7.0 / 20, 1e-6);   /* ahead: x = 10 */
    CHECK_NEAR(obs[3], 5.0 / 20, 1e-6);   /* left: y = 10 */
    /* goal 4 m to the left of the heading: distance / diagonal, direction (cos, sin) = (0, 1) */
    CHECK_NEAR(obs[4], 4.0 / (10 * sqrt(2.0)), 1e-6);
    CHECK_NEAR(obs[5], 0.0, 1e-6);
    CHECK_NEAR(obs[6], 1.0, 1e-6);
    CHECK(obs[7] == 0 && obs[8] == 0);
    /* heading 90 degrees: the goal is straight ahead, the beam order rotates */
    l = layout_at(3, 5, M_PI / 2, 3, 9);
    start(e, &l, obs);
    CHECK_NEAR(obs[0], 5.0 / 20, 1e-6);
    CHECK_NEAR(obs[1], 7.0 / 20, 1e-6);
    CHECK_NEAR(obs[2], 5.0 / 20, 1e-6);
    CHECK_NEAR(obs[3], 3.0 / 20, 1e-6);
    CHECK_NEAR(obs[5], 1.0, 1e-6);
    CHECK_NEAR(obs[6], 0.0, 1e-6);
    /* a circle of radius 1 straight ahead at 3 m: the beam stops at 2 m */
    l = layout_at(3, 5, 0, 3, 9);
    add_obst(&l, 6, 5, 1, 0, 0);
    start(e, &l, obs);
    CHECK_NEAR(obs[2], 2.0 / 20, 1e-6);
    CHECK_NEAR(obs[0], 3.0 / 20, 1e-6);   /* the other beams still see the walls */
    /* off the beam's axis by 0.6 m: the chord gives 3 - sqrt(1 - 0.36) = 2.2 m */
    l.obst[0].y = 5.6;
    start(e, &l, obs);
    CHECK_NEAR(obs[2], 2.2 / 20, 1e-6);
    /* just missing (offset 1.01 > r): the wall again */
    l.obst[0].y = 6.01;
    start(e, &l, obs);
    CHECK_NEAR(obs[2], 7.0 / 20, 1e-6);
    /* clipped range: 4 m cuts the 7 m wall to 1 */
    acrl_env_close(e);
    e = make("arena=10,beams=4,fov=360,range=4,static=0,moving=0,min_goal_dist=0", false);
    l = layout_at(3, 5, 0, 3, 9);
    start(e, &l, obs);
    CHECK_NEAR(obs[2], 1.0, 1e-6);
    CHECK_NEAR(obs[0], 3.0 / 4, 1e-6);
    acrl_env_close(e);
    /* 3 beams over 90 degrees: -45, 0, +45; a circle of radius 1 on the +45 degree ray at
     * 3 sqrt(2) m gives 3 sqrt(2) - 1; the -45 degree ray hits the wall y = 0 at 5 sqrt(2) */
    e = make("arena=10,beams=3,fov=90,range=20,static=0,moving=0,min_goal_dist=0", false);
    CHECK(e && e->obs_space.dim == 8);
    l = layout_at(3, 5, 0, 3, 9);
    add_obst(&l, 6, 8, 1, 0, 0);
    start(e, &l, obs);
    printf("  45 degrees: %.6f m (want %.6f); -45 degrees: %.6f m (want %.6f)\n", obs[2] * 20, 3 * sqrt(2.0) - 1,
           obs[0] * 20, 5 * sqrt(2.0));
    CHECK_NEAR(obs[2], (3 * sqrt(2.0) - 1) / 20, 1e-6);
    CHECK_NEAR(obs[0], 5 * sqrt(2.0) / 20, 1e-6);
    CHECK_NEAR(obs[1], 7.0 / 20, 1e-6);
    acrl_env_close(e);
}

static void test_kinematics(void) {
    float obs[48], a[2];
    double r;
    bool term, trunc;
    acrl_lasernav_status s;
    acrl_env* e = make("arena=10,static=0,moving=0,min_goal_dist=0", false);
    acrl_lasernav_layout l = layout_at(3, 5, 0.3, 8, 8);
    add_obst(&l, 9.8, 5, 0.3, 1.0, 0.0);    /* moving towards the wall x = 10 */
    add_obst(&l, 5, 0.5, 0.3, 0.0, -1.0);   /* and towards y = 0 */
    start(e, &l, obs);
    a[0] = 0.5f; a[1] = -0.4f;              /* v = 0.75 m/s, w = -0.4 rad/s */
    acrl_env_step(e, a, obs, &r, &term, &trunc);
    acrl_lasernav_get_status(e, &s);
    double x = 3 + 0.75 * 0.2 * cos(0.3), y = 5 + 0.75 * 0.2 * sin(0.3), th = 0.3 + (double)-0.4f * 0.2;  /* the action is a float */
    printf("  one step: (%.9f, %.9f, %.9f), want (%.9f, %.9f, %.9f)\n", s.x, s.y, s.heading, x, y, th);
    CHECK_NEAR(s.x, x, 1e-12);
    CHECK_NEAR(s.y, y, 1e-12);
    CHECK_NEAR(s.heading, th, 1e-12);
    CHECK_NEAR(s.v, 0.75, 1e-12);
    CHECK_NEAR(s.w, -0.4, 1e-7);
    CHECK(!term && !trunc && s.steps == 1);
    CHECK_NEAR(obs[36 + 3], 0.75, 1e-6);
    CHECK_NEAR(obs[36 + 4], -0.4, 1e-6);
    /* reward: progress 2.5 (d_prev - d) - 0.01 */
    double d0 = hypot(8 - 3, 8 - 5), d1 = hypot(8 - x, 8 - y);
    CHECK_NEAR(r, 2.5 * (d0 - d1) - 0.01, 1e-12);
    /* bounce: 9.8 + 0.2 = 10.0 reflects off x = 9.7 to 9.4 with vx = -1; 0.5 - 0.2 = 0.3 off y = 0.3 */
    CHECK_NEAR(s.obst[0].x, 9.4, 1e-12);
    CHECK_NEAR(s.obst[0].vx, -1.0, 0);
    CHECK_NEAR(s.obst[1].y, 0.3, 1e-12);
    acrl_env_step(e, a, obs, &r, &term, &trunc);
    acrl_lasernav_get_status(e, &s);
    CHECK_NEAR(s.obst[0].x, 9.2, 1e-12);
    CHECK_NEAR(s.obst[1].y, 0.5, 1e-12);
    CHECK(s.obst[1].vy == 1.0);
    /* out-of-range and NaN actions clip: v = 1 (a0 = 7), w = 0 (NaN) */
    l = layout_at(3, 5, 0, 8, 8);
    start(e, &l, obs);
    a[0] = 7.0f; a[1] = NAN;
    acrl_env_step(e, a, obs, &r, &term, &trunc);
    acrl_lasernav_get_status(e, &s);
    CHECK_NEAR(s.x, 3.2, 1e-12);
    CHECK_NEAR(s.heading, 0.0, 0);
    acrl_env_close(e);
    /* Discrete(15): k = 5 s + t, v = s / 2, w = (t - 2) / 2; k = 13: v = 1, w = 0.5 */
    e = make("arena=10,static=0,moving=0,min_goal_dist=0,actions=discrete", false);
    CHECK(e && e->act_space.kind == ACRL_SPACE_DISCRETE && e->act_space.n == 15);
    start(e, &l, obs);
    a[0] = 13;
    acrl_env_step(e, a, obs, &r, &term, &trunc);
    acrl_lasernav_get_status(e, &s);
    CHECK_NEAR(s.x, 3.2, 1e-12);
    CHECK_NEAR(s.heading, 0.1, 1e-12);
    a[0] = 2;   /* v = 0, w = 0 */
    acrl_env_step(e, a, obs, &r, &term, &trunc);
    acrl_lasernav_get_status(e, &s);
    CHECK_NEAR(s.x, 3.2, 1e-12);
    CHECK_NEAR(s.heading, 0.1, 1e-12);
    /* other dt, speed limits and radii: dt 0.1 s, v_max 2 m/s, w_max 0.5 rad/s; a robot of
     * radius 0.5 at 0.6 from the wall x = 0 reaches it after one step back at 2 m/s */
    acrl_env* h = make("arena=10,static=0,moving=0,min_goal_dist=0,dt=0.1,v_max=2,w_max=0.5,robot_radius=0.5,"
                       "goal_radius=1", false);
    l = layout_at(3, 5, 0.3, 8, 8);
    start(h, &l, obs);
    a[0] = 0.5f; a[1] = -0.4f;              /* v = 1.5 m/s, w = -0.2 rad/s */
    acrl_env_step(h, a, obs, &r, &term, &trunc);
    acrl_lasernav_get_status(h, &s);
    CHECK_NEAR(s.x, 3 + 1.5 * 0.1 * cos(0.3), 1e-12);
    CHECK_NEAR(s.y, 5 + 1.5 * 0.1 * sin(0.3), 1e-12);
    CHECK_NEAR(s.heading, 0.3 + 0.5 * (double)-0.4f * 0.1, 1e-12);
    CHECK_NEAR(obs[36 + 3], 0.75, 1e-6);    /* v / v_max */
    CHECK_NEAR(obs[36 + 4], -0.4, 1e-6);    /* w / w_max */
    CHECK(s.dt == 0.1 && s.robot_radius == 0.5 && s.goal_radius == 1);
    l = layout_at(0.6, 5, M_PI, 8, 8);
    start(h, &l, obs);
    a[0] = 1.0f; a[1] = 0.0f;
    acrl_env_step(h, a, obs, &r, &term, &trunc);   /* x = 0.4 < 0.5 */
    CHECK(term && r == -15.0);
    l = layout_at(3, 5, 0, 4.1, 5);          /* 1.1 m ahead: after 0.2 m, 0.9 < 1 */
    start(h, &l, obs);
    acrl_env_step(h, a, obs, &r, &term, &trunc);
    CHECK(term && r == 15.0);
    acrl_env_close(h);
    /* set_state: (x, y, heading, v, w); outside the arena is refused */
    char err[256];
    double st[5] = {4, 4, 1, 0, 0}, bad[5] = {11, 4, 0, 0, 0};
    CHECK(acrl_env_set_state(e, st, 5, obs, err, sizeof err) == 0);
    acrl_lasernav_get_status(e, &s);
    CHECK(s.x == 4 && s.y == 4 && s.heading == 1);
    CHECK(acrl_env_set_state(e, bad, 5, obs, err, sizeof err) < 0);
    printf("  set_state refusal: %s\n", err);
    acrl_env_close(e);
}

static void test_termination(void) {
    float obs[48], a[2] = {1.0f, 0.0f};   /* full speed ahead: 0.2 m per step */
    double r;
    bool term, trunc;
    acrl_lasernav_status s;
    acrl_env* e = make("arena=10,static=0,moving=0,min_goal_dist=0", false);
    /* an obstacle of radius 0.2 with its centre 0.5 m ahead: after one step the centres are
     * 0.3 m apart, under 0.2 + 0.2 */
    acrl_lasernav_layout l = layout_at(3, 5, 0, 8, 8);
    add_obst(&l, 3.5, 5, 0.2, 0, 0);
    start(e, &l, obs);
    acrl_env_step(e, a, obs, &r, &term, &trunc);
    acrl_lasernav_get_status(e, &s);
    CHECK(term && !trunc && s.outcome == ACRL_LASERNAV_COLLISION && r == -15.0 && s.hit == 0);
    /* the wall x = 0 behind a robot at 0.3 facing it: 0.1 < robot radius 0.2 */
    l = layout_at(0.3, 5, M_PI, 8, 8);
    start(e, &l, obs);
    acrl_env_step(e, a, obs, &r, &term, &trunc);
    acrl_lasernav_get_status(e, &s);
    CHECK(term && s.outcome == ACRL_LASERNAV_COLLISION && r == -15.0 && s.hit == -1);
    /* the goal 0.4 m ahead: after one step 0.2 < 0.3 m */
    l = layout_at(3, 5, 0, 3.4, 5);
    start(e, &l, obs);
    acrl_env_step(e, a, obs, &r, &term, &trunc);
    acrl_lasernav_get_status(e, &s);
    CHECK(term && s.outcome == ACRL_LASERNAV_GOAL && r == 15.0);
    /* 0.55 m ahead: 0.35 is not under 0.3, the episode goes on; the next step reaches it */
    l = layout_at(3, 5, 0, 3.55, 5);
    start(e, &l, obs);
    acrl_env_step(e, a, obs, &r, &term, &trunc);
    CHECK(!term);
    CHECK_NEAR(r, 2.5 * 0.2 - 0.01, 1e-12);
    acrl_env_step(e, a, obs, &r, &term, &trunc);
    CHECK(term && r == 15.0);
    acrl_env_close(e);
    /* the registry's limit: 200 steps standing still truncate (not terminate) */
    e = make("arena=10,static=0,moving=0,min_goal_dist=0", true);
    l = layout_at(3, 5, 0, 8, 8);
    start(e, &l, obs);
    a[0] = -1.0f;
    int t = 0;
    term = trunc = false;
    while (!term && !trunc && t < 1000) {
        acrl_env_step(e, a, obs, &r, &term, &trunc);
        t++;
    }
    printf("  standing still: truncated after %d steps\n", t);
    CHECK(t == 200 && trunc && !term);
    CHECK_NEAR(r, -0.01, 1e-12);
    acrl_env_close(e);
}

/* frames = 3: the scans of the last three steps, newest first; a reset repeats the first */
static void test_frames(void) {
    float obs[32], a[2] = {1.0f, 0.0f};
    double r;
    bool term, trunc;
    acrl_env* e = make("arena=10,beams=4,fov=360,range=20,static=0,moving=0,min_goal_dist=0,frames=3", false);
    CHECK(e && e->obs_space.dim == 3 * 4 + 5);
    CHECK(e->obs_space.low[12 + 1] == -1.0f && e->obs_space.low[11] == 0.0f && e->obs_space.low[12 + 4] == -1.0f);
    acrl_lasernav_layout l = layout_at(3, 5, 0, 3, 9);
    start(e, &l, obs);
    for (int f = 0; f < 3; f++) CHECK_NEAR(obs[4 * f + 2], 7.0 / 20, 1e-6);   /* the wall ahead, 3 times */
    CHECK_NEAR(obs[12], 4.0 / (10 * sqrt(2.0)), 1e-6);
    acrl_env_step(e, a, obs, &r, &term, &trunc);   /* 0.2 m ahead */
    CHECK_NEAR(obs[2], 6.8 / 20, 1e-6);
    CHECK_NEAR(obs[4 + 2], 7.0 / 20, 1e-6);
    CHECK_NEAR(obs[8 + 2], 7.0 / 20, 1e-6);
    CHECK_NEAR(obs[0], 3.2 / 20, 1e-6);
    CHECK_NEAR(obs[4], 3.0 / 20, 1e-6);
    acrl_env_step(e, a, obs, &r, &term, &trunc);
    CHECK_NEAR(obs[2], 6.6 / 20, 1e-6);
    CHECK_NEAR(obs[4 + 2], 6.8 / 20, 1e-6);
    CHECK_NEAR(obs[8 + 2], 7.0 / 20, 1e-6);
    /* set_state replaces the newest scan only */
    double st[5] = {5, 5, 0, 0, 0};
    char err[256];
    CHECK(acrl_env_set_state(e, st, 5, obs, err, sizeof err) == 0);
    CHECK_NEAR(obs[2], 5.0 / 20, 1e-6);
    CHECK_NEAR(obs[4 + 2], 6.8 / 20, 1e-6);
    /* a snapshot carries the history */
    acrl_env* f = make("arena=10,beams=4,fov=360,range=20,static=0,moving=0,min_goal_dist=0,frames=3", false);
    void* buf = malloc(e->vt->state_bytes(e));
    e->vt->state_save(e, buf);
    CHECK(f->vt->state_load(f, buf) == 0);
    float o2[32];
    acrl_env_step(e, a, obs, &r, &term, &trunc);
    acrl_env_step(f, a, o2, &r, &term, &trunc);
    CHECK(memcmp(obs, o2, sizeof(float) * 17) == 0);
    CHECK_NEAR(o2[4 + 2], 5.0 / 20, 1e-6);
    CHECK_NEAR(o2[8 + 2], 6.8 / 20, 1e-6);
    /* frames = 1's snapshot is not frames = 3's */
    acrl_env* g = make("arena=10,beams=4,fov=360,range=20,static=0,moving=0,min_goal_dist=0", false);
    void* gb = malloc(g->vt->state_bytes(g));
    g->vt->state_save(g, gb);
    CHECK(g->vt->state_bytes(g) + 4 * 8 == e->vt->state_bytes(e));
    CHECK(g->vt->state_load(g, gb) == 0);
    free(buf);
    free(gb);
    acrl_env_close(e);
    acrl_env_close(f);
    acrl_env_close(g);
}

static double min_gap(const acrl_lasernav_layout* l) {
    double g = 1e9;
    for (int i = 0; i < l->n; i++)
        for (int j = 0; j < i; j++)
            if (l->obst[i].vx == 0 && l->obst[i].vy == 0 && l->obst[j].vx == 0 && l->obst[j].vy == 0)
                g = fmin(g, hypot(l->obst[i].x - l->obst[j].x, l->obst[i].y - l->obst[j].y) - l->obst[i].r - l->obst[j].r);
    return g;
}

static void test_layouts(void) {
    acrl_env* e = make(NULL, true);
    acrl_env* f = make(NULL, true);
    acrl_lasernav_layout a, b;
    CHECK(acrl_lasernav_make_layout(e, 17, false, &a) == 0);
    CHECK(acrl_lasernav_make_layout(f, 17, false, &b) == 0);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    CHECK(acrl_lasernav_make_layout(e, 17, true, &b) == 0);
    CHECK(a.x != b.x && b.heldout == 1 && b.index == 17);
    /* constraints over 300 layouts of each stream */
    int far = 0, placed = 0, bad = 0;
    for (int k = 0; k < 600; k++) {
        acrl_lasernav_make_layout(e, k / 2, k % 2, &a);
        far += hypot(a.gx - a.x, a.gy - a.y) >= 4.0;
        placed += a.n;
        bad += min_gap(&a) < 0.5;
        for (int i = 0; i < a.n; i++) {
            const acrl_lasernav_obstacle* o = &a.obst[i];
            bool moving = o->vx != 0 || o->vy != 0;
            double clear = hypot(o->x - a.x, o->y - a.y) - o->r - 0.2;
            bad += clear < (moving ? 1.0 : 0.5) - 1e-12;
            if (!moving) bad += o->x - o->r < 0.5 || o->y - o->r < 0.5 || o->x + o->r > 7.5 || o->y + o->r > 7.5;
            if (moving) bad += hypot(o->vx, o->vy) < 0.1 - 1e-12 || hypot(o->vx, o->vy) > 0.5 + 1e-12;
        }
    }
    printf("  600 layouts: goal >= 4 m away in %d, %.2f obstacles placed on average (of 14), %d violations\n", far,
           placed / 600.0, bad);
    CHECK(far == 600 && bad == 0 && placed > 600 * 12);
    /* resets: the same seed gives the same layout and observation; layouts=train draws from
     * train_layouts */
    float o1[48], o2[48];
    acrl_env_reset(e, 5, o1);
    acrl_env_reset(f, 5, o2);
    CHECK(memcmp(o1, o2, sizeof(float) * 41) == 0);
    acrl_lasernav_status s1, s2;
    acrl_lasernav_get_status(e, &s1);
    acrl_lasernav_get_status(f, &s2);
    CHECK(s1.layout.index == s2.layout.index && s1.layout.heldout == 0);
    acrl_env_reset(f, 6, o2);
    acrl_lasernav_get_status(f, &s2);
    CHECK(s1.layout.index != s2.layout.index);
    acrl_env_close(e);
    acrl_env_close(f);
    e = make("train_layouts=3", true);
    f = make("layouts=heldout,heldout_layouts=4", true);
    bool seen[3] = {false, false, false}, ok = true;
    for (int i = 0; i < 60; i++) {
        acrl_env_reset(e, i == 0 ? 9 : -1, o1);
        acrl_lasernav_get_status(e, &s1);
        ok &= s1.layout.index >= 0 && s1.layout.index < 3 && !s1.layout.heldout;
        if (ok) seen[s1.layout.index] = true;
        acrl_env_reset(f, i == 0 ? 9 : -1, o2);
        acrl_lasernav_get_status(f, &s2);
        ok &= s2.layout.index >= 0 && s2.layout.index < 4 && s2.layout.heldout;
    }
    CHECK(ok && seen[0] && seen[1] && seen[2]);
    acrl_env_close(e);
    acrl_env_close(f);
}

static void test_snapshot(void) {
    acrl_env* e = make(NULL, true);
    acrl_env* f = make(NULL, true);
    float o1[48], o2[48], a[2];
    double r1, r2;
    bool t1, u1, t2, u2;
    acrl_rng rng;
    acrl_rng_seed(&rng, 3);
    acrl_env_reset(e, 11, o1);
    acrl_env_reset(f, 99, o2);
    for (int t = 0; t < 7; t++) {   /* mid-episode (slow random steps rarely end it) */
        a[0] = -0.8f;
        a[1] = (float)acrl_rng_uniform(&rng, -1, 1);
        acrl_env_step(e, a, o1, &r1, &t1, &u1);
    }
    size_t n = e->vt->state_bytes(e);
    CHECK(n == f->vt->state_bytes(f));
    void* buf = malloc(n);
    /* the time limit wrapper keeps its own count: save both layers (as checkpoints do) */
    acrl_env* be = acrl_env_unwrapped(e);
    acrl_env* bf = acrl_env_unwrapped(f);
    size_t nb = be->vt->state_bytes(be);
    void* bbuf = malloc(nb);
    e->vt->state_save(e, buf);
    CHECK(f->vt->state_load(f, buf) == 0);
    memcpy(o2, o1, sizeof o1);
    int diff = 0, steps = 0, ends = 0;
    for (int t = 0; t < 400; t++) {
        a[0] = (float)acrl_rng_uniform(&rng, -1, 1);
        a[1] = (float)acrl_rng_uniform(&rng, -1, 1);
        acrl_env_step(e, a, o1, &r1, &t1, &u1);
        acrl_env_step(f, a, o2, &r2, &t2, &u2);
        diff += memcmp(o1, o2, sizeof o1) != 0 || r1 != r2 || t1 != t2 || u1 != u2;
        steps++;
        if (t1 || u1) {   /* reset unseeded: the layout comes from the restored RNG */
            ends++;
            acrl_env_reset(e, -1, o1);
            acrl_env_reset(f, -1, o2);
            diff += memcmp(o1, o2, sizeof o1) != 0;
        }
    }
    printf("  snapshot round trip: %d steps, %d episode ends, %d differences\n", steps, ends, diff);
    CHECK(diff == 0 && ends > 0);
    /* the base env's snapshot of other settings is refused; a corrupted one too */
    be->vt->state_save(be, bbuf);
    acrl_env* g = make("beams=36,static=9", true);
    acrl_env* bg = acrl_env_unwrapped(g);
    CHECK(bg->vt->state_bytes(bg) == nb && bg->vt->state_load(bg, bbuf) < 0);
    CHECK(bf->vt->state_load(bf, bbuf) == 0);
    ((unsigned char*)bbuf)[0] ^= 1;
    CHECK(bf->vt->state_load(bf, bbuf) < 0);
    free(buf);
    free(bbuf);
    acrl_env_close(e);
    acrl_env_close(f);
    acrl_env_close(g);
}

static void test_refusals(void) {
    const char* bad[][2] = {
        {"foo=1", "unknown key 'foo'"},
        {"beams", "not key=value"},
        {"beams=1", "beams=1: an integer in [2, 360]"},
        {"beams=2.5", "beams=2.5"},
        {"fov=400", "fov=400"},
        {"arena=abc", "arena=abc"},
        {"static=28,moving=8", "static + moving = 36 exceeds 32 obstacles"},
        {"arena=5,min_goal_dist=6", "min_goal_dist=6 cannot be met"},
        {"actions=continuous", "actions=continuous: expected box or discrete"},
        {"layouts=test", "layouts=test: expected train or heldout"},
        {"heldout_layouts=0", "heldout_layouts=0"},
        {"goal_reward=-1", "goal_reward=-1"},
        {"frames=9", "frames=9: an integer in [1, 8]"},
        {"dt=2", "dt=2: seconds in [0.01, 1]"},
        {"robot_radius=0", "robot_radius=0"},
        {"arena=3,robot_radius=1", "robot_radius=1 leaves no room for obstacles"},
        {"v_max=-1", "v_max=-1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[512] = "";
        acrl_env_options o = acrl_env_options_default();
        o.env_args = bad[i][0];
        acrl_env* e = acrl_env_make("LaserNav-v0", &o, err, sizeof err);
        printf("  %s: %s\n", bad[i][0], err);
        CHECK(e == NULL && strstr(err, bad[i][1]) != NULL);
        acrl_env_close(e);
    }
    /* later keys override earlier ones (acrl nav appends layouts=heldout) */
    acrl_env* e = make("layouts=heldout,beams=10,layouts=train,beams=12", true);
    CHECK(e && e->obs_space.dim == 17);
    acrl_lasernav_layout l = layout_at(30, 5, 0, 3, 3);
    char err[256];
    CHECK(acrl_lasernav_set_layout(e, &l, err, sizeof err) < 0);
    printf("  set_layout refusal: %s\n", err);
    acrl_env_close(e);
}

int main(void) {
    test_laser();
    test_kinematics();
    test_termination();
    test_frames();
    test_layouts();
    test_snapshot();
    test_refusals();
    return test_summary("test_lasernav");
}

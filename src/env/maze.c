/* maze.c - Maze-v0 (acrl/maze.h): generated and explicit grid-maze levels, the level file
 * reader, and the env (egocentric 5 x 5 view, four moves, a goal). */
#include "acrl/maze.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/io.h"
#include "classic.h"
#include "io/le.h"

#define MZ_MAX_STEPS 100   /* the registry's time limit; the reward's step scale */
#define MZ_SIDE (2 * ACRL_MAZE_VIEW + 1)
#define MZ_OBS (2 * MZ_SIDE * MZ_SIDE)
#define MZ_MAGIC CLASSIC_MAGIC('M', 'A', 'Z', 'E')

/* ---- levels ------------------------------------------------------------------------------ */

static bool mz_wall(const acrl_maze_level* l, int x, int y) {
    return x < 0 || y < 0 || x >= l->w || y >= l->h || l->wall[y * l->w + x];
}

static const int mz_dx[4] = {0, 1, 0, -1}, mz_dy[4] = {-1, 0, 1, 0}; /* up, right, down, left */

int acrl_maze_distance(const acrl_maze_level* l) {
    int dist[ACRL_MAZE_MAX * ACRL_MAZE_MAX], queue[ACRL_MAZE_MAX * ACRL_MAZE_MAX];
    for (int i = 0; i < l->w * l->h; i++) dist[i] = -1;
    int head = 0, tail = 0, s = l->sy * l->w + l->sx;
    dist[s] = 0;
    queue[tail++] = s;
    while (head < tail) {
        int c = queue[head++], x = c % l->w, y = c / l->w;
        if (x == l->gx && y == l->gy) return dist[c];
        for (int k = 0; k < 4; k++) {
            int nx = x + mz_dx[k], ny = y + mz_dy[k];
            if (mz_wall(l, nx, ny) || dist[ny * l->w + nx] >= 0) continue;
            dist[ny * l->w + nx] = dist[c] + 1;
            queue[tail++] = ny * l->w + nx;
        }
    }
    return -1;
}

#define MZ_LEVEL_STREAM 0x4d415a45ull  /* "MAZE" */
#define MZ_DENSITY_STREAM 0x44454e53ull /* "DENS" */

int acrl_maze_generate(acrl_maze_level* l, int64_t seed, double density, int size, char* err, size_t errlen) {
    if (size < 3 || size > ACRL_MAZE_MAX || !(density >= 0 && density <= 0.6)) {
        snprintf(err, errlen, "maze: size %d (3..%d) or density %g ([0, 0.6]) out of range", size, ACRL_MAZE_MAX, density);
        return -1;
    }
    memset(l, 0, sizeof *l);
    l->w = l->h = size;
    l->seed = seed;
    l->density = density;
    acrl_rng rng;
    acrl_rng_seed2(&rng, (uint64_t)seed, MZ_LEVEL_STREAM);
    const int n = size * size;
    for (int attempt = 0; attempt < 10000; attempt++) {
        int open = 0, cells[ACRL_MAZE_MAX * ACRL_MAZE_MAX];
        for (int i = 0; i < n; i++) {
            l->wall[i] = acrl_rng_double(&rng) < density;
            if (!l->wall[i]) cells[open++] = i;
        }
        if (open < 2) continue;
        int a = (int)acrl_rng_below(&rng, (uint64_t)open), b = (int)acrl_rng_below(&rng, (uint64_t)open - 1);
        if (b >= a) b++;
        l->sx = cells[a] % size; l->sy = cells[a] / size;
        l->gx = cells[b] % size; l->gy = cells[b] / size;
        if (acrl_maze_distance(l) > 0) return 0;
    }
    snprintf(err, errlen, "maze: no level of seed %lld with density %g has a reachable goal in 10000 draws",
             (long long)seed, density);
    return -1;
}

int acrl_maze_training_level(acrl_maze_level* l, int64_t i, double max_density, int size, char* err, size_t errlen) {
    acrl_rng rng;
    acrl_rng_seed2(&rng, (uint64_t)i, MZ_DENSITY_STREAM);
    return acrl_maze_generate(l, i, max_density * acrl_rng_double(&rng), size, err, errlen);
}

/* ---- level files ------------------------------------------------------------------------- */

/* One layout block's rows (the lines after 'layout') into l; line0 is the 'layout' line. */
static int parse_layout(acrl_maze_level* l, char rows[][ACRL_MAZE_MAX + 2], int nrows, const char* path, int line0,
                        char* err, size_t errlen) {
    memset(l, 0, sizeof *l);
    l->seed = -1;
    int starts = 0, goals = 0;
    if (nrows == 0) { snprintf(err, errlen, "%s:%d: empty layout", path, line0); return -1; }
    l->w = (int)strlen(rows[0]);
    l->h = nrows;
    for (int y = 0; y < nrows; y++) {
        int line = line0 + 1 + y;
        if ((int)strlen(rows[y]) != l->w) {
            snprintf(err, errlen, "%s:%d: layout row has %d cells, the first row %d", path, line, (int)strlen(rows[y]), l->w);
            return -1;
        }
        for (int x = 0; x < l->w; x++) {
            char c = rows[y][x];
            if (c == '#') l->wall[y * l->w + x] = 1;
            else if (c == 'S') { l->sx = x; l->sy = y; starts++; }
            else if (c == 'G') { l->gx = x; l->gy = y; goals++; }
            else if (c != '.') {
                if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
                    snprintf(err, errlen, "%s:%d: unknown symbol '%c' at column %d (valid: # . S G)", path, line, c, x + 1);
                else
                    snprintf(err, errlen, "%s:%d: unknown symbol \\x%02x at column %d (valid: # . S G)", path, line,
                             (unsigned char)c, x + 1);
                return -1;
            }
        }
    }
    if (starts != 1 || goals != 1) {
        snprintf(err, errlen, "%s:%d: a layout needs one S and one G (has %d S, %d G)", path, line0, starts, goals);
        return -1;
    }
    if (acrl_maze_distance(l) < 0) {
        snprintf(err, errlen, "%s:%d: the goal is not reachable from the start", path, line0);
        return -1;
    }
    return 0;
}

int acrl_maze_load_levels(const char* path, acrl_maze_level** levels, int* n, char* err, size_t errlen) {
    *levels = NULL;
    *n = 0;
    FILE* f = acrl_file_open_read(path, "level file", err, errlen);
    if (!f) return -1;
    int cap = 0, lineno = 0, rc = 0, layout_line = 0, nrows = 0;
    bool in_layout = false;
    char rows[ACRL_MAZE_MAX][ACRL_MAZE_MAX + 2];
    char buf[256];
    acrl_maze_level* out = NULL;
    while (fgets(buf, sizeof buf, f)) {
        lineno++;
        size_t len = strlen(buf);
        if (len == sizeof buf - 1 && buf[len - 1] != '\n') {
            snprintf(err, errlen, "%s:%d: line too long", path, lineno);
            rc = -1;
            break;
        }
        while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' ')) buf[--len] = 0;
        char* s = buf;
        while (*s == ' ' || *s == '\t') s++;
        acrl_maze_level lvl;
        bool have = false;
        if (in_layout) {
            if (strcmp(s, "end") == 0) {
                in_layout = false;
                if (parse_layout(&lvl, rows, nrows, path, layout_line, err, errlen)) { rc = -1; break; }
                have = true;
            } else if (nrows >= ACRL_MAZE_MAX || strlen(s) > ACRL_MAZE_MAX) {
                snprintf(err, errlen, "%s:%d: layouts are at most %d x %d cells", path, lineno, ACRL_MAZE_MAX, ACRL_MAZE_MAX);
                rc = -1;
                break;
            } else {
                memcpy(rows[nrows++], s, strlen(s) + 1); /* fits: checked above */
            }
        } else if (*s == 0 || *s == ';') {
            continue;
        } else if (strcmp(s, "layout") == 0) {
            in_layout = true;
            layout_line = lineno;
            nrows = 0;
        } else if (strncmp(s, "seed ", 5) == 0) {
            char* tok[5];
            int nt = 0;
            for (char* t = strtok(s + 5, " \t"); t && nt < 5; t = strtok(NULL, " \t")) tok[nt++] = t;
            long long seed = -1;
            double density = -1;
            long size = 9;
            char *e1 = NULL, *e2 = NULL, *e3 = NULL;
            errno = 0;
            if (nt >= 2) {
                seed = strtoll(tok[0], &e1, 10);
                density = strtod(tok[1], &e2);
                if (nt == 3) size = strtol(tok[2], &e3, 10);
            }
            if (nt < 2 || nt > 3 || *e1 || *e2 || (e3 && *e3) || errno || seed < 0) {
                snprintf(err, errlen, "%s:%d: expected 'seed SEED DENSITY [SIZE]' with SEED >= 0", path, lineno);
                rc = -1;
                break;
            }
            char msg[200];
            if (acrl_maze_generate(&lvl, seed, density, (int)(size > 1000 ? 1000 : size), msg, sizeof msg)) {
                snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
                rc = -1;
                break;
            }
            have = true;
        } else {
            snprintf(err, errlen, "%s:%d: unknown directive '%.40s' (expected seed, layout or a ';' comment)", path,
                     lineno, s);
            rc = -1;
            break;
        }
        if (have) {
            if (*n == cap) {
                cap = cap ? 2 * cap : 16;
                acrl_maze_level* t = realloc(out, sizeof *out * (size_t)cap);
                if (!t) { snprintf(err, errlen, "out of memory"); rc = -1; break; }
                out = t;
            }
            out[(*n)++] = lvl;
        }
    }
    if (rc == 0 && ferror(f)) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); rc = -1; }
    if (rc == 0 && in_layout) { snprintf(err, errlen, "%s:%d: layout without 'end'", path, layout_line); rc = -1; }
    if (rc == 0 && *n == 0) { snprintf(err, errlen, "%s: no levels", path); rc = -1; }
    fclose(f);
    if (rc) { free(out); *n = 0; return -1; }
    *levels = out;
    return 0;
}

/* ---- the env ----------------------------------------------------------------------------- */

typedef struct {
    classic_tag tag;
    acrl_maze_level level;       /* the level being played */
    acrl_maze_level next;        /* set by acrl_maze_set_level for the next reset */
    int  has_next;
    int  ax, ay, steps;
    int  levels, size;           /* settings (env_args) */
    double max_density;
} maze;

static void maze_obs(const maze* m, float* obs) {
    const acrl_maze_level* l = &m->level;
    for (int dy = -ACRL_MAZE_VIEW; dy <= ACRL_MAZE_VIEW; dy++)
        for (int dx = -ACRL_MAZE_VIEW; dx <= ACRL_MAZE_VIEW; dx++) {
            int x = m->ax + dx, y = m->ay + dy, i = (dy + ACRL_MAZE_VIEW) * MZ_SIDE + dx + ACRL_MAZE_VIEW;
            obs[i] = mz_wall(l, x, y) ? 1.0f : 0.0f;
            obs[MZ_SIDE * MZ_SIDE + i] = x == l->gx && y == l->gy ? 1.0f : 0.0f;
        }
}

static void maze_reset(acrl_env* env, float* obs) {
    maze* m = env->data;
    if (m->has_next) {
        m->level = m->next;
        m->has_next = 0;
    } else {
        /* a training level; the settings were checked at creation, so generation succeeds
         * (max_density <= 0.5 on sizes >= 3 always finds a level within its draws) */
        int64_t i = m->levels > 0 ? (int64_t)acrl_rng_below(&env->rng, (uint64_t)m->levels)
                                  : (int64_t)(acrl_rng_u64(&env->rng) >> 33);
        char err[200];
        if (acrl_maze_training_level(&m->level, i, m->max_density, m->size, err, sizeof err))
            acrl_maze_generate(&m->level, i, 0.0, m->size, err, sizeof err);
    }
    m->ax = m->level.sx;
    m->ay = m->level.sy;
    m->steps = 0;
    maze_obs(m, obs);
}

static void maze_step(acrl_env* env, const float* action, float* obs, double* reward, bool* terminated, bool* truncated) {
    maze* m = env->data;
    int a = classic_action_index(action[0], 4);
    int x = m->ax + mz_dx[a], y = m->ay + mz_dy[a];
    m->steps++;
    *reward = 0.0;
    *terminated = *truncated = false;
    if (!mz_wall(&m->level, x, y)) {
        m->ax = x;
        m->ay = y;
        if (x == m->level.gx && y == m->level.gy) {
            *terminated = true;
            *reward = 1.0 - 0.9 * (double)m->steps / MZ_MAX_STEPS;
        }
    }
    maze_obs(m, obs);
}

/* snapshot: magic, then each level as w, h, sx, sy, gx, gy (int32), seed (int64), density
 * (float64), the 32 x 32 wall bytes; has_next, ax, ay, steps, levels, size (int32), max_density,
 * the RNG */
#define MZ_LEVEL_BYTES (6 * 4 + 8 + 8 + ACRL_MAZE_MAX * ACRL_MAZE_MAX)
#define MZ_SNAP_BYTES (4 + 2 * MZ_LEVEL_BYTES + 6 * 4 + 8 + 48)

static uint8_t* put_level(uint8_t* p, const acrl_maze_level* l) {
    int v[6] = {l->w, l->h, l->sx, l->sy, l->gx, l->gy};
    p = le_put_i32s(p, v, 6);
    p = le_put_i64(p, l->seed);
    p = le_put_f64(p, l->density);
    memcpy(p, l->wall, ACRL_MAZE_MAX * ACRL_MAZE_MAX);
    return p + ACRL_MAZE_MAX * ACRL_MAZE_MAX;
}

/* none_ok: the all-zero level of a pending slot never set is valid too */
static int get_level(const uint8_t** p, acrl_maze_level* l, bool none_ok) {
    int v[6];
    le_get_i32s(p, v, 6);
    l->w = v[0]; l->h = v[1]; l->sx = v[2]; l->sy = v[3]; l->gx = v[4]; l->gy = v[5];
    l->seed = le_get_i64(p);
    l->density = le_get_f64(p);
    memcpy(l->wall, *p, ACRL_MAZE_MAX * ACRL_MAZE_MAX);
    *p += ACRL_MAZE_MAX * ACRL_MAZE_MAX;
    if (none_ok && l->w == 0 && l->h == 0 && l->sx == 0 && l->sy == 0 && l->gx == 0 && l->gy == 0) return 0;
    if (l->w < 1 || l->h < 1 || l->w > ACRL_MAZE_MAX || l->h > ACRL_MAZE_MAX) return -1;
    if (l->sx < 0 || l->sx >= l->w || l->sy < 0 || l->sy >= l->h || l->gx < 0 || l->gx >= l->w || l->gy < 0 ||
        l->gy >= l->h)
        return -1;
    for (int i = 0; i < ACRL_MAZE_MAX * ACRL_MAZE_MAX; i++)
        if (l->wall[i] > 1) return -1;
    return 0;
}

static size_t maze_state_bytes(const acrl_env* env) { (void)env; return MZ_SNAP_BYTES; }

static void maze_state_save(const acrl_env* env, void* buf) {
    const maze* m = env->data;
    uint8_t* p = le_put_u32(buf, MZ_MAGIC);
    p = put_level(p, &m->level);
    p = put_level(p, &m->next);
    int v[6] = {m->has_next, m->ax, m->ay, m->steps, m->levels, m->size};
    p = le_put_i32s(p, v, 6);
    p = le_put_f64(p, m->max_density);
    le_put_rng(p, &env->rng);
}

static int maze_state_load(acrl_env* env, const void* buf) {
    maze* m = env->data;
    const uint8_t* p = buf;
    maze t = *m;
    acrl_rng r;
    if (le_get_u32(&p) != MZ_MAGIC || get_level(&p, &t.level, false) || get_level(&p, &t.next, true)) return -1;
    int v[6];
    le_get_i32s(&p, v, 6);
    double md = le_get_f64(&p);
    if (le_get_rng(&p, &r)) return -1;
    /* settings come from env_args: a snapshot of other settings is not this env's */
    if (v[4] != m->levels || v[5] != m->size || md != m->max_density) return -1;
    if (v[1] < 0 || v[1] >= t.level.w || v[2] < 0 || v[2] >= t.level.h || v[3] < 0 || (v[0] != 0 && v[0] != 1))
        return -1;
    t.has_next = v[0]; t.ax = v[1]; t.ay = v[2]; t.steps = v[3];
    *m = t;
    env->rng = r;
    return 0;
}

static const acrl_env_vtable maze_vtable = {
    .reset = maze_reset, .step = maze_step, .set_state = NULL,
    .state_bytes = maze_state_bytes, .state_save = maze_state_save,
    .state_load = maze_state_load, .close = NULL,
};

static int maze_args(maze* m, const char* args, char* err, size_t errlen) {
    m->levels = 200;
    m->size = 9;
    m->max_density = 0.35;
    if (!args || !*args) return 0;
    char buf[256];
    if (strlen(args) >= sizeof buf) { snprintf(err, errlen, "env_args: too long"); return -1; }
    snprintf(buf, sizeof buf, "%s", args);
    for (char* tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char* eq = strchr(tok, '=');
        if (!eq) { snprintf(err, errlen, "env_args: '%s' is not key=value", tok); return -1; }
        *eq = 0;
        const char* v = eq + 1;
        char* end;
        errno = 0;
        if (strcmp(tok, "levels") == 0) {
            long x = strtol(v, &end, 10);
            if (*end || end == v || errno || x < 0 || x > 1000000000L) {
                snprintf(err, errlen, "env_args: levels=%s: an integer in [0, 1e9] (0: unbounded)", v);
                return -1;
            }
            m->levels = (int)x;
        } else if (strcmp(tok, "size") == 0) {
            long x = strtol(v, &end, 10);
            if (*end || end == v || errno || x < 3 || x > ACRL_MAZE_MAX) {
                snprintf(err, errlen, "env_args: size=%s: an integer in [3, %d]", v, ACRL_MAZE_MAX);
                return -1;
            }
            m->size = (int)x;
        } else if (strcmp(tok, "max_density") == 0) {
            double x = strtod(v, &end);
            if (*end || end == v || errno || !(x >= 0 && x <= 0.5)) {
                snprintf(err, errlen, "env_args: max_density=%s: a number in [0, 0.5]", v);
                return -1;
            }
            m->max_density = x;
        } else {
            snprintf(err, errlen, "env_args: unknown key '%s' for Maze-v0 (valid: levels, size, max_density)", tok);
            return -1;
        }
    }
    return 0;
}

acrl_env* acrl_maze_create(const acrl_env_options* opt, char* err, size_t errlen) {
    maze tmp;
    memset(&tmp, 0, sizeof tmp);
    if (maze_args(&tmp, opt ? opt->env_args : NULL, err, errlen)) return NULL;
    acrl_env* env = classic_env_alloc(&maze_vtable, "Maze-v0", MZ_MAGIC, sizeof(maze), MZ_OBS, 1, 4, 0, err, errlen);
    if (!env) return NULL;
    maze* m = env->data;
    m->levels = tmp.levels;
    m->size = tmp.size;
    m->max_density = tmp.max_density;
    for (int i = 0; i < MZ_OBS; i++) {
        env->obs_space.low[i] = 0.0f;
        env->obs_space.high[i] = 1.0f;
    }
    env->obs_space.shape[0] = 2;
    env->obs_space.shape[1] = MZ_SIDE;
    env->obs_space.shape[2] = MZ_SIDE;
    return env;
}

static maze* maze_of(const acrl_env* env) {
    for (const acrl_env* e = env; e; e = e->inner)
        if (!e->inner && e->vt == &maze_vtable) return e->data;
    return NULL;
}

int acrl_maze_set_level(acrl_env* env, const acrl_maze_level* lvl) {
    maze* m = maze_of(env);
    if (!m) return -1;
    m->next = *lvl;
    m->has_next = 1;
    return 0;
}

int64_t acrl_maze_current(const acrl_env* env) {
    const maze* m = maze_of(env);
    return m ? m->level.seed : -2;
}

int acrl_maze_num_levels(const acrl_env* env) {
    const maze* m = maze_of(env);
    return m ? m->levels : -1;
}

int acrl_maze_settings(const acrl_env* env, int* size, double* max_density) {
    const maze* m = maze_of(env);
    if (!m) return -1;
    *size = m->size;
    *max_density = m->max_density;
    return 0;
}

/* mjenv.c - the generic MuJoCo env behind every Gymnasium v4 task: finds and shares
 * models (loaded once per file, reference counted under a mutex), steps with frame
 * skip, sets states and takes bit-exact snapshots. */
#include "env/mujoco/mjenv.h"
#include "io/le.h"

#include "acrl/io.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/datadir.h"

/* ---- shared models ----------------------------------------------------------- */

struct mjenv_shared {
    char*    path;      /* canonical path, the cache key */
    mjModel* m;
    int      refs;
    mjenv_shared* next;
};

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static mjenv_shared*   shared_list;

static mjenv_shared* shared_acquire(const char* path, char* err, size_t errlen) {
    char canon[PATH_MAX];
    const char* key = realpath(path, canon) ? canon : path;
    pthread_mutex_lock(&shared_lock);
    mjenv_shared* s = shared_list;
    while (s && strcmp(s->path, key) != 0) s = s->next;
    if (s) {
        s->refs++;
    } else {
        char msg[1000] = "";
        /* the loader would block on a FIFO: only a regular file is read */
        FILE* probe = acrl_file_open_read(key, "MuJoCo model", msg, sizeof msg);
        mjModel* m = NULL;
        if (probe) fclose(probe);
        if (probe || errno == ENOENT) { /* a missing file: MuJoCo's own message */
            msg[0] = 0;
            m = mj_loadXML(key, NULL, msg, sizeof msg);
        }
        s = m ? calloc(1, sizeof *s) : NULL;
        char* p = s ? strdup(key) : NULL;
        if (!m || !s || !p) {
            if (!m) {   /* one line: MuJoCo's message with its line breaks as spaces */
                size_t n = strlen(msg);
                while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) msg[--n] = 0;
                for (char* c = msg; *c; c++) if (*c == '\n') *c = ' ';
                snprintf(err, errlen, "cannot load MuJoCo model '%s': %s", path, msg);
            }
            else snprintf(err, errlen, "out of memory");
            if (m) mj_deleteModel(m);
            free(s);
            s = NULL;
        } else {
            s->path = p;
            s->m = m;
            s->refs = 1;
            s->next = shared_list;
            shared_list = s;
        }
    }
    pthread_mutex_unlock(&shared_lock);
    return s;
}

static void shared_release(mjenv_shared* s) {
    if (!s) return;
    pthread_mutex_lock(&shared_lock);
    if (--s->refs == 0) {
        mjenv_shared** p = &shared_list;
        while (*p != s) p = &(*p)->next;
        *p = s->next;
        mj_deleteModel(s->m);
        free(s->path);
        free(s);
    }
    pthread_mutex_unlock(&shared_lock);
}

/* opt->model_path, else file in the models dir (util/datadir.h: $ACRL_MODEL_DIR, else the
 * source tree for an uninstalled build, else the installed one). -1 if the path does not
 * fit in out (never truncated). */
static int model_path(char* out, size_t len, const char* file, const acrl_env_options* opt) {
    int n;
    if (opt && opt->model_path && opt->model_path[0]) {
        n = snprintf(out, len, "%s", opt->model_path);
        return n >= 0 && (size_t)n < len ? 0 : -1;
    }
    char dir[PATH_MAX];
    if (datadir_get(DATADIR_MODELS, dir, sizeof dir)) return -1;
    n = snprintf(out, len, "%s/%s", dir, file);
    return n >= 0 && (size_t)n < len ? 0 : -1;
}

/* ---- numerics shared by the tasks ------------------------------------------------ */

/* NumPy's pairwise summation of a contiguous vector: n < 8 elements left to right,
 * up to 128 with eight interleaved partial sums combined as a tree, then the tail;
 * longer ones split at n/2 rounded down to a multiple of 8, each half summed so.
 * (np.sum of more than 8192 elements would also be cut into buffer-sized blocks; the
 * models' sizes are far below that.) The f32 sum squares each element first, as
 * np.sum(np.square(a)) does. */
float mjenv_sumsq_f32(const float* a, int n) {
    if (n > 128) {
        int n2 = n / 2;
        n2 -= n2 % 8;
        return mjenv_sumsq_f32(a, n2) + mjenv_sumsq_f32(a + n2, n - n2);
    }
    float sq[128];
    for (int i = 0; i < n; i++) sq[i] = a[i] * a[i];
    if (n < 8) {
        float r = 0.0f;
        for (int i = 0; i < n; i++) r += sq[i];
        return r;
    }
    float r[8];
    for (int j = 0; j < 8; j++) r[j] = sq[j];
    int i = 8;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) r[j] += sq[i + j];
    float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += sq[i];
    return res;
}

double mjenv_sum_f64(const double* x, int n) {
    if (n > 128) {
        int n2 = n / 2;
        n2 -= n2 % 8;
        return mjenv_sum_f64(x, n2) + mjenv_sum_f64(x + n2, n - n2);
    }
    if (n < 8) {
        double r = 0.0;
        for (int i = 0; i < n; i++) r += x[i];
        return r;
    }
    double r[8];
    for (int j = 0; j < 8; j++) r[j] = x[j];
    int i = 8;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) r[j] += x[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += x[i];
    return res;
}

double mjenv_speed_cost(const mjenv_task* task, const double* after, const double* before, double dt) {
    double vx = (after[0] - before[0]) / dt, speed = vx;
    if (task->speed_dims == 2) {
        double vy = (after[1] - before[1]) / dt;
        speed = sqrt(vx * vx + vy * vy);
    }
    return speed > task->cost_threshold ? 1.0 : 0.0;
}

/* ---- vtable ---------------------------------------------------------------------- */

static void mjenv_reset(acrl_env* env, float* obs) {
    mjenv* e = env->data;
    mj_resetData(e->m, e->d);
    e->task->reset(e, &env->rng);
    mj_forward(e->m, e->d);
    e->task->remember(e);
    e->task->observe(e, obs);
}

static void mjenv_step(acrl_env* env, const float* action, float* obs, double* reward,
                       bool* terminated, bool* truncated) {
    mjenv* e = env->data;
    const mjModel* m = e->m;
    mjData* d = e->d;
    double before[MJENV_MEMO];
    memcpy(before, e->memo, sizeof before);
    /* MuJoCo clamps controls of limited actuators into their range; if a control is then
     * NaN or beyond mjMAXVAL it simulates the step with all controls zero, prints a warning
     * on stdout and appends it to MUJOCO_LOG.TXT in the working directory. The same
     * dynamics here, without that output (the reward still sees the action, as Gymnasium's
     * does). */
    bool bad = false;
    for (int i = 0; i < m->nu; i++) {
        double c = action[i];
        if (m->actuator_ctrllimited[i]) {
            const double lo = m->actuator_ctrlrange[2 * i], hi = m->actuator_ctrlrange[2 * i + 1];
            c = c < lo ? lo : c > hi ? hi : c;
        }
        bad |= !(fabs(c) <= mjMAXVAL);
    }
    for (int i = 0; i < m->nu; i++) d->ctrl[i] = bad ? 0.0 : action[i];
    for (int k = 0; k < e->task->frame_skip; k++) mj_step(m, d);
    if (e->task->rne_post) mj_rnePostConstraint(m, d);
    e->task->remember(e);
    e->task->reward(e, action, before, reward, terminated);
    e->task->observe(e, obs);
    *truncated = false;
    if (e->task->speed_dims) env->costs[0] = mjenv_speed_cost(e->task, e->memo, before, e->dt);
}

static int mjenv_set_state(acrl_env* env, const double* state, int n, float* obs, char* err, size_t errlen) {
    mjenv* e = env->data;
    const mjModel* m = e->m;
    if (n != m->nq + m->nv) {
        snprintf(err, errlen, "%s: state must have nq + nv = %d + %d = %d values (qpos then qvel), got %d",
                 e->task->id, m->nq, m->nv, m->nq + m->nv, n);
        return -1;
    }
    memcpy(e->d->qpos, state, sizeof(double) * (size_t)m->nq);
    memcpy(e->d->qvel, state + m->nq, sizeof(double) * (size_t)m->nv);
    mj_forward(m, e->d);
    e->task->remember(e);
    e->task->observe(e, obs);
    return 0;
}

/* Snapshot (explicit little-endian fields): uint32 magic, nq, nv, na, nu, then float64
 * time, qpos, qvel, act, ctrl, qacc_warmstart, memo, then the 48-byte RNG. mjData's
 * derived quantities are not needed: mj_step recomputes them from these before use, and
 * the memo holds what the next reward reads. */
#define MJENV_SNAP_MAGIC 0x4a4d4341u /* "ACMJ" */
#define MJENV_SNAP_HEAD  20

static size_t snap_doubles(const mjModel* m) {
    return 1 + (size_t)m->nq + 2 * (size_t)m->nv + (size_t)m->na + (size_t)m->nu + MJENV_MEMO;
}

static size_t mjenv_state_bytes(const acrl_env* env) {
    const mjenv* e = env->data;
    return MJENV_SNAP_HEAD + 8 * snap_doubles(e->m) + LE_RNG_BYTES;
}

static void mjenv_state_save(const acrl_env* env, void* buf) {
    const mjenv* e = env->data;
    const mjModel* m = e->m;
    const mjData* d = e->d;
    uint8_t* p = le_put_u32(buf, MJENV_SNAP_MAGIC);
    p = le_put_u32(p, (uint32_t)m->nq);
    p = le_put_u32(p, (uint32_t)m->nv);
    p = le_put_u32(p, (uint32_t)m->na);
    p = le_put_u32(p, (uint32_t)m->nu);
    p = le_put_f64(p, d->time);
    p = le_put_f64s(p, d->qpos, (size_t)m->nq);
    p = le_put_f64s(p, d->qvel, (size_t)m->nv);
    p = le_put_f64s(p, d->act, (size_t)m->na);
    p = le_put_f64s(p, d->ctrl, (size_t)m->nu);
    p = le_put_f64s(p, d->qacc_warmstart, (size_t)m->nv);
    p = le_put_f64s(p, e->memo, MJENV_MEMO);
    le_put_rng(p, &env->rng);
}

static int mjenv_state_load(acrl_env* env, const void* buf) {
    mjenv* e = env->data;
    const mjModel* m = e->m;
    mjData* d = e->d;
    const uint8_t* p = buf;
    uint32_t magic = le_get_u32(&p), nq = le_get_u32(&p), nv = le_get_u32(&p), na = le_get_u32(&p),
             nu = le_get_u32(&p);
    if (magic != MJENV_SNAP_MAGIC || nq != (uint32_t)m->nq || nv != (uint32_t)m->nv || na != (uint32_t)m->na ||
        nu != (uint32_t)m->nu)
        return -1;
    const uint8_t* rp = (const uint8_t*)buf + MJENV_SNAP_HEAD + 8 * snap_doubles(m);
    acrl_rng rng;
    if (le_get_rng(&rp, &rng)) return -1;
    d->time = le_get_f64(&p);
    le_get_f64s(&p, d->qpos, (size_t)m->nq);
    le_get_f64s(&p, d->qvel, (size_t)m->nv);
    le_get_f64s(&p, d->act, (size_t)m->na);
    le_get_f64s(&p, d->ctrl, (size_t)m->nu);
    le_get_f64s(&p, d->qacc_warmstart, (size_t)m->nv);
    le_get_f64s(&p, e->memo, MJENV_MEMO);
    env->rng = rng;
    return 0;
}

static void mjenv_close(acrl_env* env) {
    if (!env) return;
    mjenv* e = env->data;
    if (e) {
        if (e->d) mj_deleteData(e->d);
        shared_release(e->shared);
        free(e);
    }
    free(env->obs_space.low);
    free(env->obs_space.high);
    free(env->act_space.low);
    free(env->act_space.high);
    /* acrl_env_close frees env itself */
}

static const acrl_env_vtable mjenv_vtable = {
    .reset = mjenv_reset,
    .step = mjenv_step,
    .set_state = mjenv_set_state,
    .state_bytes = mjenv_state_bytes,
    .state_save = mjenv_state_save,
    .state_load = mjenv_state_load,
    .close = mjenv_close,
};

/* ---- construction ------------------------------------------------------------------ */

static int box_init(acrl_space* s, int dim) {
    s->kind = ACRL_SPACE_BOX;
    s->dim = dim;
    s->n = 0;
    s->low = malloc(sizeof(float) * (size_t)dim);
    s->high = malloc(sizeof(float) * (size_t)dim);
    return s->low && s->high ? 0 : -1;
}

acrl_env* mjenv_create(const mjenv_task* task, const acrl_env_options* opt, char* err, size_t errlen) {
    char path[PATH_MAX + 64];
    if (model_path(path, sizeof path, task->model_file, opt)) {
        snprintf(err, errlen, "%s: model path too long (at most %zu bytes)", task->id, sizeof path - 1);
        return NULL;
    }
    mjenv_shared* shared = shared_acquire(path, err, errlen);
    if (!shared) return NULL;
    const mjModel* m = shared->m;
    if (m->nq != task->nq || m->nv != task->nv || m->nu != task->nu) {
        snprintf(err, errlen, "%s: model '%s' has nq=%d nv=%d nu=%d; the task needs nq=%d nv=%d nu=%d",
                 task->id, path, m->nq, m->nv, m->nu, task->nq, task->nv, task->nu);
        shared_release(shared);
        return NULL;
    }
    acrl_env* env = calloc(1, sizeof *env);
    mjenv* e = calloc(1, sizeof *e);
    if (!env || !e) {
        free(env);
        free(e);
        shared_release(shared);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    env->data = e;
    e->shared = shared;
    if (box_init(&env->obs_space, task->obs_dim) || box_init(&env->act_space, m->nu) ||
        !(e->d = mj_makeData(m))) {
        mjenv_close(env);
        free(env);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->task = task;
    e->shared = shared;
    e->m = m;
    e->dt = m->opt.timestep * task->frame_skip;
    env->vt = &mjenv_vtable;
    env->id = task->id;
    env->state_dim = m->nq + m->nv;
    for (int i = 0; i < task->obs_dim; i++) {
        env->obs_space.low[i] = -INFINITY;
        env->obs_space.high[i] = INFINITY;
    }
    /* Gymnasium: Box(actuator_ctrlrange.astype(float32)) */
    for (int i = 0; i < m->nu; i++) {
        bool lim = m->actuator_ctrllimited[i];
        env->act_space.low[i] = lim ? (float)m->actuator_ctrlrange[2 * i] : -INFINITY;
        env->act_space.high[i] = lim ? (float)m->actuator_ctrlrange[2 * i + 1] : INFINITY;
    }
    env->num_costs = task->speed_dims ? 1 : 0;
    acrl_rng_seed(&env->rng, 0);
    if (task->bind && task->bind(e, err, errlen)) {
        mjenv_close(env);
        free(env);
        return NULL;
    }
    /* A valid state before the first reset: the model's initial configuration. */
    mj_forward(m, e->d);
    task->remember(e);
    return env;
}

const void* acrl_mujoco_model(const acrl_env* env) {
    return env && env->vt == &mjenv_vtable ? ((const mjenv*)env->data)->m : NULL;
}

void* acrl_mujoco_data(acrl_env* env) {
    return env && env->vt == &mjenv_vtable ? ((mjenv*)env->data)->d : NULL;
}

int acrl_mujoco_frame_skip(const acrl_env* env) {
    return env && env->vt == &mjenv_vtable ? ((const mjenv*)env->data)->task->frame_skip : 0;
}

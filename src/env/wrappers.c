/* Env wrappers (time limit, action repeat, action rescale/clip, observation and reward
 * normalization) and the running mean/variance they share.
 *
 * A wrapper is one allocation: a struct whose first member is the acrl_env, so
 * acrl_env_close() frees it with free(); vt->close closes the inner env. A wrapper's
 * snapshot is a 4-byte tag, its own evolving fields, then the inner env's snapshot. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/env.h"
#include "env/wrap_internal.h"
#include "io/le.h"

/* ---- running statistics (Chan et al. parallel update, as Gymnasium's RunningMeanStd) -- */

int acrl_running_stat_init(acrl_running_stat* s, int dim) {
    if (dim < 1) { s->dim = 0; s->mean = s->var = NULL; return -1; }
    s->dim = dim;
    s->mean = (double*)malloc(2 * (size_t)dim * sizeof(double));
    if (!s->mean) { s->var = NULL; return -1; }
    s->var = s->mean + dim;
    for (int i = 0; i < dim; i++) { s->mean[i] = 0.0; s->var[i] = 1.0; }
    s->count = 1e-4;
    return 0;
}

void acrl_running_stat_free(acrl_running_stat* s) {
    free(s->mean);
    s->mean = s->var = NULL;
}

/* Merges one column's batch moments (mean bm, population variance bv, n samples). */
static void rs_merge(acrl_running_stat* s, int j, double bm, double bv, double n) {
    double delta = bm - s->mean[j];
    double tot = s->count + n;
    s->mean[j] = s->mean[j] + delta * n / tot;
    double m2 = s->var[j] * s->count + bv * n + delta * delta * s->count * n / tot;
    s->var[j] = m2 / tot;
}

void acrl_running_stat_update(acrl_running_stat* s, const double* x, int n) {
    if (n <= 0) return;
    int d = s->dim;
    for (int j = 0; j < d; j++) {
        double sum = 0.0, sq = 0.0;
        for (int i = 0; i < n; i++) sum += x[(size_t)i * d + j];
        double bm = sum / n;
        for (int i = 0; i < n; i++) { double c = x[(size_t)i * d + j] - bm; sq += c * c; }
        rs_merge(s, j, bm, sq / n, (double)n);
    }
    s->count += n;
}

void acrl_running_stat_update_f(acrl_running_stat* s, const float* x, int n) {
    if (n <= 0) return;
    int d = s->dim;
    for (int j = 0; j < d; j++) {
        double sum = 0.0, sq = 0.0;
        for (int i = 0; i < n; i++) sum += (double)x[(size_t)i * d + j];
        double bm = sum / n;
        for (int i = 0; i < n; i++) { double c = (double)x[(size_t)i * d + j] - bm; sq += c * c; }
        rs_merge(s, j, bm, sq / n, (double)n);
    }
    s->count += n;
}

void acrl_running_stat_merge(acrl_running_stat* s, const double* mean, const double* var, double n) {
    if (n <= 0) return;
    for (int j = 0; j < s->dim; j++) rs_merge(s, j, mean[j], var[j], n);
    s->count += n;
}

/* ---- shared wrapper plumbing ---------------------------------------------------- */

#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

/* Closes inner and writes "<what>: <message>"; returns NULL for the constructors. */
static acrl_env* wrap_fail(acrl_env* inner, const char* what, const char* msg, char* err, size_t errlen) {
    if (err && errlen) snprintf(err, errlen, "%s: %s", what, msg);
    acrl_env_close(inner);
    return NULL;
}

/* Allocates a wrapper struct of `size` bytes around inner, copying inner's spaces. */
static acrl_env* wrap_alloc(acrl_env* inner, const acrl_env_vtable* vt, size_t size, const char* what,
                            char* err, size_t errlen) {
    if (!inner) return NULL;
    acrl_env* w = (acrl_env*)calloc(1, size);
    if (!w) return wrap_fail(inner, what, "out of memory", err, errlen);
    w->vt = vt;
    w->id = inner->id;
    w->obs_space = inner->obs_space;
    w->act_space = inner->act_space;
    w->state_dim = inner->state_dim;
    w->inner = inner;
    w->data = w;
    return w;
}

static void wrap_reset(acrl_env* env, float* obs) { env->inner->vt->reset(env->inner, obs); }

static int wrap_set_state(acrl_env* env, const double* state, int n, float* obs, char* err, size_t errlen) {
    acrl_env* in = env->inner;
    if (!in->vt->set_state) {
        if (err && errlen) snprintf(err, errlen, "%s does not support setting the state", env->id);
        return -1;
    }
    return in->vt->set_state(in, state, n, obs, err, errlen);
}

static void wrap_close(acrl_env* env) {
    acrl_env_close(env->inner);
    env->inner = NULL;
}

static size_t inner_bytes(const acrl_env* env) {
    const acrl_env* in = env->inner;
    return in->vt->state_bytes ? in->vt->state_bytes(in) : 0;
}

static void inner_save(const acrl_env* env, unsigned char* buf) {
    const acrl_env* in = env->inner;
    if (in->vt->state_save) in->vt->state_save(in, buf);
}

static int inner_load(acrl_env* env, const unsigned char* buf) {
    acrl_env* in = env->inner;
    return in->vt->state_load ? in->vt->state_load(in, buf) : 0;
}

/* Writes the uint32 tag, own fields (n float64s) then the inner snapshot. */
static void snap_save(const acrl_env* env, void* buf, uint32_t tag, const double* own, size_t n) {
    uint8_t* p = le_put_u32(buf, tag);
    inner_save(env, le_put_f64s(p, own, n));
}

/* Checks the tag, reads own fields (n float64s), loads the inner snapshot. */
static int snap_load(acrl_env* env, const void* buf, uint32_t tag, double* own, size_t n) {
    const uint8_t* p = buf;
    if (le_get_u32(&p) != tag) return -1;
    le_get_f64s(&p, own, n);
    return inner_load(env, p);
}

static inline float clampf(float x, float lo, float hi) { return x < lo ? lo : x > hi ? hi : x; }
static inline double clampd(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

/* ---- time limit ------------------------------------------------------------------- */

#define TAG_TIME TAG('T', 'L', 'I', 'M')

static void time_limit_reset(acrl_env* env, float* obs) {
    ((acrl_time_limit*)env)->elapsed = 0;
    wrap_reset(env, obs);
}

static void time_limit_step(acrl_env* env, const float* action, float* obs, double* reward,
                            bool* terminated, bool* truncated) {
    acrl_time_limit* w = (acrl_time_limit*)env;
    env->inner->vt->step(env->inner, action, obs, reward, terminated, truncated);
    if (++w->elapsed >= w->max_steps) *truncated = true;
}

/* snapshot: tag, int32 elapsed steps, inner */
static size_t time_limit_bytes(const acrl_env* env) { return 4 + 4 + inner_bytes(env); }
static void time_limit_save(const acrl_env* env, void* buf) {
    uint8_t* p = le_put_u32(buf, TAG_TIME);
    inner_save(env, le_put_i32(p, ((const acrl_time_limit*)env)->elapsed));
}
static int time_limit_load(acrl_env* env, const void* buf) {
    const uint8_t* p = buf;
    if (le_get_u32(&p) != TAG_TIME) return -1;
    int32_t elapsed = le_get_i32(&p);
    if (elapsed < 0) return -1;
    ((acrl_time_limit*)env)->elapsed = elapsed;
    return inner_load(env, p);
}

const acrl_env_vtable acrl_time_limit_vtable = {
    time_limit_reset, time_limit_step, wrap_set_state,
    time_limit_bytes, time_limit_save, time_limit_load, wrap_close,
};

acrl_env* acrl_wrap_time_limit(acrl_env* inner, int max_steps, char* err, size_t errlen) {
    if (inner && max_steps < 1) {
        char msg[64];
        snprintf(msg, sizeof msg, "max_steps must be >= 1, got %d", max_steps);
        return wrap_fail(inner, "time limit", msg, err, errlen);
    }
    acrl_time_limit* w = (acrl_time_limit*)wrap_alloc(inner, &acrl_time_limit_vtable, sizeof *w, "time limit",
                                                      err, errlen);
    if (!w) return NULL;
    w->max_steps = max_steps;
    return &w->env;
}

/* ---- action repeat ------------------------------------------------------------------ */

#define TAG_REPEAT TAG('A', 'R', 'E', 'P')

typedef struct {
    acrl_env env;
    int k;
} action_repeat;

static void action_repeat_step(acrl_env* env, const float* action, float* obs, double* reward,
                               bool* terminated, bool* truncated) {
    int k = ((action_repeat*)env)->k;
    double total = 0.0;
    for (int i = 0; i < k; i++) {
        double r;
        env->inner->vt->step(env->inner, action, obs, &r, terminated, truncated);
        total += r;
        if (*terminated || *truncated) break;
    }
    *reward = total;
}

static size_t tag_only_bytes(const acrl_env* env) { return 4 + inner_bytes(env); }
static void action_repeat_save(const acrl_env* env, void* buf) { snap_save(env, buf, TAG_REPEAT, NULL, 0); }
static int action_repeat_load(acrl_env* env, const void* buf) { return snap_load(env, buf, TAG_REPEAT, NULL, 0); }

static const acrl_env_vtable action_repeat_vtable = {
    wrap_reset, action_repeat_step, wrap_set_state,
    tag_only_bytes, action_repeat_save, action_repeat_load, wrap_close,
};

acrl_env* acrl_wrap_action_repeat(acrl_env* inner, int k, char* err, size_t errlen) {
    if (inner && k < 1) {
        char msg[64];
        snprintf(msg, sizeof msg, "the repeat count must be >= 1, got %d", k);
        return wrap_fail(inner, "action repeat", msg, err, errlen);
    }
    action_repeat* w = (action_repeat*)wrap_alloc(inner, &action_repeat_vtable, sizeof *w, "action repeat",
                                                  err, errlen);
    if (!w) return NULL;
    w->k = k;
    return &w->env;
}

/* ---- rescale / clip actions (Box only; Discrete spaces get inner back unchanged) ---- */

#define TAG_RESCALE TAG('R', 'S', 'C', 'L')
#define TAG_CLIP    TAG('C', 'L', 'I', 'P')

typedef struct {
    acrl_env env;
    float* low;      /* (dim) -1: the wrapper's own action space */
    float* high;     /* (dim) +1 */
    float* scratch;  /* (dim) the action passed to the inner env */
    float  buf[];    /* 3 * dim */
} action_map;

/* Float32 arithmetic, as Gymnasium's RescaleAction does on float32 arrays:
 * low + (high - low) * ((a - (-1)) / (1 - (-1))). Non-finite bounds pass a through. */
static void rescale_step(acrl_env* env, const float* action, float* obs, double* reward,
                         bool* terminated, bool* truncated) {
    action_map* w = (action_map*)env;
    const acrl_space* in = &env->inner->act_space;
    for (int i = 0; i < in->dim; i++) {
        float a = clampf(action[i], -1.0f, 1.0f), lo = in->low[i], hi = in->high[i];
        w->scratch[i] = isfinite(lo) && isfinite(hi) ? lo + (hi - lo) * ((a + 1.0f) / 2.0f) : a;
    }
    env->inner->vt->step(env->inner, w->scratch, obs, reward, terminated, truncated);
}

static void clip_step(acrl_env* env, const float* action, float* obs, double* reward,
                      bool* terminated, bool* truncated) {
    action_map* w = (action_map*)env;
    const acrl_space* in = &env->inner->act_space;
    for (int i = 0; i < in->dim; i++) w->scratch[i] = clampf(action[i], in->low[i], in->high[i]);
    env->inner->vt->step(env->inner, w->scratch, obs, reward, terminated, truncated);
}

static void rescale_save(const acrl_env* env, void* buf) { snap_save(env, buf, TAG_RESCALE, NULL, 0); }
static int rescale_load(acrl_env* env, const void* buf) { return snap_load(env, buf, TAG_RESCALE, NULL, 0); }
static void clip_save(const acrl_env* env, void* buf) { snap_save(env, buf, TAG_CLIP, NULL, 0); }
static int clip_load(acrl_env* env, const void* buf) { return snap_load(env, buf, TAG_CLIP, NULL, 0); }

static const acrl_env_vtable rescale_vtable = {
    wrap_reset, rescale_step, wrap_set_state, tag_only_bytes, rescale_save, rescale_load, wrap_close,
};
static const acrl_env_vtable clip_vtable = {
    wrap_reset, clip_step, wrap_set_state, tag_only_bytes, clip_save, clip_load, wrap_close,
};

static acrl_env* action_map_wrap(acrl_env* inner, const acrl_env_vtable* vt, bool unit_box, char* err, size_t errlen) {
    if (!inner || inner->act_space.kind != ACRL_SPACE_BOX) return inner;
    int d = inner->act_space.dim;
    action_map* w = (action_map*)wrap_alloc(inner, vt, sizeof(action_map) + 3 * (size_t)d * sizeof(float),
                                            unit_box ? "rescale action" : "clip action", err, errlen);
    if (!w) return NULL;
    w->low = w->buf;
    w->high = w->buf + d;
    w->scratch = w->buf + 2 * d;
    for (int i = 0; i < d; i++) { w->low[i] = -1.0f; w->high[i] = 1.0f; }
    if (unit_box) { w->env.act_space.low = w->low; w->env.act_space.high = w->high; }
    return &w->env;
}

acrl_env* acrl_wrap_rescale_action(acrl_env* inner, char* err, size_t errlen) {
    return action_map_wrap(inner, &rescale_vtable, true, err, errlen);
}
acrl_env* acrl_wrap_clip_action(acrl_env* inner, char* err, size_t errlen) {
    return action_map_wrap(inner, &clip_vtable, false, err, errlen);
}

/* ---- partial observability: hidden entries, observation noise, frame stacking ------------ */

#define TAG_PARTIAL TAG('P', 'O', 'B', 'S')

typedef struct {
    acrl_env env;
    int    n_in, n_keep;    /* inner observation size, entries kept */
    int    n_stack;         /* frames in the observation (1: the current one) */
    double noise;           /* std of the Gaussian noise on the kept entries (0: none) */
    int*   keep;            /* (n_keep) inner indices kept, ascending */
    float* clean;           /* (n_in) the inner env's last observation: the privileged state */
    float* frames;          /* (n_stack, n_keep) the observation: frames oldest first */
    float* low;             /* (n_stack * n_keep) the wrapper's observation bounds */
    float* high;
} partial_obs;

/* The newest frame clean[keep] + noise * N(0, 1) (drawn in entry order from the base env's
 * RNG) into the stack (fill: into every slot, at an episode start), then obs = the stack. */
static void partial_apply(partial_obs* w, float* obs, bool noisy, bool fill) {
    acrl_rng* rng = &acrl_env_unwrapped(&w->env)->rng;
    const int k = w->n_keep;
    float* f = w->frames + (size_t)(w->n_stack - 1) * k;
    if (!fill && w->n_stack > 1) memmove(w->frames, w->frames + k, sizeof(float) * (size_t)(w->n_stack - 1) * k);
    for (int j = 0; j < k; j++) {
        double x = w->clean[w->keep[j]];
        if (noisy && w->noise > 0) x += w->noise * acrl_rng_normal(rng);
        f[j] = (float)x;
    }
    for (int s = 0; fill && s < w->n_stack - 1; s++) memcpy(w->frames + (size_t)s * k, f, sizeof(float) * (size_t)k);
    memcpy(obs, w->frames, sizeof(float) * (size_t)w->n_stack * k);
}

static void partial_reset(acrl_env* env, float* obs) {
    partial_obs* w = (partial_obs*)env;
    env->inner->vt->reset(env->inner, w->clean);
    partial_apply(w, obs, true, true);
}

static void partial_step(acrl_env* env, const float* action, float* obs, double* reward, bool* terminated,
                         bool* truncated) {
    partial_obs* w = (partial_obs*)env;
    env->inner->vt->step(env->inner, action, w->clean, reward, terminated, truncated);
    partial_apply(w, obs, true, false);
}

static int partial_set_state(acrl_env* env, const double* state, int n, float* obs, char* err, size_t errlen) {
    partial_obs* w = (partial_obs*)env;
    if (acrl_env_set_state(env->inner, state, n, w->clean, err, errlen)) return -1;
    partial_apply(w, obs, false, true);
    return 0;
}

static void partial_priv(const acrl_env* env, float* out) {
    const partial_obs* w = (const partial_obs*)env;
    memcpy(out, w->clean, sizeof(float) * (size_t)w->n_in);
}

/* snapshot: tag, float32 clean observation (n_in), float32 frames (n_stack * n_keep), inner */
static size_t partial_floats(const partial_obs* w) { return (size_t)w->n_in + (size_t)w->n_stack * (size_t)w->n_keep; }
static size_t partial_bytes(const acrl_env* env) {
    return 4 + 4 * partial_floats((const partial_obs*)env) + inner_bytes(env);
}
static void partial_save(const acrl_env* env, void* buf) {
    const partial_obs* w = (const partial_obs*)env;
    uint8_t* p = le_put_u32(buf, TAG_PARTIAL);
    p = le_put_f32s(p, w->clean, (size_t)w->n_in);
    inner_save(env, le_put_f32s(p, w->frames, (size_t)w->n_stack * (size_t)w->n_keep));
}
static int partial_load(acrl_env* env, const void* buf) {
    partial_obs* w = (partial_obs*)env;
    const uint8_t* p = buf;
    if (le_get_u32(&p) != TAG_PARTIAL) return -1;
    const size_t n = partial_floats(w);
    float* tmp = malloc(sizeof(float) * n);
    if (!tmp) return -1;
    le_get_f32s(&p, tmp, n);
    int bad = 0;
    for (size_t i = 0; i < n; i++) bad |= !isfinite(tmp[i]);
    if (!bad && inner_load(env, p) == 0) {
        memcpy(w->clean, tmp, sizeof(float) * (size_t)w->n_in);
        memcpy(w->frames, tmp + w->n_in, sizeof(float) * (n - (size_t)w->n_in));
    } else {
        bad = 1;
    }
    free(tmp);
    return bad ? -1 : 0;
}

static void partial_close(acrl_env* env) {
    partial_obs* w = (partial_obs*)env;
    free(w->keep);
    free(w->clean);
    free(w->frames);
    free(w->low);
    wrap_close(env);
}

static const acrl_env_vtable partial_vtable = {
    partial_reset, partial_step, partial_set_state, partial_bytes, partial_save, partial_load, partial_close,
};

acrl_env* acrl_wrap_partial_obs(acrl_env* inner, const int* hide, int n_hide, double noise_std, int n_stack, char* err,
                                size_t errlen) {
    if (!inner) return NULL;
    const int n = inner->obs_space.dim;
    if (inner->obs_space.kind != ACRL_SPACE_BOX || n < 1)
        return wrap_fail(inner, "partial observation", "needs a Box observation space", err, errlen);
    if (!(noise_std >= 0 && noise_std <= 1e6) || n_hide < 0 || n_hide >= n || n_stack < 1 || n_stack > 64)
        return wrap_fail(inner, "partial observation", "the noise std must be in [0, 1e6], at least one entry kept and "
                         "1 to 64 frames stacked", err, errlen);
    bool hidden[n];
    memset(hidden, 0, sizeof hidden);
    for (int i = 0; i < n_hide; i++) {
        if (hide[i] < 0 || hide[i] >= n || hidden[hide[i]])
            return wrap_fail(inner, "partial observation", "hidden indices must be distinct and inside the observation",
                             err, errlen);
        hidden[hide[i]] = true;
    }
    partial_obs* w = (partial_obs*)wrap_alloc(inner, &partial_vtable, sizeof *w, "partial observation", err, errlen);
    if (!w) return NULL;
    w->n_in = n;
    w->n_keep = n - n_hide;
    w->n_stack = n_stack;
    w->noise = noise_std;
    const size_t od = (size_t)w->n_keep * (size_t)n_stack;
    w->keep = malloc(sizeof(int) * (size_t)w->n_keep);
    w->clean = calloc((size_t)n, sizeof(float));
    w->frames = calloc(od, sizeof(float));
    w->low = malloc(2 * sizeof(float) * od);
    if (!w->keep || !w->clean || !w->frames || !w->low) {
        acrl_env_close(&w->env);
        if (err && errlen) snprintf(err, errlen, "partial observation: out of memory");
        return NULL;
    }
    w->high = w->low + od;
    for (int i = 0, j = 0; i < n; i++) {
        if (hidden[i]) continue;
        w->keep[j] = i;
        for (int s = 0; s < n_stack; s++) {
            w->low[(size_t)s * w->n_keep + j] = noise_std > 0 ? -INFINITY : inner->obs_space.low[i];
            w->high[(size_t)s * w->n_keep + j] = noise_std > 0 ? INFINITY : inner->obs_space.high[i];
        }
        j++;
    }
    w->env.obs_space.dim = (int)od;
    w->env.obs_space.low = w->low;
    w->env.obs_space.high = w->high;
    memset(w->env.obs_space.shape, 0, sizeof w->env.obs_space.shape);
    w->env.priv_state = partial_priv;
    w->env.priv_dim = n;
    return &w->env;
}

/* ---- observation normalization (Gymnasium NormalizeObservation) ---------------------- */

#define TAG_NORM_OBS TAG('N', 'O', 'B', 'S')

typedef struct {
    acrl_env env;
    acrl_running_stat rs;   /* dim = obs dim */
    double eps, clip;       /* clip <= 0: none */
    bool training;          /* false: statistics frozen */
} norm_obs;

/* Updates the statistics with obs (if training), then obs = (obs - mean) / sqrt(var + eps). */
static void norm_obs_apply(norm_obs* w, float* obs) {
    acrl_running_stat* s = &w->rs;
    if (w->training) acrl_running_stat_update_f(s, obs, 1);
    for (int i = 0; i < s->dim; i++) {
        double z = ((double)obs[i] - s->mean[i]) / sqrt(s->var[i] + w->eps);
        if (w->clip > 0) z = clampd(z, -w->clip, w->clip);
        obs[i] = (float)z;
    }
}

static void norm_obs_reset(acrl_env* env, float* obs) {
    wrap_reset(env, obs);
    norm_obs_apply((norm_obs*)env, obs);
}

static void norm_obs_step(acrl_env* env, const float* action, float* obs, double* reward,
                          bool* terminated, bool* truncated) {
    env->inner->vt->step(env->inner, action, obs, reward, terminated, truncated);
    norm_obs_apply((norm_obs*)env, obs);
}

/* set_state: normalizes the new observation without touching the statistics. */
static int norm_obs_set_state(acrl_env* env, const double* state, int n, float* obs, char* err, size_t errlen) {
    norm_obs* w = (norm_obs*)env;
    int rc = wrap_set_state(env, state, n, obs, err, errlen);
    if (rc == 0) {
        bool t = w->training;
        w->training = false;
        norm_obs_apply(w, obs);
        w->training = t;
    }
    return rc;
}

/* own fields: count, mean (dim), var (dim) */
static size_t norm_obs_bytes(const acrl_env* env) {
    const norm_obs* w = (const norm_obs*)env;
    return 4 + (1 + 2 * (size_t)w->rs.dim) * sizeof(double) + inner_bytes(env);
}

static void norm_obs_save(const acrl_env* env, void* buf) {
    const norm_obs* w = (const norm_obs*)env;
    size_t d = (size_t)w->rs.dim;
    uint8_t* p = le_put_u32(buf, TAG_NORM_OBS);
    p = le_put_f64(p, w->rs.count);
    inner_save(env, le_put_f64s(p, w->rs.mean, 2 * d)); /* mean, var adjacent */
}

static int norm_obs_load(acrl_env* env, const void* buf) {
    norm_obs* w = (norm_obs*)env;
    size_t d = (size_t)w->rs.dim;
    const uint8_t* p = buf;
    if (le_get_u32(&p) != TAG_NORM_OBS) return -1;
    w->rs.count = le_get_f64(&p);
    le_get_f64s(&p, w->rs.mean, 2 * d);
    return inner_load(env, p);
}

static void norm_obs_close(acrl_env* env) {
    acrl_running_stat_free(&((norm_obs*)env)->rs);
    wrap_close(env);
}

static const acrl_env_vtable norm_obs_vtable = {
    norm_obs_reset, norm_obs_step, norm_obs_set_state,
    norm_obs_bytes, norm_obs_save, norm_obs_load, norm_obs_close,
};

acrl_env* acrl_wrap_normalize_obs(acrl_env* inner, double epsilon, double clip, char* err, size_t errlen) {
    if (inner && (!(epsilon >= 0) || isnan(clip) || inner->obs_space.dim < 1)) {
        char msg[160];
        snprintf(msg, sizeof msg, "needs epsilon >= 0, a clip that is not NaN and observations (epsilon %g, clip %g, "
                 "dim %d)", epsilon, clip, inner->obs_space.dim);
        return wrap_fail(inner, "normalize observations", msg, err, errlen);
    }
    norm_obs* w = (norm_obs*)wrap_alloc(inner, &norm_obs_vtable, sizeof *w, "normalize observations", err, errlen);
    if (!w) return NULL;
    if (acrl_running_stat_init(&w->rs, inner->obs_space.dim) != 0)
        return wrap_fail(&w->env, "normalize observations", "out of memory", err, errlen);
    w->eps = epsilon;
    w->clip = clip;
    w->training = true;
    return &w->env;
}

/* ---- reward normalization (Gymnasium NormalizeReward) ----------------------------------
 * ret = ret * gamma * (1 - terminated) + r; stats.update(ret); r / sqrt(var + eps).
 * As in Gymnasium, a terminated step restarts the discounted return; truncation does not. */

#define TAG_NORM_REW TAG('N', 'R', 'E', 'W')

typedef struct {
    acrl_env env;
    acrl_running_stat rs;   /* dim 1 */
    double ret;             /* discounted return accumulator */
    double gamma, eps, clip;
    bool training;
} norm_rew;

static void norm_rew_step(acrl_env* env, const float* action, float* obs, double* reward,
                          bool* terminated, bool* truncated) {
    norm_rew* w = (norm_rew*)env;
    env->inner->vt->step(env->inner, action, obs, reward, terminated, truncated);
    w->ret = w->ret * w->gamma * (double)(1 - (int)*terminated) + *reward;
    if (w->training) acrl_running_stat_update(&w->rs, &w->ret, 1);
    double r = *reward / sqrt(w->rs.var[0] + w->eps);
    if (w->clip > 0) r = clampd(r, -w->clip, w->clip);
    *reward = r;
}

/* own fields: count, mean, var, ret */
static size_t norm_rew_bytes(const acrl_env* env) { return 4 + 4 * sizeof(double) + inner_bytes(env); }

static void norm_rew_save(const acrl_env* env, void* buf) {
    const norm_rew* w = (const norm_rew*)env;
    double own[4] = { w->rs.count, w->rs.mean[0], w->rs.var[0], w->ret };
    snap_save(env, buf, TAG_NORM_REW, own, 4);
}

static int norm_rew_load(acrl_env* env, const void* buf) {
    norm_rew* w = (norm_rew*)env;
    double own[4];
    int rc = snap_load(env, buf, TAG_NORM_REW, own, 4);
    if (rc == 0) { w->rs.count = own[0]; w->rs.mean[0] = own[1]; w->rs.var[0] = own[2]; w->ret = own[3]; }
    return rc;
}

static void norm_rew_close(acrl_env* env) {
    acrl_running_stat_free(&((norm_rew*)env)->rs);
    wrap_close(env);
}

static const acrl_env_vtable norm_rew_vtable = {
    wrap_reset, norm_rew_step, wrap_set_state,
    norm_rew_bytes, norm_rew_save, norm_rew_load, norm_rew_close,
};

acrl_env* acrl_wrap_normalize_reward(acrl_env* inner, double gamma, double epsilon, double clip,
                                     char* err, size_t errlen) {
    if (inner && (!(gamma >= 0 && gamma <= 1) || !(epsilon >= 0) || isnan(clip))) {
        char msg[160];
        snprintf(msg, sizeof msg, "needs gamma in [0, 1], epsilon >= 0 and a clip that is not NaN (gamma %g, "
                 "epsilon %g, clip %g)", gamma, epsilon, clip);
        return wrap_fail(inner, "normalize reward", msg, err, errlen);
    }
    norm_rew* w = (norm_rew*)wrap_alloc(inner, &norm_rew_vtable, sizeof *w, "normalize reward", err, errlen);
    if (!w) return NULL;
    if (acrl_running_stat_init(&w->rs, 1) != 0)
        return wrap_fail(&w->env, "normalize reward", "out of memory", err, errlen);
    w->gamma = gamma;
    w->eps = epsilon;
    w->clip = clip;
    w->training = true;
    return &w->env;
}

/* ---- access to the normalizers ------------------------------------------------------- */

int acrl_wrap_normalize_set_training(acrl_env* env, bool training) {
    int n = 0;
    for (acrl_env* e = env; e; e = e->inner) {
        if (e->vt == &norm_obs_vtable) { ((norm_obs*)e)->training = training; n++; }
        else if (e->vt == &norm_rew_vtable) { ((norm_rew*)e)->training = training; n++; }
    }
    return n;
}

acrl_running_stat* acrl_wrap_obs_stat(acrl_env* env) {
    for (acrl_env* e = env; e; e = e->inner)
        if (e->vt == &norm_obs_vtable) return &((norm_obs*)e)->rs;
    return NULL;
}

acrl_running_stat* acrl_wrap_reward_stat(acrl_env* env) {
    for (acrl_env* e = env; e; e = e->inner)
        if (e->vt == &norm_rew_vtable) return &((norm_rew*)e)->rs;
    return NULL;
}

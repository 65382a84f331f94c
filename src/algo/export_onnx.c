/* `acrl export --format onnx`: a policy description (export.h) as an ONNX model (IR version 8,
 * opset 17), encoded here directly in the protobuf wire format (no protobuf library: the few
 * messages needed are varints, fixed32 floats and length-prefixed strings, bytes and messages).
 *
 * Graph: obs (N, obs_dim) float -> [Cast to float64, Sub mean, Div std, Clip, Cast to float]
 * -> Gemm (+ activation) per layer -> head (Tanh, Mul scale, Add bias; ArgMax + Cast) ->
 * Min high, Max low -> action (N, act_dim) float. Field numbers are those of onnx.proto. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acrl.h"
#include "algo/export.h"

/* ---- protobuf wire format ------------------------------------------------------------- */

typedef struct {
    uint8_t* p;
    size_t   n, cap;
    bool     oom;
} pb;

static void pb_bytes(pb* b, const void* d, size_t n) {
    if (b->oom) return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n) cap *= 2;
        uint8_t* p = realloc(b->p, cap);
        if (!p) { b->oom = true; return; }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void pb_varint(pb* b, uint64_t v) {
    uint8_t t[10];
    int n = 0;
    do {
        t[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    pb_bytes(b, t, (size_t)n);
}

enum { WT_VARINT = 0, WT_LEN = 2, WT_FIXED32 = 5 };

static void pb_key(pb* b, int field, int wt) { pb_varint(b, (uint64_t)field << 3 | (uint64_t)wt); }
static void pb_int(pb* b, int field, int64_t v) { pb_key(b, field, WT_VARINT); pb_varint(b, (uint64_t)v); }

static void pb_blob(pb* b, int field, const void* d, size_t n) {
    pb_key(b, field, WT_LEN);
    pb_varint(b, n);
    pb_bytes(b, d, n);
}

static void pb_str(pb* b, int field, const char* s) { pb_blob(b, field, s, strlen(s)); }

/* Embeds sub as field of b and frees it. */
static void pb_msg(pb* b, int field, pb* sub) {
    if (sub->oom) b->oom = true;
    pb_blob(b, field, sub->p, sub->n);
    free(sub->p);
    memset(sub, 0, sizeof *sub);
}

/* ---- ONNX messages ------------------------------------------------------------------------ */

enum { ONNX_FLOAT = 1, ONNX_INT64 = 7, ONNX_DOUBLE = 11 };  /* TensorProto.DataType */
enum { ATTR_INT = 2 };                                      /* AttributeProto.AttributeType */

typedef struct {
    pb  graph;
    int ntmp;
    char tmp[8][32];   /* ring of generated value names */
} onnx_builder;

/* A fresh value name ("v<k>"), valid until 8 more are made. */
static const char* fresh(onnx_builder* o) {
    char* s = o->tmp[o->ntmp % 8];
    snprintf(s, 32, "v%d", o->ntmp++);
    return s;
}

/* Initializer tensor name (dims) of n values of type (ONNX_FLOAT: float, ONNX_DOUBLE: double,
 * ONNX_INT64: int64_t), as little-endian raw data. */
static void initializer(onnx_builder* o, const char* name, const int64_t* dims, int ndims, const void* v,
                        size_t n, int type) {
    pb t = {0};
    for (int i = 0; i < ndims; i++) pb_int(&t, 1, dims[i]);      /* dims */
    pb_int(&t, 2, type);                                          /* data_type */
    pb_str(&t, 8, name);                                          /* name */
    size_t es = type == ONNX_FLOAT ? 4 : 8;
    uint8_t* raw = malloc(n * es + 1);
    if (!raw) { o->graph.oom = true; free(t.p); return; }
    for (size_t i = 0; i < n; i++) {
        uint64_t u = 0;
        if (es == 8) memcpy(&u, (const char*)v + i * 8, 8);
        else { uint32_t u32; memcpy(&u32, (const float*)v + i, 4); u = u32; }
        for (size_t k = 0; k < es; k++) raw[i * es + k] = (uint8_t)(u >> (8 * k));
    }
    pb_blob(&t, 9, raw, n * es);                                  /* raw_data */
    free(raw);
    pb_msg(&o->graph, 5, &t);                                     /* GraphProto.initializer */
}

/* int64 vector initializer (n values) */
static void init_i64s(onnx_builder* o, const char* name, const int64_t* v, int n) {
    int64_t d = n;
    initializer(o, name, &d, 1, v, (size_t)n, ONNX_INT64);
}

static void init_vec(onnx_builder* o, const char* name, const float* v, int n) {
    int64_t d = n;
    initializer(o, name, &d, 1, v, (size_t)n, ONNX_FLOAT);
}

static void init_scalar(onnx_builder* o, const char* name, float v) { initializer(o, name, NULL, 0, &v, 1, ONNX_FLOAT); }

/* A node op(in...) -> out with up to two integer attributes (NULL names: none). */
static void node(onnx_builder* o, const char* op, const char** in, int nin, const char* out, const char* a1,
                 int64_t v1, const char* a2, int64_t v2) {
    pb n = {0};
    for (int i = 0; i < nin; i++) pb_str(&n, 1, in[i]);          /* input */
    pb_str(&n, 2, out);                                           /* output */
    pb_str(&n, 4, op);                                            /* op_type */
    const char* an[2] = {a1, a2};
    int64_t av[2] = {v1, v2};
    for (int i = 0; i < 2; i++) {
        if (!an[i]) continue;
        pb a = {0};
        pb_str(&a, 1, an[i]);                                     /* name */
        pb_int(&a, 3, av[i]);                                     /* i */
        pb_int(&a, 20, ATTR_INT);                                 /* type */
        pb_msg(&n, 5, &a);                                        /* attribute */
    }
    pb_msg(&o->graph, 1, &n);                                     /* GraphProto.node */
}

/* out = op(a) or op(a, b); returns the output name (fresh unless out is given) */
static const char* op1(onnx_builder* o, const char* op, const char* a, const char* out) {
    const char* r = out ? out : fresh(o);
    node(o, op, &a, 1, r, NULL, 0, NULL, 0);
    return r;
}

static const char* op2(onnx_builder* o, const char* op, const char* a, const char* b, const char* out) {
    const char* in[2] = {a, b};
    const char* r = out ? out : fresh(o);
    node(o, op, in, 2, r, NULL, 0, NULL, 0);
    return r;
}

/* ValueInfoProto: name, float tensor (N, dim) */
static void value_info(onnx_builder* o, int field, const char* name, int dim) {
    pb d0 = {0}, d1 = {0}, shape = {0}, tensor = {0}, type = {0}, vi = {0};
    pb_str(&d0, 2, "N");                                          /* dim_param */
    pb_int(&d1, 1, dim);                                          /* dim_value */
    pb_msg(&shape, 1, &d0);
    pb_msg(&shape, 1, &d1);
    pb_int(&tensor, 1, ONNX_FLOAT);                               /* elem_type */
    pb_msg(&tensor, 2, &shape);                                   /* shape */
    pb_msg(&type, 1, &tensor);                                    /* tensor_type */
    pb_str(&vi, 1, name);
    pb_msg(&vi, 2, &type);
    pb_msg(&o->graph, field, &vi);
}

/* x -> activation(x) with ONNX operators (opset 17 has no Gelu: written out) */
static const char* activation(onnx_builder* o, acrl_act act, const char* x) {
    char u[32];
    snprintf(u, sizeof u, "%s", x);
    switch (act) {
    case ACRL_ACT_NONE: return x;
    case ACRL_ACT_TANH: return op1(o, "Tanh", u, NULL);
    case ACRL_ACT_RELU: return op1(o, "Relu", u, NULL);
    case ACRL_ACT_ELU: return op1(o, "Elu", u, NULL); /* alpha 1 */
    case ACRL_ACT_GELU: {
        /* 0.5 u (1 + erf(u / sqrt 2)) */
        char t[32];
        snprintf(t, sizeof t, "%s", op1(o, "Erf", op2(o, "Mul", u, "c_rsqrt2", NULL), NULL));
        snprintf(t, sizeof t, "%s", op2(o, "Add", t, "c_one", NULL));
        return op2(o, "Mul", op2(o, "Mul", u, "c_half", NULL), t, NULL);
    }
    case ACRL_ACT_GELU_TANH: {
        /* 0.5 u (1 + tanh(sqrt(2/pi) (u + 0.044715 u^3))) */
        char t[32];
        snprintf(t, sizeof t, "%s", op2(o, "Mul", op2(o, "Mul", u, u, NULL), u, NULL));
        snprintf(t, sizeof t, "%s", op2(o, "Add", u, op2(o, "Mul", t, "c_gelu", NULL), NULL));
        snprintf(t, sizeof t, "%s", op1(o, "Tanh", op2(o, "Mul", t, "c_s2pi", NULL), NULL));
        snprintf(t, sizeof t, "%s", op2(o, "Add", t, "c_one", NULL));
        return op2(o, "Mul", op2(o, "Mul", u, "c_half", NULL), t, NULL);
    }
    }
    return x;
}

int export_write_onnx(FILE* f, const export_desc* d, char* err, size_t errlen) {
    if (d->trees) {
        snprintf(err, errlen, "ONNX export of tree-ensemble policies (model = gbrl) is not supported: use --format c "
                              "(a C header of flat arrays) or --format ckpt");
        return -1;
    }
    onnx_builder o;
    memset(&o, 0, sizeof o);
    char x[32] = "obs", name[32];
    if (d->norm) {
        /* in float64 as acrl: (obs - mean) / std, clipped, then to float */
        int64_t dim = d->obs_dim;
        double lo = -(double)d->clip_obs, hi = (double)d->clip_obs;
        initializer(&o, "obs_mean", &dim, 1, d->mean, (size_t)d->obs_dim, ONNX_DOUBLE);
        initializer(&o, "obs_std", &dim, 1, d->std, (size_t)d->obs_dim, ONNX_DOUBLE);
        initializer(&o, "clip_lo", NULL, 0, &lo, 1, ONNX_DOUBLE);
        initializer(&o, "clip_hi", NULL, 0, &hi, 1, ONNX_DOUBLE);
        const char* in = "obs";
        node(&o, "Cast", &in, 1, "obs_f64", "to", ONNX_DOUBLE, NULL, 0);
        const char* z = op2(&o, "Div", op2(&o, "Sub", "obs_f64", "obs_mean", NULL), "obs_std", NULL);
        const char* cin[3] = {z, "clip_lo", "clip_hi"};
        node(&o, "Clip", cin, 3, "obs_clipped", NULL, 0, NULL, 0);
        in = "obs_clipped";
        node(&o, "Cast", &in, 1, "obs_norm", "to", ONNX_FLOAT, NULL, 0);
        snprintf(x, sizeof x, "obs_norm");
    }
    if (d->nlayers > 1 && (d->act == ACRL_ACT_GELU || d->act == ACRL_ACT_GELU_TANH)) {
        init_scalar(&o, "c_one", 1.0f);
        init_scalar(&o, "c_half", 0.5f);
        if (d->act == ACRL_ACT_GELU) init_scalar(&o, "c_rsqrt2", 0.70710678118654752440f);
        if (d->act == ACRL_ACT_GELU_TANH) init_scalar(&o, "c_gelu", 0.044715f);
        if (d->act == ACRL_ACT_GELU_TANH) init_scalar(&o, "c_s2pi", 0.7978845608028654f);
    }
    for (int l = 0; l < d->nlayers; l++) {
        char wn[32], bn[32];
        snprintf(wn, sizeof wn, "w%d", l);
        snprintf(bn, sizeof bn, "b%d", l);
        int64_t dims[2] = {d->sizes[l], d->sizes[l + 1]};
        initializer(&o, wn, dims, 2, d->w[l], (size_t)dims[0] * (size_t)dims[1], ONNX_FLOAT);
        init_vec(&o, bn, d->b[l], d->sizes[l + 1]);
        const char* in[3] = {x, wn, bn};
        snprintf(name, sizeof name, "z%d", l);
        node(&o, "Gemm", in, 3, name, NULL, 0, NULL, 0);
        if (d->ln_g[l]) {
            /* LayerNormalization over the last axis, epsilon 1e-5 (the defaults), as acrl */
            char gn[32], lbn[32], lo_[32];
            snprintf(gn, sizeof gn, "ln_g%d", l);
            snprintf(lbn, sizeof lbn, "ln_b%d", l);
            snprintf(lo_, sizeof lo_, "ln%d", l);
            init_vec(&o, gn, d->ln_g[l], d->sizes[l + 1]);
            init_vec(&o, lbn, d->ln_b[l], d->sizes[l + 1]);
            const char* lin[3] = {name, gn, lbn};
            node(&o, "LayerNormalization", lin, 3, lo_, NULL, 0, NULL, 0);
            snprintf(name, sizeof name, "%s", lo_);
        }
        snprintf(x, sizeof x, "%s", l < d->nlayers - 1 ? activation(&o, d->act, name) : name);
    }
    const char* y = x;
    if (d->head == EXPORT_HEAD_ARGMAX) {
        const char* xin = x;
        y = fresh(&o);
        node(&o, "ArgMax", &xin, 1, y, "axis", 1, "keepdims", 1); /* first maximal index, as acrl */
        node(&o, "Cast", &y, 1, "action", "to", ONNX_FLOAT, NULL, 0);
    } else {
        if (d->head == EXPORT_HEAD_MIXTURE) {
            /* the gate's argmax as a one-hot (N, K, 1) times the experts' means (N, K, D), summed
             * over K: picks the chosen mean exactly */
            const int64_t K = d->n_experts, D = d->act_dim, E = K * 2 * D;
            const int64_t gs[1] = {E}, ge[1] = {E + K}, es[1] = {0}, one[1] = {1}, two[1] = {2}, shape[3] = {-1, K, 2 * D},
                          ds[1] = {D}, depth[1] = {K};
            const float onehot_v[2] = {0, 1}; /* OneHot's off and on values */
            init_i64s(&o, "mix_gate_start", gs, 1);
            init_i64s(&o, "mix_gate_end", ge, 1);
            init_i64s(&o, "mix_zero", es, 1);
            init_i64s(&o, "mix_axis1", one, 1);
            init_i64s(&o, "mix_axis2", two, 1);
            init_i64s(&o, "mix_shape", shape, 3);
            init_i64s(&o, "mix_d", ds, 1);
            init_i64s(&o, "mix_experts_end", &E, 1);
            initializer(&o, "mix_depth", NULL, 0, depth, 1, ONNX_INT64);
            init_vec(&o, "mix_onehot_values", onehot_v, 2);
            const char* gl[4] = {y, "mix_gate_start", "mix_gate_end", "mix_axis1"};
            node(&o, "Slice", gl, 4, "mix_logits", NULL, 0, NULL, 0);
            const char* lg = "mix_logits";
            node(&o, "Softmax", &lg, 1, "mix_gate", "axis", 1, NULL, 0);
            lg = "mix_gate";
            node(&o, "ArgMax", &lg, 1, "mix_best", "axis", 1, "keepdims", 0);
            const char* oh[3] = {"mix_best", "mix_depth", "mix_onehot_values"};
            node(&o, "OneHot", oh, 3, "mix_onehot", NULL, 0, NULL, 0);
            const char* uq[2] = {"mix_onehot", "mix_axis2"};
            node(&o, "Unsqueeze", uq, 2, "mix_w", NULL, 0, NULL, 0);
            const char* ex[4] = {y, "mix_zero", "mix_experts_end", "mix_axis1"};
            node(&o, "Slice", ex, 4, "mix_experts", NULL, 0, NULL, 0);
            const char* rs[2] = {"mix_experts", "mix_shape"};
            node(&o, "Reshape", rs, 2, "mix_experts3", NULL, 0, NULL, 0);
            const char* mn[4] = {"mix_experts3", "mix_zero", "mix_d", "mix_axis2"};
            node(&o, "Slice", mn, 4, "mix_means", NULL, 0, NULL, 0);
            const char* sum[2] = {op2(&o, "Mul", "mix_means", "mix_w", NULL), "mix_axis1"};
            node(&o, "ReduceSum", sum, 2, "mix_mean", "keepdims", 0, NULL, 0);
            y = "mix_mean";
        }
        if (d->head == EXPORT_HEAD_TANH || d->head == EXPORT_HEAD_TANH_F64 || d->head == EXPORT_HEAD_MIXTURE) {
            init_vec(&o, "act_scale", d->scale, d->act_dim);
            init_vec(&o, "act_bias", d->bias, d->act_dim);
            y = op2(&o, "Add", op2(&o, "Mul", op1(&o, "Tanh", y, NULL), "act_scale", NULL), "act_bias", NULL);
        }
        init_vec(&o, "act_low", d->low, d->act_dim);
        init_vec(&o, "act_high", d->high, d->act_dim);
        op2(&o, "Max", op2(&o, "Min", y, "act_high", NULL), "act_low", "action");
    }
    pb_str(&o.graph, 2, "acrl_policy");                            /* GraphProto.name */
    value_info(&o, 11, "obs", d->obs_dim);                         /* input */
    value_info(&o, 12, "action", d->act_dim);                      /* output */

    pb model = {0}, opset = {0};
    pb_int(&model, 1, 8);                                          /* ir_version */
    pb_str(&model, 2, "acrl");                                     /* producer_name */
    pb_str(&model, 3, ACRL_VERSION_STRING);                        /* producer_version */
    char doc[600];
    snprintf(doc, sizeof doc, "deterministic %s policy for %s: obs (N, %d) -> action (N, %d)%s%s", d->algo, d->env_id,
             d->obs_dim, d->act_dim, d->note[0] ? ". Note: " : "", d->note);
    pb_str(&model, 6, doc);                                        /* doc_string */
    pb_msg(&model, 7, &o.graph);                                   /* graph */
    pb_int(&opset, 2, 17);                                         /* version (domain "": ai.onnx) */
    pb_msg(&model, 8, &opset);                                     /* opset_import */
    if (model.oom) {
        free(model.p);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t wrote = fwrite(model.p, 1, model.n, f);
    free(model.p);
    if (wrote != model.n) { snprintf(err, errlen, "write error"); return -1; }
    return 0;
}

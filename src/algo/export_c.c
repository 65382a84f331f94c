/* `acrl export --format c`: a policy description (export.h) as one self-contained C99 header.
 * The header repeats acrl's portable C arithmetic operation for operation (linear layers
 * summed over the inputs in order starting from the bias, acrl's rational tanh, float64
 * observation normalization), so that it reproduces `acrl act` bit for bit where acrl runs
 * its plain-C kernels. Weights are written as exact hexadecimal float literals. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "acrl.h"
#include "algo/export.h"

static const char* const act_names[] = {"identity", "tanh", "relu", "elu", "gelu", "gelu_tanh"};

/* n floats as hex literals, 6 per line, or "HUGE_VALF" for infinities */
static void put_floats(FILE* f, const float* v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (i % 6 == 0) fputs("\n        ", f);
        if (isinf(v[i])) fprintf(f, "%sHUGE_VALF,", v[i] < 0 ? "-" : "");
        else fprintf(f, "%af,", (double)v[i]);
        if (i % 6 != 5 && i + 1 < n) fputc(' ', f);
    }
}

static void put_doubles(FILE* f, const double* v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (i % 4 == 0) fputs("\n        ", f);
        fprintf(f, "%a,", v[i]);
        if (i % 4 != 3 && i + 1 < n) fputc(' ', f);
    }
}

static void put_int8s(FILE* f, const signed char* v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (i % 16 == 0) fputs("\n        ", f);
        fprintf(f, "%d,", v[i]);
        if (i % 16 != 15 && i + 1 < n) fputc(' ', f);
    }
}

/* Symmetric int8 weights with one scale per output unit: w_kj ~ s_j q_kj, s_j = max_k |w_kj| / 127. */
static void quantize(signed char* q, float* s, const float* w, int in, int out) {
    for (int j = 0; j < out; j++) {
        float m = 0;
        for (int k = 0; k < in; k++) m = fmaxf(m, fabsf(w[(size_t)k * out + j]));
        s[j] = m > 0 ? m / 127.0f : 1.0f;
        for (int k = 0; k < in; k++) {
            long r = lrintf(w[(size_t)k * out + j] / s[j]);
            q[(size_t)k * out + j] = (signed char)(r > 127 ? 127 : r < -127 ? -127 : r);
        }
    }
}

static bool valid_name(const char* s) {
    if (!s[0] || strlen(s) > 48 || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_') return false;
    return true;
}

/* GELU's helpers as src/nn/layers.c computes them (exp_fast, normal_cdf_fast): e^x by
 * Cody-Waite reduction and a degree-7 polynomial, Phi by Abramowitz & Stegun 7.1.26.
 * with_madd: the header has no madd helper yet (it comes with acrl's tanh). */
static void put_gelu_helpers(FILE* f, const char* P, bool with_madd) {
    if (with_madd)
        fprintf(f, "static inline float %s_madd(float a, float b, float c) {\n"
                   "#ifdef __FP_FAST_FMAF\n    return fmaf(a, b, c);\n#else\n    return a * b + c;\n#endif\n}\n\n", P);
    fprintf(f,
            "/* e^x as acrl's GELU computes it: x = k ln2 + r, a degree-7 polynomial in r, 2^k */\n"
            "static inline float %s_exp(float x) {\n"
            "    union { int32_t i; float f; } scale;\n"
            "    x = x > -87.0f ? x : -87.0f;\n"
            "    x = x < 88.0f ? x : 88.0f;\n"
            "    const float k = %s_madd(x, %af, 12582912.0f) - 12582912.0f;\n"
            "    const float r = %s_madd(k, %af, %s_madd(k, %af, x));\n"
            "    float p = %s_madd(%af, r, %af);\n"
            "    p = %s_madd(p, r, %af);\n"
            "    p = %s_madd(p, r, %af);\n"
            "    p = %s_madd(p, r, %af);\n"
            "    p = %s_madd(p, r, 0.5f);\n"
            "    p = %s_madd(p, r, 1.0f);\n"
            "    p = %s_madd(p, r, 1.0f);\n"
            "    scale.i = ((int32_t)k + 127) << 23;\n"
            "    return p * scale.f;\n"
            "}\n\n"
            "/* Phi(u), the standard normal CDF, given e = exp(-u^2 / 2) (Abramowitz & Stegun 7.1.26) */\n"
            "static inline float %s_normal_cdf(float u, float e) {\n"
            "    const float a = fabsf(u) * %af;\n"
            "    const float t = 1.0f / %s_madd(%af, a, 1.0f);\n"
            "    float p = %s_madd(%af, t, %af);\n"
            "    p = %s_madd(p, t, %af);\n"
            "    p = %s_madd(p, t, %af);\n"
            "    p = %s_madd(p, t, %af);\n"
            "    const float erf_abs = 1.0f - p * t * e;\n"
            "    return 0.5f + 0.5f * (u < 0 ? -erf_abs : erf_abs);\n"
            "}\n\n",
            P, P, (double)1.44269504f, P, (double)2.12194440e-4f, P, (double)-0.693359375f, P,
            (double)1.98412698e-4f, (double)1.38888889e-3f, P, (double)8.33333333e-3f, P, (double)4.16666667e-2f, P,
            (double)1.66666667e-1f, P, P, P, P, (double)0.70710678f, P, (double)0.3275911f, P, (double)1.061405429f,
            (double)-1.453152027f, P, (double)1.421413741f, P, (double)-0.284496736f, P, (double)0.254829592f);
}

/* The activation applied in place to v (n), as src/nn/layers.c computes it. */
static void put_activation(FILE* f, const char* P, acrl_act act) {
    fprintf(f, "/* v (n) = %s(v), in place, as acrl computes it */\n"
               "static inline void %s_activate(float* v, int n) {\n"
               "    int i;\n"
               "    for (i = 0; i < n; i++) {\n", act_names[act], P);
    switch (act) {
    case ACRL_ACT_NONE: fputs("        (void)v;\n", f); break;
    case ACRL_ACT_TANH: fprintf(f, "        v[i] = %s_tanh(v[i]);\n", P); break;
    case ACRL_ACT_RELU: fputs("        v[i] = v[i] > 0 ? v[i] : 0;\n", f); break;
    case ACRL_ACT_ELU: fputs("        v[i] = v[i] > 0 ? v[i] : expm1f(v[i]);\n", f); break;
    case ACRL_ACT_GELU:
        fprintf(f, "        const float u = v[i];\n"
                   "        v[i] = u * %s_normal_cdf(u, %s_exp(-0.5f * u * u));\n", P, P);
        break;
    case ACRL_ACT_GELU_TANH:
        fprintf(f, "        const float u = v[i];\n"
                   "        v[i] = 0.5f * u * (1 + tanhf(%af * (u + %af * u * u * u)));\n",
                (double)0.7978845608028654f, (double)0.044715f);
        break;
    }
    fputs("    }\n}\n\n", f);
}

/* The observation statistics as static arrays (normalized policies). */
static void put_norm_arrays(FILE* f, const export_desc* d) {
    if (!d->norm) return;
    fputs("    static const double mean[] = {", f);
    put_doubles(f, d->mean, (size_t)d->obs_dim);
    fputs("\n    };\n    static const double std[] = { /* sqrt(var + 1e-8) */", f);
    put_doubles(f, d->std, (size_t)d->obs_dim);
    fputs("\n    };\n", f);
}

/* The Box bounds as static arrays (Box action spaces). */
static void put_bounds_arrays(FILE* f, const export_desc* d) {
    if (!d->low) return;
    fputs("    static const float low[] = {", f);
    put_floats(f, d->low, (size_t)d->act_dim);
    fputs("\n    };\n    static const float high[] = {", f);
    put_floats(f, d->high, (size_t)d->act_dim);
    fputs("\n    };\n", f);
}

/* x = the normalized, clipped observation in buffer buf (float64 arithmetic, as acrl). */
static void put_norm_code(FILE* f, const export_desc* d, const char* buf) {
    if (!d->norm) return;
    fprintf(f,
            "    for (j = 0; j < %d; j++) { /* normalized with the training statistics, clipped */\n"
            "        const double c = %a, z = ((double)obs[j] - mean[j]) / std[j];\n"
            "        %s[j] = (float)(z < -c ? -c : z > c ? c : z);\n"
            "    }\n"
            "    x = %s;\n",
            d->obs_dim, (double)d->clip_obs, buf, buf);
}

/* action from the policy outputs x: the head, then the Box bounds. */
static void put_head(FILE* f, const export_desc* d, const char* P) {
    switch (d->head) {
    case EXPORT_HEAD_ARGMAX:
        fprintf(f, "    int best = 0;\n"
                   "    for (j = 1; j < %d; j++)\n"
                   "        if (x[j] > x[best]) best = j;\n"
                   "    action[0] = (float)best;\n", d->n_actions);
        break;
    case EXPORT_HEAD_MEAN:
        fprintf(f, "    for (j = 0; j < %d; j++) action[j] = x[j];\n", d->act_dim);
        break;
    case EXPORT_HEAD_TANH:
        fprintf(f, "    for (j = 0; j < %d; j++) action[j] = bias[j] + scale[j] * %s_tanh(x[j]);\n", d->act_dim, P);
        break;
    case EXPORT_HEAD_MIXTURE:
        fprintf(f,
                "    /* the gate: softmax of the %d logits in float64 as acrl computes it; the first\n"
                "     * expert of the largest weight */\n"
                "    const float* g = x + %d;\n"
                "    double m = -HUGE_VAL, s = 0, lse;\n"
                "    float wbest = 0;\n"
                "    int k, best = 0;\n"
                "    for (k = 0; k < %d; k++) if (g[k] > m) m = g[k];\n"
                "    for (k = 0; k < %d; k++) s += exp((double)g[k] - m);\n"
                "    lse = m + log(s);\n"
                "    for (k = 0; k < %d; k++) {\n"
                "        const float w = (float)exp((double)g[k] - lse);\n"
                "        if (k == 0 || w > wbest) { wbest = w; best = k; }\n"
                "    }\n"
                "    x += best * %d; /* the expert's [mean | log-std] */\n",
                d->n_experts, d->n_experts * 2 * d->act_dim, d->n_experts, d->n_experts, d->n_experts,
                2 * d->act_dim);
        /* fall through */
    case EXPORT_HEAD_TANH_F64:
        fprintf(f, "    for (j = 0; j < %d; j++) action[j] = bias[j] + scale[j] * (float)(0.0 + tanh((double)x[j]));\n",
                d->act_dim);
        break;
    }
    if (d->low)
        fprintf(f, "    for (j = 0; j < %d; j++) /* to the Box bounds */\n"
                   "        action[j] = action[j] < low[j] ? low[j] : action[j] > high[j] ? high[j] : action[j];\n",
                d->act_dim);
}

static void put_longs(FILE* f, const long* v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (i % 10 == 0) fputs("\n        ", f);
        fprintf(f, "%ld,", v[i]);
        if (i % 10 != 9 && i + 1 < n) fputc(' ', f);
    }
}

static void put_ints(FILE* f, const int* v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (i % 16 == 0) fputs("\n        ", f);
        fprintf(f, "%d,", v[i]);
        if (i % 16 != 15 && i + 1 < n) fputc(' ', f);
    }
}

/* A tree-ensemble policy (model = gbrl): PREFIX_trees walks the trees from flat arrays in
 * the order nn/gbt.c adds them (from the bias, one tree after the other, "x > thr" going
 * right), so the outputs and the actions equal `acrl act` bit for bit on any build. */
static int write_c_trees(FILE* f, const export_desc* d, const char* P, const char* guard, bool int8, char* err,
                         size_t errlen) {
    if (int8) {
        snprintf(err, errlen, "--quantize int8 applies to network policies; this %s policy is a tree ensemble "
                              "(model = gbrl)", d->algo);
        return -1;
    }
    const int K = d->n_head;
    const char* head = d->head == EXPORT_HEAD_ARGMAX ? "the index of the largest output (logit), as a float"
                                                     : "the Gaussian's mean, clipped to the Box bounds";
    const size_t nn = d->n_nodes > 0 ? (size_t)d->n_nodes : 1, nl = d->n_leaves > 0 ? (size_t)d->n_leaves : 1;
    fprintf(f,
            "/* Generated by acrl %s (acrl export --format c): the deterministic %s policy for %s\n"
            " * as one self-contained C99 header.\n"
            " *\n"
            " *     #include \"policy.h\"   // this file\n"
            " *     float obs[%s_OBS_DIM], action[%s_ACT_DIM];\n"
            " *     %s_act(obs, action);   // raw observation in, the env's action out\n"
            " *\n"
            " * Tree ensemble (model = gbrl): %d %s trees of depth <= %d, %ld nodes, %ld leaves; policy\n"
            " * outputs: %d (y = bias + the trees' leaf values, added tree by tree);\n"
            " * observations %s;\n"
            " * action: %s.\n"
            " * Needs only <math.h> (link with -lm); no allocation, no global state (reentrant); about\n"
            " * %d bytes of stack. Every function is static inline: include it in the files that use it.\n"
            " *\n"
            " * Thresholds and leaf values are exact hexadecimal float literals; a tree sends x to the\n"
            " * right where x[feature] > threshold, and the sums are acrl's, in its order: the actions\n"
            " * equal `acrl act` bit for bit (no kernel choice is involved). The cost grows with the\n"
            " * number of trees: per tree one comparison per level, then %d addition(s). */\n"
            "#ifndef %s\n#define %s\n\n#include <math.h>\n\n"
            "#define %s_OBS_DIM %d\n#define %s_ACT_DIM %d\n#define %s_N_TREES %d\n\n",
            ACRL_VERSION_STRING, d->algo, d->env_id, P, P, P, d->n_trees,
            d->tree_oblivious ? "oblivious" : "greedy", d->tree_depth, d->n_nodes, d->n_leaves, K,
            d->norm ? "normalized with the training statistics" : "used as they are", head,
            (int)(sizeof(float) * (size_t)(d->obs_dim + K) + 64), K, guard, guard, P, d->obs_dim, P, d->act_dim, P,
            d->n_trees);

    fprintf(f, "/* y (%d) = bias + the sum of the trees' leaf values at x (%s_OBS_DIM) */\n"
               "static inline void %s_trees(const float* x, float* y) {\n", K, P, P);
    fprintf(f, "    static const long node_off[%d] = { /* first node of each tree */", d->n_trees + 1);
    put_longs(f, d->tree_node_off, (size_t)d->n_trees + 1);
    fprintf(f, "\n    };\n    static const long leaf_off[%d] = { /* first leaf of each tree */", d->n_trees + 1);
    put_longs(f, d->tree_leaf_off, (size_t)d->n_trees + 1);
    fprintf(f, "\n    };\n    static const int feat[%zu] = { /* the feature each node compares */", nn);
    put_ints(f, d->tree_feat, nn);
    fprintf(f, "\n    };\n    static const float thr[%zu] = {", nn);
    put_floats(f, d->tree_thr, nn);
    fputs("\n    };\n", f);
    if (!d->tree_oblivious) {
        fprintf(f, "    static const int kid[%zu] = { /* left, right: a node of the tree, or ~leaf */", 2 * nn);
        put_ints(f, d->tree_kid, 2 * nn);
        fputs("\n    };\n", f);
    }
    fprintf(f, "    static const float leaf[%zu * %d] = {", nl, K);
    put_floats(f, d->tree_leaf, nl * (size_t)K);
    fprintf(f, "\n    };\n    static const float bias[%d] = {", K);
    put_floats(f, d->tree_bias, (size_t)K);
    fprintf(f, "\n    };\n"
               "    long t, l;\n"
               "    int j;\n"
               "    for (j = 0; j < %d; j++) y[j] = bias[j];\n"
               "    for (t = 0; t < %s_N_TREES; t++) {\n"
               "        const long n0 = node_off[t], levels = node_off[t + 1] - n0;\n"
               "        const float* v;\n"
               "        long k = 0;\n", K, P);
    if (d->tree_oblivious)
        fputs("        /* oblivious: node l is level l; the leaf index is the comparisons' bits, root first */\n"
              "        for (l = 0; l < levels; l++) k = 2 * k + (x[feat[n0 + l]] > thr[n0 + l]);\n", f);
    else
        fputs("        /* greedy: follow the child links from the root (a tree without nodes is one leaf) */\n"
              "        if (levels > 0) {\n"
              "            l = 0;\n"
              "            while (l >= 0) l = kid[2 * (n0 + l) + (x[feat[n0 + l]] > thr[n0 + l])];\n"
              "            k = ~l;\n"
              "        }\n", f);
    fprintf(f, "        v = leaf + (leaf_off[t] + k) * %d;\n"
               "        for (j = 0; j < %d; j++) y[j] += v[j];\n"
               "    }\n"
               "}\n\n", K, K);

    fprintf(f, "/* action (%s_ACT_DIM) for one raw observation obs (%s_OBS_DIM) */\n"
               "static inline void %s_act(const float* obs, float* action) {\n", P, P, P);
    put_norm_arrays(f, d);
    put_bounds_arrays(f, d);
    if (d->norm) fprintf(f, "    float xn[%d];\n", d->obs_dim);
    fprintf(f, "    float y[%d];\n    const float* x = obs;\n    int j;\n", K);
    put_norm_code(f, d, "xn");
    fprintf(f, "    %s_trees(x, y);\n    x = y;\n", P);
    put_head(f, d, P);
    fprintf(f, "}\n\n#endif /* %s */\n", guard);
    if (ferror(f)) { snprintf(err, errlen, "write error"); return -1; }
    return 0;
}

int export_write_c(FILE* f, const export_desc* d, const char* name, bool int8, char* err, size_t errlen) {
    const char* P = name ? name : "acrl_policy";
    if (!valid_name(P)) {
        snprintf(err, errlen, "--name '%s' is not a C identifier (letters, digits, _; at most 48)", P);
        return -1;
    }
    char guard[64];
    size_t gi = 0;
    for (const char* s = P; *s; s++) guard[gi++] = (char)toupper((unsigned char)*s);
    snprintf(guard + gi, sizeof guard - gi, "_H_INCLUDED");
    if (d->trees) return write_c_trees(f, d, P, guard, int8, err, errlen);
    int maxw = 0;
    for (int l = 1; l <= d->nlayers; l++) maxw = d->sizes[l] > maxw ? d->sizes[l] : maxw;
    if (d->obs_dim > maxw) maxw = d->obs_dim;
    bool ln = false;
    for (int l = 0; l < d->nlayers; l++) ln = ln || d->ln_g[l];
    char note[300] = ""; /* d->note with its line breaks continuing the comment */
    for (size_t i = 0, k = 0; d->note[i] && k + 4 < sizeof note; i++) {
        if (d->note[i] == '\n') { memcpy(note + k, "\n * ", 4); k += 4; }
        else note[k++] = d->note[i];
        note[k] = '\0';
    }
    char arch[512] = "";
    size_t al = 0;
    for (int l = 0; l <= d->nlayers && al < sizeof arch; l++)
        al += (size_t)snprintf(arch + al, sizeof arch - al, "%s%d%s%s", l ? " -> " : "", d->sizes[l],
                               l && l < d->nlayers ? " " : "", l && l < d->nlayers ? act_names[d->act] : "");
    const char* head =
        d->head == EXPORT_HEAD_MEAN     ? "the Gaussian's mean, clipped to the Box bounds"
        : d->head == EXPORT_HEAD_ARGMAX ? "the index of the largest logit, as a float"
        : d->head == EXPORT_HEAD_TANH   ? "acrl's tanh, rescaled to the Box bounds and clipped"
        : d->head == EXPORT_HEAD_MIXTURE
            ? "tanh of the mean of the expert with the largest gate weight, rescaled to the Box\n"
              " * bounds and clipped"
            : "tanh of the squashed Gaussian's mean, rescaled to the Box bounds and clipped";

    fprintf(f,
            "/* Generated by acrl %s (acrl export --format c%s): the deterministic %s policy for %s\n"
            " * as one self-contained C99 header.\n"
            " *\n"
            " *     #include \"policy.h\"   // this file\n"
            " *     float obs[%s_OBS_DIM], action[%s_ACT_DIM];\n"
            " *     %s_act(obs, action);   // raw observation in, the env's action out\n"
            " *\n"
            " * Network %s%s; observations %s;\n"
            " * action: %s.\n"
            "%s%s%s"
            "%s"
            " * Needs only <math.h>%s (link with -lm); no allocation, no global state (reentrant); about\n"
            " * %d bytes of stack. Every function is static inline: include it in the files that use it.%s */\n"
            "#ifndef %s\n#define %s\n\n#include <math.h>\n%s\n"
            "#define %s_OBS_DIM %d\n#define %s_ACT_DIM %d\n\n",
            ACRL_VERSION_STRING, int8 ? " --quantize int8" : "", d->algo, d->env_id, P, P, P, arch,
            ln ? " (layer norm before each activation)" : "",
            d->norm ? "normalized with the training statistics" : "used as they are", head,
            d->note[0] ? " * Note: " : "", note, d->note[0] ? ".\n" : "",
            int8 ? " * Weights quantized to int8 with one float scale per output unit (activations stay\n"
                   " * float): smaller, and no longer exact.\n"
                 : "",
            d->act == ACRL_ACT_GELU && d->nlayers > 1 ? " and <stdint.h>" : "", (int)(2 * maxw * sizeof(float) + 64),
            int8 ? ""
                 : "\n *\n"
                   " * Weights are exact hexadecimal float literals and the arithmetic is acrl's, operation for\n"
                   " * operation: compiled without floating-point contraction (gcc's default with -std=c99;\n"
                   " * else -ffp-contract=off) the actions equal acrl's plain-C ones bit for bit (acrl built with\n"
                   " * -DACRL_XSMM=OFF, and -DACRL_NATIVE=OFF on CPUs with AVX-512); acrl's libxsmm and AVX-512\n"
                   " * kernels round differently, by about 1e-6 relative.",
            guard, guard, d->act == ACRL_ACT_GELU && d->nlayers > 1 ? "#include <stdint.h> /* int32_t (a header only) */\n" : "",
            P, d->obs_dim, P, d->act_dim);

    if (d->act == ACRL_ACT_TANH || d->head == EXPORT_HEAD_TANH) {
        fprintf(f,
                "/* acrl's tanh (src/nn/layers.c): x P(x^2) / Q(x^2) on |x| <= 9, +-1 beyond, within\n"
                " * 5 ulp of tanh; fused multiply-adds where the compiler has fast ones, as acrl. */\n"
                "static inline float %s_madd(float a, float b, float c) {\n"
                "#ifdef __FP_FAST_FMAF\n    return fmaf(a, b, c);\n#else\n    return a * b + c;\n#endif\n}\n\n"
                "static inline float %s_tanh(float x) {\n"
                "    float c = x > 9.0f ? 9.0f : x;\n"
                "    c = c < -9.0f ? -9.0f : c;\n"
                "    const float s = c * c;\n"
                "    float p = %s_madd(%af, s, %af);\n"
                "    p = %s_madd(p, s, %af);\n"
                "    p = %s_madd(p, s, %af);\n"
                "    p = %s_madd(p, s, %af);\n"
                "    p = %s_madd(p, s, %af);\n"
                "    p = %s_madd(p, s, 1.0f);\n"
                "    float q = %s_madd(%af, s, %af);\n"
                "    q = %s_madd(q, s, %af);\n"
                "    q = %s_madd(q, s, 1.0f);\n"
                "    float y = c * p / q;\n"
                "    y = x > 9.0f ? 1.0f : y;\n"
                "    return x < -9.0f ? -1.0f : y;\n"
                "}\n\n",
                P, P, P, (double)-8.48831706e-14f, (double)5.27780215e-11f, P, (double)-2.02249399e-08f, P,
                (double)1.11542422e-05f, P, (double)0.00310395029f, P, (double)0.130840048f, P, P,
                (double)0.000254613638f, (double)0.0244951546f, P, (double)0.464173317f, P);
    }
    if (int8)
        fprintf(f,
                "/* y (out) = b + s * (x (in) Q (in, out)): int8 weights Q, one scale per output */\n"
                "static inline void %s_linear(float* restrict y, const float* restrict x,\n"
                "                             const signed char* restrict q, const float* restrict s,\n"
                "                             const float* restrict b, int in, int out) {\n"
                "    int j, k;\n"
                "    for (j = 0; j < out; j++) y[j] = 0;\n"
                "    for (k = 0; k < in; k++)\n"
                "        for (j = 0; j < out; j++) y[j] += x[k] * (float)q[k * out + j];\n"
                "    for (j = 0; j < out; j++) y[j] = b[j] + s[j] * y[j];\n"
                "}\n\n",
                P);
    else
        fprintf(f,
                "/* y (out) = b + x (in) W (in, out): from the bias, adding the inputs' terms in order */\n"
                "static inline void %s_linear(float* restrict y, const float* restrict x,\n"
                "                             const float* restrict w, const float* restrict b, int in, int out) {\n"
                "    int j, k;\n"
                "    for (j = 0; j < out; j++) y[j] = b[j];\n"
                "    for (k = 0; k < in; k++)\n"
                "        for (j = 0; j < out; j++) y[j] += x[k] * w[k * out + j];\n"
                "}\n\n",
                P);
    if (d->nlayers > 1 && d->act == ACRL_ACT_GELU) put_gelu_helpers(f, P, d->act != ACRL_ACT_TANH && d->head != EXPORT_HEAD_TANH);
    if (d->nlayers > 1) put_activation(f, P, d->act);
    if (ln)
        fprintf(f,
                "/* v (n) = layer norm of v (eps 1e-5) times g plus b, in place, as acrl computes it */\n"
                "static inline void %s_layernorm(float* restrict v, const float* restrict g, const float* restrict b,\n"
                "                                int n) {\n"
                "    float mu = 0, var = 0, rs;\n"
                "    int j;\n"
                "    for (j = 0; j < n; j++) mu += v[j];\n"
                "    mu /= n;\n"
                "    for (j = 0; j < n; j++) {\n"
                "        const float e = v[j] - mu;\n"
                "        var += e * e;\n"
                "    }\n"
                "    var /= n;\n"
                "    rs = 1 / sqrtf(var + %af);\n"
                "    for (j = 0; j < n; j++) v[j] = (v[j] - mu) * rs * g[j] + b[j];\n"
                "}\n\n",
                P, (double)1e-5f);

    fprintf(f, "/* action (%s_ACT_DIM) for one raw observation obs (%s_OBS_DIM) */\n"
               "static inline void %s_act(const float* obs, float* action) {\n", P, P, P);
    put_norm_arrays(f, d);
    for (int l = 0; l < d->nlayers; l++) {
        int in = d->sizes[l], out = d->sizes[l + 1];
        size_t n = (size_t)in * (size_t)out;
        if (int8) {
            signed char* q = malloc(n);
            float* s = malloc(sizeof(float) * (size_t)out);
            if (!q || !s) { free(q); free(s); snprintf(err, errlen, "out of memory"); return -1; }
            quantize(q, s, d->w[l], in, out);
            fprintf(f, "    static const signed char q%d[%d * %d] = {", l, in, out);
            put_int8s(f, q, n);
            fprintf(f, "\n    };\n    static const float s%d[%d] = {", l, out);
            put_floats(f, s, (size_t)out);
            fputs("\n    };\n", f);
            free(q);
            free(s);
        } else {
            fprintf(f, "    static const float w%d[%d * %d] = {", l, in, out);
            put_floats(f, d->w[l], n);
            fputs("\n    };\n", f);
        }
        fprintf(f, "    static const float b%d[%d] = {", l, out);
        put_floats(f, d->b[l], (size_t)out);
        fputs("\n    };\n", f);
        if (d->ln_g[l]) {
            fprintf(f, "    static const float ln_g%d[%d] = {", l, out);
            put_floats(f, d->ln_g[l], (size_t)out);
            fprintf(f, "\n    };\n    static const float ln_b%d[%d] = {", l, out);
            put_floats(f, d->ln_b[l], (size_t)out);
            fputs("\n    };\n", f);
        }
    }
    if (d->scale) {
        fputs("    static const float scale[] = {", f);
        put_floats(f, d->scale, (size_t)d->act_dim);
        fputs("\n    };\n    static const float bias[] = {", f);
        put_floats(f, d->bias, (size_t)d->act_dim);
        fputs("\n    };\n", f);
    }
    put_bounds_arrays(f, d);
    fprintf(f, "    float h[2][%d];\n    int j;\n", maxw);
    fputs("    const float* x = obs;\n", f);
    put_norm_code(f, d, "h[1]");
    for (int l = 0; l < d->nlayers; l++) {
        int in = d->sizes[l], out = d->sizes[l + 1];
        if (int8) fprintf(f, "    %s_linear(h[%d], x, q%d, s%d, b%d, %d, %d);\n", P, l % 2, l, l, l, in, out);
        else fprintf(f, "    %s_linear(h[%d], x, w%d, b%d, %d, %d);\n", P, l % 2, l, l, in, out);
        if (d->ln_g[l]) fprintf(f, "    %s_layernorm(h[%d], ln_g%d, ln_b%d, %d);\n", P, l % 2, l, l, out);
        if (l < d->nlayers - 1) fprintf(f, "    %s_activate(h[%d], %d);\n", P, l % 2, out);
        fprintf(f, "    x = h[%d];\n", l % 2);
    }
    put_head(f, d, P);
    fprintf(f, "}\n\n#endif /* %s */\n", guard);
    if (ferror(f)) { snprintf(err, errlen, "write error"); return -1; }
    return 0;
}

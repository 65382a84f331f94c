/* acrl/nn.h - neural-network core: flat parameter stores, gemm, layers, MLPs,
 * losses, optimizers and initializers.
 *
 * Parameters of one learner (e.g. PPO's actor + critic + log-std) live in one
 * acrl_params store: one flat float buffer `param`, and parallel `grad`, `m`, `v`
 * (optimizer moments) of the same layout. Building is two-phase:
 *
 *     acrl_params p; acrl_params_init(&p);
 *     acrl_mlp_build(&actor, &p, "actor", sizes, 4, "tanh", false, 256, err, sizeof err);
 *     size_t log_std = acrl_params_add(&p, "log_std", 1, act_dim);   // a free tensor
 *     acrl_params_finalize(&p, err, sizeof err);   // allocates, all zero
 *     acrl_mlp_init(&actor, &p, ACRL_INIT_ORTHOGONAL, sqrtf(2), 0.01f, &rng);
 *
 * Tensors are addressed by their offset into the buffers (p.param + off), which
 * stays valid for the life of the store and is the same in every store built
 * the same way (a target network is a second store built by the same code).
 *
 * Matrices are row-major. A linear layer's weight is stored (in, out), i.e. the
 * transpose of PyTorch's nn.Linear.weight (out, in), so the forward product
 * Y = X W needs no transpose. Backward functions accumulate (+=) into gradients. */
#ifndef ACRL_NN_H
#define ACRL_NN_H

#include <stdbool.h>
#include <stddef.h>

#include "acrl/rng.h"

/* ---- parameter store ------------------------------------------------------------ */

/* A named view into a store: elements [offset, offset + rows*cols). */
typedef struct {
    char   name[64];
    size_t offset;
    int    rows, cols; /* a vector is (1, n) */
} acrl_tensor;

typedef struct {
    float*       param;    /* (count) */
    float*       grad;     /* (count) */
    float*       m;        /* (count) Adam first moment / RMSprop square average */
    float*       v;        /* (count) Adam second moment */
    size_t       count;    /* total number of floats */
    long         step;     /* optimizer steps taken (Adam bias correction) */
    acrl_tensor* tensors;  /* (ntensors) in declaration order */
    int          ntensors, cap;
    bool         finalized;
} acrl_params;

/* Makes an empty store ready for acrl_params_add. */
void   acrl_params_init(acrl_params* p);
/* Declares a (rows, cols) tensor; returns its offset, or SIZE_MAX if finalized/out of memory. */
size_t acrl_params_add(acrl_params* p, const char* name, int rows, int cols);
/* Allocates param/grad/m/v (all zero); returns 0, or -1 with a message in err. */
int    acrl_params_finalize(acrl_params* p, char* err, size_t errlen);
/* Frees all buffers; p may be re-initialised with acrl_params_init. */
void   acrl_params_free(acrl_params* p);
/* Finds a tensor by name; NULL if absent. */
const acrl_tensor* acrl_params_find(const acrl_params* p, const char* name);
/* True if both stores have the same tensors (names, shapes, offsets). */
bool   acrl_params_same_layout(const acrl_params* a, const acrl_params* b);
/* grad = 0 (one memset). */
void   acrl_params_zero_grad(acrl_params* p);
/* dst.param = src.param; returns 0, or -1 with err if the layouts differ. */
int    acrl_params_copy(acrl_params* dst, const acrl_params* src, char* err, size_t errlen);
/* dst.param = (1 - tau) dst.param + tau src.param (SB3 polyak_update); -1 if layouts differ. */
int    acrl_params_polyak(acrl_params* dst, const acrl_params* src, float tau, char* err, size_t errlen);
/* Global L2 norm of grad; if above max_norm scales grad by max_norm/(norm+1e-6)
 * (torch.nn.utils.clip_grad_norm_). Returns the norm before clipping. */
float  acrl_params_clip_grad_norm(acrl_params* p, float max_norm);
/* Bytes of the parameter blob (count * sizeof(float)) for checkpoints. */
size_t acrl_params_bytes(const acrl_params* p);

/* True if no element of x (n) is NaN or +-Inf. */
bool   acrl_all_finite(const float* x, size_t n);

/* ---- gemm (row-major) --------------------------------------------------------- */

/* C = alpha op(A) op(B) + beta C with op(A) (M, K), op(B) (K, N), C (M, N); A is
 * stored (M, K) or, if trans_a, (K, M), with row stride lda; likewise B. beta == 0
 * ignores C's old contents (NaN-safe). Uses libxsmm where it is faster. Thread-safe. */
void acrl_gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
               const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);
/* Same contract, plain triple loop with double accumulation: the reference. */
void acrl_gemm_ref(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
                   const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);
/* Same contract, portable blocked C (the path without libxsmm). */
void acrl_gemm_c(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
                 const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);
/* C (M, N) = A (M, K) B (K, N) + bias (N) on every row, row strides lda, ldb, ldc: the bits of
 * copying bias into every row of C and then acrl_gemm(false, false, ..., alpha 1, beta 1), without
 * the copy where it can (the sums start from the bias in registers). relu (M, N; stride ldc, or
 * NULL) = acrl_act_forward's ReLU of C, from the same registers. */
void acrl_gemm_bias(int M, int N, int K, const float* A, int lda, const float* B, int ldb, const float* bias, float* C,
                    int ldc, float* relu);
/* dx (M, N) = ReLU's backward of dy (M, K) w^T with w (N, K) (a linear layer's weight, in N,
 * out K) and z (M, N) the ReLU's input: the bits of acrl_gemm(false, true, ..., beta 0) into a
 * scratch dh followed by acrl_act_grad(ACRL_ACT_RELU, dx, dh, z, ...), in one pass where it can.
 * dx must not alias dy, w or z. */
void acrl_gemm_relu_grad(int M, int N, int K, const float* dy, const float* w, const float* z, float* dx);
/* Name of the fast backend compiled in: "libxsmm" or "c". */
const char* acrl_gemm_backend(void);

/* A gemm with acrl_gemm's contract (acrl_gemm, acrl_gemm_bf16 and the others). */
typedef void (*acrl_gemm_fn)(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A,
                             int lda, const float* B, int ldb, float beta, float* C, int ldc);

/* ---- bf16 products (precision = bf16) ------------------------------------------------ */

/* x rounded to the nearest bfloat16 (ties to even; denormals to signed zero, as the
 * avx512_bf16 instructions treat them; NaN stays NaN), as a float. */
float acrl_bf16_round(float x);
/* True if this CPU has avx512_bf16 (acrl_gemm_bf16's fast path). */
bool  acrl_bf16_supported(void);
/* acrl_gemm's contract with every element of op(A) and op(B) rounded by acrl_bf16_round
 * and float accumulation, pairs of k added as vdpbf16ps adds them (a[2p+1] b[2p+1] first,
 * each sum rounded, denormal sums flushed to zero). The avx512_bf16 kernel where the CPU
 * has it, else acrl_gemm_bf16_c: the same bits either way. Thread-safe. */
void acrl_gemm_bf16(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
                    const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);
/* The same, portable C (slow: for CPUs without avx512_bf16 and for the tests). */
void acrl_gemm_bf16_c(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
                      const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);
/* The rounded operands multiplied with double accumulation: the reference. */
void acrl_gemm_bf16_ref(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
                        const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);

/* ---- layers (outputs first; backward accumulates) --------------------------------- */

typedef enum { ACRL_ACT_NONE, ACRL_ACT_TANH, ACRL_ACT_RELU, ACRL_ACT_ELU, ACRL_ACT_GELU,
               ACRL_ACT_GELU_TANH } acrl_act;

/* Parses "none", "tanh", "relu", "elu", "gelu" (exact erf), "gelu_tanh"; -1 with the
 * list of valid names in err if unknown. */
int  acrl_act_parse(acrl_act* out, const char* name, char* err, size_t errlen);

/* y (B, out) = x (B, in) w (in, out) + b (out; NULL: no bias). */
void acrl_linear_forward(float* y, const float* x, const float* w, const float* b, int B, int in, int out);
/* dx (B, in; NULL: skip) += dy w^T; dw (in, out) += x^T dy; db (out; NULL: skip) += sum_rows dy. */
void acrl_linear_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                          const float* w, int B, int in, int out);
/* The same two with the products done by gemm (acrl_gemm_bf16 for precision = bf16). */
void acrl_linear_forward_with(acrl_gemm_fn gemm, float* y, const float* x, const float* w, const float* b, int B,
                              int in, int out);
void acrl_linear_backward_with(acrl_gemm_fn gemm, float* dx, float* dw, float* db, const float* dy, const float* x,
                               const float* w, int B, int in, int out);
/* GELU's readable reference with libm's erff (acrl_act_forward / _backward use a vectorized
 * fast path within 3e-7 of it): y (n) = x Phi(x); dx (n) += (Phi(x) + x phi(x)) dy. */
void acrl_gelu_ref_forward(float* y, const float* x, size_t n);
void acrl_gelu_ref_backward(float* dx, const float* dy, const float* x, size_t n);
/* y (n) = act(x (n)); y may equal x. ELU has alpha = 1. */
void acrl_act_forward(acrl_act act, float* y, const float* x, size_t n);
/* dx (n) += act'(x) dy, given the forward's input x (n) and output y (n). */
void acrl_act_backward(acrl_act act, float* dx, const float* dy, const float* x, const float* y, size_t n);
/* dx (n) = act'(x) dy, written: the bits of zeroing dx and then acrl_act_backward, in one pass
 * for ReLU and none. dx must not alias dy, x or y. */
void acrl_act_grad(acrl_act act, float* dx, const float* dy, const float* x, const float* y, size_t n);
/* Per row: y (B, C) = (x - mean) / sqrt(var + 1e-5) * g (C) + b (C); saves mean (B) and rstd (B). */
void acrl_layernorm_forward(float* y, float* mean, float* rstd, const float* x, const float* g,
                            const float* b, int B, int C);
/* dx (B, C) += ..., dg (C; NULL: skip) += ..., db (C; NULL: skip) += ..., from dy (B, C) and the
 * forward's x, mean, rstd, g. */
void acrl_layernorm_backward(float* dx, float* dg, float* db, const float* dy, const float* x,
                             const float* mean, const float* rstd, const float* g, int B, int C);
/* Inverted dropout: training draws mask (n) in {0, 1/(1-p)} from rng (each unit dropped
 * independently with probability p; drawn as the geometric gaps between dropped units) and sets y = x * mask;
 * not training sets mask = 1 and y = x. y may equal x. 0 <= p < 1. */
void acrl_dropout_forward(float* y, float* mask, const float* x, float p, bool training, acrl_rng* rng, size_t n);
/* dx (n) += dy (n) * mask (n). */
void acrl_dropout_backward(float* dx, const float* dy, const float* mask, size_t n);

/* ---- losses (mean over n elements, like PyTorch's default reduction) --------------- */

/* Returns mean((pred - target)^2); dpred (n; NULL: skip) += its gradient wrt pred. */
float acrl_mse_loss(float* dpred, const float* pred, const float* target, size_t n);
/* Huber: mean of 0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta), d = pred - target;
 * dpred (n; NULL: skip) += gradient. delta = 1 is smooth_l1_loss. */
float acrl_huber_loss(float* dpred, const float* pred, const float* target, float delta, size_t n);

/* ---- initializers -------------------------------------------------------------- */

/* w (rows, cols) = gain * orthogonal matrix (torch.nn.init.orthogonal_: QR of a Gaussian
 * matrix, signs fixed by diag(R)); rows or columns orthonormal, whichever are fewer.
 * Returns 0, or -1 if rows or cols < 1 or the double-precision scratch (about 3 rows * cols
 * doubles) cannot be allocated; w and rng are then untouched. */
int  acrl_init_orthogonal(float* w, int rows, int cols, float gain, acrl_rng* rng);
/* x (n) ~ U(-bound, bound). nn.Linear's default is bound = 1/sqrt(fan_in) for w and b. */
void acrl_init_uniform(float* x, size_t n, float bound, acrl_rng* rng);
/* x (n) = value. */
void acrl_init_const(float* x, size_t n, float value);

/* ---- MLP -------------------------------------------------------------------------- */

#define ACRL_MLP_MAX_LAYERS 8

typedef enum { ACRL_INIT_TORCH, ACRL_INIT_ORTHOGONAL } acrl_init_kind;

/* Linear layers with a hidden activation (and optional inverted dropout and layer norm after
 * each hidden linear: Linear -> [Dropout] -> [LayerNorm] -> act, the order of DroQ's and STAC's
 * critics), no output activation. Holds its activation buffers (sized for max_batch); the
 * weights live in a store. Dropout acts only in acrl_mlp_forward_train. */
typedef struct {
    int      nlayers;                          /* linear layers */
    int      sizes[ACRL_MLP_MAX_LAYERS + 1];   /* widths: input, hidden..., output */
    acrl_act act;
    bool     layernorm;
    int      max_batch;
    size_t   w_off[ACRL_MLP_MAX_LAYERS];       /* (sizes[l], sizes[l+1]) */
    size_t   b_off[ACRL_MLP_MAX_LAYERS];       /* (sizes[l+1]) */
    size_t   g_off[ACRL_MLP_MAX_LAYERS];       /* LN gain (sizes[l+1]), hidden layers only */
    size_t   beta_off[ACRL_MLP_MAX_LAYERS];    /* LN bias (sizes[l+1]) */
    float*   z[ACRL_MLP_MAX_LAYERS];           /* (max_batch, sizes[l+1]) linear outputs */
    float*   ln[ACRL_MLP_MAX_LAYERS];          /* (max_batch, sizes[l+1]) LN outputs, if layernorm */
    float*   h[ACRL_MLP_MAX_LAYERS];           /* (max_batch, sizes[l+1]) activation outputs (hidden) */
    float*   ln_mean[ACRL_MLP_MAX_LAYERS];      /* (max_batch) */
    float*   ln_rstd[ACRL_MLP_MAX_LAYERS];      /* (max_batch) */
    float    dropout;                          /* inverted-dropout probability (0: none) */
    float*   mask[ACRL_MLP_MAX_LAYERS];        /* (max_batch, sizes[l+1]) dropout masks, if dropout */
    float*   dr[ACRL_MLP_MAX_LAYERS];          /* (max_batch, sizes[l+1]) dropout outputs, if dropout */
    bool     dropped;                          /* the last forward applied the masks */
    bool     bf16[ACRL_MLP_MAX_LAYERS];        /* layer l's products in bf16 (acrl_mlp_set_bf16) */
    /* A CNN in front (acrl_mlp_build_cnn; NULL: none): input rows are [image (img_dim) | extra],
     * the first linear layer reads [CNN features | extra] (sizes[0] = features + extra). */
    struct acrl_cnn* cnn;
    int      in_dim;                           /* width of the input rows (sizes[0] without a CNN) */
    int      img_dim;                          /* C H W of the CNN's input, 0 without one */
    float*   img;                              /* (max_batch, img_dim) the images, gathered when extra > 0 */
    float*   xin;                              /* (max_batch, sizes[0]) [features | extra] */
    float*   dxin;                             /* (max_batch, sizes[0]) gradient wrt xin */
    float*   dfeat;                            /* (max_batch, features) gradient wrt the features */
    float*   dimg;                             /* (max_batch, img_dim) gradient wrt the images, when extra > 0 */
    float*   d[3];                             /* (max_batch, max width) backward scratch */
    const float* input;                        /* (batch, sizes[0]) the last forward's input */
    int      batch;                            /* the last forward's batch size */
} acrl_mlp;

/* Declares the MLP's tensors ("<name>.<l>.w" (in, out), ".b", ".ln_g", ".ln_b") in p (not yet
 * finalized) and allocates its buffers. sizes (nsizes >= 2). Returns 0 or -1 with err. */
int  acrl_mlp_build(acrl_mlp* m, acrl_params* p, const char* name, const int* sizes, int nsizes,
                    const char* act, bool layernorm, int max_batch, char* err, size_t errlen);
/* Bytes that acrl_mlp_build allocates for max_batch rows, plus the four float buffers
 * (param, grad, two moments) its parameters take in the store; SIZE_MAX if that does not
 * fit in a size_t. For refusing configurations before anything is allocated. */
size_t acrl_mlp_bytes(const int* sizes, int nsizes, bool layernorm, int max_batch);
/* Initializes weights in a finalized store. TORCH: nn.Linear default (gains ignored);
 * ORTHOGONAL: orthogonal weights with hidden_gain / out_gain, zero biases. LN: g = 1, b = 0.
 * Returns 0, or -1 when out of memory (ORTHOGONAL's scratch; weights then partly set). */
int  acrl_mlp_init(const acrl_mlp* m, acrl_params* p, acrl_init_kind kind, float hidden_gain,
                   float out_gain, acrl_rng* rng);
/* Forward of in (B, sizes[0]) with the weights in p (this MLP's store or one of identical
 * layout); returns the output (B, sizes[last]), valid until the next forward. B <= max_batch. */
const float* acrl_mlp_forward(acrl_mlp* m, const acrl_params* p, const float* in, int B);
/* Backward of the last forward: p->grad += dL/dparams; din (B, sizes[0]; NULL: skip) += dL/din.
 * dout (B, sizes[last]). */
void acrl_mlp_backward(acrl_mlp* m, acrl_params* p, float* din, const float* dout);
/* The same for din only (no parameter gradients: e.g. the actor's step through a critic). */
void acrl_mlp_backward_input(acrl_mlp* m, const acrl_params* p, float* din, const float* dout);
/* Enables inverted dropout with probability p (0 <= p < 1) after every hidden linear layer;
 * allocates the masks. -1 with err if p is out of range or memory runs out. */
int  acrl_mlp_set_dropout(acrl_mlp* m, float p, char* err, size_t errlen);
/* Training forward: as acrl_mlp_forward, with dropout masks (B, sizes[l+1]) drawn from rng
 * (NULL: the masks already in m->mask[l], e.g. set by a test); the next backward applies them.
 * Without dropout it equals acrl_mlp_forward. */
const float* acrl_mlp_forward_train(acrl_mlp* m, const acrl_params* p, const float* in, int B, acrl_rng* rng);
/* precision = bf16: the linear layers whose input and output are both at least min_width wide
 * do their three products (forward, input and weight gradients) with acrl_gemm_bf16; the
 * others stay float. min_width <= 0 turns bf16 off. Returns the number of bf16 layers. */
int  acrl_mlp_set_bf16(acrl_mlp* m, int min_width);
/* The gemm layer l uses (acrl_gemm or acrl_gemm_bf16), for code that runs its own products. */
acrl_gemm_fn acrl_mlp_gemm(const acrl_mlp* m, int l);
/* The convolutions of acrl_mlp_build_cnn: input (c, h, w), n layers (see acrl_cnn_build). */
typedef struct {
    int c, h, w, n;
    const int *channels, *kernels, *strides, *pools; /* strides, pools NULL: 1 */
    const char* act;
} acrl_cnn_spec;
/* acrl_mlp_build with a CNN in front: sizes[0] is the width of the input rows, whose first
 * c h w columns are an image (C order) and the rest (sizes[0] - c h w >= 0 "extra" columns,
 * e.g. a critic's actions) pass by the CNN; the first linear layer reads the CNN's flattened
 * features followed by the extra columns. The CNN's tensors "<name>.cnn.<l>.w"/".b" follow
 * the MLP's in p; acrl_mlp_init initialises them too (PyTorch's Conv2d default), forward and
 * backward run them, and acrl_mlp_backward_input gives the gradient of the extra columns
 * only (the image columns of din are left as they were: an input gradient through the CNN
 * comes only with the parameter gradients). -1 with err on bad sizes or no memory. */
int  acrl_mlp_build_cnn(acrl_mlp* m, acrl_params* p, const char* name, const acrl_cnn_spec* cnn, const int* sizes,
                        int nsizes, const char* act, bool layernorm, int max_batch, char* err, size_t errlen);
/* Frees the MLP's buffers (not its parameters, which belong to the store). */
void acrl_mlp_free(acrl_mlp* m);

/* ---- convolution (NCHW, square kernels, zero padding) ------------------------------- */

/* Output size of a convolution over n pixels: (n + 2 pad - k) / stride + 1, 0 if none. */
int  acrl_conv2d_out(int n, int k, int stride, int pad);
/* y (B, Co, Ho, Wo) = conv(x (B, Ci, H, W), w (Co, Ci, k, k)) + b (Co; NULL: none), as
 * PyTorch's Conv2d(stride, padding). col: scratch of Ci k k Ho Wo floats. */
void acrl_conv2d_forward(float* y, const float* x, const float* w, const float* b, int B, int Ci, int H, int W,
                         int Co, int k, int stride, int pad, float* col);
/* dx (NULL: skip) += dL/dx, dw += dL/dw, db (NULL: skip) += dL/db from dy (B, Co, Ho, Wo). */
void acrl_conv2d_backward(float* dx, float* dw, float* db, const float* dy, const float* x, const float* w, int B,
                          int Ci, int H, int W, int Co, int k, int stride, int pad, float* col);

#define ACRL_CNN_MAX_LAYERS 6

/* A stack of convolutions, each followed by the activation (padding k / 2) and optionally
 * by max-pooling (window p x p, stride p, rows and columns that do not fill a window
 * dropped, the first maximum taken on ties: PyTorch's MaxPool2d(p)); the output is the last
 * map, flattened in C order (the features). Weights live in a store. c, h, w are each
 * layer's input (index l) and output (l + 1, after pooling); zh, zw the convolution's output. */
typedef struct acrl_cnn {
    int      nlayers;
    int      c[ACRL_CNN_MAX_LAYERS + 1], h[ACRL_CNN_MAX_LAYERS + 1], w[ACRL_CNN_MAX_LAYERS + 1];
    int      k[ACRL_CNN_MAX_LAYERS], s[ACRL_CNN_MAX_LAYERS], pad[ACRL_CNN_MAX_LAYERS];
    int      pool[ACRL_CNN_MAX_LAYERS];  /* max-pooling window (1: none) */
    int      zh[ACRL_CNN_MAX_LAYERS], zw[ACRL_CNN_MAX_LAYERS];
    float*   pl[ACRL_CNN_MAX_LAYERS];    /* (max_batch, c h w) pooled maps (pool > 1) */
    int*     arg[ACRL_CNN_MAX_LAYERS];   /* (max_batch, c h w) where in a[l] each maximum came from */
    acrl_act act;
    int      out_dim, max_batch;
    size_t   w_off[ACRL_CNN_MAX_LAYERS], b_off[ACRL_CNN_MAX_LAYERS];
    float*   z[ACRL_CNN_MAX_LAYERS];     /* (max_batch, c h w) pre-activations */
    float*   a[ACRL_CNN_MAX_LAYERS];     /* (max_batch, c h w) activations */
    float*   col;                        /* im2col scratch */
    float*   d[4];                       /* backward scratch */
    const float* input;
    int      batch;
} acrl_cnn;

/* Declares "<name>.<l>.w" (Co, Ci k k) and ".b" (Co) in p for an input (C, H, W) and
 * allocates buffers. strides NULL: all 1; pools NULL: no pooling (else per layer, 1: none).
 * -1 with err on bad sizes or no memory. */
int  acrl_cnn_build(acrl_cnn* m, acrl_params* p, const char* name, int C, int H, int W, const int* channels,
                    const int* kernels, const int* strides, const int* pools, int nlayers, const char* act,
                    int max_batch, char* err, size_t errlen);
/* Bytes acrl_cnn_build allocates plus its parameters' four store buffers (SIZE_MAX: too many). */
size_t acrl_cnn_bytes(int C, int H, int W, const int* channels, const int* kernels, const int* strides,
                      const int* pools, int nlayers, int max_batch);
/* PyTorch Conv2d's default init (U(+-1/sqrt(fan_in)) for weights and biases), weights times gain. */
void acrl_cnn_init(const acrl_cnn* m, acrl_params* p, float gain, acrl_rng* rng);
/* Forward of in (B, C H W); returns (B, out_dim), valid until the next forward. */
const float* acrl_cnn_forward(acrl_cnn* m, const acrl_params* p, const float* in, int B);
/* Backward of the last forward: p->grad += dL/dparams; din (NULL: skip) += dL/din. */
void acrl_cnn_backward(acrl_cnn* m, acrl_params* p, float* din, const float* dout);
void acrl_cnn_free(acrl_cnn* m);

/* ---- optimizers ------------------------------------------------------------------- */

typedef enum { ACRL_OPT_ADAM, ACRL_OPT_ADAMW, ACRL_OPT_RMSPROP } acrl_opt_kind;

/* Optimizer hyperparameters (PyTorch semantics); the state (m, v, step) is in the store. */
typedef struct {
    acrl_opt_kind kind;
    float lr;
    float beta1, beta2;   /* Adam/AdamW */
    float alpha;          /* RMSprop smoothing */
    float eps;            /* Adam: added to sqrt(v_hat); RMSprop: added to sqrt(square_avg) */
    float weight_decay;   /* Adam/RMSprop: L2 added to the gradient; AdamW: decoupled */
} acrl_optim;

/* PyTorch's defaults for kind (Adam: lr 1e-3, betas 0.9/0.999, eps 1e-8, wd 0; AdamW: wd 1e-2;
 * RMSprop: lr 1e-2, alpha 0.99, eps 1e-8). */
acrl_optim acrl_optim_default(acrl_opt_kind kind);
/* One update of p->param from p->grad with learning rate lr (overrides o->lr, for schedules). */
void acrl_optim_step(const acrl_optim* o, acrl_params* p, float lr);

typedef enum { ACRL_LR_CONSTANT, ACRL_LR_LINEAR } acrl_lr_kind;
/* Learning rate at progress in [0, 1]: constant lr0, or linear lr0 * (1 - progress). */
float acrl_lr_schedule(acrl_lr_kind kind, float lr0, float progress);

#endif

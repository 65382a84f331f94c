/* test_mlp_cnn: an MLP with a CNN in front (acrl_mlp_build_cnn, the off-policy algorithms'
 * extractor = cnn) against the same CNN and MLP composed by hand (each checked against
 * PyTorch and finite differences in test_conv / test_nn_grad): outputs, parameter gradients and
 * input gradients bit for bit, with and without extra columns (a critic's actions) after the
 * image, and with a pooled, strided stack; backward_input fills only the extra columns; a
 * float finite-difference check of a few CNN weights through the whole network; refusals. */
#include <string.h>

#include "acrl/nn.h"
#include "test.h"

static bool same(const float* a, const float* b, size_t n) { return memcmp(a, b, n * sizeof(float)) == 0; }

/* step of the differences (float forward): 1e-2 moved a max-pooling maximum */
static const float fd_h = 1e-3f;

static void check_case(int C, int H, int W, int extra, const int* ch, const int* k, const int* st, const int* pl, int nl,
                       const char* act) {
    const int img = C * H * W, in = img + extra, B = 5, out = 3;
    const int sizes[] = {in, 32, 16, out};
    const acrl_cnn_spec cs = {C, H, W, nl, ch, k, st, pl, act};
    char err[256];
    acrl_params p, q;
    acrl_params_init(&p);
    acrl_params_init(&q);
    acrl_mlp m, mm;
    acrl_cnn cn;
    CHECK(acrl_mlp_build_cnn(&m, &p, "q", &cs, sizes, 4, act, false, 8, err, sizeof err) == 0);
    CHECK(acrl_params_finalize(&p, err, sizeof err) == 0);
    const int F = m.cnn->out_dim;
    printf("  image %dx%dx%d + %d extra -> %d features, %d parameters\n", C, H, W, extra, F, (int)p.count);
    /* by hand: the MLP on [features | extra], then the CNN, declared in the same order */
    const int s2[] = {F + extra, 32, 16, out};
    CHECK(acrl_mlp_build(&mm, &q, "q", s2, 4, act, false, 8, err, sizeof err) == 0);
    CHECK(acrl_cnn_build(&cn, &q, "q.cnn", C, H, W, ch, k, st, pl, nl, act, 8, err, sizeof err) == 0);
    CHECK(acrl_params_finalize(&q, err, sizeof err) == 0);
    CHECK(q.count == p.count);
    acrl_rng r;
    acrl_rng_seed(&r, 9);
    CHECK(acrl_mlp_init(&m, &p, ACRL_INIT_TORCH, 1, 1, &r) == 0);
    memcpy(q.param, p.param, p.count * sizeof(float));
    float *x = malloc(sizeof(float) * B * in), *dy = malloc(sizeof(float) * B * out);
    for (int i = 0; i < B * in; i++) x[i] = (float)acrl_rng_normal(&r);
    for (int i = 0; i < B * out; i++) dy[i] = (float)acrl_rng_normal(&r);
    const float* y = acrl_mlp_forward(&m, &p, x, B);
    float *im = malloc(sizeof(float) * B * img), *xin = malloc(sizeof(float) * B * (F + extra));
    for (int b = 0; b < B; b++) memcpy(im + b * img, x + b * in, sizeof(float) * img);
    const float* f = acrl_cnn_forward(&cn, &q, im, B);
    for (int b = 0; b < B; b++) {
        memcpy(xin + b * (F + extra), f + b * F, sizeof(float) * F);
        memcpy(xin + b * (F + extra) + F, x + b * in + img, sizeof(float) * extra);
    }
    const float* y2 = acrl_mlp_forward(&mm, &q, xin, B);
    CHECK(same(y, y2, (size_t)B * out));
    /* backward with the input gradient */
    acrl_params_zero_grad(&p);
    acrl_params_zero_grad(&q);
    float *din = calloc((size_t)B * in, sizeof(float)), *dxin = calloc((size_t)B * (F + extra), sizeof(float));
    float *dfeat = malloc(sizeof(float) * B * F), *dimg = calloc((size_t)B * img, sizeof(float));
    acrl_mlp_backward(&m, &p, din, dy);
    acrl_mlp_backward(&mm, &q, dxin, dy);
    for (int b = 0; b < B; b++) memcpy(dfeat + b * F, dxin + b * (F + extra), sizeof(float) * F);
    acrl_cnn_backward(&cn, &q, dimg, dfeat);
    CHECK(same(p.grad, q.grad, p.count));
    bool ok_img = true, ok_extra = true;
    for (int b = 0; b < B; b++) {
        ok_img = ok_img && same(din + b * in, dimg + b * img, (size_t)img);
        ok_extra = ok_extra && same(din + b * in + img, dxin + b * (F + extra) + F, (size_t)extra);
    }
    CHECK(ok_img);
    CHECK(ok_extra);
    /* backward_input: the extra columns only, the image columns untouched, no parameter gradient */
    float* din2 = malloc(sizeof(float) * B * in);
    for (int i = 0; i < B * in; i++) din2[i] = 7;
    acrl_params_zero_grad(&p);
    acrl_mlp_forward(&m, &p, x, B);
    acrl_mlp_backward_input(&m, &p, din2, dy);
    bool untouched = true, extra_ok = true, nograd = true;
    for (int b = 0; b < B; b++)
        for (int j = 0; j < in; j++) {
            if (j < img) untouched = untouched && din2[b * in + j] == 7;
            else extra_ok = extra_ok && din2[b * in + j] == 7 + din[b * in + j];
        }
    for (size_t i = 0; i < p.count; i++) nograd = nograd && p.grad[i] == 0;
    CHECK(untouched);
    CHECK(extra_ok);
    CHECK(nograd);
    /* finite differences (float forward, h = 1e-2) of L = sum dy * y for the first CNN weights */
    acrl_params_zero_grad(&p);
    acrl_mlp_forward(&m, &p, x, B);
    acrl_mlp_backward(&m, &p, NULL, dy);
    double worst = 0;
    const size_t w0 = m.cnn->w_off[0];
    for (int i = 0; i < 6; i++) {
        float* w = p.param + w0 + (size_t)i;
        const float keep = *w, h = fd_h;
        double lp = 0, lm = 0;
        *w = keep + h;
        const float* yp = acrl_mlp_forward(&m, &p, x, B);
        for (int j = 0; j < B * out; j++) lp += (double)dy[j] * yp[j];
        *w = keep - h;
        const float* ym = acrl_mlp_forward(&m, &p, x, B);
        for (int j = 0; j < B * out; j++) lm += (double)dy[j] * ym[j];
        *w = keep;
        double num = (lp - lm) / (2.0 * h), an = p.grad[w0 + (size_t)i];
        double d = fabs(num - an) / fmax(fabs(num), 1e-2);
        if (d > worst) worst = d;
    }
    CHECK_MAXDIFF("CNN weights: analytic vs finite differences", worst, 2e-2);
    free(x); free(dy); free(im); free(xin); free(din); free(dxin); free(dfeat); free(dimg); free(din2);
    acrl_mlp_free(&m);
    acrl_mlp_free(&mm);
    acrl_cnn_free(&cn);
    acrl_params_free(&p);
    acrl_params_free(&q);
}

int main(void) {
    const int ch1[] = {4, 6}, k1[] = {3, 3}, st1[] = {1, 2};
    check_case(2, 7, 7, 0, ch1, k1, st1, NULL, 2, "tanh");  /* an actor: the image alone */
    check_case(2, 7, 7, 3, ch1, k1, st1, NULL, 2, "tanh");  /* a critic: image then actions */
    const int ch2[] = {3}, k2[] = {3}, pl2[] = {2};
    check_case(1, 6, 8, 2, ch2, k2, NULL, pl2, 1, "tanh"); /* pooled (tanh: no kink for the differences) */
    /* refusals */
    acrl_params p;
    acrl_params_init(&p);
    acrl_mlp m;
    char err[256];
    const int sizes[] = {10, 8, 1};
    const acrl_cnn_spec big = {2, 3, 3, 1, ch2, k2, NULL, NULL, "relu"};
    CHECK(acrl_mlp_build_cnn(&m, &p, "q", &big, sizes, 3, "relu", false, 4, err, sizeof err) == -1);
    printf("  refused: %s\n", err);
    CHECK(strstr(err, "cannot hold a 2x3x3 image") != NULL);
    const int k9[] = {9}, st9[] = {9}, pl9[] = {4};
    const acrl_cnn_spec tiny = {1, 3, 3, 1, ch2, k9, st9, pl9, "relu"};
    const int s9[] = {9, 8, 1};
    CHECK(acrl_mlp_build_cnn(&m, &p, "q", &tiny, s9, 3, "relu", false, 4, err, sizeof err) == -1);
    printf("  refused: %s\n", err);
    CHECK(strstr(err, "leaves no output") != NULL);
    acrl_params_free(&p);
    return test_summary("test_mlp_cnn");
}

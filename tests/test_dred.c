/* test_dred.c - DRED's level VAE: the loss gradient against central finite differences,
 * training on Maze-v0's training levels (reconstruction beats predicting every cell open),
 * and generated levels (valid, reachable, reproducible from the generator's seed). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algo/dred.h"
#include "test.h"

static void test_gradient(void) {
    char err[256];
    acrl_rng rng;
    acrl_rng_seed(&rng, 3);
    dred_vae v;
    CHECK(dred_vae_init(&v, 4, 3, 8, 4, &rng, err, sizeof err) == 0);
    float x[4 * 16], eps[4 * 3];
    for (int i = 0; i < 64; i++) x[i] = acrl_rng_double(&rng) < 0.3 ? 1.0f : 0.0f;
    for (int i = 0; i < 12; i++) eps[i] = (float)acrl_rng_normal(&rng);
    acrl_params_zero_grad(&v.p);
    dred_vae_loss(&v, x, eps, 4, true);
    float* g = malloc(sizeof(float) * v.p.count);
    memcpy(g, v.p.grad, sizeof(float) * v.p.count);
    double worst = 0;
    for (int k = 0; k < 40; k++) {
        size_t i = (size_t)acrl_rng_below(&rng, v.p.count);
        float keep = v.p.param[i];
        const float h = 1e-2f;
        v.p.param[i] = keep + h;
        double lp = dred_vae_loss(&v, x, eps, 4, false);
        v.p.param[i] = keep - h;
        double lm = dred_vae_loss(&v, x, eps, 4, false);
        v.p.param[i] = keep;
        double fd = (lp - lm) / (2.0 * h);
        worst = fmax(worst, fabs(fd - g[i]) / fmax(0.05, fabs(fd)));
    }
    CHECK_MAXDIFF("VAE loss gradient vs central differences (relative)", worst, 2e-2);
    free(g);
    dred_vae_free(&v);
}

static void test_train_generate(void) {
    char err[256];
    enum { NL = 200, M = 50 };
    acrl_maze_level* lv = malloc(sizeof *lv * NL);
    double walls = 0;
    for (int i = 0; i < NL; i++) {
        CHECK(acrl_maze_training_level(&lv[i], i, 0.35, 9, err, sizeof err) == 0);
        for (int c = 0; c < 81; c++) walls += lv[i].wall[c];
    }
    double open_baseline = 1.0 - walls / (NL * 81.0);
    acrl_rng rng;
    acrl_rng_seed(&rng, 5);
    dred_vae v;
    CHECK(dred_vae_init(&v, 9, 16, 128, 32, &rng, err, sizeof err) == 0);
    /* the cells are independent given each level's density: the baseline is one Bernoulli rate
     * for every cell, 81 H(p) nats per level; the VAE must do better by carrying the density */
    double pw = 1.0 - open_baseline, iid = -81.0 * (pw * log(pw) + (1 - pw) * log(1 - pw));
    float eps0[32 * 16];
    for (int i = 0; i < 32 * 16; i++) eps0[i] = (float)acrl_rng_normal(&rng);
    float xs[32 * 81];
    for (int b = 0; b < 32; b++)
        for (int c = 0; c < 81; c++) xs[b * 81 + c] = lv[b].wall[c];
    double before = dred_vae_loss(&v, xs, eps0, 32, false);
    double loss = dred_vae_train(&v, lv, NL, 1500, 32, 1e-3f, &rng);
    double after = dred_vae_reconstruction(&v, lv, NL);
    printf("  VAE on 200 training levels: loss %.2f (untrained %.2f, one rate for all cells %.2f), cells "
           "reconstructed %.3f (all-open %.3f)\n", loss, before, iid, after, open_baseline);
    CHECK(loss < iid);
    CHECK(after > open_baseline);
    acrl_maze_level* gen = malloc(sizeof *gen * M);
    acrl_maze_level* gen2 = malloc(sizeof *gen2 * M);
    acrl_rng r1, r2;
    acrl_rng_seed(&r1, 9);
    acrl_rng_seed(&r2, 9);
    CHECK(dred_generate(&v, lv, NL, gen, M, &r1, err, sizeof err) == 0);
    CHECK(dred_generate(&v, lv, NL, gen2, M, &r2, err, sizeof err) == 0);
    CHECK(memcmp(gen, gen2, sizeof *gen * M) == 0);
    double gw = 0;
    int ok = 1;
    for (int k = 0; k < M; k++) {
        ok &= gen[k].w == 9 && gen[k].h == 9 && acrl_maze_distance(&gen[k]) > 0 && gen[k].seed == -1 - k;
        for (int c = 0; c < 81; c++) gw += gen[k].wall[c];
    }
    CHECK(ok);
    CHECK(fabs(gw / (M * 81.0) - walls / (NL * 81.0)) < 0.05);
    printf("  50 generated levels: wall fraction %.3f (training levels %.3f)\n", gw / (M * 81.0), walls / (NL * 81.0));
    free(gen);
    free(gen2);
    free(lv);
    dred_vae_free(&v);
}

int main(void) {
    test_gradient();
    test_train_generate();
    return test_summary("test_dred");
}

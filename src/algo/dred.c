/* dred.c - DRED's level generator: a VAE over level wall grids (dred.h). */
#include "algo/dred.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dred_vae_init(dred_vae* v, int S, int Z, int H, int max_batch, acrl_rng* rng, char* err, size_t errlen) {
    memset(v, 0, sizeof *v);
    if (S < 3 || S > ACRL_MAZE_MAX || Z < 1 || Z > 256 || H < 1 || H > 4096 || max_batch < 1) {
        snprintf(err, errlen, "dred: sizes out of range (side %d, latent %d, hidden %d)", S, Z, H);
        return -1;
    }
    v->S = S; v->Z = Z; v->H = H; v->max_batch = max_batch;
    const int N = S * S;
    int es[3] = {N, H, 2 * Z}, ds[3] = {Z, H, N};
    acrl_params_init(&v->p);
    if (acrl_mlp_build(&v->enc, &v->p, "enc", es, 3, "relu", false, max_batch, err, errlen) ||
        acrl_mlp_build(&v->dec, &v->p, "dec", ds, 3, "relu", false, max_batch, err, errlen) ||
        acrl_params_finalize(&v->p, err, errlen)) {
        dred_vae_free(v);
        return -1;
    }
    acrl_mlp_init(&v->enc, &v->p, ACRL_INIT_TORCH, 1, 1, rng);
    acrl_mlp_init(&v->dec, &v->p, ACRL_INIT_TORCH, 1, 1, rng);
    size_t B = (size_t)max_batch;
    v->x = malloc(sizeof(float) * B * N);
    v->mu = malloc(sizeof(float) * B * Z);
    v->logvar = malloc(sizeof(float) * B * Z);
    v->eps = malloc(sizeof(float) * B * Z);
    v->z = malloc(sizeof(float) * B * Z);
    v->dz = malloc(sizeof(float) * B * Z);
    v->dhead = malloc(sizeof(float) * B * 2 * Z);
    v->dlogits = malloc(sizeof(float) * B * N);
    if (!v->x || !v->mu || !v->logvar || !v->eps || !v->z || !v->dz || !v->dhead || !v->dlogits) {
        dred_vae_free(v);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

void dred_vae_free(dred_vae* v) {
    acrl_mlp_free(&v->enc);
    acrl_mlp_free(&v->dec);
    acrl_params_free(&v->p);
    free(v->x); free(v->mu); free(v->logvar); free(v->eps); free(v->z); free(v->dz); free(v->dhead); free(v->dlogits);
    memset(v, 0, sizeof *v);
}

/* encoder forward: mu, logvar (B, Z) */
static void encode(dred_vae* v, const float* x, int B) {
    const float* head = acrl_mlp_forward(&v->enc, &v->p, x, B);
    for (int b = 0; b < B; b++)
        for (int k = 0; k < v->Z; k++) {
            v->mu[b * v->Z + k] = head[b * 2 * v->Z + k];
            v->logvar[b * v->Z + k] = head[b * 2 * v->Z + v->Z + k];
        }
}

double dred_vae_loss(dred_vae* v, const float* x, const float* eps, int B, bool grad) {
    const int Z = v->Z, N = v->S * v->S;
    encode(v, x, B);
    for (int i = 0; i < B * Z; i++) v->z[i] = v->mu[i] + expf(0.5f * v->logvar[i]) * eps[i];
    const float* logits = acrl_mlp_forward(&v->dec, &v->p, v->z, B);
    double loss = 0;
    for (int i = 0; i < B * N; i++) {
        /* BCE with logits, stable form: max(l, 0) - l x + log(1 + exp(-|l|)) */
        double l = logits[i], y = x[i];
        loss += fmax(l, 0) - l * y + log1p(exp(-fabs(l)));
        if (grad) v->dlogits[i] = (float)((1.0 / (1.0 + exp(-l)) - y) / B);
    }
    for (int i = 0; i < B * Z; i++) {
        double mu = v->mu[i], lv = v->logvar[i];
        loss += -0.5 * (1 + lv - mu * mu - exp(lv));
    }
    if (!grad) return loss / B;
    memset(v->dz, 0, sizeof(float) * (size_t)B * Z);
    acrl_mlp_backward(&v->dec, &v->p, v->dz, v->dlogits);
    for (int b = 0; b < B; b++)
        for (int k = 0; k < Z; k++) {
            int i = b * Z + k;
            float s = expf(0.5f * v->logvar[i]);
            v->dhead[b * 2 * Z + k] = v->dz[i] + v->mu[i] / B;
            v->dhead[b * 2 * Z + Z + k] = v->dz[i] * eps[i] * 0.5f * s + 0.5f * (expf(v->logvar[i]) - 1.0f) / B;
        }
    acrl_mlp_backward(&v->enc, &v->p, NULL, v->dhead);
    return loss / B;
}

static void level_to_x(const acrl_maze_level* l, float* x, int S) {
    for (int i = 0; i < S * S; i++) x[i] = l->w == S && l->h == S ? (float)l->wall[i] : 0.0f;
}

double dred_vae_train(dred_vae* v, const acrl_maze_level* levels, int n, int steps, int batch, float lr, acrl_rng* rng) {
    const int N = v->S * v->S, B = batch < v->max_batch ? batch : v->max_batch;
    acrl_optim opt = acrl_optim_default(ACRL_OPT_ADAM);
    double tail = 0;
    int nt = 0;
    for (int s = 0; s < steps; s++) {
        for (int b = 0; b < B; b++) level_to_x(&levels[acrl_rng_below(rng, (uint64_t)n)], v->x + (size_t)b * N, v->S);
        for (int i = 0; i < B * v->Z; i++) v->eps[i] = (float)acrl_rng_normal(rng);
        acrl_params_zero_grad(&v->p);
        double loss = dred_vae_loss(v, v->x, v->eps, B, true);
        acrl_optim_step(&opt, &v->p, lr);
        if (s >= steps - 100) { tail += loss; nt++; }
    }
    return nt ? tail / nt : NAN;
}

double dred_vae_reconstruction(dred_vae* v, const acrl_maze_level* levels, int n) {
    const int N = v->S * v->S;
    long right = 0, total = 0;
    for (int i = 0; i < n; i++) {
        level_to_x(&levels[i], v->x, v->S);
        encode(v, v->x, 1);
        const float* logits = acrl_mlp_forward(&v->dec, &v->p, v->mu, 1);
        for (int c = 0; c < N; c++) right += (logits[c] > 0) == (v->x[c] > 0.5f);
        total += N;
    }
    return (double)right / (double)total;
}

int dred_generate(dred_vae* v, const acrl_maze_level* levels, int n, acrl_maze_level* out, int M, acrl_rng* rng,
                  char* err, size_t errlen) {
    const int S = v->S, Z = v->Z, N = S * S;
    float ma[256], sa[256], mb[256], sb[256], z[256];
    int made = 0, pairs = 0;
    while (made < M) {
        if (++pairs > 100 * M + 1000) {
            snprintf(err, errlen, "dred: only %d of %d generated levels have a reachable goal", made, M);
            return -1;
        }
        int a = (int)acrl_rng_below(rng, (uint64_t)n), b = (int)acrl_rng_below(rng, (uint64_t)n);
        level_to_x(&levels[a], v->x, S);
        encode(v, v->x, 1);
        for (int k = 0; k < Z; k++) { ma[k] = v->mu[k]; sa[k] = expf(0.5f * v->logvar[k]); }
        level_to_x(&levels[b], v->x, S);
        encode(v, v->x, 1);
        for (int k = 0; k < Z; k++) { mb[k] = v->mu[k]; sb[k] = expf(0.5f * v->logvar[k]); }
        float t = (float)acrl_rng_double(rng);
        for (int tries = 0; tries < 100; tries++) {
            for (int k = 0; k < Z; k++)
                z[k] = (1 - t) * ma[k] + t * mb[k] + ((1 - t) * sa[k] + t * sb[k]) * (float)acrl_rng_normal(rng);
            const float* logits = acrl_mlp_forward(&v->dec, &v->p, z, 1);
            acrl_maze_level* l = &out[made];
            memset(l, 0, sizeof *l);
            l->w = l->h = S;
            l->seed = -1 - (int64_t)made;
            int open = 0, cells[ACRL_MAZE_MAX * ACRL_MAZE_MAX];
            for (int c = 0; c < N; c++) {
                l->wall[c] = acrl_rng_double(rng) < 1.0 / (1.0 + exp(-(double)logits[c]));
                if (!l->wall[c]) cells[open++] = c;
            }
            if (open < 2) continue;
            int i = (int)acrl_rng_below(rng, (uint64_t)open), j = (int)acrl_rng_below(rng, (uint64_t)open - 1);
            if (j >= i) j++;
            l->sx = cells[i] % S; l->sy = cells[i] / S;
            l->gx = cells[j] % S; l->gy = cells[j] / S;
            if (acrl_maze_distance(l) > 0) { made++; break; }
        }
    }
    return 0;
}

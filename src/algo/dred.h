/* dred.h - DRED's level generator (Garcin et al., "DRED: Zero-Shot Transfer in Reinforcement
 * Learning via Data-Regularised Environment Design", ICML 2024; docs/generalisation.md): a
 * variational autoencoder over the wall grids of the initial level set, trained with acrl's
 * own networks, and new levels decoded from latents interpolated between pairs of encoded
 * levels. The generated levels join the training levels under level replay.
 *
 * Model: encoder MLP (S*S) -> H -> 2Z (mean, log-variance), decoder MLP Z -> H -> S*S
 * logits (independent Bernoulli walls), ReLU; loss per level: the cells' binary
 * cross-entropy (a sum) plus KL(N(mean, var) || N(0, I)). */
#ifndef ACRL_DRED_H
#define ACRL_DRED_H

#include <stddef.h>

#include "acrl/maze.h"
#include "acrl/nn.h"
#include "acrl/rng.h"

typedef struct {
    int S, Z, H, max_batch;   /* level side, latent size, hidden width */
    acrl_params p;            /* encoder and decoder weights */
    acrl_mlp enc, dec;
    float *x, *mu, *logvar, *eps, *z, *dz, *dhead, *dlogits; /* scratch, (max_batch, .) */
} dred_vae;

/* Builds and initializes (PyTorch's default init from rng) a VAE for S x S levels. 0, or -1. */
int  dred_vae_init(dred_vae* v, int S, int Z, int H, int max_batch, acrl_rng* rng, char* err, size_t errlen);
void dred_vae_free(dred_vae* v);
/* Mean loss (cross-entropy + KL) over B levels x (B, S*S) with noise eps (B, Z); with grad,
 * p.grad += its gradient. */
double dred_vae_loss(dred_vae* v, const float* x, const float* eps, int B, bool grad);
/* Trains on n levels (all S x S) for steps Adam steps of minibatches (drawn from rng) at lr;
 * returns the mean loss of the last min(steps, 100) steps. */
double dred_vae_train(dred_vae* v, const acrl_maze_level* levels, int n, int steps, int batch, float lr, acrl_rng* rng);
/* Fraction of wall cells the mean latent of each level reconstructs (logit > 0), over n levels. */
double dred_vae_reconstruction(dred_vae* v, const acrl_maze_level* levels, int n);
/* M new levels: for each, a random pair (a, b) of the n levels and t uniform in [0, 1]; the
 * latent z = mean + std * eps with mean and std interpolated linearly between the pair's
 * encodings; each wall drawn from the decoded Bernoulli (the cells of Maze-v0's levels are
 * independent given the density, so a threshold at 0.5 would lose the walls); start and goal uniform among open cells,
 * redrawn (new eps, new cells) until the goal is reachable (up to 100 tries, else the next
 * pair). out (M); seed is stored as -1 - k (k: index among the generated). 0, or -1. */
int  dred_generate(dred_vae* v, const acrl_maze_level* levels, int n, acrl_maze_level* out, int M, acrl_rng* rng,
                   char* err, size_t errlen);

#endif

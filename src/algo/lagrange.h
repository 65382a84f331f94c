/* lagrange.h - the Lagrange multiplier of a constrained (CMDP) learner, as OmniSafe's
 * PPO-Lagrangian updates it: lambda is a parameter of its own Adam optimizer (PyTorch's
 * betas 0.9 / 0.999, eps 1e-8) minimizing -lambda * (Jc - limit), then clamped at zero.
 * An episode cost Jc above the limit raises lambda by about lr per update. */
#ifndef ACRL_LAGRANGE_H
#define ACRL_LAGRANGE_H

#include <stdint.h>

#include "acrl/io.h"

typedef struct {
    double lambda;   /* the multiplier, >= 0 */
    double m, v;     /* Adam moments */
    int64_t t;       /* Adam steps taken */
    double lr;       /* Adam learning rate */
} acrl_lagrange;

void acrl_lagrange_init(acrl_lagrange* l, double lambda0, double lr);
/* One update towards the limit with the measured episode cost jc (finite). */
void acrl_lagrange_update(acrl_lagrange* l, double jc, double limit);

/* Checkpoint section name: float64 lambda, m, v, lr and int64 t (40 bytes, little-endian);
 * buf (LAGRANGE_BYTES) must live until the checkpoint is committed. */
#define ACRL_LAGRANGE_BYTES 40
int acrl_lagrange_save(const acrl_lagrange* l, acrl_ckpt_writer* w, const char* name, uint8_t* buf);
int acrl_lagrange_load(acrl_lagrange* l, const acrl_ckpt* c, const char* name, char* err, size_t errlen);

#endif

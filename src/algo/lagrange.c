/* The Lagrange multiplier's own Adam update (see lagrange.h). */
#include "algo/lagrange.h"

#include <math.h>
#include <stdio.h>

#include "io/le.h"

void acrl_lagrange_init(acrl_lagrange* l, double lambda0, double lr) {
    l->lambda = lambda0 > 0 ? lambda0 : 0.0;
    l->m = l->v = 0.0;
    l->t = 0;
    l->lr = lr;
}

void acrl_lagrange_update(acrl_lagrange* l, double jc, double limit) {
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    double g = -(jc - limit);   /* d/dlambda of -lambda * (jc - limit) */
    l->t++;
    l->m = b1 * l->m + (1 - b1) * g;
    l->v = b2 * l->v + (1 - b2) * g * g;
    double mhat = l->m / (1 - pow(b1, (double)l->t)), vhat = l->v / (1 - pow(b2, (double)l->t));
    l->lambda -= l->lr * mhat / (sqrt(vhat) + eps);
    if (!(l->lambda > 0)) l->lambda = 0.0;   /* clamped at zero (NaN too) */
}

int acrl_lagrange_save(const acrl_lagrange* l, acrl_ckpt_writer* w, const char* name, uint8_t* buf) {
    uint8_t* p = le_put_f64(buf, l->lambda);
    p = le_put_f64(p, l->m);
    p = le_put_f64(p, l->v);
    p = le_put_f64(p, l->lr);
    le_put_i64(p, l->t);
    return acrl_ckpt_add(w, name, buf, ACRL_LAGRANGE_BYTES);
}

int acrl_lagrange_load(acrl_lagrange* l, const acrl_ckpt* c, const char* name, char* err, size_t errlen) {
    const uint8_t* p = acrl_ckpt_get(c, name, ACRL_LAGRANGE_BYTES, err, errlen);
    if (!p) return -1;
    acrl_lagrange x;
    x.lambda = le_get_f64(&p);
    x.m = le_get_f64(&p);
    x.v = le_get_f64(&p);
    x.lr = le_get_f64(&p);
    x.t = le_get_i64(&p);
    if (!(x.lambda >= 0) || !isfinite(x.lambda) || !isfinite(x.m) || !(x.v >= 0) || !isfinite(x.v) || x.t < 0) {
        snprintf(err, errlen, "checkpoint section '%s' holds an invalid Lagrange multiplier state", name);
        return -1;
    }
    *l = x;
    return 0;
}

/* The Q-bias accumulation (qbias.h): discounted returns backwards through an episode, the
 * truncated tail dropped or bootstrapped, and the statistics of Q - G. */
#include "algo/qbias.h"

#include <math.h>

void qbias_add_episode(qbias_acc* a, const double* r, const float* q, int T, bool terminated, double q_boot,
                       double gamma, double tail_eps) {
    a->episodes++;
    a->visited += T;
    if (T <= 0) return;
    /* tail handling: exact (terminated), dropped where negligible, or bootstrapped */
    const bool boot = !terminated && pow(gamma, T) > tail_eps;
    if (terminated) a->terminated++;
    else if (boot) a->bootstrapped++;
    else a->dropped++;
    double g = boot ? q_boot : 0, w = 1; /* g: return from step t on; w = gamma^(T - t) */
    for (int t = T - 1; t >= 0; t--) {
        g = r[t] + gamma * g;
        w *= gamma;
        if (!terminated && !boot && w > tail_eps) continue; /* the tail would matter: not counted */
        const double d = (double)q[t] - g;
        a->n += 1;
        a->sum_d += d;
        a->sum_d2 += d * d;
        a->sum_q += q[t];
        a->sum_g += g;
        if (!terminated && !boot && w > a->max_tail) a->max_tail = w;
    }
}

void qbias_finish(const qbias_acc* a, acrl_qbias_result* out) {
    out->episodes = a->episodes;
    out->visited = a->visited;
    out->states = (long)a->n;
    out->terminated = a->terminated;
    out->dropped = a->dropped;
    out->bootstrapped = a->bootstrapped;
    out->max_tail_weight = a->max_tail;
    if (a->n <= 0) {
        out->q_mean = out->return_mean = out->bias_mean = out->bias_std = out->norm_mean = out->norm_std = NAN;
        return;
    }
    out->q_mean = a->sum_q / a->n;
    out->return_mean = a->sum_g / a->n;
    out->bias_mean = a->sum_d / a->n;
    const double var = a->sum_d2 / a->n - out->bias_mean * out->bias_mean;
    out->bias_std = var > 0 ? sqrt(var) : 0;
    const double scale = fabs(out->return_mean);
    out->norm_mean = scale > 0 ? out->bias_mean / scale : NAN;
    out->norm_std = scale > 0 ? out->bias_std / scale : NAN;
}

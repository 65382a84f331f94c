/* qbias.h - the Q-value estimation bias of an off-policy learner (acrl qbias): at the states
 * a rollout of the policy visits, the critic's estimate Q(s_t, a_t) against the discounted
 * return actually obtained from there, as the DSAC-T paper reports it (mean and std of the
 * difference, normalised by the mean return).
 *
 * Returns of truncated episodes miss the tail beyond the time limit. A state whose tail weight
 * gamma^(T - t) is at most tail_eps is counted with the tail left out; when an episode is too
 * short for any state to qualify (gamma^T > tail_eps, e.g. Pendulum's 200 steps at 0.99), all
 * its states are counted with the tail bootstrapped by the critic's estimate at the final
 * state and the policy's action there. Episodes that terminate are counted whole and exact. */
#ifndef ACRL_QBIAS_H
#define ACRL_QBIAS_H

#include <stdbool.h>

#include "acrl/train.h"

typedef struct {
    double n, sum_d, sum_d2, sum_q, sum_g;  /* counted states; sums of Q - G, (Q - G)^2, Q, G */
    long   visited;                          /* states visited */
    int    episodes, terminated, dropped, bootstrapped; /* episodes, by how their tail was handled */
    double max_tail;                         /* largest dropped tail weight gamma^(T - t) among counted states */
} qbias_acc;

/* One episode of T steps: rewards r (T) in the learner's reward units, critic estimates q (T) at
 * (s_t, a_t); terminated: it ended in a terminal state (no tail), else it was truncated and
 * q_boot is the critic's estimate at the final state (used only when the tail is bootstrapped). */
void qbias_add_episode(qbias_acc* a, const double* r, const float* q, int T, bool terminated, double q_boot,
                       double gamma, double tail_eps);
/* The statistics of what was added (NAN where nothing was counted). */
void qbias_finish(const qbias_acc* a, acrl_qbias_result* out);

#endif

/* cabn.c - the graph of CA-BN (context-aware Bayesian-network joint policies, Chen & Zhang,
 * ICML 2023): agents choose actions along a directed acyclic graph over agents, each agent's
 * actor seeing its parents' actions. acrl's reading of the paper (its abstract and the
 * description in docs/multiagent.md; the paper's code was not available here):
 *   - edge weights W (N, N), zero diagonal, adjacency A = W o W (elementwise square);
 *   - NOTEARS's differentiable acyclicity h(A) = tr(e^A) - N, zero exactly for a DAG,
 *     added to the loss with weight dag_acyclic; an L1 sparsity term on W whose weight is
 *     annealed from 0 to dag_sparsity over the run, driving the graph towards no edges
 *     (independent policies for decentralised execution);
 *   - each iteration, an order of the agents from A (greedy topological order: next the agent
 *     with the least incoming weight from those not yet placed); edge j -> i is used when j
 *     comes before i and A_ji >= dag_threshold. Agent i's actor input is its observation
 *     followed by one slot per agent holding A_ji times the one-hot of agent j's action for
 *     its parents j (zeros otherwise), so the policy gradient reaches W through A. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "marl/marl_internal.h"

void cabn_adjacency(double* A, const float* W, int N) {
    for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++) A[j * N + i] = i == j ? 0.0 : (double)W[j * N + i] * W[j * N + i];
}

/* e^A (N, N) by scaling and squaring with a 20-term Taylor series; N <= 16. */
static void expm(double* E, const double* A, int N) {
    double norm = 0;
    for (int j = 0; j < N; j++) {
        double s = 0;
        for (int i = 0; i < N; i++) s += fabs(A[i * N + j]);
        if (s > norm) norm = s;
    }
    int sq = 0;
    while (norm > 0.5 && sq < 60) { norm /= 2; sq++; }
    double scale = ldexp(1.0, -sq), T[256], P[256], Q[256];
    for (int k = 0; k < N * N; k++) { E[k] = 0; T[k] = 0; }
    for (int k = 0; k < N; k++) E[k * N + k] = T[k * N + k] = 1.0;
    for (int n = 1; n <= 20; n++) {   /* T = T A / n */
        for (int r = 0; r < N; r++)
            for (int c = 0; c < N; c++) {
                double s = 0;
                for (int k = 0; k < N; k++) s += T[r * N + k] * A[k * N + c] * scale;
                P[r * N + c] = s / n;
            }
        memcpy(T, P, sizeof(double) * (size_t)(N * N));
        for (int k = 0; k < N * N; k++) E[k] += T[k];
    }
    for (int s = 0; s < sq; s++) {
        for (int r = 0; r < N; r++)
            for (int c = 0; c < N; c++) {
                double v = 0;
                for (int k = 0; k < N; k++) v += E[r * N + k] * E[k * N + c];
                Q[r * N + c] = v;
            }
        memcpy(E, Q, sizeof(double) * (size_t)(N * N));
    }
}

double cabn_acyclicity(double* dW, const float* W, int N) {
    double A[256], E[256];
    cabn_adjacency(A, W, N);
    expm(E, A, N);
    double h = 0;
    for (int k = 0; k < N; k++) h += E[k * N + k];
    /* d tr(e^A) / dA = (e^A)^T; dA_ji / dW_ji = 2 W_ji */
    if (dW)
        for (int j = 0; j < N; j++)
            for (int i = 0; i < N; i++) dW[j * N + i] = i == j ? 0.0 : 2.0 * W[j * N + i] * E[i * N + j];
    return h - N;
}

void cabn_order(int* order, unsigned char* allowed, const double* A, int N, double threshold) {
    bool placed[ACRL_MARL_MAX_AGENTS] = {false};
    int pos[ACRL_MARL_MAX_AGENTS];
    for (int p = 0; p < N; p++) {
        int best = -1;
        double bw = INFINITY;
        for (int i = 0; i < N; i++) {
            if (placed[i]) continue;
            double w = 0;
            for (int j = 0; j < N; j++)
                if (!placed[j] && j != i) w += A[j * N + i];
            if (w < bw) { bw = w; best = i; }
        }
        placed[best] = true;
        order[p] = best;
        pos[best] = p;
    }
    for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++) allowed[j * N + i] = pos[j] < pos[i] && A[j * N + i] >= threshold;
}

void cabn_input(float* out, const float* obs, int od, const int* acts, const double* A, const unsigned char* allowed,
                const int* koff, int sumK, int i, int N) {
    memcpy(out, obs, sizeof(float) * (size_t)od);
    float* slot = out + od;
    memset(slot, 0, sizeof(float) * (size_t)sumK);
    for (int j = 0; j < N; j++)
        if (allowed[j * N + i]) slot[koff[j] + acts[j]] = (float)A[j * N + i];
}

void cabn_w_grad(double* g, const float* W, const unsigned char* allowed, const float* din, int n, int in, int od,
                 const int* koff, const int* agent, const int* acts, int N) {
    for (int k = 0; k < N * N; k++) g[k] = 0;
    for (int s = 0; s < n; s++) {
        int i = agent[s];
        for (int j = 0; j < N; j++)
            if (allowed[j * N + i])
                g[j * N + i] += din[(size_t)s * (size_t)in + (size_t)od + (size_t)koff[j] + (size_t)acts[s * N + j]];
    }
    /* dA_ji / dW_ji = 2 W_ji */
    for (int k = 0; k < N * N; k++) g[k] *= 2.0 * W[k];
}

/* acrl/mec.h - MecOffload-v0, multi-objective task offloading in mobile edge computing
 * (after arXiv 2307.14346 and GMORL, arXiv 2509.10474; choices in docs/mec.md), and the
 * Pareto-front tools `acrl pareto` uses (non-dominated filtering, 2-D hypervolume).
 *
 * Each step places the next task: action 0 runs it on its user's own CPU; action k (1..slots)
 * sends it to the edge server with the k-th smallest expected delay for this task (ranks
 * past the number of servers mean the last one). Delay and energy of the placement are the
 * two objectives: costs[0] = delay (s), costs[1] = energy (J) of the task; the reward is
 * w r_d + (1 - w) r_e with r_d = -delay_scale delay, r_e = -energy_scale energy, and the
 * preference w is the observation's first value.
 *
 * Settings (acrl_env_options.env_args, "key=value" pairs split by ','; a key given twice:
 * the last wins):
 *   pref          random (w ~ U[0, 1] per episode; default) or a number in [0, 1]
 *   servers       edge servers E (default 5; 1..MEC_MAX_SERVERS)
 *   servers_max   > servers: E drawn uniformly in [servers, servers_max] per episode (0: off)
 *   users         users (default 10; 1..MEC_MAX_USERS)
 *   tasks         tasks per episode (default 100, the paper's Tmax)
 *   arrival_rate  tasks per second, Poisson arrivals (default 1)
 *   size_mean     mean task size in Mbit (default 0: load * sum_j f_j / (C arrival_rate))
 *   load          offered load of that default (default 1)
 *   size_min, size_max   clip of the exponential size, Mbit (default 0.1, 100)
 *   cycles_per_bit C (default 1000)
 *   edge_freq, edge_freq_spread  server CPU f_j ~ U[f - s, f + s] per episode (2e9, 0.5e9 Hz)
 *   local_freq    user CPU (default 1e9 Hz)
 *   edge_k, local_k  energy coefficient kappa: execution energy kappa C s f^2 (5e-31)
 *   tx_power      W (0.01); bandwidth Hz (16.6e6); noise_dbm dBm/Hz (-174)
 *   dist_min, dist_max  user-server distance ~ U (50, 500 m) per episode
 *   pathloss_a, pathloss_b, shadowing  PL(d) = a log10(d / 1 km) + b, plus shadowing dB
 *                 (35, 133.6, 8)
 *   fading        1: Rayleigh power gain ~ Exp(1) per user and server per episode; 0: 1
 *   delay_scale, energy_scale  reward scales (default 0.1 per s, 50 per J)
 *   slots         ranked server actions (default 4): Discrete(1 + slots) */
#ifndef ACRL_MEC_H
#define ACRL_MEC_H

#include <stddef.h>

#include "acrl/env.h"

#define MEC_MAX_SERVERS 32
#define MEC_MAX_USERS 64
#define MEC_MAX_SLOTS 16
#define MEC_HIST_BINS 8

/* Shannon rate (bit/s) of a link: B log2(1 + p g / (N0 B)), N0 = 10^((noise_dbm - 30) / 10) W/Hz. */
double acrl_mec_rate(double bandwidth, double tx_power, double noise_dbm, double gain);
/* Power gain of distance d (m): 10^(-(a log10(d / 1000) + b + shadowing) / 10) times fading. */
double acrl_mec_gain(double d, double a, double b, double shadowing, double fading);

/* The current state (env may be wrapped; -1 if it is not a MecOffload-v0 env). */
typedef struct {
    int    servers, users, user;  /* E, U, the current task's user */
    double now, size, pref;       /* s; current task size (bit); w */
    double freq[MEC_MAX_SERVERS]; /* f_j */
    double free_at[MEC_MAX_SERVERS]; /* time server j finishes its assigned work */
    double local_free_at;         /* the same for the current user's CPU */
    double rate[MEC_MAX_SERVERS]; /* current user's uplink rate to server j (bit/s) */
} acrl_mec_view;
int acrl_mec_view_get(const acrl_env* env, acrl_mec_view* v);

/* Expected delay (s) and energy (J) of placing the current task on server j (-1: local). */
int acrl_mec_estimate(const acrl_env* env, int j, double* delay, double* energy);
/* One step placing the current task on server j (-1: local, else 0..E-1) directly: what the
 * baselines use; otherwise as the env's step. Returns 0, or -1 (not a MEC env, bad j). */
int acrl_mec_step_server(acrl_env* env, int j, float* obs, double* reward, bool* terminated, bool* truncated);
/* Sums over the episode so far: delay (s), energy (J), tasks placed. */
int acrl_mec_totals(const acrl_env* env, double* delay, double* energy, int* tasks);
/* The effective settings as env_args (every key), to build more envs like env. */
int acrl_mec_args(const acrl_env* env, char* buf, size_t len);

/* Heuristic placements of the current task (server index, -1 local): */
typedef enum {
    ACRL_MEC_LOCAL,     /* always local */
    ACRL_MEC_FASTEST,   /* the server with the highest CPU frequency */
    ACRL_MEC_RANDOM,    /* uniform over local and the E servers (rng) */
    ACRL_MEC_GREEDY     /* the least expected delay among local and the servers */
} acrl_mec_heuristic;
int acrl_mec_heuristic_choice(const acrl_env* env, acrl_mec_heuristic h, acrl_rng* rng);

/* ---- Pareto tools (both objectives minimised) -------------------------------------
 * Non-dominated filter: writes the indices of the points (x[i], y[i]) not dominated by any
 * other (<= in both, < in one; of equal points the first is kept) into keep, sorted by x
 * ascending; returns their number. */
int acrl_pareto_front(const double* x, const double* y, int n, int* keep);
/* Hypervolume (area) dominated by the points and bounded by the reference (rx, ry): the
 * area of the union of the boxes [x_i, rx] x [y_i, ry]; points not below the reference in
 * both objectives add nothing. */
double acrl_hypervolume2(const double* x, const double* y, int n, double rx, double ry);

#endif

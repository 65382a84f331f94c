/* layout.h - how a data-parallel run splits its env copies (docs/distributed.md).
 *
 * n_envs copies (global indices 0..E-1) form `shards` shards of E/S consecutive copies;
 * R ranks hold S/R consecutive shards each. Everything random or summed is keyed by the
 * global index or the shard, never by the rank: env copy i is seeded seed + i, shard s
 * samples actions from its own stream, and cross-shard sums are added in shard order. So
 * mpirun -n R with shards = S gives, byte for byte, what one process with shards = S gives.
 * shards = 1 in one process is the ordinary (unsharded) code path. */
#ifndef ACRL_DIST_LAYOUT_H
#define ACRL_DIST_LAYOUT_H

#include <stddef.h>

typedef struct {
    int shards, ranks, rank;
    int num_envs;        /* E, all ranks */
    int envs_per_shard;  /* E / S */
    int local_shards;    /* S / R */
    int first_shard;     /* rank * S / R */
    int local_envs;      /* E / R */
    int first_env;       /* rank * E / R */
    int sync_interval;   /* off-policy under mpirun: learner updates between actor broadcasts */
    int sync;            /* off-policy under mpirun: 1 lock-step schedule (deterministic), 0 asynchronous
                          * collectors (set by the caller after layout_make_offpolicy; 1 there) */
    int max_lag;         /* sync = 0: weight versions a collector's data may run ahead of the learner */
} acrl_layout;

/* 0, or -1 with a message when S does not divide E or R does not divide S. */
int layout_make(acrl_layout* l, int num_envs, int shards, int ranks, int rank, char* err, size_t errlen);
/* Off-policy under mpirun: rank 0 the learner (no copies), ranks 1..R-1 collectors of
 * E / (R - 1) copies each (envs_per_shard; first_env = (rank - 1) * that). 0, or -1 + message. */
int layout_make_offpolicy(acrl_layout* l, int num_envs, int ranks, int rank, int sync_interval, char* err, size_t errlen);
/* Whether the sharded code paths apply (shards > 1). */
static inline int layout_sharded(const acrl_layout* l) { return l && l->shards > 1; }

#endif

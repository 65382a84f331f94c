/* layout.c - see layout.h */
#include "dist/layout.h"

#include <stdio.h>
#include <string.h>

int layout_make(acrl_layout* l, int num_envs, int shards, int ranks, int rank, char* err, size_t errlen) {
    memset(l, 0, sizeof *l);
    if (shards < 1 || num_envs % shards) {
        snprintf(err, errlen, "n_envs = %d cannot be split into shards = %d equal shards", num_envs, shards);
        return -1;
    }
    if (ranks < 1 || shards % ranks) {
        snprintf(err, errlen, "shards = %d cannot be split over %d MPI ranks: the rank count must divide shards",
                 shards, ranks);
        return -1;
    }
    l->shards = shards;
    l->ranks = ranks;
    l->rank = rank;
    l->num_envs = num_envs;
    l->envs_per_shard = num_envs / shards;
    l->local_shards = shards / ranks;
    l->first_shard = rank * l->local_shards;
    l->local_envs = num_envs / ranks;
    l->first_env = rank * l->local_envs;
    return 0;
}

int layout_make_offpolicy(acrl_layout* l, int num_envs, int ranks, int rank, int sync_interval, char* err, size_t errlen) {
    memset(l, 0, sizeof *l);
    if (ranks < 2 || num_envs % (ranks - 1)) {
        snprintf(err, errlen, "n_envs = %d cannot be split over %d collectors (mpirun -n %d: rank 0 learns, the "
                 "others collect); use a multiple of %d", num_envs, ranks - 1, ranks, ranks - 1);
        return -1;
    }
    l->shards = 1;
    l->ranks = ranks;
    l->rank = rank;
    l->num_envs = num_envs;
    l->envs_per_shard = num_envs / (ranks - 1);
    l->local_envs = rank == 0 ? 0 : l->envs_per_shard;
    l->first_env = rank == 0 ? 0 : (rank - 1) * l->envs_per_shard;
    l->sync_interval = sync_interval;
    l->sync = 1;
    return 0;
}

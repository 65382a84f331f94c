/* td3.h - TD3's config and vtable entries, which DDPG (ddpg.c) reuses with one critic,
 * no target smoothing and no policy delay. */
#ifndef ACRL_TD3_H
#define ACRL_TD3_H

#include "algo/offpolicy.h"

typedef struct {
    offp_config off;
    int   policy_delay;          /* critic updates per actor/target update */
    float target_policy_noise;   /* std of the smoothing noise on target actions */
    float target_noise_clip;
    int   noise_type;            /* exploration: 0 normal, 1 Ornstein-Uhlenbeck */
    float noise_std;
    int   n_critics;             /* not a key: 2 for TD3, 1 for DDPG */
} td3_config;

extern const char* const td3_noise_names[];

void  td3_destroy(void* self);
int   td3_iterate(void* self, acrl_collector* c, double progress, double* m, char* err, size_t errlen);
void  td3_act(void* self, const float* obs, int n, float* actions, bool deterministic);
int   td3_save(void* self, acrl_ckpt_writer* w);
int   td3_load(void* self, const acrl_ckpt* c, char* err, size_t errlen);
acrl_params* td3_params(void* self);
acrl_rng*    td3_act_rng(void* self);
void  td3_qvalue(void* self, const float* obs, const float* act, int n, float* q);
int   td3_pretrain(void* self, acrl_pretrain_data* d, char* err, size_t errlen);

#endif

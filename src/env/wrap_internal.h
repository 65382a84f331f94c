/* wrap_internal.h - wrapper internals shared by wrappers.c and vecenv.c: the vec env
 * keeps a time limit's counter itself and steps the base env directly. */
#ifndef ACRL_WRAP_INTERNAL_H
#define ACRL_WRAP_INTERNAL_H

#include "acrl/env.h"

typedef struct {
    acrl_env env;       /* first member: the wrapper is one allocation */
    int max_steps;
    int elapsed;        /* steps since the last reset */
} acrl_time_limit;

extern const acrl_env_vtable acrl_time_limit_vtable;

#endif

/* acrl.h - actor-critic deep reinforcement learning in C. Umbrella header.
 *
 *   rng   explicit, NumPy-compatible random generators      acrl/rng.h
 *   env   spaces, Gymnasium-exact envs, wrappers, vec env   acrl/env.h
 *   nn    flat-buffer networks, layers, losses, optimizers  acrl/nn.h
 *   dist  categorical / Gaussian / tanh-Gaussian            acrl/dist.h
 *   io    checkpoints, config, logs, progress, plots        acrl/io.h
 *
 * Library functions never exit the process: they return NULL or an error code
 * and write a message into a caller-supplied buffer. */
#ifndef ACRL_H
#define ACRL_H

#define ACRL_VERSION_STRING "0.1.0"

#include "acrl/rng.h"
#include "acrl/env.h"
#include "acrl/nn.h"
#include "acrl/dist.h"
#include "acrl/io.h"
#include "acrl/train.h"
#include "acrl/portfolio.h"
#include "acrl/maze.h"
#include "acrl/marl.h"
#include "acrl/mec.h"
#include "acrl/lasernav.h"

#endif

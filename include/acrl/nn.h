/* acrl/nn.h - neural-network core (placeholder; filled by the nn work). */
#ifndef ACRL_NN_H
#define ACRL_NN_H
#endif

/* acrl/dist.h - action distributions (placeholder; filled by the dist work). */
#ifndef ACRL_DIST_H
#define ACRL_DIST_H
#endif

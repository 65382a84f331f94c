/* datadir.h - where acrl finds its data files, one order for presets (configs/) and
 * MuJoCo models (models/):
 *   1. $ACRL_CONFIG_DIR / $ACRL_MODEL_DIR when set, and then only there;
 *   2. in a build that is not installed (the running program lies in its build tree),
 *      the source tree's configs/ and models/;
 *   3. otherwise the installed <datadir>/acrl/configs and <datadir>/acrl/models. */
#ifndef ACRL_DATADIR_H
#define ACRL_DATADIR_H

#include <stddef.h>

typedef enum { DATADIR_CONFIGS, DATADIR_MODELS } datadir_kind;

/* Writes the directory for kind to out (len bytes). Returns 0, or -1 if it did not fit
 * (out then holds a truncated name). */
int datadir_get(datadir_kind kind, char* out, size_t len);

#endif

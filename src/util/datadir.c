/* datadir.c - the lookup order of datadir.h. */
#include "util/datadir.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* true if the running program lies under the build tree it was built in */
static bool running_uninstalled(void) {
    char exe[PATH_MAX], build[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || !realpath(ACRL_BUILD_DIR, build)) return false;
    exe[n] = 0;
    size_t bl = strlen(build);
    return strncmp(exe, build, bl) == 0 && exe[bl] == '/';
}

int datadir_get(datadir_kind kind, char* out, size_t len) {
    bool configs = kind == DATADIR_CONFIGS;
    const char* env = getenv(configs ? "ACRL_CONFIG_DIR" : "ACRL_MODEL_DIR");
    int n;
    if (env && *env) n = snprintf(out, len, "%s", env);
    else if (running_uninstalled()) n = snprintf(out, len, "%s", configs ? ACRL_SOURCE_CONFIGDIR : ACRL_SOURCE_MODELDIR);
    else n = snprintf(out, len, "%s/%s", ACRL_DATADIR, configs ? "configs" : "models");
    return n >= 0 && (size_t)n < len ? 0 : -1;
}

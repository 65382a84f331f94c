/* Plugins: `--plugin FILE.so` on every command that takes an env id loads a shared object
 * whose acrl_plugin_init registers its envs (acrl_env_register). A run directory keeps the
 * plugin's absolute path in DIR/plugin, so that --resume and `acrl eval DIR` load it again. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acrl.h"
#include "cli.h"

#define MAX_LOADED 16
static char loaded[MAX_LOADED][PATH_MAX];   /* real paths of the plugins loaded so far */
static int nloaded;

int cli_plugin_load(const char* cmd, const char* path) {
    char real[PATH_MAX];
    if (!realpath(path, real))
        return cli_error(cmd, "--plugin %s: %s", path, strerror(errno));
    for (int i = 0; i < nloaded; i++)
        if (strcmp(loaded[i], real) == 0) return 0;   /* its envs are registered already */
    if (nloaded == MAX_LOADED) return cli_error(cmd, "--plugin %s: too many plugins (at most %d)", path, MAX_LOADED);
    /* RTLD_NOW: a symbol the plugin needs but this acrl lacks is reported here, not mid-run */
    void* h = dlopen(real, RTLD_NOW | RTLD_LOCAL);
    if (!h) return cli_error(cmd, "--plugin %s: cannot load: %s", path, dlerror());
    acrl_plugin_init_fn init;
    void* sym = dlsym(h, ACRL_PLUGIN_INIT);
    memcpy(&init, &sym, sizeof init);   /* object to function pointer, as POSIX allows */
    if (!init) {
        dlclose(h);
        return cli_error(cmd, "--plugin %s: no entry point %s (a plugin exports "
                         "'int acrl_plugin_init(char* err, size_t errlen)')", path, ACRL_PLUGIN_INIT);
    }
    char err[ACRL_ERRLEN] = "";
    if (init(err, sizeof err) != 0)   /* the handle stays open: envs it registered point into it */
        return cli_error(cmd, "--plugin %s: %s failed: %s", path, ACRL_PLUGIN_INIT, err[0] ? err : "(no message)");
    snprintf(loaded[nloaded++], PATH_MAX, "%s", real);
    return 0;
}

int cli_plugin_load_recorded(const char* cmd, const char* dir) {
    char file[PATH_MAX + 16], path[PATH_MAX];
    snprintf(file, sizeof file, "%s/plugin", dir);
    FILE* f = fopen(file, "r");
    if (!f) return 0;   /* a run without plugin */
    size_t n = fread(path, 1, sizeof path - 1, f);
    fclose(f);
    path[n] = '\0';
    while (n && (path[n - 1] == '\n' || path[n - 1] == '\r')) path[--n] = '\0';
    if (n == 0) return cli_error(cmd, "%s is empty (it should hold the path of the run's plugin)", file);
    return cli_plugin_load(cmd, path);
}

int cli_plugin_record(const char* cmd, const char* dir, const char* path) {
    char file[PATH_MAX + 16], real[PATH_MAX];
    struct stat st;
    if (stat(dir, &st) != 0) return 0;   /* the run stopped before creating its directory */
    if (!realpath(path, real)) snprintf(real, sizeof real, "%s", path);
    snprintf(file, sizeof file, "%s/plugin", dir);
    FILE* f = fopen(file, "w");
    if (!f || fprintf(f, "%s\n", real) < 0 || fclose(f) != 0) {
        fprintf(stderr, "acrl: %s: cannot write %s: %s\n", cmd, file, strerror(errno));
        return 1;
    }
    return 0;
}

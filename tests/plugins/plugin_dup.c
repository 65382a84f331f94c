/* A plugin that registers an id that exists already: --plugin must refuse it (exit code 2). */
#include <acrl.h>

static acrl_env* dup_create(const acrl_env_options* opt, char* err, size_t errlen) {
    (void)opt;
    (void)err;
    (void)errlen;
    return NULL;
}

int acrl_plugin_init(char* err, size_t errlen) {
    const acrl_env_spec spec = {"CartPole-v1", 500, 475.0, dup_create};
    return acrl_env_register(&spec, err, errlen);
}

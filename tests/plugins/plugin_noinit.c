/* A shared object without the plugin entry point: --plugin must refuse it (exit code 2). */
int acrl_plugin_version(void) { return 1; }

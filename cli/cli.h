/* cli.h - the acrl command-line tool: the command table entry each cli/cmd_*.c defines,
 * and shared helpers for strict argument parsing and error messages. */
#ifndef ACRL_CLI_H
#define ACRL_CLI_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_EXIT_USAGE 2   /* bad command line or bad input file */

typedef struct {
    const char* name;      /* "rollout" */
    const char* summary;   /* one line for `acrl help` */
    const char* usage;     /* full text for `acrl help NAME` and `acrl NAME --help` */
    /* argv[0] is the command name; returns the process exit code */
    int (*run)(int argc, char** argv);
} cli_command;

/* One file per command; main.c lists them. */
extern const cli_command cli_cmd_envs;
extern const cli_command cli_cmd_rollout;
extern const cli_command cli_cmd_train;
extern const cli_command cli_cmd_eval;
extern const cli_command cli_cmd_plot;
extern const cli_command cli_cmd_export;
extern const cli_command cli_cmd_act;
extern const cli_command cli_cmd_qbias;
extern const cli_command cli_cmd_buffer;
extern const cli_command cli_cmd_lm;
extern const cli_command cli_cmd_backtest;
extern const cli_command cli_cmd_pareto;
extern const cli_command cli_cmd_distill;
extern const cli_command cli_cmd_nav;

/* Prints "acrl: CMD: MESSAGE (see 'acrl help CMD')" on stderr; returns CLI_EXIT_USAGE. */
int cli_error(const char* cmd, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

/* A command's options: name is "--seed"; value is set when given (flags get ""). */
typedef struct {
    const char* name;
    bool        takes_value;
    const char* value;
} cli_opt;

/* Parses argv[1..argc): "--name VALUE", "--name=VALUE" or "--flag"; other words go to pos
 * (at most maxpos). Returns 0, or prints an error and returns CLI_EXIT_USAGE. */
int cli_parse(const char* cmd, int argc, char** argv, cli_opt* opts, int nopts,
              const char** pos, int maxpos, int* npos);

/* Strict conversions: the whole string must be the number. Return 0, or -1 with the
 * reason in msg (e.g. "'1.5' is not an integer"). */
int cli_to_int(const char* s, long long lo, long long hi, long long* out, char* msg, size_t len);
int cli_to_double(const char* s, double* out, char* msg, size_t len);   /* finite only */
/* Comma-separated doubles into out (capacity cap); *n receives the count (which may
 * exceed cap, in which case only cap are stored). */
int cli_to_doubles(const char* s, double* out, int cap, int* n, char* msg, size_t len);

/* Option conversions that print "acrl: CMD: OPT: reason" and return CLI_EXIT_USAGE on error. */
int cli_opt_int(const char* cmd, const char* opt, const char* s, long long lo, long long hi, long long* out);

/* Plugins (cli/plugin.c), for every command that takes an env id. Each returns 0, or prints
 * the error and returns CLI_EXIT_USAGE (record: 1 on a write error). */
/* Loads the shared object at path and calls its acrl_plugin_init (once per file). */
int cli_plugin_load(const char* cmd, const char* path);
/* Loads the plugin recorded in run directory dir (DIR/plugin), if there is one. */
int cli_plugin_load_recorded(const char* cmd, const char* dir);
/* Records path (made absolute) as the plugin of run directory dir (nothing if dir does not exist). */
int cli_plugin_record(const char* cmd, const char* dir, const char* path);
/* A CHECKPOINT|RUN_DIR argument: writes the checkpoint file to read into buf (a run directory
 * stands for its final.ckpt, or last.ckpt while unfinished), after loading the env plugin:
 * plugin if given (NULL: none), else the one the run directory recorded. 0, or CLI_EXIT_USAGE
 * after a message. */
int cli_checkpoint_arg(const char* cmd, const char* arg, const char* plugin, char* buf, size_t len);
#define CLI_PLUGIN_USAGE \
    "  --plugin FILE   load a shared object whose acrl_plugin_init registers envs of its own\n"

#endif

/* acrl command-line tool: `acrl COMMAND ...` dispatches to the commands listed below,
 * one cli/cmd_*.c file each. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "acrl.h"
#include "cli.h"
#include "dist/comm.h"

static const cli_command* const commands[] = {
    &cli_cmd_envs,
    &cli_cmd_rollout,
    &cli_cmd_train,
    &cli_cmd_eval,
    &cli_cmd_export,
    &cli_cmd_act,
    &cli_cmd_plot,
    &cli_cmd_qbias,
    &cli_cmd_buffer,
    &cli_cmd_lm,
    &cli_cmd_backtest,
    &cli_cmd_pareto,
    &cli_cmd_distill,
    &cli_cmd_nav,
};
#define NCOMMANDS (int)(sizeof commands / sizeof commands[0])

static const cli_command* find_command(const char* name) {
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0) return commands[i];
    return NULL;
}

static void print_help(FILE* f) {
    fprintf(f, "usage: acrl COMMAND [ARGS...]\n\n"
               "Actor-critic deep reinforcement learning in C.\n\ncommands:\n");
    for (int i = 0; i < NCOMMANDS; i++) fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "  %-10s %s\n", "help", "show this list, a command's usage (acrl help COMMAND) or an\n"
                                  "             algorithm's configuration keys (acrl help ppo)");
    fprintf(f, "\n  acrl --version   print the version\n");
}

int main(int argc, char** argv) {
    if (argc < 2) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    const char* name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("acrl %s\n", ACRL_VERSION_STRING);
        return 0;
    }
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        if (argc == 2) {
            print_help(stdout);
            return 0;
        }
        if (argc > 3) return cli_error("help", "expected one command name");
        const cli_command* c = find_command(argv[2]);
        if (!c && acrl_algo_describe(argv[2], stdout) == 0) return 0; /* acrl help ppo: config keys */
        if (!c) return cli_error(NULL, "unknown command '%s'", argv[2]);
        fputs(c->usage, stdout);
        for (const char* const* a = acrl_algo_names(); *a; a++) /* a command that is an algorithm too (distill) */
            if (strcmp(*a, argv[2]) == 0) {
                fputs("\n", stdout);
                acrl_algo_describe(argv[2], stdout);
            }
        return 0;
    }
    const cli_command* c = find_command(name);
    if (!c) return cli_error(NULL, "unknown command '%s'", name);
    /* MPI starts only under mpirun (dist/comm.h); a plain run stays one process */
    char err[512];
    if (comm_init(&argc, &argv, err, sizeof err)) return cli_error(name, "%s", err);
    if (comm_size() > 1 && strcmp(name, "train") != 0) {
        comm_finalize();
        return cli_error(name, "runs as one process: only 'acrl train' runs under mpirun with several ranks");
    }
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(c->usage, stdout);
            return 0;
        }
    int rc = c->run(argc - 1, argv + 1);
    if (fflush(stdout) != 0 && rc == 0) {
        fprintf(stderr, "acrl: %s: cannot write output: %s\n", name, strerror(errno));
        rc = 1;
    }
    comm_finalize();
    return rc;
}

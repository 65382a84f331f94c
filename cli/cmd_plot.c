/* acrl plot RUN_DIR...: learning curves of runs, grouped by algo and env, as a PNG. */
#include <stdio.h>

#include "acrl.h"
#include "cli.h"

#define MAX_RUNS 256

static int plot_run(int argc, char** argv) {
    cli_opt opts[1] = {{"-o", true, NULL}};
    const char* pos[MAX_RUNS];
    int npos = 0;
    if (cli_parse("plot", argc, argv, opts, 1, pos, MAX_RUNS, &npos)) return CLI_EXIT_USAGE;
    if (npos < 1) return cli_error("plot", "expected at least one RUN_DIR");
    const char* out = opts[0].value ? opts[0].value : "learning_curves.png";
    char err[1024];
    int rc = acrl_plot_runs(pos, npos, out, err, sizeof err);
    if (rc == -1) return cli_error("plot", "%s", err);
    if (rc != 0) { fprintf(stderr, "acrl: plot: %s\n", err); return 1; } /* I/O: no usage hint */
    printf("wrote %s\n", out);
    return 0;
}

const cli_command cli_cmd_plot = {
    "plot", "draw learning curves: acrl plot RUN_DIR... [-o FILE.png]",
    "usage: acrl plot RUN_DIR... [-o FILE.png]\n"
    "\n"
    "Reads progress.csv and summary.json of each run directory, groups the runs by\n"
    "algorithm and env, and draws for each group the mean episode return against env\n"
    "steps with the min-max band across its runs (gnuplot). Default output:\n"
    "learning_curves.png.\n",
    plot_run,
};

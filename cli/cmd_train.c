/* acrl train ALGO ENV ...: trains an agent and writes a run directory. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl.h"
#include "cli.h"
#include "dist/comm.h"

#define MAX_SETS 64

/* Ctrl-C and SIGTERM ask the run to stop after the current iteration (it writes last.ckpt
 * and returns ACRL_INTERRUPTED, the exit code 130). A second one, e.g. while the run is
 * still being set up, ends the process at once, as the default action would. */
static volatile sig_atomic_t stop_requested;
static void on_stop_signal(int sig) {
    if (stop_requested) {
        signal(sig, SIG_DFL);
        raise(sig); /* delivered when this handler returns */
        return;
    }
    stop_requested = 1;
}

static void print_notice(void* user, const char* msg) {
    (void)user;
    fprintf(stderr, "acrl: train: %s\n", msg);
}

static int train_run(int argc, char** argv) {
    /* --set may repeat: collect those first, pass the rest to the common parser */
    const char* sets[MAX_SETS];
    int nsets = 0;
    char* rest[argc + 1];
    int nrest = 0;
    for (int i = 0; i < argc; i++) {
        const char* a = argv[i];
        if (strcmp(a, "--set") == 0) {
            if (i + 1 >= argc) return cli_error("train", "--set needs a key=value");
            if (nsets == MAX_SETS) return cli_error("train", "too many --set options (at most %d)", MAX_SETS);
            sets[nsets++] = argv[++i];
        } else if (strcmp(a, "--save-buffer") == 0) {
            /* off-policy algorithms: put the replay buffer into checkpoints (exact resume) */
            if (nsets == MAX_SETS) return cli_error("train", "too many --set options (at most %d)", MAX_SETS);
            sets[nsets++] = "save_buffer=1";
        } else if (strncmp(a, "--set=", 6) == 0) {
            if (nsets == MAX_SETS) return cli_error("train", "too many --set options (at most %d)", MAX_SETS);
            sets[nsets++] = a + 6;
        } else {
            rest[nrest++] = argv[i];
        }
    }
    rest[nrest] = NULL;
    enum { O_STEPS, O_SEED, O_ENVS, O_THREADS, O_OUT, O_CONFIG, O_RESUME, O_EVAL, O_QUIET, O_STOP, O_PLUGIN, O_RANKS,
           O_TIMEOUT, O_N };
    cli_opt opts[O_N] = {
        {"--steps", true, NULL}, {"--seed", true, NULL}, {"--envs", true, NULL}, {"--threads", true, NULL},
        {"--out", true, NULL}, {"--config", true, NULL}, {"--resume", true, NULL}, {"--eval-episodes", true, NULL},
        {"--quiet", false, NULL}, {"--stop-at", true, NULL}, {"--plugin", true, NULL}, {"--ranks-info", false, NULL},
        {"--comm-timeout", true, NULL},
    };
    const char* pos[2];
    int npos = 0;
    if (cli_parse("train", nrest, rest, opts, O_N, pos, 2, &npos)) return CLI_EXIT_USAGE;
    acrl_train_options o = acrl_train_options_default();
    long long v;
    if (opts[O_STEPS].value && cli_opt_int("train", "--steps", opts[O_STEPS].value, 1, 2000000000LL, &v)) return CLI_EXIT_USAGE;
    if (opts[O_STEPS].value) o.steps = (long)v;
    if (opts[O_STOP].value && cli_opt_int("train", "--stop-at", opts[O_STOP].value, 1, 2000000000LL, &v)) return CLI_EXIT_USAGE;
    if (opts[O_STOP].value) o.stop_at = (long)v;
    if (opts[O_SEED].value && cli_opt_int("train", "--seed", opts[O_SEED].value, 0, 4294967295LL, &v)) return CLI_EXIT_USAGE;
    if (opts[O_SEED].value) o.seed = v;
    if (opts[O_ENVS].value && cli_opt_int("train", "--envs", opts[O_ENVS].value, 1, 65536, &v)) return CLI_EXIT_USAGE;
    if (opts[O_ENVS].value) o.num_envs = (int)v;
    if (opts[O_THREADS].value && cli_opt_int("train", "--threads", opts[O_THREADS].value, 1, 256, &v)) return CLI_EXIT_USAGE;
    if (opts[O_THREADS].value) o.threads = (int)v;
    if (opts[O_EVAL].value && cli_opt_int("train", "--eval-episodes", opts[O_EVAL].value, 0, 1000000, &v)) return CLI_EXIT_USAGE;
    if (opts[O_EVAL].value) o.eval_episodes = (int)v;
    o.out_dir = opts[O_OUT].value;
    o.config_file = opts[O_CONFIG].value;
    o.resume_dir = opts[O_RESUME].value;
    o.quiet = opts[O_QUIET].value != NULL;
    o.ranks_info = opts[O_RANKS].value != NULL;
    if (opts[O_TIMEOUT].value && cli_opt_int("train", "--comm-timeout", opts[O_TIMEOUT].value, 1, 10000000, &v)) return CLI_EXIT_USAGE;
    if (opts[O_TIMEOUT].value) comm_set_timeout((double)v);
    o.overrides = sets;
    o.n_overrides = nsets;
    if (o.resume_dir) {
        if (npos == 1) return cli_error("train", "--resume takes ALGO and ENV from the checkpoint: give both or neither");
        if (nsets || o.config_file || o.num_envs) return cli_error("train", "--resume keeps the run's configuration; --set, --config and --envs cannot change it");
    } else if (npos != 2) {
        return cli_error("train", "expected ALGO and ENV, e.g. 'acrl train ppo CartPole-v1'");
    }
    if (npos == 2) { o.algo = pos[0]; o.env_id = pos[1]; } /* on resume: checked against the checkpoint */
    o.notice = print_notice;
    const char* plugin = opts[O_PLUGIN].value;
    if (plugin && cli_plugin_load("train", plugin)) return CLI_EXIT_USAGE;
    /* an explicit --plugin replaces the one the run directory recorded */
    if (o.resume_dir && !plugin && cli_plugin_load_recorded("train", o.resume_dir)) return CLI_EXIT_USAGE;
    char err[1024];
    stop_requested = 0;
    o.stop_flag = &stop_requested;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int rc = acrl_train(&o, err, sizeof err);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    /* the run directory remembers the plugin (the one given last), for --resume and acrl eval */
    if (plugin && o.run_dir[0] && comm_rank() == 0 && cli_plugin_record("train", o.run_dir, plugin) && rc == ACRL_OK)
        return 1;   /* the message is out; an I/O error */
    /* under mpirun: rank 0 reports; another rank speaks only of its own failures */
    if (rc != ACRL_OK && !err[0]) return rc;
    char who[32] = "";
    if (comm_size() > 1 && comm_rank() > 0) snprintf(who, sizeof who, "rank %d: ", comm_rank());
    if (rc == ACRL_ERR_INPUT) return cli_error("train", "%s%s", who, err);
    if (rc != ACRL_OK) {
        fprintf(stderr, "acrl: train: %s%s\n", who, err);
        return rc;
    }
    if (comm_rank() > 0) return 0;
    /* print the summary so that scripts and people see the result */
    char path[1200];
    FILE* f = acrl_path_join(path, sizeof path, o.run_dir, "summary.json", NULL, 0) ? NULL
              : acrl_file_open_read(path, "summary", NULL, 0);
    if (f) {
        char buf[4096];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = 0;
        fclose(f);
        printf("run directory: %s\n%s", o.run_dir, buf);
    }
    return 0;
}

const cli_command cli_cmd_train = {
    "train", "train an agent: acrl train ALGO ENV [options]",
    "usage: acrl train ALGO ENV [--steps N] [--seed S] [--envs N] [--threads T] [--out DIR]\n"
    "                  [--config FILE] [--set key=value]... [--eval-episodes N] [--quiet]\n"
    "                  [--save-buffer] [--stop-at N] [--plugin FILE] [--ranks-info] [--comm-timeout S]\n"
    "       acrl train [ALGO ENV] --resume DIR [--steps N] [--stop-at N]\n"
    "\n"
    "Trains ALGO (ppo, a2c, a3c, awr, sac, td3, ddpg, pmoe, dsact, stac, ppo-lag, sac-lag,\n"
    "tscac; sac on a Discrete env is discrete SAC; ippo, mappo, cabn on the multi-agent envs\n"
    "of 'acrl envs', docs/multiagent.md) on ENV. The configuration is, in order: the\n"
    "algorithm's defaults, the preset configs/ALGO/ENV.ini if there is one (or instead\n"
    "--config FILE), then each --set key=value; --steps and --envs override n_timesteps and\n"
    "n_envs. 'acrl help ALGO' lists the keys. ALGO distill is what 'acrl distill' runs.\n"
    "\n"
    "The run directory (default runs/ALGO-ENV-SEED-<time>) receives config.ini, progress.csv,\n"
    "a TensorBoard event file, last.ckpt (periodic), best.ckpt (best evaluation), final.ckpt,\n"
    "policy.ckpt (the policy alone, for acrl eval) and summary.json. At the end the final policy is evaluated deterministically on\n"
    "--eval-episodes episodes (default 20) with seeds apart from training.\n"
    "\n"
    "  --steps N       total env steps (all copies together)\n"
    "  --seed S        run seed (default 0); same seed and config: same result\n"
    "  --envs N        parallel env copies\n"
    "  --threads T     threads stepping the env copies; for the off-policy algorithms also the\n"
    "                  gradient step's threads (2 at most); results do not depend on T. Default:\n"
    "                  chosen per run (2 on a multi-core machine for sac, td3, pmoe, dsact, stac,\n"
    "                  sac-lag, and for envs whose step costs 10 us or more; else 1; summary.json\n"
    "                  'threads' says which)\n"
    "  --resume DIR    continue the run in DIR from DIR/last.ckpt (ALGO and ENV, if given,\n"
    "                  must be the run's); exact for ppo, a2c and awr, for sac, td3, ddpg,\n"
    "                  pmoe, dsact, stac and sac-lag with --save-buffer, never for a3c (a\n"
    "                  warning says so). Edits to DIR/config.ini of n_timesteps, eval_freq,\n"
    "                  n_eval_episodes, checkpoint_freq and log_freq apply; other edits are\n"
    "                  refused\n"
    "  --stop-at N     end this invocation after N steps, resumable later with --resume\n"
    "  --save-buffer   off-policy algorithms: store the replay buffer in checkpoints, so\n"
    "                  that a resumed run continues exactly (same as --set save_buffer=1)\n"
    "  --quiet         no progress display\n"
    CLI_PLUGIN_USAGE
    "                  (its path is kept in DIR/plugin, which --resume and acrl eval DIR load)\n"
    "  --ranks-info    at the end, print ranks, env copies per rank, steps/s per rank and\n"
    "                  overall, and the time spent communicating (also in summary.json)\n"
    "  --comm-timeout S  under mpirun: seconds a rank waits for the others before it stops\n"
    "                  with an error (default 300; also ACRL_COMM_TIMEOUT)\n"
    "\n"
    "Under mpirun -n R (built with Open MPI), ppo and a2c train data-parallel (n_envs copies\n"
    "in all, shards = R unless set) and sac, td3 and ddpg run one learner (rank 0) and R - 1\n"
    "collectors; rank 0 alone writes the run directory and reads the checkpoint on --resume.\n"
    "See docs/distributed.md.\n"
    "\n"
    "Ctrl-C stops after the current iteration and writes last.ckpt (exit code 130); a\n"
    "second Ctrl-C ends the process at once.\n",
    train_run,
};

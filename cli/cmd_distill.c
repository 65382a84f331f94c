/* acrl distill TEACHER_RUN --student-obs SPEC ...: DAgger distillation of a trained policy into
 * a student that sees another observation of the same env (docs/generalisation.md). It checks
 * the teacher and the student's env, then runs `acrl train distill ENV` with the teacher and
 * the student's env_args set. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acrl.h"
#include "algo/agent.h"
#include "cli.h"

#define MAX_ARGS 160

static int distill_run(int argc, char** argv) {
    const char* teacher_arg = NULL;
    const char* spec = NULL;
    char* fwd[MAX_ARGS];
    int nf = 0;
    for (int i = 1; i < argc; i++) {
        const char* a = argv[i];
        if (strcmp(a, "--student-obs") == 0 || strncmp(a, "--student-obs=", 14) == 0) {
            if (a[13] == '=') spec = a + 14;
            else if (i + 1 < argc) spec = argv[++i];
            else return cli_error("distill", "--student-obs needs a value, e.g. hide=velocity,obs_stack=2");
        } else if (a[0] != '-' && !teacher_arg) {
            teacher_arg = a;
        } else if (strcmp(a, "--resume") == 0 || strcmp(a, "--config") == 0) {
            return cli_error("distill", "%s: resume a distillation with 'acrl train --resume DIR'; keys go with --set", a);
        } else {
            if (nf + 1 >= MAX_ARGS - 12) return cli_error("distill", "too many arguments");
            fwd[nf++] = argv[i];
            /* options with a value: pass the value along (train checks both) */
            bool has_value = a[0] == '-' && !strchr(a, '=') && strcmp(a, "--quiet") != 0;
            if (has_value && i + 1 < argc) fwd[nf++] = argv[++i];
        }
    }
    if (!teacher_arg) return cli_error("distill", "expected TEACHER_RUN, a run directory or a policy checkpoint");
    if (!spec || !spec[0])
        return cli_error("distill", "--student-obs SPEC is required (env_args of the student's observation, e.g. "
                         "hide=velocity,obs_stack=2 or obs_noise=0.1)");
    /* the teacher: a run directory's policy.ckpt, or a checkpoint file */
    char path[PATH_MAX + 32], abs[PATH_MAX];
    struct stat st;
    if (stat(teacher_arg, &st) == 0 && S_ISDIR(st.st_mode)) snprintf(path, sizeof path, "%s/policy.ckpt", teacher_arg);
    else snprintf(path, sizeof path, "%s", teacher_arg);
    if (!realpath(path, abs)) return cli_error("distill", "teacher: cannot open %s", path);
    char err[1024];
    acrl_agent* t = acrl_agent_load(abs, err, sizeof err);
    if (!t) return cli_error("distill", "teacher %s: %s", abs, err);
    char targs[512] = "", env_id[ACRL_ENV_ID_MAX + 1];
    agent_config_value(t, "env_args", targs, sizeof targs);
    snprintf(env_id, sizeof env_id, "%s", acrl_agent_env_id(t));
    const int tdim = acrl_agent_obs_space(t)->dim;
    acrl_agent_free(t);
    /* the student's env: the teacher's settings, then the student's observation */
    char sargs[1024];
    if ((size_t)snprintf(sargs, sizeof sargs, "%s%s%s", targs, targs[0] ? "," : "", spec) >= 256)
        return cli_error("distill", "the student's env_args '%s' are too long (255 characters at most)", sargs);
    acrl_env_options eo = acrl_env_options_default();
    eo.env_args = sargs;
    acrl_env* env = acrl_env_make(env_id, &eo, err, sizeof err);
    if (!env) return cli_error("distill", "the student's env (%s, env_args %s): %s", env_id, sargs, err);
    const int pdim = acrl_env_priv_dim(env), sdim = env->obs_space.dim;
    acrl_env_close(env);
    if (pdim == 0)
        return cli_error("distill", "--student-obs %s gives the student no observation of its own (use hide=, obs_noise= "
                         "or obs_stack=)", spec);
    if (pdim != tdim)
        return cli_error("distill", "the teacher observes %d values but the student env's full observation has %d: the "
                         "teacher must be trained on the full observation (its env_args '%s' must not hide, stack or "
                         "add noise)", tdim, pdim, targs);
    fprintf(stderr, "acrl: distill: teacher %s (%s, %d observation values); student observes %d (env_args %s)\n", abs,
            env_id, tdim, sdim, sargs);
    char tset[PATH_MAX + 16], eset[1100];
    snprintf(tset, sizeof tset, "teacher=%s", abs);
    snprintf(eset, sizeof eset, "env_args=%s", sargs);
    char* targv[MAX_ARGS];
    int n = 0;
    targv[n++] = "train";
    targv[n++] = "distill";
    targv[n++] = env_id;
    targv[n++] = "--set";
    targv[n++] = tset;
    targv[n++] = "--set";
    targv[n++] = eset;
    for (int i = 0; i < nf; i++) targv[n++] = fwd[i];
    targv[n] = NULL;
    return cli_cmd_train.run(n, targv);
}

const cli_command cli_cmd_distill = {
    "distill", "distill a trained policy into a student on another observation (DAgger)",
    "usage: acrl distill TEACHER_RUN --student-obs SPEC [--steps N] [--seed S] [--envs N] [--out DIR]\n"
    "                    [--set key=value]... [--eval-episodes N] [--threads T] [--quiet]\n"
    "\n"
    "Trains a student policy (an MLP on the student's observation) from the teacher in\n"
    "TEACHER_RUN (a run directory or a policy checkpoint, trained on the env's full\n"
    "observation) by DAgger: rollouts of the student mixed with the teacher's actions with\n"
    "probability beta0 * beta_decay^i in iteration i, every visited state labelled with the\n"
    "teacher's action at the env's full (privileged) state, the labels aggregated, supervised\n"
    "regression (Box) or cross-entropy (Discrete). SPEC is the student's observation as\n"
    "env_args added to the teacher's: hide=velocity or hide=I+J+..., obs_noise=STD,\n"
    "obs_stack=K (docs/generalisation.md). It runs 'acrl train distill ENV' with the keys\n"
    "teacher and env_args set: the run directory, its policy.ckpt (for acrl eval, export,\n"
    "act) and --resume are those of acrl train. Keys (listed below):\n"
    "n_steps (rollout steps per env copy per iteration, 1000), beta0 (1), beta_decay (0.5),\n"
    "train_steps (Adam steps per iteration, 1000), batch_size (256), learning_rate (1e-3),\n"
    "max_data (dataset rows kept, 200000), and the policy keys (net_arch, activation, ...).\n"
    "Progress columns: beta, dataset_rows, teacher_gap (mean |student - teacher| action on\n"
    "the iteration's states before its training; Discrete: the share of differing actions).\n",
    distill_run,
};

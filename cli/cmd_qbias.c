/* acrl qbias RUN_DIR: the Q-value estimation bias of an off-policy run's final policy. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "acrl.h"
#include "cli.h"

static int qbias_run(int argc, char** argv) {
    enum { O_EPISODES, O_SEED, O_STOCH, O_N };
    cli_opt opts[O_N] = {{"--episodes", true, NULL}, {"--seed", true, NULL}, {"--stochastic", false, NULL}};
    const char* pos[1];
    int npos = 0;
    if (cli_parse("qbias", argc, argv, opts, O_N, pos, 1, &npos)) return CLI_EXIT_USAGE;
    if (npos != 1) return cli_error("qbias", "expected one RUN_DIR (or CHECKPOINT file)");
    long long episodes = 10, seed = 2000000;
    if (opts[O_EPISODES].value && cli_opt_int("qbias", "--episodes", opts[O_EPISODES].value, 1, 100000, &episodes))
        return CLI_EXIT_USAGE;
    if (opts[O_SEED].value && cli_opt_int("qbias", "--seed", opts[O_SEED].value, 0, 4294967295LL, &seed))
        return CLI_EXIT_USAGE;
    const bool stochastic = opts[O_STOCH].value != NULL;
    /* a run directory stands for its final checkpoint (last.ckpt while unfinished) */
    char ckpt[4096], summary[4096] = "";
    struct stat st;
    if (stat(pos[0], &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(ckpt, sizeof ckpt, "%s/final.ckpt", pos[0]);
        if (stat(ckpt, &st) != 0) snprintf(ckpt, sizeof ckpt, "%s/last.ckpt", pos[0]);
        snprintf(summary, sizeof summary, "%s/summary.json", pos[0]);
    } else {
        snprintf(ckpt, sizeof ckpt, "%s", pos[0]);
    }
    acrl_qbias_result q;
    char err[1024];
    int rc = acrl_qbias(ckpt, (int)episodes, (uint64_t)seed, stochastic, &q, err, sizeof err);
    if (rc == ACRL_ERR_INPUT) return cli_error("qbias", "%s", err);
    if (rc != ACRL_OK) { fprintf(stderr, "acrl: qbias: %s\n", err); return rc; }
    printf("Q-bias of %s: %lld episodes of the %s policy, gamma %g\n", ckpt, episodes,
           stochastic ? "stochastic" : "deterministic", q.gamma);
    printf("  %-34s %ld of %ld visited\n", "states counted", q.states, q.visited);
    printf("  %-34s %.4f\n", "mean critic estimate Q(s, a)", q.q_mean);
    printf("  %-34s %.4f\n", "mean discounted return G", q.return_mean);
    printf("  %-34s %.4f  std %.4f\n", "bias Q - G: mean", q.bias_mean, q.bias_std);
    printf("  %-34s %.4f  std %.4f\n", "normalised by |mean G|: mean", q.norm_mean, q.norm_std);
    printf("  %-34s %d terminated; truncated: %d with the tail left out (weight <= %.3g), %d bootstrapped by "
           "the critic\n", "episodes", q.terminated, q.dropped, q.max_tail_weight, q.bootstrapped);
    if (summary[0] && stat(summary, &st) == 0) {
        if (acrl_qbias_write_summary(summary, &q, stochastic)) {
            fprintf(stderr, "acrl: qbias: cannot update %s\n", summary);
            return 1;
        }
        printf("written into %s (q_bias_* fields)\n", summary);
    }
    return 0;
}

const cli_command cli_cmd_qbias = {
    "qbias", "Q-value estimation bias of an off-policy run: acrl qbias RUN_DIR [--episodes N]",
    "usage: acrl qbias RUN_DIR|CHECKPOINT [--episodes N] [--seed S] [--stochastic]\n"
    "\n"
    "Rolls out the run's final policy (final.ckpt, or last.ckpt while unfinished) for N episodes\n"
    "(default 10; episode i reset with seed S + i, default S 2000000), and at every visited state\n"
    "compares the critic's estimate Q(s, a) of the action taken with the discounted return G\n"
    "obtained from there (the run's gamma; rewards in the learner's units, i.e. scaled as in\n"
    "training when normalize_reward is on). Prints the mean and std of Q - G, also divided by\n"
    "|mean G| (the DSAC-T paper's Q-bias), and adds them to RUN_DIR/summary.json as q_bias_*\n"
    "fields. Actions are the policy's mode unless --stochastic is given.\n"
    "\n"
    "Each algorithm provides its own estimate: the minimum of the twin critics (SAC, discrete\n"
    "SAC, TD3, PMOE), the critic (DDPG). Soft critics (SAC, PMOE) include the entropy bonus\n"
    "of the stochastic policy, which G does not.\n"
    "\n"
    "Truncated episodes miss the return beyond the time limit: a state whose tail weight\n"
    "gamma^(T - t) is at most 0.01 is counted with the tail left out and the others are not\n"
    "counted; when an episode is too short for any state to qualify (e.g. Pendulum-v1, 200 steps\n"
    "at gamma 0.99), all its states are counted with the tail bootstrapped by the critic's\n"
    "estimate at the final state. Episodes that terminate are counted whole and exact.\n",
    qbias_run,
};

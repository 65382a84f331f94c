/* test_train_stop: acrl_train leaves signal handling to its caller. A stop request set
 * before or during a run (here from the caller's own SIGINT handler) ends the run after
 * the current iteration with ACRL_INTERRUPTED and a resumable last.ckpt; the caller's
 * handler stays installed while the run goes on. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acrl.h"
#include "test.h"

static char tmp_root[] = "/tmp/acrl-test-stop-XXXXXX";
static volatile sig_atomic_t stop_flag, handler_calls;

static void on_sigint(int sig) {
    (void)sig;
    handler_calls++;
    stop_flag = 1;
}

static acrl_train_options options(const char* dir, long steps) {
    static const char* sets[] = {"n_steps=32", "batch_size=64", "n_epochs=1", "n_envs=2", "eval_freq=0"};
    acrl_train_options o = acrl_train_options_default();
    o.algo = "ppo";
    o.env_id = "CartPole-v1";
    o.out_dir = dir;
    o.steps = steps;
    o.seed = 3;
    o.quiet = true;
    o.eval_episodes = 1;
    o.overrides = sets;
    o.n_overrides = 5;
    o.stop_flag = &stop_flag;
    return o;
}

static bool exists(const char* dir, const char* file) {
    char path[1300];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return access(path, F_OK) == 0;
}

/* Waits for the run's summary.json (written once the run has started), checks that the
 * test's SIGINT handler is still the one installed, then sends SIGINT to the process. */
typedef struct {
    const char* dir;
    int handler_was_ours;  /* out: 1 yes, 0 no, -1 the run never started */
} signaller;

static void* send_sigint(void* arg) {
    signaller* s = arg;
    s->handler_was_ours = -1;
    for (int i = 0; i < 6000 && !exists(s->dir, "summary.json"); i++) {
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    if (!exists(s->dir, "summary.json")) return NULL;
    struct sigaction cur;
    sigaction(SIGINT, NULL, &cur);
    s->handler_was_ours = cur.sa_handler == on_sigint;
    kill(getpid(), SIGINT);
    return NULL;
}

int main(void) {
    if (!mkdtemp(tmp_root)) { perror("mkdtemp"); return 1; }
    char err[ACRL_ERRLEN], dir[1200];

    /* a request made before the run: stops at step 0 with last.ckpt written */
    snprintf(dir, sizeof dir, "%s/early", tmp_root);
    stop_flag = 1;
    acrl_train_options o = options(dir, 4096);
    int rc = acrl_train(&o, err, sizeof err);
    printf("  stop requested before the run: rc %d: %s\n", rc, err);
    CHECK(rc == ACRL_INTERRUPTED);
    CHECK(strstr(err, "interrupted at step 0") != NULL);
    CHECK(exists(dir, "last.ckpt"));
    CHECK(!exists(dir, "final.ckpt"));

    /* the caller's SIGINT handler sets the flag during a long run */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    stop_flag = 0;
    snprintf(dir, sizeof dir, "%s/signal", tmp_root);
    signaller s = {dir, -1};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, send_sigint, &s) == 0);
    o = options(dir, 50000000);
    rc = acrl_train(&o, err, sizeof err);
    pthread_join(th, NULL);
    printf("  SIGINT during the run: rc %d, handler calls %d, handler ours during the run %d: %s\n", rc,
           (int)handler_calls, s.handler_was_ours, err);
    CHECK(s.handler_was_ours == 1);
    CHECK(handler_calls == 1);
    CHECK(rc == ACRL_INTERRUPTED);
    CHECK(exists(dir, "last.ckpt"));
    struct sigaction after;
    sigaction(SIGINT, NULL, &after);
    CHECK(after.sa_handler == on_sigint);
    sigaction(SIGINT, &old, NULL);

    /* the interrupted run resumes to its end */
    stop_flag = 0;
    acrl_train_options r = acrl_train_options_default();
    r.resume_dir = dir;
    r.steps = 2048;
    r.quiet = true;
    r.eval_episodes = 1;
    r.stop_flag = &stop_flag;
    rc = acrl_train(&r, err, sizeof err);
    if (rc) fprintf(stderr, "  resume: %s\n", err);
    CHECK(rc == ACRL_OK);
    CHECK(exists(dir, "final.ckpt"));

    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp_root);
    return test_summary("test_train_stop");
}

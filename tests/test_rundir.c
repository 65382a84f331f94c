/* test_rundir: what a run directory holds across interruptions and resumes: summary.json
 * written on every exit with cumulative wall time; resume with matching or mismatching
 * ALGO/ENV; a hand-edited config.ini applied (run length, frequencies) or refused (anything
 * else); TensorBoard event files without the events logged after the checkpoint a run
 * resumes from, parsed and compared with a run straight through. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "acrl.h"
#include "test.h"
#include "test_files.h"

static char tmp_root[] = "/tmp/acrl-test-rundir-XXXXXX";

/* the library's stop request (set by the test's SIGINT handler) and NaN fault option */
static volatile sig_atomic_t stop_flag;
static long fault_nan_at;
static void on_sigint(int sig) { (void)sig; stop_flag = 1; }

static char notices[4096];
static void collect_notice(void* user, const char* msg) {
    (void)user;
    size_t n = strlen(notices);
    snprintf(notices + n, sizeof notices - n, "%s\n", msg);
}

static int train(const char* algo, const char* env, const char* dir, long steps, long stop_at, const char* resume,
                 const char* const* sets, int nsets, char* err) {
    acrl_train_options o = acrl_train_options_default();
    o.algo = algo;
    o.env_id = env;
    o.out_dir = dir;
    o.steps = steps;
    o.stop_at = stop_at;
    o.resume_dir = resume;
    o.seed = 7;
    o.quiet = true;
    o.eval_episodes = 2;
    o.overrides = sets;
    o.n_overrides = nsets;
    o.notice = collect_notice;
    o.stop_flag = &stop_flag;
    o.fault_nan_at = fault_nan_at;
    notices[0] = 0;
    return acrl_train(&o, err, ACRL_ERRLEN);
}

static void path_of(char* out, const char* name, const char* file) {
    if (file) sprintf(out, "%s/%s/%s", tmp_root, name, file);
    else sprintf(out, "%s/%s", tmp_root, name);
}

/* a number field of dir/summary.json; NAN if missing or null */
static double summary_number(const char* dir, const char* key) {
    char path[1300];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    size_t n;
    char* text = slurp(path, &n);
    double v = NAN;
    if (text && acrl_json_get_number(text, key, &v) != 0) v = NAN;
    free(text);
    return v;
}

static bool summary_has(const char* dir, const char* field) {
    char path[1300];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    size_t n;
    char* text = slurp(path, &n);
    bool has = text && strstr(text, field) != NULL;
    free(text);
    return has;
}

static const char* const ppo_sets[] = {"n_steps=32", "batch_size=64", "n_epochs=1", "n_envs=2", "eval_freq=0",
                                       "log_freq=64", "checkpoint_freq=256"};
#define NPPO 7

/* ---- summary.json on every exit, cumulative over invocations ------------------------ */

static void check_summary(void) {
    char err[ACRL_ERRLEN], dir[1200];
    /* a failure (NaN at step 700): the summary records the steps reached, not 0 */
    path_of(dir, "sum-nan", NULL);
    fault_nan_at = 700;
    int rc = train("ppo", "CartPole-v1", dir, 2048, 0, NULL, ppo_sets, NPPO, err);
    fault_nan_at = 0;
    CHECK(rc == ACRL_ERR_RUNTIME);
    printf("  NaN stop: summary steps %g, finished false: %d\n", summary_number(dir, "steps"),
           summary_has(dir, "\"finished\": false"));
    CHECK(summary_number(dir, "steps") == 704);
    CHECK(summary_has(dir, "\"finished\": false"));

    /* SIGINT while training: exit code 130, summary with the steps reached */
    path_of(dir, "sum-int", NULL);
    pid_t pid = fork();
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_sigint;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        _exit(train("ppo", "CartPole-v1", dir, 100000000, 0, NULL, ppo_sets, NPPO, err));
    }
    char csv[1300];
    snprintf(csv, sizeof csv, "%s/progress.csv", dir);
    for (int i = 0; i < 600; i++) { /* until a few rows are logged (60 s at most) */
        size_t n = 0;
        char* t = slurp(csv, &n);
        int rows = 0;
        for (size_t k = 0; t && k < n; k++) rows += t[k] == '\n';
        free(t);
        if (rows >= 6) break;
        usleep(100000);
    }
    kill(pid, SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    double steps = summary_number(dir, "steps");
    printf("  SIGINT: exit %d, summary steps %g\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1, steps);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == ACRL_INTERRUPTED);
    CHECK(steps >= 320 && steps < 100000000);
    CHECK(summary_has(dir, "\"finished\": false"));

    /* stop at 512, resume to 1024: wall time and steps/s over both invocations */
    path_of(dir, "sum-resume", NULL);
    CHECK(train("ppo", "CartPole-v1", dir, 1024, 512, NULL, ppo_sets, NPPO, err) == ACRL_OK);
    double wall1 = summary_number(dir, "wall_seconds");
    CHECK(summary_number(dir, "steps") == 512 && summary_number(dir, "invocations") == 1);
    CHECK(wall1 > 0 && summary_number(dir, "invocation_wall_seconds") == wall1);
    usleep(300000);
    CHECK(train("ppo", "CartPole-v1", NULL, 0, 0, dir, NULL, 0, err) == ACRL_OK);
    double wall = summary_number(dir, "wall_seconds"), wall2 = summary_number(dir, "invocation_wall_seconds");
    double sps = summary_number(dir, "sps"), sps2 = summary_number(dir, "invocation_sps");
    printf("  resumed: wall %.4f = %.4f + %.4f s, sps %.1f (this invocation %.1f), invocations %g\n", wall, wall1,
           wall2, sps, sps2, summary_number(dir, "invocations"));
    CHECK(summary_number(dir, "steps") == 1024 && summary_has(dir, "\"finished\": true"));
    CHECK(summary_number(dir, "invocations") == 2 && summary_number(dir, "invocation_steps") == 512);
    CHECK_NEAR(wall, wall1 + wall2, 1e-9 * wall);
    CHECK_NEAR(sps, 1024 / wall, 1e-6 * sps);
    CHECK_NEAR(sps2, 512 / wall2, 1e-6 * sps2);
}

/* ---- resume: ALGO/ENV and an edited config.ini -------------------------------------- */

static void write_file(const char* path, const char* text) {
    FILE* f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

/* text with the line "key = ..." replaced by "key = value" */
static char* with_value(const char* text, const char* key, const char* value) {
    char* out = malloc(strlen(text) + 256);
    char pat[128];
    snprintf(pat, sizeof pat, "\n%s = ", key);
    const char* p = strstr(text, pat);
    if (!p) { strcpy(out, text); return out; }
    p += strlen(pat);
    const char* eol = strchr(p, '\n');
    memcpy(out, text, (size_t)(p - text));
    sprintf(out + (p - text), "%s%s", value, eol ? eol : "");
    return out;
}

static void check_resume_config(void) {
    char err[ACRL_ERRLEN], dir[1200], ini[1300], ck[1300];
    path_of(dir, "cfg", NULL);
    path_of(ini, "cfg", "config.ini");
    path_of(ck, "cfg", "last.ckpt");
    CHECK(train("ppo", "CartPole-v1", dir, 4096, 256, NULL, ppo_sets, NPPO, err) == ACRL_OK);
    /* ALGO and ENV given with --resume: the run's are accepted, others refused naming both */
    CHECK(train("sac", "CartPole-v1", NULL, 0, 0, dir, NULL, 0, err) == ACRL_ERR_INPUT);
    printf("  resume as sac: %s\n", err);
    CHECK(strstr(err, "ppo run on CartPole-v1") && strstr(err, "as sac on CartPole-v1"));
    CHECK(train("ppo", "Acrobot-v1", NULL, 0, 0, dir, NULL, 0, err) == ACRL_ERR_INPUT);
    CHECK(strstr(err, "as ppo on Acrobot-v1") != NULL);
    int rc = train("ppo", "CartPole-v1", NULL, 0, 320, dir, NULL, 0, err);
    if (rc) printf("  resume as ppo CartPole-v1: %s\n", err);
    CHECK(rc == ACRL_OK);
    CHECK(summary_number(dir, "steps") == 320);

    /* an edit of a key that changes what is learned: refused naming it; nothing rewritten */
    size_t n, nck0, nck1;
    char* orig = slurp(ini, &n);
    char* ck0 = slurp(ck, &nck0);
    char* edited = with_value(orig, "learning_rate", "0.002");
    char* edited2 = with_value(edited, "log_freq", "128");
    write_file(ini, edited2);
    CHECK(train(NULL, NULL, NULL, 0, 0, dir, NULL, 0, err) == ACRL_ERR_INPUT);
    printf("  edited learning_rate: %s\n", err);
    CHECK(strstr(err, "learning_rate (0.001 in the checkpoint, 0.002 in config.ini)") != NULL);
    CHECK(strstr(err, "log_freq (") == NULL); /* a key that may change is not among those refused */
    char* now = slurp(ini, &n);
    char* ck1 = slurp(ck, &nck1);
    CHECK(now && strcmp(now, edited2) == 0);              /* the user's file is not overwritten */
    CHECK(ck1 && nck1 == nck0 && memcmp(ck0, ck1, nck0) == 0); /* nor the checkpoint */
    free(now);
    free(ck1);

    /* keys that may change: applied with a notice, and written back */
    char* e1 = with_value(orig, "n_timesteps", "1024");
    char* e2 = with_value(e1, "log_freq", "128");
    write_file(ini, e2);
    rc = train(NULL, NULL, NULL, 0, 0, dir, NULL, 0, err);
    if (rc) printf("  edited n_timesteps and log_freq: %s\n", err);
    CHECK(rc == ACRL_OK);
    printf("  notices: %s", notices);
    CHECK(strstr(notices, "n_timesteps changed from 4096 to 1024; applied") != NULL);
    CHECK(strstr(notices, "log_freq changed from 64 to 128; applied") != NULL);
    CHECK(summary_number(dir, "steps") == 1024); /* ran to the new length */
    now = slurp(ini, &n);
    CHECK(now && strstr(now, "\nlog_freq = 128\n") && strstr(now, "\nn_timesteps = 1024\n"));
    free(now);
    /* rows after the resume point (320) every 128 steps */
    char csvp[1300];
    path_of(csvp, "cfg", "progress.csv");
    char* csv = slurp(csvp, &n);
    CHECK(csv && strstr(csv, "\n384,") && strstr(csv, "\n512,") && !strstr(csv, "\n448,"));
    free(csv);
    free(orig); free(ck0); free(edited); free(edited2); free(e1); free(e2);

    /* exactness warnings: none for ppo; a3c and off-policy without buffer warn */
    CHECK(strstr(notices, "not exact") == NULL);
    const char* a3c[] = {"n_envs=1", "n_workers=2", "eval_freq=0", "n_steps=5"};
    path_of(dir, "a3c", NULL);
    CHECK(train("a3c", "CartPole-v1", dir, 400, 100, NULL, a3c, 4, err) == ACRL_OK);
    CHECK(train(NULL, NULL, NULL, 0, 0, dir, NULL, 0, err) == ACRL_OK);
    printf("  a3c resume: %s", notices);
    CHECK(strstr(notices, "warning: this resume is not exact") != NULL);
    const char* sac[] = {"net_arch=16,16", "batch_size=16", "learning_starts=50", "eval_freq=0"};
    path_of(dir, "sac", NULL);
    CHECK(train("sac", "Pendulum-v1", dir, 200, 100, NULL, sac, 4, err) == ACRL_OK);
    CHECK(train(NULL, NULL, NULL, 0, 0, dir, NULL, 0, err) == ACRL_OK);
    printf("  sac resume: %s", notices);
    CHECK(strstr(notices, "--save-buffer") != NULL);
    const char* sacbuf[] = {"net_arch=16,16", "batch_size=16", "learning_starts=50", "eval_freq=0", "save_buffer=1"};
    path_of(dir, "sacbuf", NULL);
    CHECK(train("sac", "Pendulum-v1", dir, 200, 100, NULL, sacbuf, 5, err) == ACRL_OK);
    CHECK(train(NULL, NULL, NULL, 0, 0, dir, NULL, 0, err) == ACRL_OK);
    CHECK(notices[0] == 0);
}

/* ---- TensorBoard ------------------------------------------------------------------- */

typedef struct {
    char    tag[64];
    int64_t step;
    float   value;
} tb_event;

static uint64_t varint(const uint8_t** p, const uint8_t* end) {
    uint64_t v = 0;
    for (int s = 0; *p < end && s < 64; s += 7) {
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80)) break;
    }
    return v;
}

/* Scalar events of every event file in dir (the file_version record skipped), in file name
 * then record order; the CRCs are checked. Returns the count, -1 on a malformed file. */
static int read_events(const char* dir, tb_event* ev, int max) {
    struct dirent** names;
    int nf = scandir(dir, &names, NULL, alphasort), count = 0;
    for (int i = 0; i < nf; i++) {
        if (strncmp(names[i]->d_name, "events.out.tfevents.", 20) == 0 && count >= 0) {
            char path[1500];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
            size_t n;
            uint8_t* b = (uint8_t*)slurp(path, &n);
            size_t pos = 0;
            while (b && pos + 16 <= n && count >= 0) {
                uint64_t len = 0;
                for (int k = 7; k >= 0; k--) len = len << 8 | b[pos + k];
                if (pos + 16 + len > n) { count = -1; break; }
                uint32_t crc = acrl_crc32c(0, b + pos + 12, len), want = 0;
                crc = ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
                for (int k = 3; k >= 0; k--) want = want << 8 | b[pos + 12 + len + k];
                if (crc != want) { count = -1; break; }
                const uint8_t *p = b + pos + 12, *end = p + len;
                tb_event e = {"", 0, 0};
                while (p < end) {
                    uint64_t key = varint(&p, end);
                    if (key == (1 << 3 | 1)) p += 8;                   /* wall_time */
                    else if (key == (2 << 3 | 0)) e.step = (int64_t)varint(&p, end);
                    else if (key == (3 << 3 | 2)) p += varint(&p, end); /* file_version */
                    else if (key == (5 << 3 | 2)) {                     /* Summary{Value{tag, simple_value}} */
                        varint(&p, end);
                        p++;             /* Value key */
                        varint(&p, end); /* Value length */
                        p++;             /* tag key */
                        uint64_t tl = varint(&p, end);
                        snprintf(e.tag, sizeof e.tag, "%.*s", (int)tl, (const char*)p);
                        p += tl + 1; /* tag, simple_value key */
                        memcpy(&e.value, p, 4);
                        p += 4;
                    } else { count = -1; break; }
                }
                if (count >= 0 && e.tag[0] && count < max) ev[count++] = e;
                pos += 16 + len;
            }
            if (b && pos != n) count = -1;
            free(b);
        }
        free(names[i]);
    }
    free(names);
    return count;
}

static void check_tensorboard(void) {
    char err[ACRL_ERRLEN], a[1200], b[1200];
    path_of(a, "tb-a", NULL);
    path_of(b, "tb-b", NULL);
    CHECK(train("ppo", "CartPole-v1", a, 1024, 0, NULL, ppo_sets, NPPO, err) == ACRL_OK);
    /* b: stops with a NaN at step 700, after rows logged past its last checkpoint (512) */
    fault_nan_at = 600;
    CHECK(train("ppo", "CartPole-v1", b, 1024, 0, NULL, ppo_sets, NPPO, err) == ACRL_ERR_RUNTIME);
    fault_nan_at = 0;
    static tb_event ea[4096], eb[4096];
    int nb0 = read_events(b, eb, 4096), maxstep = 0;
    for (int i = 0; i < nb0; i++) maxstep = eb[i].step > maxstep ? (int)eb[i].step : maxstep;
    CHECK(maxstep > 512); /* there is something to discard */
    sleep(1);            /* a new event file name (the names hold the second) */
    CHECK(train(NULL, NULL, NULL, 0, 0, b, NULL, 0, err) == ACRL_OK);
    int na = read_events(a, ea, 4096), nb = read_events(b, eb, 4096);
    /* the same scalars at the same steps, each once, in step order per tag; the wall-clock
     * time/sps aside */
    int ka = 0, kb = 0, diff = 0;
    for (;;) {
        while (ka < na && strcmp(ea[ka].tag, "time/sps") == 0) ka++;
        while (kb < nb && strcmp(eb[kb].tag, "time/sps") == 0) kb++;
        if (ka == na || kb == nb) break;
        if (strcmp(ea[ka].tag, eb[kb].tag) || ea[ka].step != eb[kb].step || ea[ka].value != eb[kb].value) diff++;
        ka++;
        kb++;
    }
    printf("  TensorBoard: straight %d events, interrupted at %d then resumed from 512: %d events (before resume "
           "%d), %d differ\n", na, maxstep, nb, nb0, diff);
    CHECK(na > 0 && na == nb && ka == na && kb == nb && diff == 0);
}

/* ---- where presets and models come from --------------------------------------------- */

static void check_lookup(void) {
    char err[ACRL_ERRLEN], dir[1200], ini[1300], presets[1200];
    const char* saved = getenv("ACRL_CONFIG_DIR");
    char* keep = saved ? strdup(saved) : NULL;
    /* $ACRL_CONFIG_DIR is the only place looked in: an empty one means no preset, although
     * the source tree (and maybe an installation) has configs/ppo/CartPole-v1.ini */
    path_of(presets, "presets", NULL);
    setenv("ACRL_CONFIG_DIR", presets, 1);
    path_of(dir, "lookup-none", NULL);
    const char* sets[] = {"n_steps=16", "batch_size=16", "n_epochs=1", "eval_freq=0"};
    CHECK(train("ppo", "CartPole-v1", dir, 32, 0, NULL, sets, 4, err) == ACRL_OK);
    path_of(ini, "lookup-none", "config.ini");
    size_t n;
    char* text = slurp(ini, &n);
    printf("  ACRL_CONFIG_DIR empty: n_envs %s\n", text && strstr(text, "\nn_envs = 1\n") ? "1 (no preset)" : "from a preset");
    CHECK(text && strstr(text, "\nn_envs = 1\n") && strstr(text, "\ngae_lambda = 0.95\n"));
    free(text);
    /* a preset there is used */
    char sub[1300];
    snprintf(sub, sizeof sub, "%s/ppo", presets);
    mkdir(presets, 0777);
    mkdir(sub, 0777);
    snprintf(sub, sizeof sub, "%s/ppo/CartPole-v1.ini", presets);
    write_file(sub, "n_envs = 3\ngae_lambda = 0.5\n");
    path_of(dir, "lookup-mine", NULL);
    CHECK(train("ppo", "CartPole-v1", dir, 48, 0, NULL, sets, 4, err) == ACRL_OK);
    path_of(ini, "lookup-mine", "config.ini");
    text = slurp(ini, &n);
    CHECK(text && strstr(text, "\nn_envs = 3\n") && strstr(text, "\ngae_lambda = 0.5\n"));
    free(text);
    if (keep) setenv("ACRL_CONFIG_DIR", keep, 1);
    else unsetenv("ACRL_CONFIG_DIR");
    free(keep);
#ifdef ACRL_HAVE_MUJOCO
    saved = getenv("ACRL_MODEL_DIR");
    keep = saved ? strdup(saved) : NULL;
    setenv("ACRL_MODEL_DIR", presets, 1); /* holds no models */
    acrl_env_options eo = acrl_env_options_default();
    acrl_env* e = acrl_env_make("Hopper-v4", &eo, err, sizeof err);
    printf("  ACRL_MODEL_DIR without models: %s\n", e ? "made Hopper-v4 anyway" : err);
    CHECK(e == NULL && strstr(err, presets) && strstr(err, "hopper.xml"));
    acrl_env_close(e);
    if (keep) setenv("ACRL_MODEL_DIR", keep, 1);
    else unsetenv("ACRL_MODEL_DIR");
    free(keep);
    e = acrl_env_make("Hopper-v4", &eo, err, sizeof err); /* this build's source tree (or CTest's setting) */
    CHECK(e != NULL);
    acrl_env_close(e);
#endif
}

int main(void) {
    if (!mkdtemp(tmp_root)) { perror("mkdtemp"); return 1; }
    check_lookup();
    check_summary();
    check_resume_config();
    check_tensorboard();
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp_root);
    return test_summary("test_rundir");
}

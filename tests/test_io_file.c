/* test_io_file: the file helpers every reader and writer uses. Opening for reading
 * refuses FIFOs (which would block forever), directories and devices, in the helper and
 * in each reader of user files (checkpoint, config, progress.csv); path joins never
 * truncate; stale checkpoint temp files of dead processes are removed and nothing else. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "acrl/io.h"
#include "test.h"

static int exists(const char* path) { struct stat st; return lstat(path, &st) == 0; }

static void spill(const char* path, const char* text) {
    FILE* f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

/* a pid that belonged to a process that has exited (and was reaped) */
static pid_t dead_pid(void) {
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, NULL, 0);
    return p;
}

/* before the fix, opening a FIFO blocked forever: fail the test instead of hanging */
static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "FAIL: a reader blocked on a FIFO\n";
    if (write(2, msg, sizeof msg - 1) < 0) _exit(1);
    _exit(1);
}

int main(void) {
    char err[ACRL_ERRLEN];
    signal(SIGALRM, on_alarm);
    alarm(20);
    char dir[] = "/tmp/acrl_file_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char reg[300], fifo[300], sub[300], missing[300];
    snprintf(reg, sizeof reg, "%s/plain.txt", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    snprintf(missing, sizeof missing, "%s/missing", dir);
    spill(reg, "gamma = 0.5\n");
    CHECK(mkfifo(fifo, 0644) == 0);
    CHECK(mkdir(sub, 0755) == 0);

    /* ---- acrl_file_open_read ---- */
    FILE* f = acrl_file_open_read(reg, "config", err, sizeof err);
    CHECK(f != NULL);
    if (f) {
        char line[64] = "";
        CHECK(fgets(line, sizeof line, f) && strcmp(line, "gamma = 0.5\n") == 0);
        fclose(f);
    }
    CHECK(acrl_file_open_read(fifo, "config", err, sizeof err) == NULL);
    printf("  %s\n", err);
    CHECK(strstr(err, "config") && strstr(err, fifo) && strstr(err, "is a FIFO, not a regular file"));
    CHECK(acrl_file_open_read(sub, "actions file", err, sizeof err) == NULL);
    printf("  %s\n", err);
    CHECK(strstr(err, "is a directory, not a regular file") != NULL && errno == EISDIR);
    CHECK(acrl_file_open_read("/dev/null", "checkpoint", err, sizeof err) == NULL);
    CHECK(strstr(err, "is a character device") != NULL);
    CHECK(acrl_file_open_read(missing, "checkpoint", err, sizeof err) == NULL);
    CHECK(strstr(err, "cannot open checkpoint") && strstr(err, "No such file") && errno == ENOENT);

    /* ---- every reader of user files refuses a FIFO instead of blocking ---- */
    CHECK(acrl_ckpt_load(fifo, err, sizeof err) == NULL);
    printf("  checkpoint: %s\n", err);
    CHECK(strstr(err, "is a FIFO") != NULL);
    CHECK(acrl_ckpt_load(sub, err, sizeof err) == NULL);
    CHECK(strstr(err, "is a directory") != NULL);
    {
        static const acrl_config_entry table[] = {
            {"gamma", ACRL_CFG_FLOAT, 0, 0, 1, NULL, "discount"},
            {NULL, 0, 0, 0, 0, NULL, NULL},
        };
        float gamma = 0;
        CHECK(acrl_config_load_file(table, &gamma, fifo, err, sizeof err) == -1);
        printf("  config: %s\n", err);
        CHECK(strstr(err, "is a FIFO") != NULL);
        CHECK(acrl_config_load_file(table, &gamma, sub, err, sizeof err) == -1);
        CHECK(strstr(err, "is a directory") != NULL);
        CHECK(acrl_config_load_file(table, &gamma, reg, err, sizeof err) == 0);
        CHECK_NEAR(gamma, 0.5, 0);
    }
    {
        const char* cols[] = {"step", "x"};
        acrl_csv* c = acrl_csv_append(fifo, cols, 2, 10, err, sizeof err);
        CHECK(c == NULL);
        printf("  progress.csv: %s\n", err);
        CHECK(strstr(err, "is a FIFO") != NULL);
        acrl_csv_close(c);
        char fresh[320];
        snprintf(fresh, sizeof fresh, "%s/fresh.csv", dir);
        c = acrl_csv_append(fresh, cols, 2, 10, err, sizeof err); /* a missing file is a fresh one */
        CHECK(c != NULL);
        CHECK(acrl_csv_close(c) == 0);
        unlink(fresh);
    }

    /* ---- acrl_path_join: fits exactly, or refuses ---- */
    {
        char out[12];
        CHECK(acrl_path_join(out, sizeof out, "abcde", "fghij", err, sizeof err) == 0);
        CHECK(strcmp(out, "abcde/fghij") == 0);
        errno = 0;
        CHECK(acrl_path_join(out, sizeof out, "abcde", "fghijk", err, sizeof err) == -1);
        CHECK(errno == ENAMETOOLONG && out[0] == 0);
        printf("  %s\n", err);
        CHECK(strstr(err, "path too long (12 bytes, at most 11)") != NULL);
        CHECK(acrl_path_join(out, sizeof out, "abcdefghijklmnop", "x", NULL, 0) == -1);
    }

    /* ---- acrl_ckpt_remove_stale ---- */
    {
        long dead = (long)dead_pid(), live = (long)getppid();
        char name[64], path[400];
        /* removed: regular files CKPT.tmp.<dead pid> of the three checkpoints */
        const char* gone[] = {"last.ckpt.tmp.%ld", "best.ckpt.tmp.%ld", "final.ckpt.tmp.%ld"};
        for (int i = 0; i < 3; i++) {
            snprintf(name, sizeof name, gone[i], dead);
            snprintf(path, sizeof path, "%s/%s", dir, name);
            spill(path, "partial");
        }
        /* kept: live writers (the parent and this process), other names, non-files */
        const char* keep_fmt[] = {"last.ckpt.tmp.%ld", "last.ckpt.tmp.%ld", "model.ckpt.tmp.%ld", "last.ckpt.tmp.%ldx",
                                  "last.ckpt.tmp.0%ld", "xlast.ckpt.tmp.%ld", "last.ckpt.tmp.", "last.ckpt"};
        long keep_pid[] = {live, (long)getpid(), dead, dead, dead, dead, 0, 0};
        char keep[8][400];
        for (int i = 0; i < 8; i++) {
            snprintf(name, sizeof name, keep_fmt[i], keep_pid[i]);
            snprintf(keep[i], sizeof keep[i], "%s/%s", dir, name);
            spill(keep[i], "keep");
        }
        char dirlike[400], linklike[400];
        snprintf(dirlike, sizeof dirlike, "%s/best.ckpt.tmp.%ld", sub, dead);
        CHECK(mkdir(dirlike, 0755) == 0);                   /* a directory with the pattern's name */
        snprintf(linklike, sizeof linklike, "%s/final.ckpt.tmp.%ld", sub, dead);
        CHECK(symlink(reg, linklike) == 0);                 /* a symlink with the pattern's name */
        CHECK(acrl_ckpt_remove_stale(dir, err, sizeof err) == 3);
        for (int i = 0; i < 3; i++) {
            snprintf(name, sizeof name, gone[i], dead);
            snprintf(path, sizeof path, "%s/%s", dir, name);
            CHECK(!exists(path));
        }
        int kept = 0;
        for (int i = 0; i < 8; i++) kept += exists(keep[i]);
        CHECK(kept == 8);
        CHECK(acrl_ckpt_remove_stale(sub, err, sizeof err) == 0);
        CHECK(exists(dirlike) && exists(linklike) && exists(reg));
        printf("  stale temp files: 3 removed, 10 kept\n");
        rmdir(dirlike);
        unlink(linklike);
        for (int i = 0; i < 8; i++) unlink(keep[i]);
        CHECK(acrl_ckpt_remove_stale(missing, err, sizeof err) == -1);
        CHECK(strstr(err, "cannot read directory") != NULL);
    }

    rmdir(sub);
    unlink(fifo);
    unlink(reg);
    CHECK(rmdir(dir) == 0);
    return test_summary("test_io_file");
}

/* file.c - the few file-system helpers every reader and writer of acrl uses: opening a
 * user-named file for reading (regular files only), joining paths without silent
 * truncation, and removing the temp files of checkpoint writers that were killed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acrl/io.h"
#include "io/io_internal.h"

static const char* file_kind(mode_t m) {
    if (S_ISDIR(m)) return "a directory";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a regular file";
}

FILE* acrl_file_open_read(const char* path, const char* what, char* err, size_t errlen) {
    if (!what) what = "file";
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait forever for a writer */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) { io_set_err(err, errlen, "cannot open %s %s: %s", what, path, strerror(errno)); return NULL; }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        io_set_err(err, errlen, "cannot open %s %s: %s", what, path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        io_set_err(err, errlen, "%s %s is %s, not a regular file", what, path, file_kind(st.st_mode));
        close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL; /* callers may test errno (ENOENT) */
        return NULL;
    }
    int flags = fcntl(fd, F_GETFL);
    FILE* f = flags >= 0 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 ? fdopen(fd, "r") : NULL;
    if (!f) {
        io_set_err(err, errlen, "cannot open %s %s: %s", what, path, strerror(errno));
        close(fd);
        return NULL;
    }
    return f;
}

int acrl_path_join(char* out, size_t outlen, const char* dir, const char* name, char* err, size_t errlen) {
    int n = snprintf(out, outlen, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= outlen) {
        io_set_err(err, errlen, "path too long (%zu bytes, at most %zu): %.80s...", strlen(dir) + 1 + strlen(name),
                   outlen - 1, dir);
        if (outlen) out[0] = 0;
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* 1 if name is CKPT.tmp.PID for one of the checkpoints a run writes; PID into *pid */
static int stale_candidate(const char* name, long* pid) {
    static const char* const ckpts[] = {"last.ckpt.tmp.", "best.ckpt.tmp.", "final.ckpt.tmp."};
    for (int i = 0; i < 3; i++) {
        size_t k = strlen(ckpts[i]);
        if (strncmp(name, ckpts[i], k) != 0) continue;
        const char* d = name + k;
        size_t nd = strspn(d, "0123456789");
        if (nd == 0 || nd > 9 || d[nd] != 0 || d[0] == '0') return 0;
        *pid = strtol(d, NULL, 10);
        return 1;
    }
    return 0;
}

int acrl_ckpt_remove_stale(const char* dir, char* err, size_t errlen) {
    DIR* d = opendir(dir);
    if (!d) { io_set_err(err, errlen, "cannot read directory %s: %s", dir, strerror(errno)); return -1; }
    int removed = 0;
    char path[4200];
    struct dirent* e;
    while ((e = readdir(d)) != NULL) {
        long pid;
        if (!stale_candidate(e->d_name, &pid)) continue;
        /* a live process (ours, or anyone's: EPERM) may still be writing it */
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        struct stat st;
        if (acrl_path_join(path, sizeof path, dir, e->d_name, NULL, 0) != 0) continue;
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (unlink(path) == 0) removed++;
    }
    closedir(d);
    return removed;
}

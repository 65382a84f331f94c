/* comm.c - single-process and Open MPI implementations of dist/comm.h. */
#include "dist/comm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>

#ifdef ACRL_HAVE_MPI
#include <limits.h>
#include <mpi.h>
#endif

static int g_rank = 0, g_size = 1, g_started = 0;
#ifdef ACRL_HAVE_MPI
static int g_broken = 0; /* a transfer failed or timed out: end with MPI_Abort */
#endif
static double g_timeout = 300.0, g_seconds = 0.0;
static uint64_t g_bytes = 0;

static inline double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int comm_rank(void) { return g_rank; }
int comm_size(void) { return g_size; }
double comm_timeout(void) { return g_timeout; }
void comm_set_timeout(double s) { if (s > 0) g_timeout = s; }
double comm_seconds(void) { return g_seconds; }
uint64_t comm_bytes(void) { return g_bytes; }

int comm_have_mpi(void) {
#ifdef ACRL_HAVE_MPI
    return 1;
#else
    return 0;
#endif
}

static int launched_by_mpirun(void) {
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE");
}

int comm_init(int* argc, char*** argv, char* err, size_t errlen) {
    const char* t = getenv("ACRL_COMM_TIMEOUT");
    if (t) {
        char* end;
        double v = strtod(t, &end);
        if (end == t || *end || !(v > 0) || v > 1e7) {
            snprintf(err, errlen, "ACRL_COMM_TIMEOUT=%s: expected seconds > 0", t);
            return -1;
        }
        g_timeout = v;
    }
    if (!launched_by_mpirun()) return 0;
#ifdef ACRL_HAVE_MPI
    if (MPI_Init(argc, argv) != MPI_SUCCESS) {
        snprintf(err, errlen, "MPI_Init failed");
        return -1;
    }
    g_started = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    /* errors come back as codes, so that a failed transfer ends with a message */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    return 0;
#else
    (void)argc; (void)argv;
    const char* n = getenv("OMPI_COMM_WORLD_SIZE");
    if (n && atoi(n) > 1) {
        snprintf(err, errlen, "launched by mpirun with %s processes, but this acrl was built without MPI "
                 "(install libopenmpi-dev and rebuild; -DACRL_MPI=ON)", n);
        return -1;
    }
    return 0;
#endif
}

void comm_finalize(void) {
#ifdef ACRL_HAVE_MPI
    /* after a failed or timed-out transfer MPI_Finalize would wait for the rank that stopped
     * answering: end every rank instead (mpirun then exits non-zero) */
    if (g_started && g_broken && g_size > 1) MPI_Abort(MPI_COMM_WORLD, 1);
    if (g_started) MPI_Finalize();
#endif
    g_started = 0;
}

int comm_failed(void) {
#ifdef ACRL_HAVE_MPI
    return g_broken;
#else
    return 0;
#endif
}

void comm_abort(int code) {
#ifdef ACRL_HAVE_MPI
    if (g_started && g_size > 1) MPI_Abort(MPI_COMM_WORLD, code);
#endif
    (void)code;
}

#ifdef ACRL_HAVE_MPI
/* Waits for req, polling, at most the timeout; spins first, then sleeps 20 us between polls
 * so that a waiting rank leaves the core to the others. */
static int wait_req(MPI_Request* req, const char* what, char* err, size_t errlen) {
    double t0 = now_s();
    long polls = 0;
    int slow = 0;
    for (;;) {
        int done = 0;
        if (polls) sched_yield();
        if (MPI_Test(req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
            snprintf(err, errlen, "%s failed on rank %d (another rank ended?)", what, g_rank);
            g_broken = 1;
            return -1;
        }
        if (done) return 0;
        /* large transfers advance only while polled: poll (yielding the core to runnable
         * processes) for the first millisecond, then every 20 us, sleeping (a sleeping rank leaves
         * the core to the rank it waits for on an oversubscribed machine) */
        if (!slow && (++polls & 15) == 0 && now_s() - t0 > 1e-3) slow = 1;
        if (slow) {
            struct timespec ts = {0, 20000};
            nanosleep(&ts, NULL);
            if (now_s() - t0 > g_timeout) {
                snprintf(err, errlen, "rank %d waited %.0f s for %s: another rank stopped or hangs "
                         "(--comm-timeout or ACRL_COMM_TIMEOUT sets the wait)", g_rank, g_timeout, what);
                g_broken = 1;
                return -1;
            }
        }
    }
}

static int too_big(size_t n, char* err, size_t errlen) {
    if (n > INT_MAX) { snprintf(err, errlen, "message of %zu bytes is too large for one transfer", n); return 1; }
    return 0;
}
#endif

int comm_bcast(void* buf, size_t n, int root, char* err, size_t errlen) {
    if (g_size == 1) return 0;
#ifdef ACRL_HAVE_MPI
    if (too_big(n, err, errlen)) return -1;
    double t0 = now_s();
    MPI_Request req;
    int rc = MPI_Ibcast(buf, (int)n, MPI_BYTE, root, MPI_COMM_WORLD, &req) != MPI_SUCCESS ? -1
             : wait_req(&req, "a broadcast", err, errlen);
    if (rc && !err[0]) snprintf(err, errlen, "broadcast failed");
    if (rc) g_broken = 1;
    if (g_rank == root) g_bytes += n;
    g_seconds += now_s() - t0;
    return rc;
#else
    (void)buf; (void)n; (void)root; (void)err; (void)errlen;
    return 0;
#endif
}

int comm_bcast_var(void** buf, size_t* n, int root, char* err, size_t errlen) {
    if (g_size == 1) return 0;
    uint64_t len = g_rank == root ? (uint64_t)*n : 0;
    if (comm_bcast(&len, sizeof len, root, err, errlen)) return -1;
    if (g_rank != root) {
        *buf = malloc(len ? (size_t)len : 1);
        if (!*buf) { snprintf(err, errlen, "out of memory"); return -1; }
        *n = (size_t)len;
    }
    return comm_bcast(*buf, (size_t)len, root, err, errlen);
}

int comm_allgather(const void* send, size_t n, void* recv, char* err, size_t errlen) {
    if (g_size == 1) { memmove(recv, send, n); return 0; }
#ifdef ACRL_HAVE_MPI
    if (too_big(n * (size_t)g_size, err, errlen)) return -1;
    double t0 = now_s();
    MPI_Request req;
    int rc = MPI_Iallgather(send, (int)n, MPI_BYTE, recv, (int)n, MPI_BYTE, MPI_COMM_WORLD, &req) != MPI_SUCCESS
             ? -1 : wait_req(&req, "an allgather", err, errlen);
    if (rc && !err[0]) snprintf(err, errlen, "allgather failed");
    if (rc) g_broken = 1;
    g_bytes += n * (size_t)(g_size - 1);
    g_seconds += now_s() - t0;
    return rc;
#else
    (void)err; (void)errlen;
    return 0;
#endif
}

int comm_gatherv(const void* send, size_t n, void** recv, size_t* counts, char* err, size_t errlen) {
    if (g_size == 1) {
        *recv = malloc(n ? n : 1);
        if (!*recv) { snprintf(err, errlen, "out of memory"); return -1; }
        memcpy(*recv, send, n);
        counts[0] = n;
        return 0;
    }
#ifdef ACRL_HAVE_MPI
    uint64_t len = n, lens[g_size];
    if (comm_allgather(&len, sizeof len, lens, err, errlen)) return -1;
    double t0 = now_s();
    int cnt[g_size], displ[g_size];
    size_t tot = 0;
    for (int r = 0; r < g_size; r++) {
        if (too_big(tot + lens[r], err, errlen)) return -1;
        cnt[r] = (int)lens[r];
        displ[r] = (int)tot;
        tot += lens[r];
    }
    *recv = NULL;
    if (g_rank == 0) {
        *recv = malloc(tot ? tot : 1);
        if (!*recv) { snprintf(err, errlen, "out of memory"); return -1; }
        for (int r = 0; r < g_size; r++) counts[r] = (size_t)lens[r];
    }
    MPI_Request req;
    int rc = MPI_Igatherv(send, (int)n, MPI_BYTE, *recv, cnt, displ, MPI_BYTE, 0, MPI_COMM_WORLD, &req) != MPI_SUCCESS
             ? -1 : wait_req(&req, "a gather", err, errlen);
    if (rc && !err[0]) snprintf(err, errlen, "gather failed");
    if (rc) g_broken = 1;
    if (rc) { free(*recv); *recv = NULL; }
    if (g_rank != 0) g_bytes += n;
    g_seconds += now_s() - t0;
    return rc;
#else
    return -1;
#endif
}

int comm_gather_counts(const void* send, void* recv, const size_t* counts, char* err, size_t errlen) {
    if (g_size == 1) { memcpy(recv, send, counts[0]); return 0; }
#ifdef ACRL_HAVE_MPI
    double t0 = now_s();
    int cnt[g_size], displ[g_size];
    size_t tot = 0;
    for (int r = 0; r < g_size; r++) {
        if (too_big(tot + counts[r], err, errlen)) return -1;
        cnt[r] = (int)counts[r];
        displ[r] = (int)tot;
        tot += counts[r];
    }
    MPI_Request req;
    int rc = MPI_Igatherv(send, cnt[g_rank], MPI_BYTE, recv, cnt, displ, MPI_BYTE, 0, MPI_COMM_WORLD, &req) != MPI_SUCCESS
             ? -1 : wait_req(&req, "a gather", err, errlen);
    if (rc && !err[0]) snprintf(err, errlen, "gather failed");
    if (rc) g_broken = 1;
    if (g_rank != 0) g_bytes += counts[g_rank];
    g_seconds += now_s() - t0;
    return rc;
#else
    (void)err; (void)errlen;
    return -1;
#endif
}

int comm_any(int flag, int* out, char* err, size_t errlen) {
    if (g_size == 1) { *out = flag & 0xff; return 0; }
    uint8_t f = (uint8_t)flag, all[g_size];
    if (comm_allgather(&f, 1, all, err, errlen)) return -1;
    *out = 0;
    for (int r = 0; r < g_size; r++) *out |= all[r];
    return 0;
}

/* ---- point-to-point ----------------------------------------------------------------- */

double comm_now(void) { return now_s(); }

int comm_poll_wait(double t0, const char* what, char* err, size_t errlen) {
    double t = now_s() - t0;
    if (t < 1e-3) { sched_yield(); return 0; }
    /* 20 us between polls, 200 us once the wait passed 10 ms: a collector waiting for credit
     * while the learner trains would otherwise wake 50,000 times a second beside it */
    struct timespec ts = {0, t < 1e-2 ? 20000 : 200000};
    nanosleep(&ts, NULL);
    if (t > g_timeout) {
        snprintf(err, errlen, "rank %d waited %.0f s for %s: another rank stopped or hangs (--comm-timeout or "
                 "ACRL_COMM_TIMEOUT sets the wait)", g_rank, g_timeout, what);
#ifdef ACRL_HAVE_MPI
        g_broken = 1;
#endif
        return -1;
    }
    return 0;
}

#ifdef ACRL_HAVE_MPI
_Static_assert(sizeof(MPI_Request) <= sizeof(((comm_req*)0)->opaque), "comm_req cannot hold an MPI_Request");

int comm_isend(const void* buf, size_t n, int dest, int tag, comm_req* req, char* err, size_t errlen) {
    if (too_big(n, err, errlen)) return -1;
    double t0 = now_s();
    MPI_Request r;
    if (MPI_Isend(buf, (int)n, MPI_BYTE, dest, tag, MPI_COMM_WORLD, &r) != MPI_SUCCESS) {
        snprintf(err, errlen, "a send from rank %d to rank %d failed (another rank ended?)", g_rank, dest);
        g_broken = 1;
        return -1;
    }
    memcpy(req->opaque, &r, sizeof r);
    req->active = 1;
    g_bytes += n;
    g_seconds += now_s() - t0;
    return 0;
}

int comm_test(comm_req* req, int* done, char* err, size_t errlen) {
    *done = 1;
    if (!req->active) return 0;
    double t0 = now_s();
    MPI_Request r;
    memcpy(&r, req->opaque, sizeof r);
    int rc = MPI_Test(&r, done, MPI_STATUS_IGNORE);
    memcpy(req->opaque, &r, sizeof r);
    g_seconds += now_s() - t0;
    if (rc != MPI_SUCCESS) {
        snprintf(err, errlen, "a send from rank %d failed (another rank ended?)", g_rank);
        g_broken = 1;
        return -1;
    }
    if (*done) req->active = 0;
    return 0;
}

int comm_probe(int source, int tag, int* from, size_t* n, char* err, size_t errlen) {
    double t0 = now_s();
    int flag = 0;
    MPI_Status st;
    int rc = MPI_Iprobe(source < 0 ? MPI_ANY_SOURCE : source, tag, MPI_COMM_WORLD, &flag, &st);
    g_seconds += now_s() - t0;
    if (rc != MPI_SUCCESS) {
        snprintf(err, errlen, "a probe on rank %d failed (another rank ended?)", g_rank);
        g_broken = 1;
        return -1;
    }
    if (!flag) return 0;
    int cnt = 0;
    MPI_Get_count(&st, MPI_BYTE, &cnt);
    *from = st.MPI_SOURCE;
    *n = (size_t)cnt;
    return 1;
}

int comm_recv(void* buf, size_t n, int from, int tag, char* err, size_t errlen) {
    if (too_big(n, err, errlen)) return -1;
    double t0 = now_s();
    MPI_Request req;
    int rc = MPI_Irecv(buf, (int)n, MPI_BYTE, from, tag, MPI_COMM_WORLD, &req) != MPI_SUCCESS
             ? -1 : wait_req(&req, "a message", err, errlen);
    if (rc && !err[0]) snprintf(err, errlen, "a receive on rank %d failed", g_rank);
    if (rc) g_broken = 1;
    g_seconds += now_s() - t0;
    return rc;
}
#else
static int no_mpi(char* err, size_t errlen) {
    snprintf(err, errlen, "point-to-point messages need MPI (this acrl was built without it)");
    return -1;
}
int comm_isend(const void* buf, size_t n, int dest, int tag, comm_req* req, char* err, size_t errlen) {
    (void)buf; (void)n; (void)dest; (void)tag; (void)req;
    return no_mpi(err, errlen);
}
int comm_test(comm_req* req, int* done, char* err, size_t errlen) {
    (void)req; (void)err; (void)errlen;
    *done = 1;
    return 0;
}
int comm_probe(int source, int tag, int* from, size_t* n, char* err, size_t errlen) {
    (void)source; (void)tag; (void)from; (void)n; (void)err; (void)errlen;
    return 0;
}
int comm_recv(void* buf, size_t n, int from, int tag, char* err, size_t errlen) {
    (void)buf; (void)n; (void)from; (void)tag;
    return no_mpi(err, errlen);
}
#endif

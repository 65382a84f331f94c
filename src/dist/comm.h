/* comm.h - the communication interface of data-parallel training (docs/distributed.md).
 *
 * Algorithms and the trainer call these functions only; a build without MPI (ACRL_MPI off)
 * compiles the single-process implementation, where every collective is a copy. With MPI,
 * comm_init starts MPI only when the program was launched by mpirun (OMPI_COMM_WORLD_SIZE,
 * PMIX_RANK or PMI_SIZE in the environment): a plain run never touches MPI.
 *
 * Every collective waits at most comm_timeout seconds (ACRL_COMM_TIMEOUT, default 300):
 * a rank that died makes the others return -1 with a message instead of hanging.
 * Functions return 0, or -1 with a message in err. */
#ifndef ACRL_DIST_COMM_H
#define ACRL_DIST_COMM_H

#include <stddef.h>
#include <stdint.h>

/* Starts MPI when launched under mpirun (0), else stays single-process (0); -1 + message. */
int  comm_init(int* argc, char*** argv, char* err, size_t errlen);
/* Ends MPI if comm_init started it; after a failed or timed-out transfer it aborts every
 * rank instead (MPI_Abort), since a clean end would wait for the rank that stopped. */
void comm_finalize(void);
/* 1 after a transfer failed or timed out on this rank (comm_finalize will abort). */
int  comm_failed(void);
/* Aborts every rank (after an error on one rank that the others cannot learn of). */
void comm_abort(int code);

int  comm_rank(void);
int  comm_size(void);
/* 1 when built with MPI support. */
int  comm_have_mpi(void);

/* Seconds every blocking operation waits before failing (> 0). */
double comm_timeout(void);
void   comm_set_timeout(double seconds);

/* Root's n bytes to every rank. */
int comm_bcast(void* buf, size_t n, int root, char* err, size_t errlen);
/* Root's variable-length buffer to every rank: *buf (malloc'd on the others, *n set). */
int comm_bcast_var(void** buf, size_t* n, int root, char* err, size_t errlen);
/* Every rank's n bytes, in rank order, into recv (size * n bytes) on every rank. */
int comm_allgather(const void* send, size_t n, void* recv, char* err, size_t errlen);
/* Every rank's n bytes (n may differ) to rank 0: there *recv (malloc'd) holds them in rank
 * order and counts[r] (size entries, caller's) their lengths; NULL elsewhere. */
int comm_gatherv(const void* send, size_t n, void** recv, size_t* counts, char* err, size_t errlen);
/* The same when every rank knows every count (counts[r] bytes from rank r, counts[rank]
 * from this one): one transfer; recv (the sum of counts) only on rank 0. */
int comm_gather_counts(const void* send, void* recv, const size_t* counts, char* err, size_t errlen);
/* Bitwise or of flag (bits 0-7) over the ranks (stop requests, errors). */
int comm_any(int flag, int* out, char* err, size_t errlen);

/* ---- point-to-point messages (asynchronous collectors, docs/distributed.md) ----------------
 * Non-blocking sends, probes and receives of one tag; whoever waits for a message or a send
 * polls them in its own loop (servicing its other messages meanwhile) and calls comm_poll_wait
 * between polls, which sleeps briefly and fails after the timeout. */

/* A non-blocking send (comm_isend); zeroed: none pending. Holds the MPI request. */
typedef struct { uint64_t opaque[2]; int active; } comm_req;

/* Sends n bytes of buf (kept unchanged until the send completes) to rank dest with tag. */
int comm_isend(const void* buf, size_t n, int dest, int tag, comm_req* req, char* err, size_t errlen);
/* *done = 1 when req completed (or none was pending), else 0. */
int comm_test(comm_req* req, int* done, char* err, size_t errlen);
/* Whether a message with tag from source (-1: any rank) has arrived: 1 (its rank in *from and
 * its size in *n), 0 none. Never blocks. */
int comm_probe(int source, int tag, int* from, size_t* n, char* err, size_t errlen);
/* Receives the message comm_probe found (n bytes from rank from, tag) into buf. */
int comm_recv(void* buf, size_t n, int from, int tag, char* err, size_t errlen);
/* Between two polls of a waiting loop that started at t0 (comm_now()): yields the core for
 * the first millisecond, then sleeps 20 us, after 10 ms 200 us; -1 with a message naming what
 * after the timeout. */
int comm_poll_wait(double t0, const char* what, char* err, size_t errlen);
/* Monotonic seconds. */
double comm_now(void);

/* Time spent in the functions above and bytes this rank sent, since the start. */
double   comm_seconds(void);
uint64_t comm_bytes(void);

#endif

/* fuzz_progress_csv.c - progress.csv readers: the one of `acrl plot` (read_progress in
 * src/io/plot.c, static there, so that file is compiled into this harness) and the one of
 * `acrl train --resume` (acrl_csv_append keeps the header and the rows up to the resumed
 * step). The summary.json reader of `acrl plot` gets the same bytes. */
#include "fuzz_common.h"

#include "../../src/io/plot.c"

static char g_dir[256], g_csv[300], g_json[300];

static void cleanup(void) {
    unlink(g_csv);
    unlink(g_json);
    rmdir(g_dir);
}

int LLVMFuzzerInitialize(int* argc, char*** argv) {
    (void)argc;
    (void)argv;
    snprintf(g_dir, sizeof g_dir, "%s/acrl_fuzz_csv.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    FZ_CHECK(mkdtemp(g_dir) != NULL, "mkdtemp failed");
    snprintf(g_csv, sizeof g_csv, "%s/progress.csv", g_dir);
    snprintf(g_json, sizeof g_json, "%s/summary.json", g_dir);
    atexit(cleanup);
    return 0;
}

static void put(const char* path, const uint8_t* data, size_t size) {
    FILE* f = fopen(path, "wb");
    FZ_CHECK(f != NULL, "cannot create %s", path);
    FZ_CHECK(fwrite(data, 1, size, f) == size && fclose(f) == 0, "cannot write %s", path);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    char err[ACRL_ERRLEN] = "";
    put(g_csv, data, size);
    plot_run r = {0};
    int rc = read_progress(g_dir, &r, err, sizeof err);
    FZ_CHECK(rc == 0 || err[0], "refused without a message");
    if (rc == 0) {
        FZ_CHECK(r.n > 0, "accepted without rows");
        for (int i = 0; i < r.n; i++) {
            FZ_CHECK(isfinite(r.step[i]) && isfinite(r.ret[i]), "non-finite value kept");
            FZ_CHECK(i == 0 || r.step[i] >= r.step[i - 1], "steps go backwards");
        }
        double grid[8], mean[8], mn[8], mx[8];
        const double* xs[1] = {r.step};
        const double* ys[1] = {r.ret};
        int lens[1] = {r.n};
        acrl_curve_aggregate(grid, mean, mn, mx, 8, xs, ys, lens, 1);
    }
    free(r.step);
    free(r.ret);

    char algo[128], env[128];
    put(g_json, data, size);
    read_summary(g_dir, algo, env, sizeof algo, err, sizeof err);

    /* resume: keep the rows up to step 1000 of the file and append one */
    static const char* const cols[] = {"step", "return_mean", "loss"};
    acrl_csv* c = acrl_csv_append(g_csv, cols, 3, 1000.0, err, sizeof err);
    FZ_CHECK(c != NULL, "append failed: %s", err);
    double row[3] = {2000, -1.5, NAN};
    FZ_CHECK(acrl_csv_row(c, row, err, sizeof err) == 0, "row failed: %s", err);
    FZ_CHECK(acrl_csv_close(c) == 0, "close failed");
    return 0;
}

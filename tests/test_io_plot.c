/* test_io_plot: curve aggregation against values worked out by hand, then a real
 * plot of three synthetic runs in two groups (PNG signature and size checked; skipped
 * when gnuplot is missing) and the errors for incomplete run directories. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acrl/io.h"
#include "test.h"

static void write_text(const char* path, const char* text) {
    FILE* f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void make_run(char* dir, size_t len, const char* root, const char* name, const char* algo,
                     const char* env, double slope) {
    snprintf(dir, len, "%s/%s", root, name);
    mkdir(dir, 0755);
    char path[512], err[ACRL_ERRLEN];
    snprintf(path, sizeof(path), "%s/progress.csv", dir);
    const char* cols[] = {"step", "return_mean", "loss"};
    acrl_csv* c = acrl_csv_open(path, cols, 3, err, sizeof(err));
    for (int k = 0; k <= 50; k++) {
        double row[3] = {1000.0 * k, k < 3 ? NAN : slope * k, 1.0 / (k + 1)}; /* no return in the first rows */
        acrl_csv_row(c, row, err, sizeof(err));
    }
    acrl_csv_close(c);
    snprintf(path, sizeof(path), "%s/summary.json", dir);
    FILE* f = fopen(path, "w");
    acrl_json j;
    acrl_json_begin(&j, f);
    acrl_json_int(&j, "steps", 50000);
    acrl_json_string(&j, "algo", algo);
    acrl_json_string(&j, "env", env);
    acrl_json_end(&j);
    fclose(f);
}

static int have_gnuplot(void) { return system("command -v gnuplot >/dev/null 2>&1") == 0; }

int main(void) {
    /* ---- aggregation on a common grid ---- */
    double a_x[] = {0, 100, 200}, a_y[] = {0, 10, 20};
    double b_x[] = {50, 150, 250}, b_y[] = {0, 100, 0};
    const double* xs[] = {a_x, b_x};
    const double* ys[] = {a_y, b_y};
    int lens[] = {3, 3};
    double grid[4], mean[4], mn[4], mx[4];
    acrl_curve_aggregate(grid, mean, mn, mx, 4, xs, ys, lens, 2);
    /* overlap [50, 200]; a = x/10, b rises 0 -> 100 over [50, 150] then falls to 50 at 200 */
    double want_grid[] = {50, 100, 150, 200}, want_mean[] = {2.5, 30, 57.5, 35};
    double want_min[] = {0, 10, 15, 20}, want_max[] = {5, 50, 100, 50};
    double d = 0;
    for (int k = 0; k < 4; k++) {
        d = fmax(d, fabs(grid[k] - want_grid[k]));
        d = fmax(d, fabs(mean[k] - want_mean[k]));
        d = fmax(d, fabs(mn[k] - want_min[k]));
        d = fmax(d, fabs(mx[k] - want_max[k]));
    }
    CHECK_MAXDIFF("aggregate, overlapping runs", d, 1e-12);
    /* runs that do not overlap use the union and hold their end values */
    double c_x[] = {0, 10}, c_y[] = {1, 3}, e_x[] = {20, 30}, e_y[] = {5, 7};
    const double* xs2[] = {c_x, e_x};
    const double* ys2[] = {c_y, e_y};
    int lens2[] = {2, 2};
    acrl_curve_aggregate(grid, mean, mn, mx, 4, xs2, ys2, lens2, 2);
    double g2[] = {0, 10, 20, 30}, m2[] = {3, 4, 4, 5}, lo2[] = {1, 3, 3, 3}, hi2[] = {5, 5, 5, 7};
    d = 0;
    for (int k = 0; k < 4; k++)
        d = fmax(d, fmax(fmax(fabs(grid[k] - g2[k]), fabs(mean[k] - m2[k])), fmax(fabs(mn[k] - lo2[k]), fabs(mx[k] - hi2[k]))));
    CHECK_MAXDIFF("aggregate, disjoint runs", d, 1e-12);
    /* a single one-point run */
    double p_x[] = {7}, p_y[] = {-2};
    const double* xs3[] = {p_x};
    const double* ys3[] = {p_y};
    int len1[] = {1};
    acrl_curve_aggregate(grid, mean, mn, mx, 2, xs3, ys3, len1, 1);
    CHECK(grid[0] == 7 && grid[1] == 7 && mean[1] == -2 && mn[0] == -2 && mx[1] == -2);

    /* ---- a real plot ---- */
    char root[] = "/tmp/acrl_plot_test_XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char r1[300], r2[300], r3[300], png[300], err[ACRL_ERRLEN];
    make_run(r1, sizeof(r1), root, "ppo_s1", "ppo", "CartPole-v1", 10.0);
    make_run(r2, sizeof(r2), root, "ppo_s2", "ppo", "CartPole-v1", 8.0);
    make_run(r3, sizeof(r3), root, "sac's run", "sac", "Pendulum-v1", -3.0);
    snprintf(png, sizeof(png), "%s/curves.png", root);
    const char* dirs[] = {r1, r2, r3};
    if (have_gnuplot()) {
        int rc = acrl_plot_runs(dirs, 3, png, err, sizeof(err));
        CHECK(rc == 0);
        if (rc) fprintf(stderr, "  %s\n", err);
        FILE* f = fopen(png, "rb");
        uint8_t head[24] = {0};
        size_t n = f ? fread(head, 1, sizeof(head), f) : 0;
        if (f) fclose(f);
        CHECK(n == 24 && memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0);
        uint32_t w = (uint32_t)head[16] << 24 | head[17] << 16 | head[18] << 8 | head[19];
        uint32_t h = (uint32_t)head[20] << 24 | head[21] << 16 | head[22] << 8 | head[23];
        CHECK(memcmp(head + 12, "IHDR", 4) == 0 && w == 1000 && h == 600);
        printf("  plotted 3 runs in 2 groups: %ux%u PNG\n", w, h);
    } else {
        printf("  gnuplot not installed: PNG rendering check skipped\n");
    }

    /* ---- incomplete run directories ---- */
    char empty[300], path[400];
    snprintf(empty, sizeof(empty), "%s/empty", root);
    mkdir(empty, 0755);
    const char* bad[] = {r1, empty};
    if (have_gnuplot()) {
        CHECK(acrl_plot_runs(bad, 2, png, err, sizeof(err)) == -1 && strstr(err, "has no readable summary.json"));
        snprintf(path, sizeof(path), "%s/summary.json", empty);
        write_text(path, "{\"algo\": \"ppo\", \"env\": \"CartPole-v1\"}\n");
        CHECK(acrl_plot_runs(bad, 2, png, err, sizeof(err)) == -1 && strstr(err, "has no readable progress.csv"));
        snprintf(path, sizeof(path), "%s/progress.csv", empty);
        write_text(path, "step,loss\n1,2\n");
        CHECK(acrl_plot_runs(bad, 2, png, err, sizeof(err)) == -1 && strstr(err, "lacks a 'step' or 'return_mean'"));
        write_text(path, "step,return_mean\n1,\n2,\n");
        CHECK(acrl_plot_runs(bad, 2, png, err, sizeof(err)) == -1 && strstr(err, "no rows with a return_mean"));
        write_text(path, "step,return_mean\n1,5\n2,x\n");
        CHECK(acrl_plot_runs(bad, 2, png, err, sizeof(err)) == -1 && strstr(err, "progress.csv:3: malformed row"));
        printf("  %s\n", err);
        unlink(path);
        snprintf(path, sizeof(path), "%s/summary.json", empty);
        unlink(path);
    }
    CHECK(acrl_plot_runs(bad, 0, png, err, sizeof(err)) == -1);
    if (have_gnuplot()) {
        /* an output that cannot be written is an I/O error (-2), not bad input */
        char nowhere[400];
        snprintf(nowhere, sizeof(nowhere), "%s/no/such/dir/x.png", root);
        CHECK(acrl_plot_runs(dirs, 3, nowhere, err, sizeof(err)) == -2 && strstr(err, "cannot write") &&
              strstr(err, "No such file or directory"));
        printf("  %s\n", err);
    }

    if (getenv("ACRL_KEEP_PLOT")) { printf("  kept %s\n", png); return test_summary("test_io_plot"); }
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    CHECK(system(cmd) == 0);
    return test_summary("test_io_plot");
}

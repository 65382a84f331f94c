/* Driver for an exported C policy header (tests/test_export.sh, bench): reads observations
 * as CSV lines on standard input and prints the actions like `acrl act` (%.9g, comma-
 * separated); with --bench N, instead times N passes over the observations and prints the CPU
 * nanoseconds per action. Compiled with -DPOLICY_HEADER='"file.h"' and -DPREFIX=name. */
#define _POSIX_C_SOURCE 199309L /* clock_gettime under -std=c99 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include POLICY_HEADER

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define OBS_DIM CAT(PREFIX, _OBS_DIM)
#define ACT_DIM CAT(PREFIX, _ACT_DIM)
#define ACT CAT(PREFIX, _act)

#define MAX_ROWS 100000

static float rows[MAX_ROWS][OBS_DIM];

int main(int argc, char** argv) {
    long passes = argc == 3 && strcmp(argv[1], "--bench") == 0 ? atol(argv[2]) : 0;
    char line[65536];
    int n = 0;
    while (n < MAX_ROWS && fgets(line, sizeof line, stdin)) {
        char* p = line;
        for (int j = 0; j < OBS_DIM; j++) {
            rows[n][j] = strtof(p, &p);
            if (*p == ',') p++;
        }
        n++;
    }
    float action[ACT_DIM];
    if (passes > 0) {
        struct timespec t0, t1;
        volatile float sink = 0;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
        for (long r = 0; r < passes; r++)
            for (int i = 0; i < n; i++) {
                ACT(rows[i], action);
                sink += action[0];
            }
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
        double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / ((double)passes * n);
        printf("%.1f ns CPU time per action (%d observations x %ld passes)\n", ns, n, passes);
        (void)sink;
        return 0;
    }
    for (int i = 0; i < n; i++) {
        ACT(rows[i], action);
        for (int j = 0; j < ACT_DIM; j++) printf(j ? ",%.9g" : "%.9g", (double)action[j]);
        putchar('\n');
    }
    return 0;
}

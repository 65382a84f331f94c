/* test_files.h - file helpers shared by the training tests. */
#ifndef ACRL_TEST_FILES_H
#define ACRL_TEST_FILES_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole file (NUL-terminated) and its size in *len; NULL if it cannot be read. */
static inline char* slurp(const char* path, size_t* len) {
    FILE* f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char* buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

/* true if both files exist and hold the same bytes; reports the sizes otherwise */
static inline bool same_file(const char* a, const char* b) {
    size_t na = 0, nb = 0;
    char* x = slurp(a, &na);
    char* y = slurp(b, &nb);
    bool same = x && y && na == nb && memcmp(x, y, na) == 0;
    if (!same) fprintf(stderr, "  files differ: %s (%zu bytes) vs %s (%zu bytes)\n", a, na, b, nb);
    free(x);
    free(y);
    return same;
}

#endif

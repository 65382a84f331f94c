/* torch_fixture.h - the PyTorch fixtures of the off-policy tests (tests/gen_*_torch.py):
 * records "name count" followed by count floats; a parameter store loaded from, and compared
 * with, records "<prefix>.<tensor name>". Include after test.h. */
#ifndef ACRL_TORCH_FIXTURE_H
#define ACRL_TORCH_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acrl/nn.h"

typedef struct { char name[96]; int n; float* v; } record;
typedef struct { record* r; int n; } fixture;

static int fixture_load(fixture* fx, const char* path) {
    FILE* f = fopen(path, "r");
    if (!f) { fprintf(stderr, "cannot open %s (run from tests/)\n", path); return -1; }
    fx->r = NULL;
    fx->n = 0;
    char name[96];
    int n;
    while (fscanf(f, "%95s %d", name, &n) == 2) {
        fx->r = realloc(fx->r, sizeof(record) * (size_t)(fx->n + 1));
        record* r = &fx->r[fx->n++];
        snprintf(r->name, sizeof r->name, "%s", name);
        r->n = n;
        r->v = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
        for (int i = 0; i < n; i++)
            if (fscanf(f, "%f", &r->v[i]) != 1) { fclose(f); return -1; }
    }
    fclose(f);
    return 0;
}

static const record* get(const fixture* fx, const char* name) {
    for (int i = 0; i < fx->n; i++)
        if (strcmp(fx->r[i].name, name) == 0) return &fx->r[i];
    fprintf(stderr, "fixture has no record '%s'\n", name);
    return NULL;
}

static void fixture_free(fixture* fx) {
    for (int i = 0; i < fx->n; i++) free(fx->r[i].v);
    free(fx->r);
}

/* Copies every tensor of p from records "<prefix>.<tensor name>". */
static void load_store(const fixture* fx, acrl_params* p, const char* prefix) {
    char name[160];
    for (int t = 0; t < p->ntensors; t++) {
        const acrl_tensor* ts = &p->tensors[t];
        snprintf(name, sizeof name, "%s.%s", prefix, ts->name);
        const record* r = get(fx, name);
        CHECK(r && r->n == ts->rows * ts->cols);
        if (r && r->n == ts->rows * ts->cols) memcpy(p->param + ts->offset, r->v, sizeof(float) * (size_t)r->n);
    }
}

/* max |a - b| / max(1, |b|) over every tensor of p against records "<prefix>.<tensor name>" */
static void compare_store_tol(const fixture* fx, const acrl_params* p, const char* prefix, const char* label,
                              double tol) {
    char name[160];
    double maxd = 0;
    for (int t = 0; t < p->ntensors; t++) {
        const acrl_tensor* ts = &p->tensors[t];
        snprintf(name, sizeof name, "%s.%s", prefix, ts->name);
        const record* r = get(fx, name);
        if (!r || r->n != ts->rows * ts->cols) { CHECK(0); continue; }
        for (int i = 0; i < r->n; i++) {
            double d = fabs((double)p->param[ts->offset + i] - r->v[i]) / fmax(1.0, fabs(r->v[i]));
            if (d > maxd) maxd = d;
        }
    }
    CHECK_MAXDIFF(label, maxd, tol);
}

static void compare_store(const fixture* fx, const acrl_params* p, const char* prefix, const char* label) {
    compare_store_tol(fx, p, prefix, label, 2e-5);
}

/* a scalar record against a value computed here, relative 1e-5 */
static void check_scalar(const char* label, double got, const record* want) {
    double w = want ? want->v[0] : NAN;
    CHECK_MAXDIFF(label, fabs(got - w) / fmax(1.0, fabs(w)), 1e-5);
}

#endif

/* test_nn_torch: our MLP (tanh, relu, elu, layer norm + exact GELU) against PyTorch 1.13
 * float32 reference values in fixtures/nn_torch_*.txt (made by gen_nn_torch.py): forward
 * output, MSE loss, input and parameter gradients, clip_grad_norm_, and the parameters
 * after 5 steps of Adam, AdamW, RMSprop and Adam with gradient clipping. */
#include "acrl/nn.h"
#include "test.h"

#include <string.h>

typedef struct { char name[64]; int n; float* v; } record;
typedef struct { record* r; int n; } fixture;

static int fixture_load(fixture* fx, const char* path) {
    FILE* f = fopen(path, "r");
    memset(fx, 0, sizeof *fx);
    if (!f) { fprintf(stderr, "cannot open %s\n", path); return -1; }
    char name[64];
    int n;
    while (fscanf(f, "%63s %d", name, &n) == 2) {
        fx->r = realloc(fx->r, (size_t)(fx->n + 1) * sizeof(record));
        record* r = &fx->r[fx->n++];
        snprintf(r->name, sizeof r->name, "%s", name);
        r->n = n;
        r->v = malloc((size_t)n * sizeof(float));
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
    exit(1);
}

static void fixture_free(fixture* fx) {
    for (int i = 0; i < fx->n; i++) free(fx->r[i].v);
    free(fx->r);
}

/* max |a - b| / (1 + |b|) */
static double maxdiff(const float* a, const float* b, int n) {
    double m = 0;
    for (int i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]) / (1 + fabs((double)b[i]));
        if (!(d <= m)) m = d;
    }
    return m;
}

/* params (or grads if use_grad) of every tensor vs records "<prefix><tensor name>" */
static void compare_store(const fixture* fx, const acrl_params* p, const char* prefix, bool use_grad, double tol) {
    double worst = 0;
    for (int i = 0; i < p->ntensors; i++) {
        const acrl_tensor* t = &p->tensors[i];
        char name[160];
        snprintf(name, sizeof name, "%s%s", prefix, t->name);
        const record* r = get(fx, name);
        CHECK(r->n == t->rows * t->cols);
        double d = maxdiff((use_grad ? p->grad : p->param) + t->offset, r->v, r->n);
        printf("    %-24s max diff %.2e\n", name, d);
        if (!(d <= worst)) worst = d;
    }
    char label[96];
    snprintf(label, sizeof label, "%s* (worst tensor)", prefix);
    CHECK_MAXDIFF(label, worst, tol);
}

static void load_init(const fixture* fx, acrl_params* p) {
    for (int i = 0; i < p->ntensors; i++) {
        char name[160];
        snprintf(name, sizeof name, "init.%s", p->tensors[i].name);
        const record* r = get(fx, name);
        memcpy(p->param + p->tensors[i].offset, r->v, (size_t)r->n * sizeof(float));
    }
    memset(p->m, 0, p->count * sizeof(float));
    memset(p->v, 0, p->count * sizeof(float));
    p->step = 0;
}

/* forward + MSE + backward from a zero gradient; returns the loss */
static float loss_and_grad(acrl_mlp* m, acrl_params* p, const float* x, const float* t, float* dx, int B) {
    const int out = m->sizes[m->nlayers];
    float dy[64];
    memset(dy, 0, sizeof dy);
    acrl_params_zero_grad(p);
    const float* y = acrl_mlp_forward_train(m, p, x, B, NULL); /* the fixture's dropout masks, if any */
    float loss = acrl_mse_loss(dy, y, t, (size_t)B * out);
    acrl_mlp_backward(m, p, dx, dy);
    return loss;
}

static void run_case(const char* path, const char* act, bool layernorm, float dropout) {
    printf("%s (%s%s%s)\n", path, dropout > 0 ? "dropout with PyTorch's masks + " : "", layernorm ? "layernorm + " : "",
           act);
    fixture fx;
    if (fixture_load(&fx, path)) { CHECK(0); return; }
    const int sizes[] = {5, 16, 16, 3}, B = 8;
    char err[256];
    acrl_params p;
    acrl_params_init(&p);
    acrl_mlp m;
    CHECK(acrl_mlp_build(&m, &p, "mlp", sizes, 4, act, layernorm, B, err, sizeof err) == 0);
    CHECK(acrl_params_finalize(&p, err, sizeof err) == 0);
    CHECK(acrl_mlp_set_dropout(&m, dropout, err, sizeof err) == 0);
    for (int l = 0; l < 2 && dropout > 0; l++) {
        char name[16];
        snprintf(name, sizeof name, "mask.%d", l);
        const record* r = get(&fx, name);
        CHECK(r && r->n == B * sizes[l + 1]);
        if (r && r->n == B * sizes[l + 1]) memcpy(m.mask[l], r->v, sizeof(float) * (size_t)r->n);
    }
    const float* x = get(&fx, "x")->v;
    const float* t = get(&fx, "target")->v;
    float dx[8 * 5];

    load_init(&fx, &p);
    memset(dx, 0, sizeof dx);
    float loss = loss_and_grad(&m, &p, x, t, dx, B);
    CHECK_MAXDIFF("forward output y", maxdiff(m.z[m.nlayers - 1], get(&fx, "y")->v, B * 3), 1e-5);
    CHECK_MAXDIFF("mse loss", maxdiff(&loss, get(&fx, "loss")->v, 1), 1e-5);
    CHECK_MAXDIFF("input gradient dx", maxdiff(dx, get(&fx, "dx")->v, B * 5), 1e-5);
    compare_store(&fx, &p, "grad.", true, 1e-5);

    float max_norm = get(&fx, "clip.max_norm")->v[0];
    float norm = acrl_params_clip_grad_norm(&p, max_norm);
    CHECK_MAXDIFF("clip_grad_norm_ returned norm", maxdiff(&norm, get(&fx, "clip.norm")->v, 1), 1e-5);
    compare_store(&fx, &p, "clip.", true, 1e-5);

    struct { const char* prefix; acrl_optim o; bool clip; } opts[4] = {
        {"adam.", acrl_optim_default(ACRL_OPT_ADAM), false},
        {"adamw.", acrl_optim_default(ACRL_OPT_ADAMW), false},
        {"rmsprop.", acrl_optim_default(ACRL_OPT_RMSPROP), false},
        {"adam_clip.", acrl_optim_default(ACRL_OPT_ADAM), true},
    };
    opts[1].o.weight_decay = 0.1f;
    opts[2].o.eps = 1e-5f;
    for (int k = 0; k < 4; k++) {
        load_init(&fx, &p);
        float norms[5];
        for (int s = 0; s < 5; s++) {
            loss_and_grad(&m, &p, x, t, NULL, B);
            if (opts[k].clip) norms[s] = acrl_params_clip_grad_norm(&p, max_norm);
            acrl_optim_step(&opts[k].o, &p, 1e-2f);
        }
        compare_store(&fx, &p, opts[k].prefix, false, 1e-5);
        if (opts[k].clip) CHECK_MAXDIFF("adam_clip pre-clip norms", maxdiff(norms, get(&fx, "adam_clip.norms")->v, 5), 1e-5);
    }
    acrl_mlp_free(&m);
    acrl_params_free(&p);
    fixture_free(&fx);
}

int main(void) {
    run_case("fixtures/nn_torch_tanh.txt", "tanh", false, 0);
    run_case("fixtures/nn_torch_relu.txt", "relu", false, 0);
    run_case("fixtures/nn_torch_elu.txt", "elu", false, 0);
    run_case("fixtures/nn_torch_ln_gelu.txt", "gelu", true, 0);
    run_case("fixtures/nn_torch_ln_gelu_dropout.txt", "gelu", true, 0.25f);
    return test_summary("test_nn_torch");
}

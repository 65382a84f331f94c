/* test_ckpt_fixtures: checkpoint format stability. Loads checkpoints committed under
 * tests/fixtures/ckpt by earlier builds and checks their evaluations exactly:
 *   v1_*  format version 1, written by the acrl of commit 6d8b473 (before the explicit
 *         little-endian encoding) with --stop-at; resumed here, they must end where that
 *         build ended (its final checkpoints' evaluations, recorded below);
 *   v2_*  format version 2 (full and policy-only), written when the format was introduced.
 * Evaluations: 3 deterministic episodes from seed 1000000, 2 stochastic ones from seed 77.
 * The expected values were printed with %.17g by the build that wrote the fixture. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acrl.h"
#include "test.h"
#include "test_files.h"

static char tmp_root[] = "/tmp/acrl-test-ckfix-XXXXXX";

typedef struct {
    const char* file;
    double det_mean, det_std, sto_mean, sto_std;
} expected_eval;

static void check_eval(const char* path, double det_mean, double det_std, double sto_mean, double sto_std) {
    double m, s, m2, s2;
    char err[ACRL_ERRLEN];
    int rc = acrl_eval_checkpoint(path, 3, 1000000, false, &m, &s, err, sizeof err);
    if (rc != ACRL_OK) fprintf(stderr, "  %s: %s\n", path, err);
    CHECK(rc == ACRL_OK);
    rc = acrl_eval_checkpoint(path, 2, 77, true, &m2, &s2, err, sizeof err);
    CHECK(rc == ACRL_OK);
    printf("  %-48s det %.17g %.17g  stoch %.17g %.17g\n", path, m, s, m2, s2);
    CHECK(m == det_mean && s == det_std);
    CHECK(m2 == sto_mean && s2 == sto_std);
}

/* the bytes of section name of the checkpoint at path (malloc'd), or NULL */
static void* section_copy(const char* path, const char* name, size_t* len) {
    char err[ACRL_ERRLEN];
    acrl_ckpt* c = acrl_ckpt_load(path, err, sizeof err);
    if (!c) return NULL;
    const void* p = acrl_ckpt_section(c, name, len);
    void* out = p ? malloc(*len + 1) : NULL;
    if (out) memcpy(out, p, *len);
    acrl_ckpt_free(c);
    return out;
}

/* the key of a "key = value" line of length n (0 if none): its length */
static size_t line_key(const char* l, size_t n) {
    size_t k = 0;
    while (k < n && l[k] != ' ' && l[k] != '=') k++;
    return k < n ? k : 0;
}

/* 1 if text (n bytes) has a line equal to l (ln bytes), or (key_only) one with its key */
static int has_line(const char* text, size_t n, const char* l, size_t ln, int key_only) {
    size_t kl = line_key(l, ln);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && text[j] != '\n') j++;
        if (key_only ? (kl && line_key(text + i, j - i) == kl && memcmp(text + i, l, kl) == 0)
                     : (j - i == ln && memcmp(text + i, l, ln) == 0))
            return 1;
        i = j + 1;
    }
    return 0;
}

/* Configurations written by a newer build list keys added since (at their defaults):
 * config text a equals b if every line of b is in a and every other line of a is a
 * comment or sets a key b does not know. */
static int same_config(const char* a, size_t na, const char* b, size_t nb) {
    for (size_t i = 0; i < nb;) {
        size_t j = i;
        while (j < nb && b[j] != '\n') j++;
        if (!has_line(a, na, b + i, j - i, 0)) return 0;
        i = j + 1;
    }
    for (size_t i = 0; i < na;) {
        size_t j = i;
        while (j < na && a[j] != '\n') j++;
        int comment = j == i || a[i] == '#';
        if (!comment && !has_line(b, nb, a + i, j - i, 0) && has_line(b, nb, a + i, j - i, 1)) return 0;
        i = j + 1;
    }
    return 1;
}

/* 1 if section name holds the same bytes in both checkpoints ("config": see same_config) */
static int same_section(const char* a, const char* sa, const char* b, const char* sb) {
    size_t na = 0, nb = 0;
    void* x = section_copy(a, sa, &na);
    void* y = section_copy(b, sb, &nb);
    int same = x && y && (strcmp(sa, "config") == 0 ? same_config(x, na, y, nb)
                                                    : na == nb && memcmp(x, y, na) == 0);
    if (!same) fprintf(stderr, "  section %s of %s (%zu bytes) differs from %s of %s (%zu bytes)\n", sa, a, na, sb, b, nb);
    free(x);
    free(y);
    return same;
}

static int copy_file(const char* from, const char* to) {
    size_t n;
    char* b = slurp(from, &n);
    FILE* f = b ? fopen(to, "wb") : NULL;
    int ok = f && fwrite(b, 1, n, f) == n;
    if (f) ok &= fclose(f) == 0;
    free(b);
    return ok ? 0 : -1;
}

/* Resumes fixture (format 1) to the end of its run in a fresh directory; the final
 * checkpoint's path into final. */
static int resume_fixture(const char* fixture, const char* name, char* final, size_t len) {
    char dir[1200], last[1300], err[ACRL_ERRLEN];
    snprintf(dir, sizeof dir, "%s/%s", tmp_root, name);
    mkdir(dir, 0777);
    snprintf(last, sizeof last, "%s/last.ckpt", dir);
    if (copy_file(fixture, last)) return -1;
    acrl_train_options o = acrl_train_options_default();
    o.resume_dir = dir;
    o.quiet = true;
    o.eval_episodes = 0;
    int rc = acrl_train(&o, err, sizeof err);
    if (rc != ACRL_OK) fprintf(stderr, "  resume %s: %s\n", fixture, err);
    snprintf(final, len, "%s/final.ckpt", dir);
    return rc;
}

static int file_version(const char* path) {
    char err[ACRL_ERRLEN];
    acrl_ckpt* c = acrl_ckpt_load(path, err, sizeof err);
    int v = c ? acrl_ckpt_version(c) : -1;
    acrl_ckpt_free(c);
    return v;
}

int main(void) {
    if (!mkdtemp(tmp_root)) { perror("mkdtemp"); return 1; }
    char final[1400], out[1400], err[ACRL_ERRLEN];

    /* ---- format 1: evaluations as the writing build gave them ---- */
    printf("format version 1 fixtures:\n");
    const expected_eval v1[] = {
        {"fixtures/ckpt/v1_ppo_CartPole-v1.ckpt", 42, 3.2659863237109157, 23, 4},
        {"fixtures/ckpt/v1_sac_Pendulum-v1.ckpt", -1192.0682964107193, 30.67483795392133, -1244.661996347686,
         343.71218660783114},
        {"fixtures/ckpt/v1_td3_Pendulum-v1.ckpt", -1649.0105907576199, 20.14641970600043, -1688.7589235586906,
         80.363151642876531},
#ifdef ACRL_HAVE_MUJOCO
        {"fixtures/ckpt/v1_sac_HalfCheetah-v4.ckpt", -59.843932509747759, 0.57244950883623047, -261.42945682444838,
         14.042625125335794},
#endif
    };
    for (size_t i = 0; i < sizeof v1 / sizeof v1[0]; i++) {
        CHECK(file_version(v1[i].file) == 1);
        check_eval(v1[i].file, v1[i].det_mean, v1[i].det_std, v1[i].sto_mean, v1[i].sto_std);
    }

    /* ---- format 1 resumed: the run ends exactly where the writing build's run ended ---- */
    printf("format version 1 fixtures resumed to the end of their runs:\n");
    const expected_eval v1_final[] = {
        {"fixtures/ckpt/v1_ppo_CartPole-v1.ckpt", 41.333333333333336, 3.6817870057290696, 30.5, 6.5},
        {"fixtures/ckpt/v1_sac_Pendulum-v1.ckpt", -1149.8390255638658, 33.597705227636602, -1110.2776576182805,
         152.70071875984712},
        {"fixtures/ckpt/v1_td3_Pendulum-v1.ckpt", -1619.6671313540401, 18.776353207587604, -1666.6939235840343,
         84.927763243812493},
#ifdef ACRL_HAVE_MUJOCO
        {"fixtures/ckpt/v1_sac_HalfCheetah-v4.ckpt", -58.795768644474684, 0.46365768758011167, -391.1892376339764,
         58.078974240696134},
#endif
    };
    for (size_t i = 0; i < sizeof v1_final / sizeof v1_final[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "resume%zu", i);
        CHECK(resume_fixture(v1_final[i].file, name, final, sizeof final) == ACRL_OK);
        CHECK(file_version(final) == ACRL_CKPT_VERSION);
        check_eval(final, v1_final[i].det_mean, v1_final[i].det_std, v1_final[i].sto_mean, v1_final[i].sto_std);
        if (i == 0) {
            /* the PPO fixture's run is the v2 PPO fixture's run stopped halfway: resumed, every
             * section of its final checkpoint equals the v2 fixture's */
            const char* v2 = "fixtures/ckpt/v2_ppo_CartPole-v1.ckpt";
            acrl_ckpt* c = acrl_ckpt_load(v2, err, sizeof err);
            CHECK(c != NULL);
            int n = c ? acrl_ckpt_section_count(c) : 0, same = 0;
            for (int k = 0; k < n; k++) {
                const char* s = acrl_ckpt_section_name(c, k);
                same += same_section(final, s, v2, s);
            }
            printf("  v1 PPO resumed: %d of %d sections equal the v2 fixture's\n", same, n);
            CHECK(n == 9 && same == n);
            acrl_ckpt_free(c);
        }
    }

    /* ---- format 2: full and policy-only ---- */
    printf("format version 2 fixtures:\n");
    const expected_eval v2[] = {
        {"fixtures/ckpt/v2_ppo_CartPole-v1.ckpt", 41.333333333333336, 3.6817870057290696, 30.5, 6.5},
        {"fixtures/ckpt/v2_ppo_CartPole-v1.policy.ckpt", 41.333333333333336, 3.6817870057290696, 30.5, 6.5},
        {"fixtures/ckpt/v2_sac_Pendulum-v1.ckpt", -1153.0374260619374, 33.378283093780446, -1110.2271070890124,
         153.23606673225439},
        {"fixtures/ckpt/v2_sac_Pendulum-v1.policy.ckpt", -1153.0374260619374, 33.378283093780446,
         -1110.2271070890124, 153.23606673225439},
    };
    for (size_t i = 0; i < sizeof v2 / sizeof v2[0]; i++) {
        CHECK(file_version(v2[i].file) == 2);
        check_eval(v2[i].file, v2[i].det_mean, v2[i].det_std, v2[i].sto_mean, v2[i].sto_std);
    }

    /* ---- parameters exactly: exported policies carry the fixtures' weights bit for bit ---- */
    const char* src[3][2] = {{"fixtures/ckpt/v2_ppo_CartPole-v1.ckpt", "ppo.param"},
                             {"fixtures/ckpt/v2_sac_Pendulum-v1.ckpt", "sac.actor.param"},
                             {"fixtures/ckpt/v1_sac_Pendulum-v1.ckpt", "sac.actor.param"}};
    for (int i = 0; i < 3; i++) {
        snprintf(out, sizeof out, "%s/export%d.ckpt", tmp_root, i);
        CHECK(acrl_export_policy(src[i][0], out, err, sizeof err) == ACRL_OK);
        CHECK(same_section(out, "policy.params", src[i][0], src[i][1]));
        CHECK(same_section(out, "config", src[i][0], "config"));
    }
    /* the committed policy-only fixtures are what exporting the full ones gives today
     * (section by section: a newer build's config lists keys added since) */
    const char* pol_fix[2] = {"fixtures/ckpt/v2_ppo_CartPole-v1.policy.ckpt", "fixtures/ckpt/v2_sac_Pendulum-v1.policy.ckpt"};
    for (int i = 0; i < 2; i++) {
        snprintf(out, sizeof out, "%s/export%d.ckpt", tmp_root, i);
        acrl_ckpt* c = acrl_ckpt_load(pol_fix[i], err, sizeof err);
        acrl_ckpt* e = acrl_ckpt_load(out, err, sizeof err);
        int n = c ? acrl_ckpt_section_count(c) : 0, same = 0;
        CHECK(c && e && acrl_ckpt_section_count(e) == n);
        for (int k = 0; k < n; k++) same += same_section(out, acrl_ckpt_section_name(c, k), pol_fix[i], acrl_ckpt_section_name(c, k));
        CHECK(n > 0 && same == n);
        acrl_ckpt_free(c);
        acrl_ckpt_free(e);
    }

    char cmd[1600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmp_root);
    return test_summary("test_ckpt_fixtures");
}

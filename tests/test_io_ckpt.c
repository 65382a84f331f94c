/* test_io_ckpt: the checkpoint container. CRC-32C against a bit-at-a-time reference
 * and the standard check value; round trip; every truncation and every single-bit
 * flip of a small checkpoint rejected; foreign files and newer versions rejected;
 * atomic commit leaves the previous file intact on failure. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acrl/io.h"
#include "acrl/rng.h"
#include "test.h"

/* CRC-32C one bit at a time, straight from the definition (reflected 0x1EDC6F41). */
static uint32_t crc32c_bitwise(const uint8_t* p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
    }
    return ~c;
}

static uint8_t* slurp(const char* path, size_t* n) {
    FILE* f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t* b = malloc(sz ? (size_t)sz : 1);
    *n = fread(b, 1, (size_t)sz, f);
    fclose(f);
    return b;
}

static void spill(const char* path, const uint8_t* b, size_t n) {
    FILE* f = fopen(path, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}

static int exists(const char* path) { struct stat st; return stat(path, &st) == 0; }

int main(void) {
    char err[ACRL_ERRLEN];
    /* ---- CRC-32C ---- */
    CHECK(acrl_crc32c(0, "123456789", 9) == 0xE3069283u);
    CHECK(crc32c_bitwise((const uint8_t*)"123456789", 9) == 0xE3069283u);
    {
        acrl_rng r;
        acrl_rng_seed(&r, 5);
        uint8_t buf[300];
        for (size_t i = 0; i < sizeof(buf); i++) buf[i] = (uint8_t)acrl_rng_below(&r, 256);
        int bad = 0;
        for (size_t off = 0; off < 9; off++)
            for (size_t n = 0; n + off <= sizeof(buf); n += 7)
                bad += acrl_crc32c(0, buf + off, n) != crc32c_bitwise(buf + off, n);
        /* continuing a CRC over pieces equals one pass */
        bad += acrl_crc32c(acrl_crc32c(0, buf, 101), buf + 101, 199) != crc32c_bitwise(buf, 300);
        CHECK(bad == 0);
    }

    char dir[] = "/tmp/acrl_ckpt_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], other[256];
    snprintf(path, sizeof(path), "%s/model.ckpt", dir);

    /* ---- round trip ---- */
    float actor[37];
    double opt[5];
    char odd[13] = "hello, world";
    for (int i = 0; i < 37; i++) actor[i] = 0.25f * (float)i - 3.0f;
    for (int i = 0; i < 5; i++) opt[i] = 1.0 / (i + 1);
    acrl_ckpt_writer* w = acrl_ckpt_begin("ppo", "CartPole-v1");
    CHECK(acrl_ckpt_add(w, "actor", actor, sizeof(actor)) == 0);
    CHECK(acrl_ckpt_add(w, "odd", odd, sizeof(odd)) == 0);
    CHECK(acrl_ckpt_add(w, "empty", NULL, 0) == 0);
    CHECK(acrl_ckpt_add(w, "adam", opt, sizeof(opt)) == 0);
    CHECK(acrl_ckpt_commit(w, path, err, sizeof(err)) == 0);

    acrl_ckpt* c = acrl_ckpt_load(path, err, sizeof(err));
    CHECK(c != NULL);
    if (!c) { fprintf(stderr, "%s\n", err); return test_summary("test_io_ckpt"); }
    CHECK(strcmp(acrl_ckpt_algo(c), "ppo") == 0);
    CHECK(strcmp(acrl_ckpt_env_id(c), "CartPole-v1") == 0);
    CHECK(acrl_ckpt_section_count(c) == 4);
    CHECK(strcmp(acrl_ckpt_section_name(c, 0), "actor") == 0);
    CHECK(strcmp(acrl_ckpt_section_name(c, 3), "adam") == 0);
    size_t len = 0;
    const float* a = acrl_ckpt_section(c, "actor", &len);
    CHECK(a && len == sizeof(actor) && memcmp(a, actor, len) == 0);
    CHECK(((uintptr_t)a % 8) == 0);
    const double* o = acrl_ckpt_section(c, "adam", &len);
    CHECK(o && len == sizeof(opt) && ((uintptr_t)o % 8) == 0 && o[2] == 1.0 / 3);
    const char* s = acrl_ckpt_section(c, "odd", &len);
    CHECK(s && len == 13 && strcmp(s, "hello, world") == 0);
    CHECK(acrl_ckpt_section(c, "empty", &len) != NULL && len == 0);
    CHECK(acrl_ckpt_section(c, "critic", &len) == NULL);
    CHECK(acrl_ckpt_version(c) == ACRL_CKPT_VERSION);
    /* acrl_ckpt_get: presence and exact size, with a message naming the section */
    CHECK(acrl_ckpt_get(c, "actor", sizeof(actor), err, sizeof(err)) == a);
    CHECK(acrl_ckpt_get(c, "actor", sizeof(actor) - 1, err, sizeof(err)) == NULL);
    CHECK(strcmp(err, "checkpoint section 'actor' has 148 bytes, expected 147") == 0);
    CHECK(acrl_ckpt_get(c, "actor", sizeof(actor) + 1, err, sizeof(err)) == NULL);
    CHECK(strcmp(err, "checkpoint section 'actor' has 148 bytes, expected 149") == 0);
    CHECK(acrl_ckpt_get(c, "critic", 4, err, sizeof(err)) == NULL);
    CHECK(strcmp(err, "checkpoint section 'critic' missing (algo ppo, env CartPole-v1)") == 0);
    CHECK(acrl_ckpt_get_var(c, "odd", &len, err, sizeof(err)) == s && len == sizeof(odd));
    CHECK(acrl_ckpt_get_var(c, "critic", &len, err, sizeof(err)) == NULL && strstr(err, "'critic' missing"));
    CHECK(acrl_ckpt_expect(c, "actor", sizeof(actor), err, sizeof(err)) == 0);
    CHECK(acrl_ckpt_expect(c, "actor", 100, err, sizeof(err)) == -1);
    CHECK(strcmp(err, "checkpoint section 'actor' has 148 bytes, expected 100") == 0);
    CHECK(acrl_ckpt_expect(c, "critic", 4, err, sizeof(err)) == -1);
    CHECK(strstr(err, "section 'critic' missing") != NULL);
    acrl_ckpt_free(c);

    /* the layout matches docs/checkpoint-format.md byte for byte */
    size_t n = 0;
    uint8_t* img = slurp(path, &n);
    size_t want = 152 + (72 + 148 + 4) + (72 + 13 + 3) + 72 + (72 + 40) + 8;
    CHECK(n == want);
    CHECK(memcmp(img, "ACRLCKPT\2\0\0\0\4\0\0\0", 16) == 0);
    CHECK(img[16] == (uint8_t)(want & 0xFF) && img[17] == (uint8_t)(want >> 8) && img[18] == 0);
    CHECK(strcmp((char*)img + 24, "ppo") == 0 && strcmp((char*)img + 88, "CartPole-v1") == 0);
    CHECK(strcmp((char*)img + 152, "actor") == 0 && img[152 + 64] == 148 && img[152 + 65] == 0);
    CHECK(memcmp(img + 152 + 72, actor, sizeof(actor)) == 0);
    uint32_t crc = crc32c_bitwise(img, n - 8);
    CHECK(img[n - 8] == (crc & 0xFF) && img[n - 7] == ((crc >> 8) & 0xFF) && img[n - 5] == (crc >> 24));

    /* ---- every truncation is rejected ---- */
    snprintf(other, sizeof(other), "%s/bad.ckpt", dir);
    int accepted = 0, empty_msg = 0, says_trunc = 0;
    for (size_t k = 0; k < n; k++) {
        spill(other, img, k);
        err[0] = 0;
        acrl_ckpt* t = acrl_ckpt_load(other, err, sizeof(err));
        if (t) { accepted++; acrl_ckpt_free(t); }
        if (!err[0]) empty_msg++;
        if (k >= 24 && strstr(err, "truncated")) says_trunc++;
    }
    CHECK(accepted == 0);
    CHECK(empty_msg == 0);
    CHECK(says_trunc == (int)n - 24);
    printf("  %zu truncations rejected\n", n);

    /* ---- every single-bit flip is rejected ---- */
    accepted = 0, empty_msg = 0;
    int says_crc = 0;
    for (size_t k = 0; k < 8 * n; k++) {
        img[k / 8] ^= (uint8_t)(1u << (k % 8));
        spill(other, img, n);
        err[0] = 0;
        acrl_ckpt* t = acrl_ckpt_load(other, err, sizeof(err));
        if (t) { accepted++; acrl_ckpt_free(t); }
        if (!err[0]) empty_msg++;
        if (strstr(err, "CRC-32C mismatch")) says_crc++;
        img[k / 8] ^= (uint8_t)(1u << (k % 8));
    }
    CHECK(accepted == 0);
    CHECK(empty_msg == 0);
    CHECK(says_crc > (int)(8 * n) * 9 / 10);
    printf("  %zu bit flips rejected (%d by the CRC)\n", 8 * n, says_crc);

    /* ---- version 1 (same container) is still read; a newer version is refused ---- */
    img[8] = 1;
    crc = crc32c_bitwise(img, n - 8);
    for (int i = 0; i < 4; i++) img[n - 8 + i] = (uint8_t)(crc >> (8 * i));
    spill(other, img, n);
    c = acrl_ckpt_load(other, err, sizeof(err));
    CHECK(c != NULL && acrl_ckpt_version(c) == 1 && acrl_ckpt_expect(c, "actor", sizeof(actor), err, sizeof(err)) == 0);
    acrl_ckpt_free(c);
    img[8] = 3;
    crc = crc32c_bitwise(img, n - 8);
    for (int i = 0; i < 4; i++) img[n - 8 + i] = (uint8_t)(crc >> (8 * i));
    spill(other, img, n);
    CHECK(acrl_ckpt_load(other, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "checkpoint format version 3 is newer than this acrl supports (2)") != NULL);
    printf("  version 3: %s\n", err);
    free(img);

    /* ---- acrl_ckpt_add_copy takes the bytes at once (freed by commit and by abort) ---- */
    {
        double tmp[2] = {1.5, -2.5};
        w = acrl_ckpt_begin("sac", "Pendulum-v1");
        CHECK(acrl_ckpt_add_copy(w, "copied", tmp, sizeof tmp) == 0);
        CHECK(acrl_ckpt_add_copy(w, "copied", tmp, sizeof tmp) == -1); /* duplicate */
        tmp[0] = 99;
        acrl_ckpt_abort(w);
        w = acrl_ckpt_begin("sac", "Pendulum-v1");
        CHECK(acrl_ckpt_add_copy(w, "copied", tmp, sizeof tmp) == 0);
        CHECK(acrl_ckpt_add_copy(w, "none", NULL, 0) == 0);
        tmp[0] = 7;
        CHECK(acrl_ckpt_commit(w, other, err, sizeof(err)) == 0);
        c = acrl_ckpt_load(other, err, sizeof(err));
        const double* got = c ? acrl_ckpt_get(c, "copied", sizeof tmp, err, sizeof(err)) : NULL;
        CHECK(got && got[0] == 99 && got[1] == -2.5);
        acrl_ckpt_free(c);
    }

    /* ---- foreign files ---- */
    spill(other, (const uint8_t*)"step,return\n1,2\n", 16);
    CHECK(acrl_ckpt_load(other, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "not an acrl checkpoint") != NULL);
    CHECK(acrl_ckpt_load(dir, err, sizeof(err)) == NULL); /* a directory */
    snprintf(other, sizeof(other), "%s/missing.ckpt", dir);
    CHECK(acrl_ckpt_load(other, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "No such file") != NULL);

    /* ---- writer misuse is reported by commit, and nothing is written ---- */
    w = acrl_ckpt_begin("ppo", "CartPole-v1");
    CHECK(acrl_ckpt_add(w, "actor", actor, 4) == 0);
    CHECK(acrl_ckpt_add(w, "actor", actor, 4) == -1);
    CHECK(acrl_ckpt_commit(w, other, err, sizeof(err)) == -1);
    CHECK(strstr(err, "duplicate section 'actor'") != NULL);
    CHECK(!exists(other));
    w = acrl_ckpt_begin("ppo", "an-env-id-that-is-much-too-long-to-fit-into-the-sixty-four-byte-field");
    CHECK(acrl_ckpt_commit(w, other, err, sizeof(err)) == -1);
    CHECK(strstr(err, "bad env id") != NULL);

    /* ---- atomicity: a failed commit leaves the previous file untouched ---- */
    size_t n0 = 0, n1 = 0;
    uint8_t* before = slurp(path, &n0);
    char tmpname[400];
    snprintf(tmpname, sizeof(tmpname), "%s.tmp.%ld", path, (long)getpid());
    /* (a) the temp file cannot be created (its name is taken by a directory) */
    CHECK(mkdir(tmpname, 0755) == 0);
    w = acrl_ckpt_begin("sac", "Pendulum-v1");
    acrl_ckpt_add(w, "actor", opt, sizeof(opt));
    CHECK(acrl_ckpt_commit(w, path, err, sizeof(err)) == -1);
    printf("  commit with blocked temp file: %s\n", err);
    rmdir(tmpname);
    uint8_t* after = slurp(path, &n1);
    CHECK(n1 == n0 && memcmp(before, after, n0) == 0);
    free(after);
    /* (b) the directory is not writable. A normal user: chmod. Root (as in CI) ignores
     * file modes: a read-only bind mount of the directory over itself instead. */
    int ro = 0;
    if (geteuid() != 0) {
        CHECK(chmod(dir, 0555) == 0);
        ro = 1;
    } else if (mount(dir, dir, NULL, MS_BIND, NULL) == 0) {
        if (mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == 0) ro = 2;
        else { printf("  cannot remount read-only: %s\n", strerror(errno)); umount(dir); CHECK(0); }
    } else {
        printf("  SKIP: running as root where mounting is not permitted (%s): the read-only directory "
               "case cannot be arranged; the not-a-directory case below still runs\n", strerror(errno));
    }
    if (ro) {
        w = acrl_ckpt_begin("sac", "Pendulum-v1");
        acrl_ckpt_add(w, "actor", opt, sizeof(opt));
        CHECK(acrl_ckpt_commit(w, path, err, sizeof(err)) == -1);
        printf("  commit into read-only dir (%s): %s\n", ro == 1 ? "chmod" : "read-only bind mount", err);
        CHECK(strstr(err, "cannot create") && strstr(err, ro == 1 ? "Permission denied" : "Read-only file system"));
        if (ro == 1) chmod(dir, 0755);
        else CHECK(umount(dir) == 0);
        after = slurp(path, &n1);
        CHECK(n1 == n0 && memcmp(before, after, n0) == 0);
        free(after);
    }
    /* (b') a regular file where the checkpoint's directory should be (works for everyone) */
    {
        char plain[280], inside[300];
        snprintf(plain, sizeof(plain), "%s/plain", dir);
        snprintf(inside, sizeof(inside), "%s/model.ckpt", plain);
        spill(plain, (const uint8_t*)"x", 1);
        w = acrl_ckpt_begin("sac", "Pendulum-v1");
        acrl_ckpt_add(w, "actor", opt, sizeof(opt));
        CHECK(acrl_ckpt_commit(w, inside, err, sizeof(err)) == -1);
        CHECK(strstr(err, "Not a directory") != NULL);
        unlink(plain);
    }
    /* (c) the rename fails (target is a non-empty directory): the temp file is removed */
    char dpath[280], dfile[300];
    snprintf(dpath, sizeof(dpath), "%s/adir", dir);
    snprintf(dfile, sizeof(dfile), "%s/x", dpath);
    mkdir(dpath, 0755);
    spill(dfile, (const uint8_t*)"x", 1);
    w = acrl_ckpt_begin("sac", "Pendulum-v1");
    acrl_ckpt_add(w, "actor", opt, sizeof(opt));
    CHECK(acrl_ckpt_commit(w, dpath, err, sizeof(err)) == -1);
    CHECK(strstr(err, "cannot rename") != NULL);
    snprintf(tmpname, sizeof(tmpname), "%s.tmp.%ld", dpath, (long)getpid());
    CHECK(!exists(tmpname));
    unlink(dfile);
    rmdir(dpath);

    /* ---- a crash mid-write leaves a stray temp file that changes nothing ---- */
    snprintf(tmpname, sizeof(tmpname), "%s.tmp.99999", path);
    spill(tmpname, before, n0 / 2);
    c = acrl_ckpt_load(path, err, sizeof(err));
    CHECK(c && strcmp(acrl_ckpt_algo(c), "ppo") == 0);
    acrl_ckpt_free(c);
    w = acrl_ckpt_begin("sac", "Pendulum-v1");
    acrl_ckpt_add(w, "actor", opt, sizeof(opt));
    CHECK(acrl_ckpt_commit(w, path, err, sizeof(err)) == 0);
    c = acrl_ckpt_load(path, err, sizeof(err));
    CHECK(c && strcmp(acrl_ckpt_algo(c), "sac") == 0 && acrl_ckpt_expect(c, "actor", sizeof(opt), err, sizeof(err)) == 0);
    acrl_ckpt_free(c);
    free(before);

    unlink(tmpname);
    unlink(path);
    snprintf(other, sizeof(other), "%s/bad.ckpt", dir);
    unlink(other);
    CHECK(rmdir(dir) == 0);
    return test_summary("test_io_ckpt");
}

/* ckpt.c - the checkpoint container: a versioned file of named byte sections with a
 * CRC-32C trailer, written atomically and validated fully on load.
 * The byte layout is specified in docs/checkpoint-format.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acrl/io.h"
#include "io/io_internal.h"

static const char CKPT_MAGIC[8] = {'A', 'C', 'R', 'L', 'C', 'K', 'P', 'T'};
enum {
    NAME_FIELD  = ACRL_CKPT_NAME_MAX + 1, /* 64: NUL-padded name field */
    HEADER_SIZE = 8 + 4 + 4 + 8 + 2 * NAME_FIELD, /* 152 */
    SECTION_HEAD = NAME_FIELD + 8,                /* 72 */
    TRAILER_SIZE = 8,
};

void io_set_err(char* err, size_t errlen, const char* fmt, ...) {
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static size_t pad8(size_t n) { return (8 - n % 8) % 8; }

static void put_u32(uint8_t* p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put_u64(uint8_t* p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint32_t get_u32(const uint8_t* p) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static uint64_t get_u64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* 1 if s is a usable name: 1..63 printable characters */
static int valid_name(const char* s) {
    if (!s) return 0;
    size_t n = strlen(s);
    if (n == 0 || n > ACRL_CKPT_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++) if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return 0;
    return 1;
}

/* ---- writer ------------------------------------------------------------------ */

typedef struct {
    char name[NAME_FIELD];
    const void* data; /* (len) borrowed from the caller until commit, or owned */
    size_t len;
    int owned;        /* data was copied by acrl_ckpt_add_copy and is freed with the writer */
} ckpt_ref;

struct acrl_ckpt_writer {
    char algo[NAME_FIELD], env_id[NAME_FIELD];
    ckpt_ref* sections; /* (n) */
    int n, cap;
    char bad[160];      /* first error from begin/add, reported by commit */
};

acrl_ckpt_writer* acrl_ckpt_begin(const char* algo, const char* env_id) {
    acrl_ckpt_writer* w = calloc(1, sizeof(*w));
    if (!w) return NULL;
    if (!valid_name(algo)) snprintf(w->bad, sizeof(w->bad), "bad algorithm name (need 1..%d printable characters)", ACRL_CKPT_NAME_MAX);
    else if (!valid_name(env_id)) snprintf(w->bad, sizeof(w->bad), "bad env id (need 1..%d printable characters)", ACRL_CKPT_NAME_MAX);
    else { strcpy(w->algo, algo); strcpy(w->env_id, env_id); }
    return w;
}

int acrl_ckpt_add(acrl_ckpt_writer* w, const char* name, const void* data, size_t len) {
    if (w->bad[0]) return -1;
    if (!valid_name(name)) {
        snprintf(w->bad, sizeof(w->bad), "bad section name (need 1..%d printable characters)", ACRL_CKPT_NAME_MAX);
        return -1;
    }
    if (!data && len > 0) { snprintf(w->bad, sizeof(w->bad), "section '%s' has no data", name); return -1; }
    for (int i = 0; i < w->n; i++) {
        if (strcmp(w->sections[i].name, name) == 0) {
            snprintf(w->bad, sizeof(w->bad), "duplicate section '%s'", name);
            return -1;
        }
    }
    if (w->n == w->cap) {
        int cap = w->cap ? 2 * w->cap : 16;
        ckpt_ref* s = realloc(w->sections, (size_t)cap * sizeof(*s));
        if (!s) { snprintf(w->bad, sizeof(w->bad), "out of memory"); return -1; }
        w->sections = s;
        w->cap = cap;
    }
    ckpt_ref* r = &w->sections[w->n++];
    memset(r->name, 0, sizeof(r->name));
    strcpy(r->name, name);
    r->data = data;
    r->len = len;
    r->owned = 0;
    return 0;
}

int acrl_ckpt_add_copy(acrl_ckpt_writer* w, const char* name, const void* data, size_t len) {
    void* copy = NULL;
    if (len) {
        copy = malloc(len);
        if (!copy) {
            if (!w->bad[0]) snprintf(w->bad, sizeof(w->bad), "out of memory");
            return -1;
        }
        memcpy(copy, data, len);
    }
    if (acrl_ckpt_add(w, name, copy, len)) { free(copy); return -1; }
    w->sections[w->n - 1].owned = 1;
    return 0;
}

void acrl_ckpt_abort(acrl_ckpt_writer* w) {
    if (!w) return;
    for (int i = 0; i < w->n; i++)
        if (w->sections[i].owned) free((void*)w->sections[i].data);
    free(w->sections);
    free(w);
}

/* fwrite that also feeds the running CRC */
static int write_crc(FILE* f, uint32_t* crc, const void* p, size_t n) {
    *crc = acrl_crc32c(*crc, p, n);
    return fwrite(p, 1, n, f) == n ? 0 : -1;
}

/* fsyncs the directory holding path so the rename itself is durable */
static int fsync_parent_dir(const char* path) {
    char dir[4096];
    const char* slash = strrchr(path, '/');
    if (!slash) strcpy(dir, ".");
    else if (slash == path) strcpy(dir, "/");
    else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof(dir)) { errno = ENAMETOOLONG; return -1; }
        memcpy(dir, path, n);
        dir[n] = 0;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int acrl_ckpt_commit(acrl_ckpt_writer* w, const char* path, char* err, size_t errlen) {
    int rc = -1;
    char tmp[4200];
    FILE* f = NULL;
    tmp[0] = 0; /* non-empty: a temp file that must be removed on failure */
    if (w->bad[0]) { io_set_err(err, errlen, "checkpoint %s: %s", path, w->bad); goto done; }
    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp)) {
        io_set_err(err, errlen, "checkpoint path too long: %s", path);
        tmp[0] = 0;
        goto done;
    }

    uint64_t total = HEADER_SIZE + TRAILER_SIZE;
    for (int i = 0; i < w->n; i++) total += SECTION_HEAD + w->sections[i].len + pad8(w->sections[i].len);

    f = fopen(tmp, "wb");
    if (!f) { io_set_err(err, errlen, "cannot create %s: %s", tmp, strerror(errno)); tmp[0] = 0; goto done; }
    uint32_t crc = 0;
    uint8_t head[HEADER_SIZE] = {0};
    memcpy(head, CKPT_MAGIC, 8);
    put_u32(head + 8, ACRL_CKPT_VERSION);
    put_u32(head + 12, (uint32_t)w->n);
    put_u64(head + 16, total);
    memcpy(head + 24, w->algo, NAME_FIELD);
    memcpy(head + 24 + NAME_FIELD, w->env_id, NAME_FIELD);
    int bad = write_crc(f, &crc, head, sizeof(head));
    static const uint8_t zeros[8] = {0};
    for (int i = 0; i < w->n && !bad; i++) {
        const ckpt_ref* s = &w->sections[i];
        uint8_t sh[SECTION_HEAD];
        memcpy(sh, s->name, NAME_FIELD);
        put_u64(sh + NAME_FIELD, s->len);
        bad |= write_crc(f, &crc, sh, sizeof(sh));
        if (s->len) bad |= write_crc(f, &crc, s->data, s->len);
        bad |= write_crc(f, &crc, zeros, pad8(s->len));
    }
    uint8_t trailer[TRAILER_SIZE] = {0};
    put_u32(trailer, crc);
    if (!bad) bad = fwrite(trailer, 1, sizeof(trailer), f) != sizeof(trailer);
    if (!bad) bad = fflush(f) != 0;
    if (!bad) bad = fsync(fileno(f)) != 0;
    if (bad) { io_set_err(err, errlen, "cannot write %s: %s", tmp, strerror(errno)); goto done; }
    FILE* ff = f;
    f = NULL;
    if (fclose(ff) != 0) { io_set_err(err, errlen, "cannot write %s: %s", tmp, strerror(errno)); goto done; }
    if (rename(tmp, path) != 0) { io_set_err(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno)); goto done; }
    tmp[0] = 0; /* nothing left to clean up */
    if (fsync_parent_dir(path) != 0) { io_set_err(err, errlen, "cannot sync the directory of %s: %s", path, strerror(errno)); goto done; }
    rc = 0;
done:
    if (f) fclose(f);
    if (rc != 0 && tmp[0]) unlink(tmp);
    acrl_ckpt_abort(w);
    return rc;
}

/* ---- reader ------------------------------------------------------------------ */

typedef struct {
    const char* name; /* points into the file image (NUL inside its field) */
    const uint8_t* data;
    size_t len;
} ckpt_section;

struct acrl_ckpt {
    uint8_t* image;   /* (size) the whole file */
    size_t size;
    uint32_t version;
    const char* algo;
    const char* env_id;
    ckpt_section* sections; /* (n) */
    int n;
};

void acrl_ckpt_free(acrl_ckpt* c) {
    if (!c) return;
    free(c->image);
    free(c->sections);
    free(c);
}

/* a NUL-padded name field: a NUL must occur within it and the name must be valid */
static const char* name_field(const uint8_t* p) {
    if (!memchr(p, 0, NAME_FIELD)) return NULL;
    return valid_name((const char*)p) ? (const char*)p : NULL;
}

static uint8_t* read_whole_file(const char* path, size_t* size, char* err, size_t errlen) {
    FILE* f = acrl_file_open_read(path, "checkpoint", err, errlen);
    if (!f) return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        io_set_err(err, errlen, "cannot read checkpoint %s: %s", path, strerror(errno));
        fclose(f);
        return NULL;
    }
    size_t n = (size_t)st.st_size;
    uint8_t* buf = malloc(n ? n : 1);
    if (!buf) { io_set_err(err, errlen, "out of memory reading %s (%zu bytes)", path, n); fclose(f); return NULL; }
    if (fread(buf, 1, n, f) != n) {
        io_set_err(err, errlen, "cannot read checkpoint %s: %s", path, ferror(f) ? strerror(errno) : "file shrank while reading");
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = n;
    return buf;
}

acrl_ckpt* acrl_ckpt_load(const char* path, char* err, size_t errlen) {
    size_t size = 0;
    uint8_t* b = read_whole_file(path, &size, err, errlen);
    if (!b) return NULL;
    acrl_ckpt* c = calloc(1, sizeof(*c));
    if (!c) { free(b); io_set_err(err, errlen, "out of memory"); return NULL; }
    c->image = b;
    c->size = size;

    if (size < 8 || memcmp(b, CKPT_MAGIC, 8) != 0) {
        io_set_err(err, errlen, "%s is not an acrl checkpoint (no ACRLCKPT magic)", path);
        goto fail;
    }
    if (size < 12) { io_set_err(err, errlen, "checkpoint %s is truncated (%zu bytes)", path, size); goto fail; }
    uint32_t version = get_u32(b + 8);
    if (version > ACRL_CKPT_VERSION) {
        io_set_err(err, errlen, "%s: checkpoint format version %u is newer than this acrl supports (%d)",
                path, version, ACRL_CKPT_VERSION);
        goto fail;
    }
    if (version == 0) { io_set_err(err, errlen, "checkpoint %s is corrupt: format version 0", path); goto fail; }
    if (size < HEADER_SIZE + TRAILER_SIZE) {
        io_set_err(err, errlen, "checkpoint %s is truncated: %zu bytes, shorter than a header", path, size);
        goto fail;
    }
    uint64_t want = get_u64(b + 16);
    if (want != size) {
        io_set_err(err, errlen, "checkpoint %s is %s: it has %zu bytes, its header says %llu", path,
                size < want ? "truncated" : "corrupt", size, (unsigned long long)want);
        goto fail;
    }
    uint32_t stored = get_u32(b + size - TRAILER_SIZE);
    uint32_t actual = acrl_crc32c(0, b, size - TRAILER_SIZE);
    if (stored != actual || get_u32(b + size - 4) != 0) {
        io_set_err(err, errlen, "checkpoint %s is corrupt: CRC-32C mismatch (stored %08x, computed %08x)",
                path, stored, actual);
        goto fail;
    }

    /* The CRC matched, so what follows only fails for a file written wrongly; it is
     * still checked so that no input can make us read out of bounds. */
    c->version = version;
    c->algo = name_field(b + 24);
    c->env_id = name_field(b + 24 + NAME_FIELD);
    if (!c->algo || !c->env_id) { io_set_err(err, errlen, "checkpoint %s is corrupt: bad algo/env name", path); goto fail; }
    uint32_t count = get_u32(b + 12);
    size_t end = size - TRAILER_SIZE, off = HEADER_SIZE;
    if (count > (end - off) / SECTION_HEAD) {
        io_set_err(err, errlen, "checkpoint %s is corrupt: %u sections cannot fit", path, count);
        goto fail;
    }
    c->sections = calloc(count ? count : 1, sizeof(*c->sections));
    if (!c->sections) { io_set_err(err, errlen, "out of memory"); goto fail; }
    for (uint32_t i = 0; i < count; i++) {
        if (end - off < SECTION_HEAD) {
            io_set_err(err, errlen, "checkpoint %s is corrupt: section %u header runs past the end", path, i);
            goto fail;
        }
        const char* name = name_field(b + off);
        uint64_t len = get_u64(b + off + NAME_FIELD);
        off += SECTION_HEAD;
        if (!name) { io_set_err(err, errlen, "checkpoint %s is corrupt: section %u has a bad name", path, i); goto fail; }
        if (len > end - off || pad8((size_t)len) > end - off - len) {
            io_set_err(err, errlen, "checkpoint %s is corrupt: section '%s' claims %llu bytes, only %zu remain",
                    path, name, (unsigned long long)len, end - off);
            goto fail;
        }
        for (int k = 0; k < c->n; k++) {
            if (strcmp(c->sections[k].name, name) == 0) {
                io_set_err(err, errlen, "checkpoint %s is corrupt: duplicate section '%s'", path, name);
                goto fail;
            }
        }
        c->sections[c->n++] = (ckpt_section){name, b + off, (size_t)len};
        off += len + pad8((size_t)len);
    }
    if (off != end) {
        io_set_err(err, errlen, "checkpoint %s is corrupt: %zu unexpected bytes after the last section", path, end - off);
        goto fail;
    }
    return c;
fail:
    acrl_ckpt_free(c);
    return NULL;
}

const char* acrl_ckpt_algo(const acrl_ckpt* c) { return c->algo; }
int acrl_ckpt_version(const acrl_ckpt* c) { return (int)c->version; }
const char* acrl_ckpt_env_id(const acrl_ckpt* c) { return c->env_id; }
int acrl_ckpt_section_count(const acrl_ckpt* c) { return c->n; }
const char* acrl_ckpt_section_name(const acrl_ckpt* c, int i) { return (i >= 0 && i < c->n) ? c->sections[i].name : NULL; }

const void* acrl_ckpt_section(const acrl_ckpt* c, const char* name, size_t* len) {
    for (int i = 0; i < c->n; i++) {
        if (strcmp(c->sections[i].name, name) == 0) {
            if (len) *len = c->sections[i].len;
            return c->sections[i].data;
        }
    }
    if (len) *len = 0;
    return NULL;
}

const void* acrl_ckpt_get_var(const acrl_ckpt* c, const char* name, size_t* len, char* err, size_t errlen) {
    const void* p = acrl_ckpt_section(c, name, len);
    if (!p) io_set_err(err, errlen, "checkpoint section '%s' missing (algo %s, env %s)", name, c->algo, c->env_id);
    return p;
}

const void* acrl_ckpt_get(const acrl_ckpt* c, const char* name, size_t len, char* err, size_t errlen) {
    size_t have;
    const void* p = acrl_ckpt_get_var(c, name, &have, err, errlen);
    if (p && have != len) {
        io_set_err(err, errlen, "checkpoint section '%s' has %zu bytes, expected %zu", name, have, len);
        return NULL;
    }
    return p;
}

int acrl_ckpt_expect(const acrl_ckpt* c, const char* name, size_t len, char* err, size_t errlen) {
    return acrl_ckpt_get(c, name, len, err, errlen) ? 0 : -1;
}

/* tboard.c - TensorBoard event files: TFRecord framing around hand-encoded
 * tensorflow.Event protobufs (event.proto / summary.proto), scalars only.
 *   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 *   Summary { repeated Value value = 1; }
 *   Value   { string tag = 1; float simple_value = 2; }
 * A TFRecord is: uint64 length, uint32 masked CRC-32C of those 8 bytes, the data,
 * uint32 masked CRC-32C of the data; all little-endian. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acrl/io.h"
#include "io/io_internal.h"

struct acrl_tboard {
    FILE* f;
    int failed;
    char path[4096];
};

static uint32_t masked_crc(const uint8_t* p, size_t n) {
    uint32_t c = acrl_crc32c(0, p, n);
    return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

/* Protobuf writer over a buffer that may be too small: counts every byte, stores
 * those that fit. */
typedef struct {
    uint8_t* out;
    size_t cap, n;
} pb;

static void pb_byte(pb* b, uint8_t v) {
    if (b->n < b->cap) b->out[b->n] = v;
    b->n++;
}
static void pb_varint(pb* b, uint64_t v) {
    while (v >= 0x80) { pb_byte(b, (uint8_t)(v | 0x80)); v >>= 7; }
    pb_byte(b, (uint8_t)v);
}
static void pb_fixed(pb* b, uint64_t v, int nbytes) {
    for (int i = 0; i < nbytes; i++) pb_byte(b, (uint8_t)(v >> (8 * i)));
}
static void pb_bytes(pb* b, const void* p, size_t n) {
    for (size_t i = 0; i < n; i++) pb_byte(b, ((const uint8_t*)p)[i]);
}
static size_t varint_size(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) { v >>= 7; n++; }
    return n;
}

enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LEN = 2, WIRE_FIXED32 = 5 };
static void pb_key(pb* b, int field, int wire) { pb_varint(b, (uint64_t)(field << 3 | wire)); }

size_t acrl_tboard_encode(uint8_t* out, size_t cap, double wall_time, int64_t step,
                          const char* tag, float value) {
    static const char version[] = "brain.Event:2";
    /* sizes of the nested messages, innermost first */
    size_t taglen = tag ? strlen(tag) : 0;
    size_t value_size = 1 + varint_size(taglen) + taglen + 1 + 4;  /* Value{tag, simple_value} */
    size_t summary_size = 1 + varint_size(value_size) + value_size; /* Summary{value} */

    pb b = {out, cap, 12}; /* the event goes after the 12-byte length header */
    uint64_t wt;
    memcpy(&wt, &wall_time, 8);
    pb_key(&b, 1, WIRE_FIXED64);
    pb_fixed(&b, wt, 8);
    if (step != 0) { pb_key(&b, 2, WIRE_VARINT); pb_varint(&b, (uint64_t)step); }
    if (!tag) {
        pb_key(&b, 3, WIRE_LEN);
        pb_varint(&b, sizeof(version) - 1);
        pb_bytes(&b, version, sizeof(version) - 1);
    } else {
        uint32_t v;
        memcpy(&v, &value, 4);
        pb_key(&b, 5, WIRE_LEN);
        pb_varint(&b, summary_size);
        pb_key(&b, 1, WIRE_LEN);
        pb_varint(&b, value_size);
        pb_key(&b, 1, WIRE_LEN);
        pb_varint(&b, taglen);
        pb_bytes(&b, tag, taglen);
        pb_key(&b, 2, WIRE_FIXED32);
        pb_fixed(&b, v, 4);
    }
    size_t data_len = b.n - 12;
    size_t total = b.n + 4;
    if (total <= cap) {
        pb head = {out, cap, 0};
        pb_fixed(&head, data_len, 8);
        pb_fixed(&head, masked_crc(out, 8), 4);
        pb tail = {out, cap, b.n};
        pb_fixed(&tail, masked_crc(out + 12, data_len), 4);
    }
    return total;
}

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int write_record(acrl_tboard* tb, double wall_time, int64_t step, const char* tag, float value) {
    uint8_t buf[512];
    size_t n = acrl_tboard_encode(buf, sizeof(buf), wall_time, step, tag, value);
    if (n > sizeof(buf)) return -1; /* tag too long */
    if (fwrite(buf, 1, n, tb->f) != n) { tb->failed = 1; return -1; }
    return 0;
}

acrl_tboard* acrl_tboard_open(const char* dir, char* err, size_t errlen) {
    acrl_tboard* tb = calloc(1, sizeof(*tb));
    if (!tb) { io_set_err(err, errlen, "out of memory"); return NULL; }
    char host[256] = "localhost";
    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = 0;
    double now = wall_now();
    /* "wx" never clobbers an existing file: add a counter if two writers start in the same second */
    for (int k = 0; k < 100 && !tb->f; k++) {
        int len = k == 0 ? snprintf(tb->path, sizeof(tb->path), "%s/events.out.tfevents.%lld.%s", dir, (long long)now, host)
                         : snprintf(tb->path, sizeof(tb->path), "%s/events.out.tfevents.%lld.%s.%d", dir, (long long)now, host, k);
        if (len >= (int)sizeof(tb->path)) { io_set_err(err, errlen, "path too long: %s", dir); free(tb); return NULL; }
        tb->f = fopen(tb->path, "wbx");
        if (!tb->f && errno != EEXIST) break;
    }
    if (!tb->f) {
        io_set_err(err, errlen, "cannot create %s: %s", tb->path, strerror(errno));
        free(tb);
        return NULL;
    }
    if (write_record(tb, now, 0, NULL, 0) != 0 || fflush(tb->f) != 0) {
        io_set_err(err, errlen, "cannot write %s: %s", tb->path, strerror(errno));
        fclose(tb->f);
        unlink(tb->path); /* no empty event file left behind */
        free(tb);
        return NULL;
    }
    return tb;
}

int acrl_tboard_scalar(acrl_tboard* tb, const char* tag, double value, int64_t step) {
    return write_record(tb, wall_now(), step, tag, (float)value);
}

int acrl_tboard_flush(acrl_tboard* tb) {
    if (fflush(tb->f) != 0) tb->failed = 1;
    return tb->failed ? -1 : 0;
}

const char* acrl_tboard_path(const acrl_tboard* tb) { return tb->path; }

int acrl_tboard_close(acrl_tboard* tb) {
    if (!tb) return 0;
    int rc = (fclose(tb->f) != 0 || tb->failed) ? -1 : 0;
    free(tb);
    return rc;
}

/* ---- trimming on resume --------------------------------------------------------- */

static uint64_t get_le(const uint8_t* p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static int get_varint(const uint8_t** p, const uint8_t* end, uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return 0;
    }
    return -1;
}

/* The step of an encoded Event (0 when absent, as protobuf reads it); -1 if malformed. */
static int event_step(const uint8_t* p, size_t n, int64_t* step) {
    const uint8_t* end = p + n;
    *step = 0;
    while (p < end) {
        uint64_t key, v;
        if (get_varint(&p, end, &key)) return -1;
        switch (key & 7) {
        case WIRE_VARINT:
            if (get_varint(&p, end, &v)) return -1;
            if (key >> 3 == 2) *step = (int64_t)v;
            break;
        case WIRE_FIXED64: if (end - p < 8) return -1; p += 8; break;
        case WIRE_FIXED32: if (end - p < 4) return -1; p += 4; break;
        case WIRE_LEN:
            if (get_varint(&p, end, &v) || v > (uint64_t)(end - p)) return -1;
            p += v;
            break;
        default: return -1;
        }
    }
    return 0;
}

/* Rewrites one event file keeping the records with step <= max_step, up to the first torn
 * or corrupt record. */
static int trim_file(const char* path, int64_t max_step, char* err, size_t errlen) {
    FILE* f = fopen(path, "rb");
    if (!f) { io_set_err(err, errlen, "cannot open %s: %s", path, strerror(errno)); return -1; }
    uint8_t* buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 65536;
            uint8_t* nb = realloc(buf, cap);
            if (!nb) { free(buf); fclose(f); io_set_err(err, errlen, "out of memory"); return -1; }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int rd = ferror(f);
    fclose(f);
    if (rd) { free(buf); io_set_err(err, errlen, "cannot read %s", path); return -1; }
    /* compact the kept records to the front of buf */
    size_t pos = 0, kept = 0;
    int changed = 0;
    while (pos < n) {
        if (n - pos < 16) { changed = 1; break; }
        uint64_t len = get_le(buf + pos, 8);
        if ((uint32_t)get_le(buf + pos + 8, 4) != masked_crc(buf + pos, 8) || len > n - pos - 16 ||
            (uint32_t)get_le(buf + pos + 12 + len, 4) != masked_crc(buf + pos + 12, len)) {
            changed = 1;
            break;
        }
        int64_t step;
        size_t rec = 16 + (size_t)len;
        if (event_step(buf + pos + 12, (size_t)len, &step) == 0 && step > max_step) {
            changed = 1;
        } else {
            memmove(buf + kept, buf + pos, rec);
            kept += rec;
        }
        pos += rec;
    }
    int rc = 0;
    if (changed) {
        char tmp[4300];
        FILE* o = snprintf(tmp, sizeof(tmp), "%s.trim.tmp", path) < (int)sizeof(tmp) ? fopen(tmp, "wb") : NULL;
        if (!o || fwrite(buf, 1, kept, o) != kept || fflush(o) != 0 || fsync(fileno(o)) != 0) rc = -1;
        if (o && fclose(o) != 0) rc = -1;
        if (rc == 0 && rename(tmp, path) != 0) rc = -1;
        if (rc) {
            io_set_err(err, errlen, "cannot rewrite %s: %s", path, strerror(errno));
            unlink(tmp);
        }
    }
    free(buf);
    return rc;
}

int acrl_tboard_trim(const char* dir, int64_t max_step, char* err, size_t errlen) {
    DIR* d = opendir(dir);
    if (!d) { io_set_err(err, errlen, "cannot open %s: %s", dir, strerror(errno)); return -1; }
    static const char prefix[] = "events.out.tfevents.";
    int rc = 0;
    struct dirent* e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, sizeof(prefix) - 1) != 0 ||
            (nl > 4 && strcmp(e->d_name + nl - 4, ".tmp") == 0))
            continue;
        char path[4200];
        if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path)) continue;
        rc = trim_file(path, max_step, err, errlen);
    }
    closedir(d);
    return rc;
}

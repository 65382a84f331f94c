/* test_io_log: run logging. progress.csv text; TensorBoard records compared with
 * bytes encoded by hand (CRCs from a bit-at-a-time CRC-32C checked against its
 * standard value) and an event file parsed back by an independent decoder;
 * summary.json text and read-back; progress lines against exact strings. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/* The writer stamps events with clock_gettime(CLOCK_REALTIME); glibc's time() reads the
 * coarse clock, which can lag it by a tick, so the bounds come from the same clock. */
static double real_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
#include <unistd.h>

#include "acrl/io.h"
#include "test.h"

static uint32_t crc32c_bitwise(const uint8_t* p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
    }
    return ~c;
}
static uint32_t tf_mask(uint32_t c) { return ((c >> 15) | (c << 17)) + 0xa282ead8u; }
static uint32_t le32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t* p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static char* slurp(const char* path, size_t* n) {
    FILE* f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char* b = calloc(1, (size_t)sz + 1);
    *n = fread(b, 1, (size_t)sz, f);
    fclose(f);
    return b;
}

/* ---- an independent minimal protobuf / TFRecord reader ---- */

static int rd_varint(const uint8_t** p, const uint8_t* end, uint64_t* v) {
    *v = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) return 0;
    }
    return -1;
}

typedef struct {
    double wall_time;
    int64_t step;
    char file_version[64];
    char tag[64];
    float value;
    int nvalues;
} event;

/* Event{1: double, 2: varint, 3: string, 5: Summary{1: Value{1: string, 2: float}}} */
static int parse_event(const uint8_t* p, const uint8_t* end, event* e) {
    memset(e, 0, sizeof(*e));
    while (p < end) {
        uint64_t key, len;
        if (rd_varint(&p, end, &key)) return -1;
        int field = (int)(key >> 3), wire = (int)(key & 7);
        if (field == 1 && wire == 1 && end - p >= 8) { uint64_t b = le64(p); memcpy(&e->wall_time, &b, 8); p += 8; }
        else if (field == 2 && wire == 0) { if (rd_varint(&p, end, &len)) return -1; e->step = (int64_t)len; }
        else if ((field == 3 || field == 5) && wire == 2) {
            if (rd_varint(&p, end, &len) || len > (uint64_t)(end - p)) return -1;
            if (field == 3) { if (len >= 64) return -1; memcpy(e->file_version, p, len); }
            else {
                const uint8_t *s = p, *send = p + len;
                while (s < send) { /* Summary */
                    uint64_t k2, l2;
                    if (rd_varint(&s, send, &k2) || k2 != (1 << 3 | 2) || rd_varint(&s, send, &l2) || l2 > (uint64_t)(send - s)) return -1;
                    const uint8_t *v = s, *vend = s + l2;
                    e->nvalues++;
                    while (v < vend) { /* Value */
                        uint64_t k3, l3;
                        if (rd_varint(&v, vend, &k3)) return -1;
                        if (k3 == (1 << 3 | 2)) {
                            if (rd_varint(&v, vend, &l3) || l3 >= 64 || l3 > (uint64_t)(vend - v)) return -1;
                            memcpy(e->tag, v, l3);
                            v += l3;
                        } else if (k3 == (2 << 3 | 5) && vend - v >= 4) {
                            uint32_t b = le32(v);
                            memcpy(&e->value, &b, 4);
                            v += 4;
                        } else return -1;
                    }
                    s = vend;
                }
            }
            p += len;
        } else return -1;
    }
    return 0;
}

/* reads all records of an event file; returns the count or -1 on a framing/CRC error */
static int read_events(const uint8_t* b, size_t n, event* out, int max) {
    size_t off = 0;
    int k = 0;
    while (off < n) {
        if (n - off < 12 || k == max) return -1;
        uint64_t len = le64(b + off);
        if (le32(b + off + 8) != tf_mask(crc32c_bitwise(b + off, 8))) return -1;
        if (len > n - off - 16) return -1;
        const uint8_t* data = b + off + 12;
        if (le32(data + len) != tf_mask(crc32c_bitwise(data, len))) return -1;
        if (parse_event(data, data + len, &out[k])) return -1;
        k++;
        off += 16 + len;
    }
    return k;
}

static void test_csv(const char* dir) {
    char path[256], err[ACRL_ERRLEN];
    snprintf(path, sizeof(path), "%s/progress.csv", dir);
    const char* cols[] = {"step", "return_mean", "loss"};
    acrl_csv* c = acrl_csv_open(path, cols, 3, err, sizeof(err));
    CHECK(c != NULL);
    double r1[] = {1000, NAN, 0.5}, r2[] = {2000, 12.25, 1e-9}, r3[] = {3000, -1.0 / 3.0, 123456789.5};
    CHECK(acrl_csv_row(c, r1, err, sizeof(err)) == 0);
    /* each row is flushed: readable before close */
    size_t n;
    char* text = slurp(path, &n);
    CHECK(strcmp(text, "step,return_mean,loss\n1000,,0.5\n") == 0);
    free(text);
    CHECK(acrl_csv_row(c, r2, err, sizeof(err)) == 0);
    CHECK(acrl_csv_row(c, r3, err, sizeof(err)) == 0);
    CHECK(acrl_csv_close(c) == 0);
    text = slurp(path, &n);
    CHECK(strcmp(text, "step,return_mean,loss\n1000,,0.5\n2000,12.25,1e-09\n3000,-0.33333333,1.2345679e+08\n") == 0);
    free(text);
    /* a resumed run from step 2000 keeps the header and the rows up to it, then appends */
    c = acrl_csv_append(path, cols, 3, 2000, err, sizeof(err));
    CHECK(c != NULL);
    double r4[] = {2500, 1, 2};
    CHECK(acrl_csv_row(c, r4, err, sizeof(err)) == 0);
    CHECK(acrl_csv_close(c) == 0);
    text = slurp(path, &n);
    CHECK(strcmp(text, "step,return_mean,loss\n1000,,0.5\n2000,12.25,1e-09\n2500,1,2\n") == 0);
    free(text);
    unlink(path);
    /* appending to a file that does not exist creates it with its header */
    c = acrl_csv_append(path, cols, 3, 0, err, sizeof(err));
    CHECK(c != NULL && acrl_csv_close(c) == 0);
    text = slurp(path, &n);
    CHECK(text && strcmp(text, "step,return_mean,loss\n") == 0);
    free(text);
    unlink(path);
    const char* badcols[] = {"step", "a,b"};
    CHECK(acrl_csv_open(path, badcols, 2, err, sizeof(err)) == NULL && strstr(err, "bad column name 'a,b'"));
    CHECK(acrl_csv_open("/nonexistent/p.csv", cols, 3, err, sizeof(err)) == NULL && strstr(err, "cannot create"));
}

static void test_tboard(const char* dir) {
    /* the standard CRC-32C check value validates the reference CRC used below */
    CHECK(crc32c_bitwise((const uint8_t*)"123456789", 9) == 0xE3069283u);

    /* one scalar event, encoded by hand: wall_time 1.5, step 3, tag "loss", value 2.0f */
    static const uint8_t ev[] = {
        0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F,       /* field 1 fixed64: 1.5 */
        0x10, 0x03,                               /* field 2 varint: 3 */
        0x2A, 0x0D,                               /* field 5 Summary, 13 bytes */
        0x0A, 0x0B,                               /*   field 1 Value, 11 bytes */
        0x0A, 0x04, 'l', 'o', 's', 's',           /*     field 1 tag */
        0x15, 0x00, 0x00, 0x00, 0x40,             /*     field 2 fixed32: 2.0f */
    };
    uint8_t want[64] = {sizeof(ev)};
    uint32_t c0 = tf_mask(crc32c_bitwise(want, 8));
    for (int i = 0; i < 4; i++) want[8 + i] = (uint8_t)(c0 >> (8 * i));
    memcpy(want + 12, ev, sizeof(ev));
    uint32_t c1 = tf_mask(crc32c_bitwise(ev, sizeof(ev)));
    for (int i = 0; i < 4; i++) want[12 + sizeof(ev) + i] = (uint8_t)(c1 >> (8 * i));
    uint8_t got[64];
    size_t n = acrl_tboard_encode(got, sizeof(got), 1.5, 3, "loss", 2.0f);
    CHECK(n == 16 + sizeof(ev));
    CHECK(memcmp(got, want, 16 + sizeof(ev)) == 0);
    CHECK(acrl_tboard_encode(got, 10, 1.5, 3, "loss", 2.0f) == n); /* size query without room */

    /* the file_version event: wall_time 1.5, "brain.Event:2" in field 3 */
    static const uint8_t fv[] = {0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x1A, 13,
                                 'b', 'r', 'a', 'i', 'n', '.', 'E', 'v', 'e', 'n', 't', ':', '2'};
    n = acrl_tboard_encode(got, sizeof(got), 1.5, 0, NULL, 0);
    CHECK(n == 16 + sizeof(fv) && le64(got) == sizeof(fv) && memcmp(got + 12, fv, sizeof(fv)) == 0);
    CHECK(le32(got + 12 + sizeof(fv)) == tf_mask(crc32c_bitwise(fv, sizeof(fv))));

    /* a real file, read back */
    char err[ACRL_ERRLEN];
    double t0 = real_now();
    acrl_tboard* tb = acrl_tboard_open(dir, err, sizeof(err));
    CHECK(tb != NULL);
    if (!tb) { fprintf(stderr, "%s\n", err); return; }
    const char* tags[] = {"charts/episodic_return", "losses/value_loss", "charts/sps"};
    double vals[] = {21.5, -0.125, 12345.678};
    int64_t steps[] = {128, 256, 300000000000LL};
    for (int i = 0; i < 3; i++) CHECK(acrl_tboard_scalar(tb, tags[i], vals[i], steps[i]) == 0);
    CHECK(acrl_tboard_flush(tb) == 0);
    char path[4096];
    snprintf(path, sizeof(path), "%s", acrl_tboard_path(tb));
    CHECK(strstr(path, "/events.out.tfevents.") != NULL);
    CHECK(acrl_tboard_close(tb) == 0);
    double t1 = real_now();
    char* b = slurp(path, &n);
    event e[8];
    int k = read_events((const uint8_t*)b, n, e, 8);
    CHECK(k == 4);
    if (k == 4) {
        CHECK(strcmp(e[0].file_version, "brain.Event:2") == 0 && e[0].nvalues == 0);
        CHECK(e[0].wall_time >= t0 && e[0].wall_time <= t1);
        for (int i = 0; i < 3; i++) {
            CHECK(strcmp(e[i + 1].tag, tags[i]) == 0);
            CHECK(e[i + 1].value == (float)vals[i]);
            CHECK(e[i + 1].step == steps[i]);
            CHECK(e[i + 1].nvalues == 1);
            CHECK(e[i + 1].wall_time >= e[i].wall_time && e[i + 1].wall_time <= t1);
        }
    }
    /* a flipped byte is caught by the framing CRCs */
    b[n - 6] ^= 0x10;
    CHECK(read_events((const uint8_t*)b, n, e, 8) == -1);
    free(b);
    unlink(path);
    /* two writers in the same second get different files */
    acrl_tboard* a1 = acrl_tboard_open(dir, err, sizeof(err));
    acrl_tboard* a2 = acrl_tboard_open(dir, err, sizeof(err));
    CHECK(a1 && a2 && strcmp(acrl_tboard_path(a1), acrl_tboard_path(a2)) != 0);
    if (a1) { unlink(acrl_tboard_path(a1)); acrl_tboard_close(a1); }
    if (a2) { unlink(acrl_tboard_path(a2)); acrl_tboard_close(a2); }
    CHECK(acrl_tboard_open("/nonexistent", err, sizeof(err)) == NULL && strstr(err, "cannot create"));
    printf("  tensorboard: %d records decoded, CRCs verified\n", k);
}

static void test_json(void) {
    char* text = NULL;
    size_t len = 0;
    FILE* f = open_memstream(&text, &len);
    acrl_json j;
    acrl_json_begin(&j, f);
    acrl_json_string(&j, "algo", "ppo");
    acrl_json_string(&j, "env", "CartPole-v1");
    acrl_json_string(&j, "note", "say \"hi\"\\\n\t\x01 \xc3\xa9");
    acrl_json_number(&j, "return_mean", 0.1 + 0.2);
    acrl_json_number(&j, "sps", 2500.0);
    acrl_json_number(&j, "bad", NAN);
    acrl_json_number(&j, "huge", -INFINITY);
    acrl_json_int(&j, "steps", 1000000000000LL);
    acrl_json_bool(&j, "finished", 1);
    acrl_json_null(&j, "eval");
    acrl_json_string(&j, "missing", NULL);
    CHECK(acrl_json_end(&j) == 0);
    fclose(f);
    const char* want =
        "{\n"
        "  \"algo\": \"ppo\",\n"
        "  \"env\": \"CartPole-v1\",\n"
        "  \"note\": \"say \\\"hi\\\"\\\\\\n\\t\\u0001 \xc3\xa9\",\n"
        "  \"return_mean\": 0.30000000000000004,\n"
        "  \"sps\": 2500,\n"
        "  \"bad\": null,\n"
        "  \"huge\": null,\n"
        "  \"steps\": 1000000000000,\n"
        "  \"finished\": true,\n"
        "  \"eval\": null,\n"
        "  \"missing\": null\n"
        "}\n";
    CHECK(strcmp(text, want) == 0);
    if (strcmp(text, want) != 0) fprintf(stderr, "got:\n%s", text);

    char v[64];
    CHECK(acrl_json_get_string(text, "algo", v, sizeof(v)) == 0 && strcmp(v, "ppo") == 0);
    CHECK(acrl_json_get_string(text, "env", v, sizeof(v)) == 0 && strcmp(v, "CartPole-v1") == 0);
    CHECK(acrl_json_get_string(text, "note", v, sizeof(v)) == 0 && strcmp(v, "say \"hi\"\\\n\t\x01 \xc3\xa9") == 0);
    CHECK(acrl_json_get_string(text, "sps", v, sizeof(v)) == -1);     /* a number */
    CHECK(acrl_json_get_string(text, "nothere", v, sizeof(v)) == -1);
    CHECK(acrl_json_get_string(text, "env", v, 5) == -1);             /* does not fit */
    free(text);
    /* nested values are skipped, only the top level counts; \u escapes decode to UTF-8 */
    const char* nested = "{\"cfg\": {\"algo\": \"x\", \"l\": [1, {\"a\": \"]\"}, -2.5e3]}, \"ok\": false, \"algo\": \"s\\u00e9c\"}";
    CHECK(acrl_json_get_string(nested, "algo", v, sizeof(v)) == 0 && strcmp(v, "s\xc3\xa9" "c") == 0);
    CHECK(acrl_json_get_string("{\"algo\": \"ppo\"", "env", v, sizeof(v)) == -1);  /* unterminated */
    CHECK(acrl_json_get_string("[\"algo\"]", "algo", v, sizeof(v)) == -1);
    CHECK(acrl_json_get_string("{\"algo\": \"pp", "algo", v, sizeof(v)) == -1);
}

static void test_progress(void) {
    char line[256];
    size_t n = acrl_progress_format(line, sizeof(line), 450000, 1000000, 36.0, 12500.0, 123.456, 20);
    const char* want1 = "[#########...........]  45.0%  450000/1000000  12500 steps/s  elapsed 0:36  ETA 0:44  return 123.46";
    CHECK(strcmp(line, want1) == 0 && n == strlen(want1));
    printf("  %s\n", line);
    acrl_progress_format(line, sizeof(line), 2500, 10000, 5000.0, 0.5, NAN, 0);
    CHECK(strcmp(line, "25.0%  2500/10000  0.5 steps/s  elapsed 1:23:20  ETA 4:10:00  return -") == 0);
    printf("  %s\n", line);
    acrl_progress_format(line, sizeof(line), 10000, 10000, 59.6, 0, -7.5, 4);
    CHECK(strcmp(line, "[####] 100.0%  10000/10000  - steps/s  elapsed 1:00  ETA 0:00  return -7.50") == 0);
    acrl_progress_format(line, sizeof(line), 1234, 0, 2.0, 617.0, 0.0, 0);
    CHECK(strcmp(line, "1234 steps  617 steps/s  elapsed 0:02  return 0.00") == 0);
    acrl_progress_format(line, sizeof(line), 5, 100, 1.0, 5.0, 1.0, 0);
    CHECK(strcmp(line, "5.0%  5/100  5.0 steps/s  elapsed 0:01  ETA 0:19  return 1.00") == 0);
    n = acrl_progress_format(line, 10, 450000, 1000000, 36.0, 12500.0, 123.456, 20);
    CHECK(n == 9 && strcmp(line, "[########") == 0);

    /* quiet mode prints nothing, the live modes run without crashing */
    acrl_progress p;
    acrl_progress_init(&p, 100, ACRL_PROGRESS_QUIET, 5.0);
    acrl_progress_update(&p, 50, 1.0);
    acrl_progress_finish(&p, 100, 1.0);
    acrl_progress_init(&p, 100, ACRL_PROGRESS_AUTO, 0.0);
    acrl_progress_update(&p, 50, 1.0);
    acrl_progress_finish(&p, 100, 2.0);
}

int main(void) {
    char dir[] = "/tmp/acrl_log_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    test_csv(dir);
    test_tboard(dir);
    test_json();
    test_progress();
    CHECK(rmdir(dir) == 0);
    return test_summary("test_io_log");
}

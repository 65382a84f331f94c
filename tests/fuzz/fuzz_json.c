/* fuzz_json.c - the JSON readers (acrl_json_get_string and acrl_json_get_number, used on
 * summary.json): top-level fields looked up in arbitrary text, with roomy and tight output
 * buffers, and a key that is absent (so every value is skipped). Then the writer/reader
 * pair: the input split at its first NUL into a key and a value, written with
 * acrl_json_string among other fields, must read back to the same value, and a number
 * made of the input's first 8 bytes, written with acrl_json_number, too. */
#include <math.h>

#include "fuzz_common.h"

static void lookup_number(const char* text, const char* key) {
    double v = 12345;
    if (acrl_json_get_number(text, key, &v) == 0) FZ_CHECK(isfinite(v), "non-finite number accepted");
}

static void lookup(const char* text, const char* key) {
    char big[512], tiny[4];
    memset(tiny, 'x', sizeof tiny);
    int rb = acrl_json_get_string(text, key, big, sizeof big);
    int rt = acrl_json_get_string(text, key, tiny, 3);
    FZ_CHECK(tiny[3] == 'x', "wrote past the buffer");
    if (rb == 0) FZ_CHECK(strlen(big) < sizeof big, "unterminated");
    if (rt == 0) FZ_CHECK(rb == 0 && strcmp(big, tiny) == 0, "tight buffer read differs");
    if (rb == 0 && strlen(big) < 3) FZ_CHECK(rt == 0, "a short value was refused with a small buffer");
    acrl_json_get_string(text, key, NULL, 0); /* no buffer: only validates */
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    char* text = fz_cstr(data, size);
    lookup(text, "algo");
    lookup(text, "env");
    lookup(text, "no such key");
    lookup_number(text, "steps");
    lookup_number(text, "eval_return_mean");
    lookup_number(text, "no such key");

    /* round trip: key = bytes before the first NUL, value = bytes after it */
    const char* key = text;
    size_t klen = strlen(key);
    const char* value = klen < size ? text + klen + 1 : "";
    char* doc = NULL;
    size_t dlen = 0;
    FILE* f = open_memstream(&doc, &dlen);
    FZ_CHECK(f != NULL, "open_memstream failed");
    acrl_json j;
    acrl_json_begin(&j, f);
    acrl_json_number(&j, "first", 1.5);
    acrl_json_string(&j, key, value);
    acrl_json_null(&j, "after");
    double num = 0;
    if (size >= 8) memcpy(&num, data, 8);
    acrl_json_number(&j, "fz_number", num);
    acrl_json_string(&j, "last", "end");
    FZ_CHECK(acrl_json_end(&j) == 0, "write failed");
    fclose(f);
    char out[1024];
    /* the reader returns the first field of that name (keys 'first', 'after' and 'last' come
     * first or have a fixed value) and keeps names up to 255 bytes */
    if (klen < 255 && strcmp(key, "first") != 0 && strlen(value) < sizeof out) {
        int rc = acrl_json_get_string(doc, key, out, sizeof out);
        FZ_CHECK(rc == 0 && strcmp(out, value) == 0, "value did not read back (rc %d):\n%s", rc, doc);
    }
    FZ_CHECK(acrl_json_get_string(doc, "last", out, sizeof out) == 0 &&
             (strcmp(out, "end") == 0 || strcmp(key, "last") == 0), "a later field was lost:\n%s", doc);
    if (strcmp(key, "fz_number") != 0) {
        double back = 0;
        int rn = acrl_json_get_number(doc, "fz_number", &back);
        if (isfinite(num)) FZ_CHECK(rn == 0 && back == num, "number %.17g read back as %.17g (rc %d)", num, back, rn);
        else FZ_CHECK(rn != 0, "non-finite number written as a number");
    }
    free(doc);
    free(text);
    return 0;
}

/* Checked buffer sizes: physical memory and the refusal message (see size.h). */
#include "util/size.h"

#include <stdio.h>
#include <unistd.h>

size_t acrl_size_physical_memory(void) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return SIZE_MAX;
    return acrl_size_mul((size_t)pages, (size_t)page);
}

void acrl_size_format(char* buf, size_t len, size_t bytes) {
    if (bytes == SIZE_MAX) { snprintf(buf, len, "more than 16 EiB (the size overflows)"); return; }
    static const char* const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024.0 && u < 6) { v /= 1024.0; u++; }
    if (u == 0) snprintf(buf, len, "%zu bytes", bytes);
    else snprintf(buf, len, "%.2f %s (%zu bytes)", v, unit[u], bytes);
}

int acrl_size_check(size_t bytes, const char* what, char* err, size_t errlen) {
    size_t have = acrl_size_physical_memory();
    if (bytes != SIZE_MAX && bytes <= have) return 0;
    char need[64], mem[64];
    acrl_size_format(need, sizeof need, bytes);
    acrl_size_format(mem, sizeof mem, have);
    if (have == SIZE_MAX) snprintf(err, errlen, "%s need %s of memory", what, need);
    else snprintf(err, errlen, "%s need %s of memory; this machine has %s", what, need, mem);
    return -1;
}

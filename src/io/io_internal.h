/* io_internal.h - helpers shared by the files of src/io. */
#ifndef ACRL_IO_INTERNAL_H
#define ACRL_IO_INTERNAL_H

#include <stddef.h>

/* printf-style message into err (errlen bytes); nothing if err is NULL. */
void io_set_err(char* err, size_t errlen, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

#endif

/* acrl/io.h - files a training run reads and writes: checkpoints, configuration,
 * progress.csv, TensorBoard event files, summary.json, the terminal progress
 * line and learning-curve plots.
 *
 * Every function that can fail returns 0 (or a non-NULL object) on success and
 * -1 (or NULL) on failure with a message in the caller's err buffer (errlen
 * bytes, ACRL_ERRLEN is enough); none of them exits the process. */
#ifndef ACRL_IO_H
#define ACRL_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef ACRL_ERRLEN
#define ACRL_ERRLEN 256 /* size of caller-supplied error buffers (also in acrl/env.h) */
#endif

/* ---- files -------------------------------------------------------------------- */

/* Opens a user-named file for reading, refusing anything but a regular file (a FIFO would
 * block, a directory reads as empty). what names it in messages ("checkpoint", "config").
 * NULL on failure with "cannot open WHAT PATH: reason" or "WHAT PATH is a FIFO, not a
 * regular file". Every reader of user files goes through this. */
FILE* acrl_file_open_read(const char* path, const char* what, char* err, size_t errlen);
/* Writes "dir/name" into out (outlen bytes). -1 with "path too long" (errno ENAMETOOLONG)
 * when it does not fit: no path is ever truncated silently. err may be NULL. */
int acrl_path_join(char* out, size_t outlen, const char* dir, const char* name, char* err, size_t errlen);
/* Removes the temp files {last,best,final}.ckpt.tmp.<pid> in dir whose writer process is
 * gone (killed during a commit); files of live processes and all other files are left.
 * Returns the number removed, or -1 if dir cannot be read. */
int acrl_ckpt_remove_stale(const char* dir, char* err, size_t errlen);

/* ---- CRC-32C (Castagnoli), shared by checkpoints and TFRecord framing ------ */

/* Continues a CRC-32C over data (n bytes); start with crc = 0. crc32c("123456789") = 0xE3069283. */
uint32_t acrl_crc32c(uint32_t crc, const void* data, size_t n);

/* ---- checkpoints (format: docs/checkpoint-format.md) ----------------------- */

#define ACRL_CKPT_VERSION  2  /* format version written by this acrl (reads 1 and 2) */
#define ACRL_CKPT_NAME_MAX 63 /* longest algo name, env id or section name */

typedef struct acrl_ckpt_writer acrl_ckpt_writer;
typedef struct acrl_ckpt acrl_ckpt;

/* Starts a checkpoint. Returns NULL only when out of memory; bad names are reported by commit. */
acrl_ckpt_writer* acrl_ckpt_begin(const char* algo, const char* env_id);
/* Adds a section. data (len bytes) is NOT copied: it must stay valid and unchanged until
 * commit, which streams it to the file. Returns -1 on a bad/duplicate name (also failing commit). */
int acrl_ckpt_add(acrl_ckpt_writer* w, const char* name, const void* data, size_t len);
/* Writes path atomically (temp file path.tmp.<pid>, fsync, rename, fsync of the directory).
 * On failure the temp file is removed and an existing file at path is untouched. Frees w either way. */
int acrl_ckpt_commit(acrl_ckpt_writer* w, const char* path, char* err, size_t errlen);
/* Like acrl_ckpt_add, but copies data (len bytes) now, so it may be a temporary buffer. */
int acrl_ckpt_add_copy(acrl_ckpt_writer* w, const char* name, const void* data, size_t len);
/* Frees a writer without writing anything (commit already frees). NULL is fine. */
void acrl_ckpt_abort(acrl_ckpt_writer* w);

/* Reads and validates a whole checkpoint (magic, version, size, CRC, layout). NULL on error. */
acrl_ckpt* acrl_ckpt_load(const char* path, char* err, size_t errlen);
void acrl_ckpt_free(acrl_ckpt* c);
/* The same checks on a checkpoint image held in memory (malloc'd; taken over, freed with the
 * checkpoint, also on error); path names it in messages. */
acrl_ckpt* acrl_ckpt_from_bytes(void* image, size_t size, const char* path, char* err, size_t errlen);
/* The whole file image of a loaded checkpoint (size bytes). */
const void* acrl_ckpt_image(const acrl_ckpt* c, size_t* size);
const char* acrl_ckpt_algo(const acrl_ckpt* c);
const char* acrl_ckpt_env_id(const acrl_ckpt* c);
/* The file's format version (1 or 2; docs/checkpoint-format.md says how their sections differ). */
int acrl_ckpt_version(const acrl_ckpt* c);
/* Number of sections, and the name of section i (0 <= i < count), in file order. */
int acrl_ckpt_section_count(const acrl_ckpt* c);
const char* acrl_ckpt_section_name(const acrl_ckpt* c, int i);
/* The bytes of section name (8-byte aligned, valid until acrl_ckpt_free) and their count
 * in *len (len may be NULL). NULL if there is no such section. */
const void* acrl_ckpt_section(const acrl_ckpt* c, const char* name, size_t* len);
/* The bytes of section name if it exists with exactly len bytes; else NULL with
 * "checkpoint section 'x' missing (...)" or "checkpoint section 'x' has N bytes, expected M".
 * Every reader fetches its sections through this (or _get_var) before using them. */
const void* acrl_ckpt_get(const acrl_ckpt* c, const char* name, size_t len, char* err, size_t errlen);
/* The same for a section of any size (its size into *len); NULL + message if missing. */
const void* acrl_ckpt_get_var(const acrl_ckpt* c, const char* name, size_t* len, char* err, size_t errlen);
/* 0 if acrl_ckpt_get would succeed, else -1 with its message. */
int acrl_ckpt_expect(const acrl_ckpt* c, const char* name, size_t len, char* err, size_t errlen);

/* ---- configuration tables ---------------------------------------------------
 * An algorithm describes its config struct with a table of entries ended by an
 * entry whose key is NULL. Storage per type: INT int, FLOAT float, DOUBLE double,
 * BOOL int (0/1), STRING char[ACRL_CONFIG_STR_MAX], ENUM int (index into choices),
 * INTLIST acrl_intlist. min/max bound numbers (and every INTLIST element),
 * inclusive, and are checked only when min < max. */

#define ACRL_CONFIG_STR_MAX 128
#define ACRL_INTLIST_MAX    8

typedef enum {
    ACRL_CFG_INT, ACRL_CFG_FLOAT, ACRL_CFG_DOUBLE, ACRL_CFG_BOOL,
    ACRL_CFG_STRING, ACRL_CFG_ENUM, ACRL_CFG_INTLIST
} acrl_config_type;

typedef struct {
    int n;                     /* number of values used */
    int v[ACRL_INTLIST_MAX];   /* (n) e.g. hidden layer sizes "64,64" */
} acrl_intlist;

typedef struct {
    const char* key;           /* e.g. "learning_rate"; NULL ends the table */
    acrl_config_type type;
    size_t offset;             /* offsetof(config struct, field) */
    double min, max;           /* inclusive range, used when min < max */
    const char* const* choices;/* ENUM: NULL-terminated allowed values; else NULL */
    const char* help;          /* one line */
} acrl_config_entry;

/* Parses value strictly into the field named key. Errors name the key and, for an
 * unknown key, suggest the nearest valid one. */
int acrl_config_set(const acrl_config_entry* table, void* cfg, const char* key, const char* value,
                    char* err, size_t errlen);
/* Applies one "key=value" string (the CLI's --set). */
int acrl_config_parse_override(const acrl_config_entry* table, void* cfg, const char* kv,
                               char* err, size_t errlen);
/* Reads an INI-style file: "key = value" lines; '#' or ';' starts a comment at the line
 * start or after whitespace (so "a#b" is a value); "[section]" makes later keys
 * "section.key". Later lines override earlier ones. Errors say file:line. */
int acrl_config_load_file(const acrl_config_entry* table, void* cfg, const char* path,
                          char* err, size_t errlen);
/* The same for text held in memory (len bytes, need not end in NUL); name labels messages. */
int acrl_config_load_text(const acrl_config_entry* table, void* cfg, const char* text, size_t len,
                          const char* name, char* err, size_t errlen);
/* Writes every entry as "key = value" (with its help as a comment), loadable by load_file.
 * Returns -1 on a write error, or (stopping there) on a string value that would not read
 * back: one with a '#' or ';' first or after whitespace, a control character or a
 * leading/trailing space, which acrl_config_set refuses. */
int acrl_config_write(const acrl_config_entry* table, const void* cfg, FILE* f);
/* Formats the current value of one entry as load_file would read it back. */
void acrl_config_format_value(const acrl_config_entry* e, const void* cfg, char* out, size_t outlen);
/* Lists keys, types, ranges/choices, current values and help (for the CLI's help). */
void acrl_config_describe(const acrl_config_entry* table, const void* cfg, FILE* f);

/* ---- progress.csv ---------------------------------------------------------- */

typedef struct acrl_csv acrl_csv;

/* Creates (truncates) path and writes the header row of ncols column names. */
acrl_csv* acrl_csv_open(const char* path, const char* const* columns, int ncols, char* err, size_t errlen);
/* Reopens an existing progress.csv of a resumed run, keeping its header and the rows whose
 * step is <= max_step (creates it like acrl_csv_open if it does not exist). */
acrl_csv* acrl_csv_append(const char* path, const char* const* columns, int ncols, double max_step,
                          char* err, size_t errlen);
/* Appends one row of ncols values (NaN is written as an empty field) and flushes it. */
int acrl_csv_row(acrl_csv* c, const double* values, char* err, size_t errlen);
/* Closes the file; returns -1 if anything failed to reach it. NULL is fine. */
int acrl_csv_close(acrl_csv* c);

/* ---- TensorBoard event files ------------------------------------------------ */

typedef struct acrl_tboard acrl_tboard;

/* Creates dir/events.out.tfevents.<unix time>.<host> (dir must exist) and writes the
 * file_version record "brain.Event:2". */
acrl_tboard* acrl_tboard_open(const char* dir, char* err, size_t errlen);
/* Appends one scalar event (current wall time). Not flushed; see acrl_tboard_flush. */
int acrl_tboard_scalar(acrl_tboard* tb, const char* tag, double value, int64_t step);
int acrl_tboard_flush(acrl_tboard* tb);
/* Path of the event file (valid until close). */
const char* acrl_tboard_path(const acrl_tboard* tb);
/* Flushes and closes; returns -1 if anything failed to reach the file. NULL is fine. */
int acrl_tboard_close(acrl_tboard* tb);
/* Encodes one TFRecord holding an Event: a scalar Summary{tag, value} or, when tag is NULL,
 * the file_version event. Returns the record's size; writes out only if it fits in cap. */
size_t acrl_tboard_encode(uint8_t* out, size_t cap, double wall_time, int64_t step,
                          const char* tag, float value);
/* For a resumed run: rewrites the event files dir/events.out.tfevents.* without the events
 * whose step is > max_step (logged after the checkpoint the run resumes from) and without a
 * torn last record, so that TensorBoard shows the resumed run as if never interrupted.
 * Files needing no change are left alone. Returns 0, or -1 with a message. */
int acrl_tboard_trim(const char* dir, int64_t max_step, char* err, size_t errlen);

/* ---- summary.json ------------------------------------------------------------ */

/* Writes one flat JSON object, one field per call: begin, fields, end. */
typedef struct {
    FILE* f;
    int nfields;
} acrl_json;

void acrl_json_begin(acrl_json* j, FILE* f);
void acrl_json_string(acrl_json* j, const char* key, const char* value); /* NULL value -> null */
void acrl_json_number(acrl_json* j, const char* key, double value);     /* NaN/Inf -> null */
void acrl_json_int(acrl_json* j, const char* key, int64_t value);
void acrl_json_bool(acrl_json* j, const char* key, int value);
void acrl_json_null(acrl_json* j, const char* key);
/* Closes the object; returns -1 if the stream reported a write error. */
int acrl_json_end(acrl_json* j);
/* Finds top-level string field key in JSON object text and copies it (unescaped) to out.
 * Returns 0, or -1 if missing, not a string, too long or the text is malformed. */
int acrl_json_get_string(const char* text, const char* key, char* out, size_t outlen);
/* Finds top-level number field key and stores it in *out. Returns 0, or -1 if missing,
 * null, not a number or the text is malformed. */
int acrl_json_get_number(const char* text, const char* key, double* out);

/* ---- progress display --------------------------------------------------------
 * On a terminal: a live bar redrawn in place at most 10 times a second. Otherwise:
 * one plain line every `interval_s` seconds. Quiet: nothing. */

typedef enum { ACRL_PROGRESS_AUTO, ACRL_PROGRESS_QUIET } acrl_progress_mode;

typedef struct {
    FILE*   out;          /* stderr */
    int     tty, quiet;
    int64_t total;        /* steps planned */
    double  interval_s;   /* minimum time between draws */
    double  t_start, t_last;
    int     drawn;        /* a live line is on screen (needs a newline at finish) */
} acrl_progress;

/* Starts the clock; plain_interval_s is the period of plain (non-terminal) lines, e.g. 5. */
void acrl_progress_init(acrl_progress* p, int64_t total, acrl_progress_mode mode, double plain_interval_s);
/* Draws if due. recent_return may be NaN ("not yet"). */
void acrl_progress_update(acrl_progress* p, int64_t step, double recent_return);
/* Draws a final line and ends it with a newline. */
void acrl_progress_finish(acrl_progress* p, int64_t step, double recent_return);
/* Renders one line into out (pure): "[###...] 45.0%  450000/1000000  12500 steps/s  elapsed 0:36
 * ETA 0:44  return 123.46". bar_width 0 drops the bar; total <= 0 drops percent and ETA;
 * steps_per_s <= 0 leaves the ETA unknown. Returns the length written (truncated to outlen - 1). */
size_t acrl_progress_format(char* out, size_t outlen, int64_t step, int64_t total, double elapsed_s,
                            double steps_per_s, double recent_return, int bar_width);

/* ---- plots ------------------------------------------------------------------- */

/* Plots return_mean against step for n run directories (each with progress.csv and
 * summary.json), one mean line + min..max band per (algo, env) group, into out_png
 * via gnuplot. Returns 0; -1 for bad input (no or bad run directories); -2 for a system
 * or I/O failure (gnuplot missing or failing, out_png not writable). */
int acrl_plot_runs(const char* const* run_dirs, int n, const char* out_png, char* err, size_t errlen);
/* Plots n series of len values each (x = 0..len-1) as lines into out_png via gnuplot (the
 * first drawn thicker). Returns 0; -1 for bad input; -2 for a system or I/O failure. */
int acrl_plot_series(const char* title, const char* xlabel, const char* ylabel, const char* const* names,
                     const double* const* ys, int n, int len, const char* out_png, char* err, size_t errlen);
/* Plots n sets of points (set s: lens[s] points xs[s], ys[s]) into out_png via gnuplot,
 * each as points joined by a line in the given order (e.g. a Pareto front sorted by x);
 * logx / logy: logarithmic axes (all values must then be > 0). Returns as acrl_plot_series. */
int acrl_plot_points(const char* title, const char* xlabel, const char* ylabel, const char* const* names,
                     const double* const* xs, const double* const* ys, const int* lens, int n, int logx, int logy,
                     const char* out_png, char* err, size_t errlen);
/* Puts nruns curves (run r: lens[r] >= 1 points steps[r], values[r], steps non-decreasing) on
 * npts evenly spaced steps spanning the range every run covers (their union if they do not
 * overlap), interpolating linearly and holding end values: grid, mean, min, max are (npts). */
void acrl_curve_aggregate(double* grid, double* mean, double* min, double* max, int npts,
                          const double* const* steps, const double* const* values, const int* lens, int nruns);

#endif

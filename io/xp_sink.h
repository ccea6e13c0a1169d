/*
 * xp_sink.h - what every reader appends to (records, counters, options),
 * and the one malformed-record policy all readers share (docs/inputs.md):
 * a malformed last line without a newline is skipped with a warning and
 * counted in skipped_cut; any other malformed record is an error unless
 * opts->skip_bad still allows one more (then warned, counted in skipped_bad).
 * Private to io/: the public entry points are in xp_input.h.
 */
#ifndef XP_SINK_H
#define XP_SINK_H

#include "xp_input.h"

typedef struct xp_sink {
    xp_recvec *out;            /* records are appended here */
    xp_input_stats *stats;     /* counters (never NULL) */
    const xp_input_opts *opts; /* may be NULL: the defaults */
    int64_t bytes_base;        /* bytes of earlier files, for progress */
    int64_t bytes_total;       /* bytes of all files, for progress */
} xp_sink;

/* Send one warning line through opts->warn, or to stderr when unset. */
void xp_sink_warn(const xp_sink *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Apply the malformed-record policy to one bad record described by the
 * message (which names the file and the place). cut: the record is the last
 * line of the data and has no newline. Returns XP_OK when the record is to be
 * skipped (warned and counted), else fails with status s and the message.
 */
xp_status xp_sink_bad(const xp_sink *k, int cut, xp_status s, xp_err *e,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Before parsing `bytes` more bytes of input: reserve room in k->out for one
 * record per min_rec bytes (the shortest a record can be there), so that the
 * array is not copied as it grows. Reserved pages that are never written
 * cost nothing. A failure is ignored: the array then grows as it fills.
 */
void xp_sink_presize(const xp_sink *k, int64_t bytes, int64_t min_rec);

/* Report progress: raw_off bytes of the current file are read. */
void xp_sink_progress(const xp_sink *k, int64_t raw_off);

#endif

/*
 * xp_zeek.h - Zeek conn.log records to xp_rec (paper §2.1, input side).
 *
 * One parser reads both Zeek forms, line by line: TSV (a '#separator',
 * '#fields', ... header block, which may repeat in one file) and JSON lines
 * (one object per line with "ts", "id.orig_h", ...). Columns are found by
 * name, never by position; extra columns are ignored. Parsers work on
 * memory buffers, so tests and fuzzers need no files; xp_zeek_read streams a
 * byte source through a buffer with line carry-over. Every record gets
 * XP_REC_START (a conn.log ts is a connection start). Not thread-safe per
 * parser; no globals.
 */
#ifndef XP_ZEEK_H
#define XP_ZEEK_H

#include <stddef.h>
#include <stdint.h>

#include "xp_gzip.h"
#include "xp_sink.h"

enum { XP_ZEEK_NCOL = 7 }; /* ts, orig_h, orig_p, resp_h, resp_p, proto, duration */
enum { XP_ZEEK_WANT = 64 }; /* columns the TSV reader maps by table (past them: a search) */

/* Parser state; fill with xp_zeek_init, no release needed. */
typedef struct xp_zeek_parser {
    xp_sink *k;
    const char *name;   /* the file, for messages (not owned) */
    int64_t line;       /* lines consumed so far */
    int64_t off;        /* byte offset of the next line (uncompressed) */
    int have_fields;    /* a '#fields' line was seen */
    char sep;           /* TSV field separator (default tab) */
    int col[XP_ZEEK_NCOL]; /* column index of each wanted field, -1 absent */
    int maxcol;         /* largest wanted column index */
    signed char want[XP_ZEEK_WANT]; /* the wanted field at each column < XP_ZEEK_WANT, -1 none */
    char unset[16], empty[16];
    size_t unset_len, empty_len;
    int64_t state_lines; /* header lines that changed the state above */
} xp_zeek_parser;

/* Start a parser for the data of one file called name, appending to k. */
void xp_zeek_init(xp_zeek_parser *p, const char *name, xp_sink *k);

/*
 * Parse every complete line of buf[0..len) and set *used to the bytes
 * consumed (through the last newline). final: no data follows buf, so the
 * last line, even without a newline, is parsed too (and, if malformed, is a
 * "cut" line: skipped with a warning). Errors name the file, the line and
 * its byte offset (XP_FORMAT); the policy for malformed lines is xp_sink_bad.
 */
xp_status xp_zeek_feed(xp_zeek_parser *p, const char *buf, size_t len, int final,
                       size_t *used, xp_err *e);

/* Parse a whole file held in memory (xp_zeek_init + one final feed). */
xp_status xp_zeek_parse(const char *name, const char *buf, size_t len, xp_sink *k,
                        xp_err *e);

/* Stream a whole source through the parser in chunks. */
xp_status xp_zeek_read(xp_bytesrc *src, xp_sink *k, xp_err *e);

/*
 * Parallel ingest of one big plain (not gzip) log: parse the lines that
 * start in bytes [off, end) of the file at path, as the rank that owns that
 * piece (docs/inputs.md, "Parallel ingest"). The header block at the top of
 * the file is read first, so each piece knows the columns. A piece starts at
 * the first line that starts at or after off and takes every line that
 * starts before end, so the pieces of [0, size) tile the file. Counters go
 * to k->stats as for the whole file, except that files is counted by the
 * piece at offset 0 only and bytes are the piece's own.
 * *irregular is set when the piece cannot stand for its part of the file: a
 * header line in its body changes the columns, separator or unset/empty
 * markers, or the top header is too long. The caller then reads the whole
 * file the ordinary way (as it does for any warning or error in a piece, so
 * that messages always name the true line).
 */
xp_status xp_zeek_read_range(const char *path, int64_t off, int64_t end, xp_sink *k,
                             int *irregular, xp_err *e);

/*
 * Parse an ISO-8601 UTC time ("2024-04-19T00:00:00.123456Z", also with a
 * "+hh:mm" offset) of len bytes into epoch seconds. Returns 0 or -1.
 */
int xp_zeek_iso8601(const char *s, size_t len, double *out);

#endif

/*
 * xp_gzip.h - a byte source over a file or a memory buffer, plain or gzip
 * (chosen by the magic bytes 1f 8b, never by the name). Readers pull chunks
 * from it, so a 2 GB log is never held in memory at once. Concatenated gzip
 * members are read as one stream. Not thread-safe per object; no globals.
 */
#ifndef XP_GZIP_H
#define XP_GZIP_H

#include <stddef.h>
#include <stdint.h>

#include "xp_error.h"

typedef struct xp_bytesrc xp_bytesrc;

/*
 * Open path for reading. On success *out is a new source the caller closes
 * with xp_bytesrc_close. Fails with XP_IO ("PATH: cannot open: <strerror>").
 */
xp_status xp_bytesrc_open(const char *path, xp_bytesrc **out, xp_err *e);

/*
 * A source over buf[0..len) (not copied: buf must outlive the source). name
 * is used in messages only (copied).
 */
xp_status xp_bytesrc_open_mem(const char *name, const void *buf, size_t len,
                              xp_bytesrc **out, xp_err *e);

/*
 * Read up to cap bytes into buf; *got is 0 only at the end of the data.
 * Errors name the source and the compressed byte offset: a gzip stream that
 * breaks off is XP_TRUNCATED, corrupt gzip data XP_FORMAT, a read failure XP_IO.
 */
xp_status xp_bytesrc_read(xp_bytesrc *s, void *buf, size_t cap, size_t *got,
                          xp_err *e);

/* Nonzero when the source is gzip-compressed. */
int xp_bytesrc_is_gzip(const xp_bytesrc *s);
/* Nonzero when the source is a memory buffer (its name is not a path). */
int xp_bytesrc_is_mem(const xp_bytesrc *s);
/* Bytes taken from the file or buffer so far (compressed size for gzip). */
int64_t xp_bytesrc_raw_offset(const xp_bytesrc *s);
/* Size of the underlying file or buffer in bytes (-1 if unknown). */
int64_t xp_bytesrc_raw_size(const xp_bytesrc *s);
/* The name given at open. */
const char *xp_bytesrc_name(const xp_bytesrc *s);

/* Close and free *s; *s is NULL afterwards. NULL is fine. */
void xp_bytesrc_close(xp_bytesrc **s);

/*
 * Inflate (or copy, when not gzip) the whole of in[0..len) into a new buffer
 * *out of *outlen bytes (the caller frees it). More than max_out output bytes
 * is XP_BUDGET, so a fuzzer's gzip bomb stays small.
 */
xp_status xp_gzip_inflate_all(const char *name, const void *in, size_t len,
                              size_t max_out, uint8_t **out, size_t *outlen,
                              xp_err *e);

#endif

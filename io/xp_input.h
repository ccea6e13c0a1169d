/*
 * xp_input.h - reading traces: every INPUT (files and directories, any mix of
 * pcap, pcapng and Zeek conn.log TSV or JSON, plain or gzip) into one array
 * of xp_rec. Formats are chosen by content (magic bytes, '#fields' header,
 * a leading '{'), never by file name. Not collective: plain C, no MPI.
 */
#ifndef XP_INPUT_H
#define XP_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "xp_error.h"
#include "xp_rec.h"

typedef enum xp_format {
    XP_FMT_UNKNOWN = 0,
    XP_FMT_PCAP,      /* libpcap classic (any byte order, us or ns) */
    XP_FMT_PCAPNG,
    XP_FMT_ZEEK_TSV,  /* '#separator' / '#fields' header */
    XP_FMT_ZEEK_JSON, /* one JSON object per line */
} xp_format;

/* One input file found by xp_input_list. */
typedef struct xp_input_file {
    char *path;     /* owned */
    xp_format fmt;
    int gzip;       /* the bytes are gzip-compressed */
    int64_t size;   /* bytes on disk */
    int64_t mtime_ns;
    /* Parallel ingest only (mpi/xp_pingest.c): a piece of a big plain Zeek
     * log, the lines that start in bytes [off, end); end 0: the whole file. */
    int64_t off, end;
} xp_input_file;

typedef struct xp_input_list {
    xp_input_file *v;
    int64_t n;
} xp_input_list;

/* Counters for summary.json; every skipped record is counted somewhere. */
typedef struct xp_input_stats {
    int64_t records;          /* packets or connection records read */
    int64_t used;             /* turned into an xp_rec */
    int64_t skipped_nonip;    /* packets that are not IPv4/IPv6 */
    int64_t skipped_fragment; /* non-first IP fragments */
    int64_t skipped_truncated;/* cut by the snaplen before the ports */
    int64_t skipped_bad;      /* malformed records tolerated by --skip-bad */
    int64_t bytes;            /* input bytes read (compressed size for gzip) */
    int64_t skipped_cut;      /* a malformed last line with no newline (a log
                                 cut while being written), warned */
    int64_t out_of_order;     /* records earlier than the one before them */
    int64_t files;            /* files read */
} xp_input_stats;

typedef struct xp_input_opts {
    int64_t skip_bad; /* malformed records tolerated before failing */
    /* Progress callback (may be NULL): bytes read so far of all files. */
    void (*progress)(void *ctx, int64_t bytes_done, int64_t bytes_total);
    void *progress_ctx;
    /* Warning callback (may be NULL: warnings then go to stderr): one line
     * naming the file and the place, for every skipped record. */
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
} xp_input_opts;

/*
 * Expand paths (files and directories, searched recursively) into the list
 * of trace files, sorted by path within each directory, in argument order.
 * A directory holding no trace is an error (XP_NOINPUT), as is a path that
 * does not exist or cannot be read (XP_IO). Files whose content is not a
 * trace: an explicitly named one is an error (XP_UNSUPPORTED); one found
 * inside a directory is skipped and counted in *nskipped (may be NULL).
 */
xp_status xp_input_list_make(const char *const *paths, int npaths,
                             xp_input_list *out, int64_t *nskipped, xp_err *e);
void xp_input_list_free(xp_input_list *l);

/*
 * Append the records of one file to *out. Records keep the file's order;
 * the caller sorts the whole trace by time. Errors name the file and the
 * record number, line or byte offset.
 */
xp_status xp_input_read_file(const xp_input_file *f, const xp_input_opts *o,
                             xp_recvec *out, xp_input_stats *st, xp_err *e);

/* Read a whole list (in order) into *out, then sort it by (ts, then input order). */
xp_status xp_input_read_all(const xp_input_list *l, const xp_input_opts *o,
                            xp_recvec *out, xp_input_stats *st, xp_err *e);

#endif

/*
 * xp_shard.h - the HDF5 window shards: the checkpoint between ingest and
 * mining (layout in docs/shards.md).
 *
 *   DIR/shards/meta.h5          the trace, hosts, mined columns, shard layout
 *   DIR/shards/shard-00000.h5   the activity matrix of windows [w0, w1)
 *   ...
 *
 * Every file is written under NAME.tmp and renamed into place, and meta.h5 is
 * written last, so a meta.h5 exists only when the shard set is complete.
 * Shard files are written and read by one rank each (not collective); meta.h5
 * is read collectively with the MPI-IO driver so every rank gets the whole
 * meta.
 */
#ifndef XP_SHARD_H
#define XP_SHARD_H

#include <mpi.h>
#include <stdint.h>

#include "xp_error.h"
#include "xp_trace.h"

/* The layout version written in meta.h5's format_version attribute. */
#define XP_SHARD_FORMAT_VERSION 1

/*
 * Write shard `index` (>= 0) holding the activity matrix *a to
 * DIR/shards/shard-%05d.h5 (via .tmp + rename), creating DIR and DIR/shards
 * when missing. *a is checked first (wptr from 0 to nent, non-decreasing;
 * entries of a window strictly increasing by (col, client); isnew 0 or 1):
 * XP_INTERNAL when it is not a valid matrix. Not collective. Errors: XP_IO
 * (directories, rename), XP_HDF5, XP_INTERNAL.
 */
xp_status xp_shard_write(const char *dir, int64_t index, const xp_actmat *a,
                         xp_err *e);

/*
 * Write DIR/shards/meta.h5 from *m and the input fingerprint (any string:
 * it identifies the inputs and options the shards were built from). Call it
 * LAST, after every shard of the set is written: it goes to meta.h5.tmp and
 * is renamed into place. *m is checked first (shard_w from 0 to nwindows,
 * non-decreasing; counts >= 0; arrays present when their count is > 0):
 * XP_INTERNAL otherwise. Not collective. Errors: XP_IO, XP_HDF5,
 * XP_INTERNAL.
 */
xp_status xp_shard_write_meta(const char *dir, const xp_meta *m,
                              const char *fingerprint, xp_err *e);

/*
 * Read DIR/shards/meta.h5 into *m (which it fills; free with xp_meta_free)
 * and *fingerprint (malloc'd; the caller frees it). COLLECTIVE on comm: every
 * rank of comm must call it, with the same dir; the file is opened with the
 * MPI-IO driver and every dataset is read with collective transfer, so every
 * rank gets the full meta (memory: the whole meta on every rank).
 *
 * Fails on all ranks or on none: after every step the ranks agree on the
 * worst status (MPI_Allreduce). A rank that failed returns its own status and
 * message; the others return XP_REMOTE with the message of the lowest failing
 * rank ("rank 1: ..."), so rank 0 can always print the cause. On failure *m
 * is empty and *fingerprint NULL. Errors: XP_HDF5, XP_FORMAT (bad version,
 * sizes or values, naming file and dataset), XP_IO (file missing), XP_NOMEM,
 * XP_MPI, XP_REMOTE.
 */
xp_status xp_shard_read_meta(MPI_Comm comm, const char *dir, xp_meta *m,
                             char **fingerprint, xp_err *e);

/*
 * Read shard `index` of DIR into *a (which it fills; free with
 * xp_actmat_free). Allocates exactly the arrays of that shard: wptr
 * (w1 - w0 + 1 int64), col and client (nent uint32 each), isnew (nent bytes);
 * col/client/isnew are NULL when nent is 0. Validates what it reads: the
 * index attribute, sizes consistent with w0, w1, nent; wptr starts at 0, is
 * non-decreasing and ends at nent; col < ncols; isnew in {0, 1}; entries of a
 * window strictly increasing by (col, client). Not collective: each rank
 * reads its own shards. Errors: XP_HDF5 (missing or unreadable file),
 * XP_FORMAT naming the file and the dataset and index of the first bad
 * value, XP_NOMEM. On failure *a is empty.
 */
xp_status xp_shard_read(const char *dir, int64_t index, int64_t ncols,
                        xp_actmat *a, xp_err *e);

/*
 * *reusable = 1 when DIR/shards/meta.h5 exists, has this format version and
 * this fingerprint, and every shard it names exists and opens with the
 * index, w0 and w1 that meta's shard_w gives; 0 otherwise. A missing, stale,
 * damaged or incomplete set is not an error (XP_OK with *reusable = 0).
 * Not collective (it opens files with the default driver; one rank probes
 * and broadcasts the answer). Errors: XP_NOMEM only.
 */
xp_status xp_shard_probe(const char *dir, const char *fingerprint,
                         int *reusable, xp_err *e);

/*
 * Remove DIR/shards/meta.h5 (first, so the set stops looking complete), then
 * every shard-*.h5 and leftover *.h5.tmp there. A missing DIR/shards is
 * fine. Not collective: call it on one rank. Errors: XP_IO.
 */
xp_status xp_shard_remove_all(const char *dir, xp_err *e);

/* Internal (tests and the compression measurement): xp_shard_write with an
 * explicit gzip level for the entry datasets (0 = contiguous). */
xp_status xp__shard_write_level(const char *dir, int64_t index,
                                const xp_actmat *a, int deflate, xp_err *e);

#endif

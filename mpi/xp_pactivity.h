/*
 * xp_pactivity.h - the activity of a trace whose records are spread over the
 * ranks (paper §2.1, §2.3; Procedure 1 line 1), built by all ranks at once
 * instead of by rank 0 alone.
 *
 * Every rank runs the steps of xp_activity_build (src/xp_activity_int.h) on
 * the records it parsed; the ranks agree on the global tables (hosts,
 * learned ports, objects: gathered and merged, so ids are the canonical ones
 * of the serial build), send each window's entries to the rank that owns
 * the window, and sum the per-object counts. The result is the serial one:
 * the same hosts, objects, counts and window grid on every rank, and the
 * same entries, each window's on one rank.
 *
 * Only records that start a connection (XP_REC_START, Zeek conn logs) are
 * taken: packets need the whole trace in time order to tell when a
 * connection becomes new again (xp_activity.h), and go to rank 0 instead.
 */
#ifndef XP_PACTIVITY_H
#define XP_PACTIVITY_H

#include <mpi.h>

#include "xp_activity.h"

/*
 * Collective on comm. r[0..n) are this rank's records, in any order, each
 * with XP_REC_START. On return *a holds on every rank what
 * xp_activity_build gives for all ranks' records, except that the entries
 * of window w are only on the rank q with bounds[q] <= w < bounds[q + 1]
 * (a->wptr has nwindows + 1 entries, other windows are empty). bounds
 * (size + 1 entries, caller's) split the windows into contiguous ranges of
 * about equal entries. Errors are agreed: XP_NOINPUT when no rank has a
 * record, XP_ARG past 2^31 windows, XP_NOMEM, XP_BUDGET, XP_MPI; *a is then
 * empty.
 */
xp_status xp_pactivity_build(MPI_Comm comm, const xp_rec *r, int64_t n, const xp_activity_opts *o,
                             xp_activity *a, int64_t *bounds, xp_err *e);

/*
 * Collective on comm. Move entries so that rank q holds the windows
 * [to[q], to[q + 1]) (to: size + 1 entries, the same on every rank, to[0] =
 * 0, to[size] = nwindows, non-decreasing). Entries keep their order within
 * a window. Errors are agreed (XP_NOMEM, XP_BUDGET, XP_MPI); a is then freed.
 */
xp_status xp_pactivity_move(MPI_Comm comm, xp_activity *a, const int64_t *to, xp_err *e);

#endif

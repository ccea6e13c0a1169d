/*
 * xp_recsort.h - stable sort of records by time: an LSD radix sort of
 * (ts bits, input position) pairs, then one permutation pass. Ties keep the
 * input order, so the result never depends on the sort's internals.
 */
#ifndef XP_RECSORT_H
#define XP_RECSORT_H

#include "xp_error.h"
#include "xp_rec.h"

/*
 * Sort v by ts, stably. Sets *out_of_order (may be NULL) to the number of
 * records earlier than the record before them in the input. A nearly sorted
 * v (at most 1/16 of the records below the largest time before them) is
 * sorted in place with 96 bytes of scratch per such record; otherwise it
 * needs 2 x 16 bytes per record of scratch plus a second record array. Fails only with XP_NOMEM (v
 * is unchanged then). Records must have finite ts.
 */
xp_status xp_recs_sort_ts(xp_recvec *v, int64_t *out_of_order, xp_err *e);

/*
 * The same result as xp_recs_sort_ts when v is a concatenation of runs that
 * are each sorted by ts already (run k holds records start[k] to
 * start[k + 1] - 1; start[0] = 0, start[nruns] = v->n), as the files of a
 * trace are after each was sorted (mpi/xp_pingest.c). Neighbouring runs are
 * merged only where their times overlap, so time-ordered files cost one
 * scan; when the overlaps add up to more than v->n records, it sorts with
 * xp_recs_sort_ts instead. Fails only with XP_NOMEM (v then in time order
 * up to some run, and a concatenation of sorted runs after it).
 */
xp_status xp_recs_merge_runs(xp_recvec *v, const int64_t *start, int64_t nruns, xp_err *e);

#endif

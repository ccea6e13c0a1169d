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
 * records earlier than the record before them in the input. Needs 2 x 16
 * bytes per record of scratch plus a second record array; fails only with
 * XP_NOMEM (v is unchanged then). Records must have finite ts.
 */
xp_status xp_recs_sort_ts(xp_recvec *v, int64_t *out_of_order, xp_err *e);

#endif

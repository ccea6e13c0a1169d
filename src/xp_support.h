/*
 * xp_support.h - support of rules with a generic side (paper §2.3.2): the
 * number of distinct clients behind the rule. Distinct counts do not add
 * across ranks, so each rank marks clients in a bitmap per rule (one bit per
 * host) and the bitmaps are OR-reduced: exact at any rank count.
 *   generic-generic: clients that drove both generics (with the rule's
 *                    activities) in one window;
 *   flow-generic:    clients of the generic side in the windows where the
 *                    rule holds.
 */
#ifndef XP_SUPPORT_H
#define XP_SUPPORT_H

#include "xp_count.h"
#include "xp_score.h"

typedef struct xp_support {
    int64_t nreq;        /* distinct (pair, activities) needing support */
    uint32_t *a, *b;     /* columns, a < b */
    uint8_t *act_a, *act_b;
    int64_t *first;      /* CSR by column a: requests of a are [first[a], first[a+1]) */
    int64_t ncols, nwords; /* bitmap words per request */
    uint64_t *bits;      /* nreq * nwords */
} xp_support;

/* Requests for every rule of r with a generic side; *s owned by the caller. */
xp_status xp_support_plan(const xp_rules *r, int64_t ncols, int64_t nhosts, xp_support *s,
                          xp_err *e);
/* Mark the clients seen in the windows of a. */
xp_status xp_support_add(xp_support *s, const xp_colinfo *ci, const xp_actmat *a, xp_err *e);
/* Write each rule's support from the (reduced) bitmaps. */
void xp_support_apply(const xp_support *s, xp_rules *r);
void xp_support_free(xp_support *s);

#endif

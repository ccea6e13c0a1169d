/*
 * xp_count.h - co-occurrence counting of candidate rules (paper §3,
 * Procedure 1) in O(sum over windows of S_w^2), and the rule templates
 * (§2.2 c, §2.3.1) that say which pairs are candidates:
 *   flow-flow:       the two flows share at least one IP;
 *   flow-generic:    the generic's server is one of the flow's IPs (and the
 *                    generic is not the flow's own relaxation);
 *   generic-generic: counted in a window only when one client drove both.
 * Pairs are unordered (a < b, columns); each carries four counts, one per
 * activity combination (XP_COMBO below). Pure C; no MPI.
 */
#ifndef XP_COUNT_H
#define XP_COUNT_H

#include "xp_error.h"
#include "xp_hash.h"
#include "xp_trace.h"

enum { XP_NEW = 0, XP_PRESENT = 1 };
/* Combination index of activities (act_a, act_b): 0 nn, 1 np, 2 pn, 3 pp. */
#define XP_COMBO(act_a, act_b) ((act_a) * 2 + (act_b))

enum { XP_TPL_NONE = 0, XP_TPL_FF, XP_TPL_FG, XP_TPL_GG };

/* What the templates need to know about each column. */
typedef struct xp_colinfo {
    uint32_t h0, h1; /* flow: src, dst; generic: dst, XP_HOST_ANY */
    int32_t relax;   /* a flow's own generic column, or -1 */
    uint8_t generic;
} xp_colinfo;

/* Column info for m's columns; *out has m->ncols entries, owned by the caller. */
xp_status xp_colinfo_make(const xp_meta *m, xp_colinfo **out, xp_err *e);

/* The template that admits columns a < b, or XP_TPL_NONE. */
int xp_template(const xp_colinfo *ci, uint32_t a, uint32_t b);

/*
 * Counted pairs, sorted by key (a << 32 | b). c[4 * i + combo] counts
 * windows; for generic-generic pairs cw[4 * i + combo] counts (window,
 * client) pairs in which one client drove both (the client-window view of
 * docs/statistics.md); for other pairs cw is a copy of c.
 */
typedef struct xp_pairs {
    int64_t n;
    uint64_t *key;
    int64_t *c;
    int64_t *cw;
} xp_pairs;

void xp_pairs_free(xp_pairs *p);

/* The counter: accumulates windows (from any number of shards), then
 * finishes into xp_pairs. Owned by its creator; not thread-safe. */
typedef struct xp_counter xp_counter;

/*
 * Create a counter for the columns in ci (ncols of them). Only pairs with
 * (a % npasses) == pass are counted, so that a budget too small for all
 * pairs can be met in several passes (see xp_count_estimate).
 */
xp_status xp_counter_create(const xp_colinfo *ci, int64_t ncols, int64_t nhosts, int pass,
                            int npasses, xp_counter **out, xp_err *e);
/* Fail xp_counter_add with XP_BUDGET before the tables would outgrow
 * `bytes` (0: no budget); the caller then counts in more passes. */
void xp_counter_set_budget(xp_counter *k, int64_t bytes);
/* Count every window of a. */
xp_status xp_counter_add(xp_counter *k, const xp_actmat *a, xp_err *e);
/* Move the counts into *out (sorted by key) and destroy the counter. */
xp_status xp_counter_finish(xp_counter **k, xp_pairs *out, xp_err *e);
void xp_counter_destroy(xp_counter **k);
/* Bytes the counter currently holds. */
int64_t xp_counter_bytes(const xp_counter *k);

/* Bytes per counted pair, for the budget (xp_count_estimate * this). */
int64_t xp_count_pair_bytes(void);

/*
 * The naive O(W * K^2) counter of the paper's Fig. 3 baseline: every
 * admissible pair checked in every window. For tests and the benchmark.
 */
xp_status xp_count_naive(const xp_colinfo *ci, int64_t ncols, const xp_actmat *a,
                         xp_pairs *out, xp_err *e);

#endif

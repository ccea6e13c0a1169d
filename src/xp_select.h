/*
 * xp_select.h - which objects are mined (paper §2.2 b, c; Procedure 1 line 1)
 * and the activity matrix of the mined columns (line 2).
 */
#ifndef XP_SELECT_H
#define XP_SELECT_H

#include "xp_activity.h"
#include "xp_error.h"
#include "xp_trace.h"

typedef struct xp_select_opts {
    int64_t top_k;
    double max_presence;
    int paper; /* 1: the paper's rules exactly; 0: the default (docs/statistics.md) */
    /* Default mode: flows of a service whose generic has at least this many
     * distinct clients rank after all other objects (0: off). */
    int64_t hub_clients;
    unsigned ablate; /* XP_ABL_* bits: default-mode choices turned off (benchmarks) */
} xp_select_opts;

/*
 * Drop dominant objects and keep the top K; fill m's trace fields, host table
 * (copied) and column arrays. *colmap (owned by the caller, nobjs entries)
 * gets each object's column or -1. Paper mode: an object present in more
 * than max_presence of the windows is dominant; the K objects present in
 * the most windows are kept (ties: key order). Default mode: a generic is
 * dominant by its share of client-windows instead (a hub is busy in every
 * second, yet each client uses it rarely), and objects are ranked by the
 * windows in which they are new, then present, so long sessions (one start,
 * thousands of present windows) do not crowd out what starts often.
 */
xp_status xp_select_columns(const xp_activity *a, const xp_select_opts *o, xp_meta *m,
                            int32_t **colmap, xp_err *e);

/*
 * The activity matrices of shards k0..k1-1 (windows shard_w[k] ..
 * shard_w[k + 1]) restricted to the mined columns, into out[k - k0]:
 * entries of unmined objects are dropped and objects renumbered to columns.
 * Every array of them lies in one block (*block; huge pages where it is
 * big, xp_mem.h), released with free(*block) once they are done with, not
 * with xp_actmat_free. A matrix costs the same bytes as one read back
 * from its shard file (8 (w1 - w0 + 1) + 9 nent, docs/shards.md).
 * consume: a's entries are not used afterwards (only xp_activity_free):
 * their memory is given back as they are read (xp_mem_release), so that a
 * and the matrices are never both held whole (a->nent is 0 afterwards).
 */
xp_status xp_select_actmats(xp_activity *a, const int32_t *colmap, const int64_t *shard_w,
                            int64_t k0, int64_t k1, int consume, xp_actmat *out, void **block,
                            xp_err *e);

/*
 * Split the windows into at most nshards contiguous shards of about equal
 * counting work (sum over windows of S_w^2, S_w the mined columns active
 * in window w). Fills m->nshards, m->shard_w, m->shard_work.
 */
xp_status xp_select_shards(const xp_activity *a, const int32_t *colmap, int64_t nshards,
                           xp_meta *m, xp_err *e);

/* The two halves of xp_select_shards, for activity spread over ranks:
 * work[w] for w in [w0, w1) (S_w^2 + 1), and the shards of work[0..W). */
void xp_select_window_work(const xp_activity *a, const int32_t *colmap, int64_t w0, int64_t w1,
                           int64_t *work);
xp_status xp_select_shards_work(const int64_t *work, int64_t W, int64_t nshards, xp_meta *m,
                                xp_err *e);

#endif

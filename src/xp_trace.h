/*
 * xp_trace.h - the data that flows between the pipeline's stages (paper
 * §2.1-§2.3): hosts, objects (flows and generics), the mined columns and the
 * activity matrix. Plain structs; every array is owned by the struct that
 * holds it and released by its _free function.
 */
#ifndef XP_TRACE_H
#define XP_TRACE_H

#include <stdint.h>

#include "xp_rec.h"

/*
 * Ablations: each bit turns one of the default mode's changes to the paper
 * off, so that bench/run-ablation.sh can measure what each one is worth
 * (docs/statistics.md). Set from the environment variable XP_ABLATE by the
 * driver; for benchmarks only, never needed by users.
 */
enum {
    XP_ABL_CWDOM = 1u << 0,   /* 90 % rule for generics by windows, not client-windows */
    XP_ABL_RANKNEW = 1u << 1, /* top-K by present windows, not new windows first */
    XP_ABL_HUB = 1u << 2,     /* no demotion of hub services' per-client flows */
    XP_ABL_FDR = 1u << 3,     /* no hypergeometric test / q-values: score > alpha only */
    XP_ABL_PPNEW = 1u << 4,   /* present=>present rules need no new-side rule */
    XP_ABL_CWTEST = 1u << 5,  /* generic-generic test by windows, not client-windows */
};

#define XP_PORT_ANY (-1)       /* a port that is not well known: '*' */
#define XP_HOST_ANY UINT32_MAX /* the relaxed client of a generic: '*' */

/*
 * One object: a flow (src, sport, dst, dport, proto) or a generic
 * (*.* : dst.dport, proto) that relaxes the client (§2.3). Hosts are indices
 * into the host table; ports are 0..65535 or XP_PORT_ANY.
 */
typedef struct xp_objkey {
    uint32_t src;  /* host id, XP_HOST_ANY for a generic */
    uint32_t dst;  /* host id */
    int32_t sport; /* XP_PORT_ANY for '*' (always for a generic) */
    int32_t dport;
    uint8_t proto;
    uint8_t generic; /* 1 for a generic */
    uint16_t pad_;
} xp_objkey;

/*
 * The columns that are mined after top-K (§2.2 c), with what their selection
 * and scoring needs. Each column is one object; its two activities (new,
 * present) are both mined. Columns are sorted by key (flows first, then
 * generics), so the column order never depends on the input order.
 */
typedef struct xp_meta {
    /* The trace. */
    double window;     /* seconds */
    double t0;         /* start of window 0, epoch seconds */
    double trace_start, trace_end;
    int64_t nwindows;
    int64_t records;
    /* Hosts, sorted by address. */
    xp_addr *hosts;
    int64_t nhosts;
    /* Objects before the cuts (for the summary). */
    int64_t nflows, ngenerics;
    int64_t ndominant;  /* objects dropped by the presence rule */
    int64_t ntopk_cut;  /* objects dropped by top-K */
    /* The mined columns. */
    xp_objkey *cols;
    int64_t ncols;
    int64_t *n_present; /* windows in which the column is present */
    int64_t *n_new;     /* windows in which it is new */
    /* Client-window totals (default mode, docs/statistics.md): for a generic,
     * the number of (window, client) pairs in which it is present / new;
     * for a flow equal to n_present / n_new. */
    int64_t *cw_present;
    int64_t *cw_new;
    int64_t client_windows; /* number of (window, client) pairs with any activity */
    /* Shard layout: shard s holds windows [shard_w[s], shard_w[s+1]). */
    int64_t nshards;
    int64_t *shard_w;     /* nshards + 1 */
    int64_t *shard_work;  /* estimated counting work, sum of S_w^2 */
} xp_meta;

void xp_meta_free(xp_meta *m);

/*
 * The activity matrix of windows [w0, w1) restricted to the mined columns
 * (Procedure 1, line 2), in CSR form: window w's entries are
 * [wptr[w - w0], wptr[w - w0 + 1]). Within a window entries are sorted by
 * (col, client). A flow column has one entry per window with client
 * XP_HOST_ANY; a generic column has one entry per client that drove it in
 * that window. isnew is 1 when the activity is new (new implies present).
 */
typedef struct xp_actmat {
    int64_t w0, w1;
    int64_t *wptr;    /* w1 - w0 + 1 */
    uint32_t *col;
    uint32_t *client;
    uint8_t *isnew;
    int64_t nent;
} xp_actmat;

void xp_actmat_free(xp_actmat *a);

#endif

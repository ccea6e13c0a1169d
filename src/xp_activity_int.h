/*
 * xp_activity_int.h - the steps of xp_activity_build, for the distributed
 * build (mpi/xp_pactivity.h), which runs the same steps on each rank's share
 * of the records and agrees on the global tables between them. Private to
 * the activity code and its tests.
 *
 * The serial build is: init, hosts_local, sort_unique + hosts_final,
 * port_counts + known, objects_local, sort_unique + objects_final, spans
 * (with xp_activity_windows), entries, merge_windows, counts. Every table
 * it makes is canonical (sorted by key), so the same steps over a share of
 * the records give the same ids once the shares' tables are merged.
 */
#ifndef XP_ACTIVITY_INT_H
#define XP_ACTIVITY_INT_H

#include "xp_activity.h"

/* The working state over records r[0..n). */
typedef struct xp_actb {
    const xp_rec *r;
    int64_t n;
    const xp_activity_opts *o;
    xp_activity *a;
    uint32_t *rsrc, *rdst;   /* host ids per record (temporary, then canonical) */
    uint32_t *rflow, *rgen;  /* object ids per record; rgen UINT32_MAX: none */
    uint8_t *rnew;           /* the record's first window is a new activity */
    int32_t *rfirst, *rlast; /* window span (fewer than 2^31 windows) */
    double tmin, tmax;       /* time range, found by xp_actb_hosts_local */
    struct xp__oslot *oslot; /* the flows' interning table, from xp_actb_objects_local */
    uint64_t omask;          /* to xp_actb_objects_final (which frees it) */
} xp_actb;

/* An object key packed so that unsigned (hi, lo) order is xp_objkey order:
 * generic, proto, dst, dport, src, sport (ports + 1, so '*' sorts first). */
typedef struct xp_okey {
    uint64_t hi, lo;
} xp_okey;

xp_okey xp_okey_pack(const xp_objkey *k);
xp_objkey xp_okey_unpack(xp_okey p);

/* Allocate the per-record arrays (XP_NOMEM). n may be 0. */
xp_status xp_actb_init(xp_actb *b, const xp_rec *r, int64_t n, const xp_activity_opts *o,
                       xp_activity *a, xp_err *e);
void xp_actb_free(xp_actb *b);

/* Intern the records' addresses: rsrc/rdst get temporary ids, *uniq (owned
 * by the caller) the distinct addresses by temporary id. Also finds the
 * records' time range (xp_actb_time_range) in the same pass over them. */
xp_status xp_actb_hosts_local(xp_actb *b, xp_addr **uniq, int64_t *nuniq, xp_err *e);
/* Sort v and drop repeats; returns the new length. */
int64_t xp_addr_sort_unique(xp_addr *v, int64_t n);
/* Renumber rsrc/rdst into hosts[0..nhosts) (sorted, holding every uniq),
 * which a->hosts takes over (the caller no longer owns it). */
xp_status xp_actb_hosts_final(xp_actb *b, const xp_addr *uniq, int64_t nuniq, xp_addr *hosts,
                              int64_t nhosts, xp_err *e);

/* Add to cnt[3 * 65536] the connections per (protocol class, responder
 * port) of the records (xp_activity.h, learned ports). */
xp_status xp_actb_port_counts(const xp_actb *b, int64_t *cnt, xp_err *e);
/* known[3 * 65536]: 1 for well-known responder ports, from the counts. */
void xp_activity_known(const int64_t *cnt, int64_t port_min_flows, uint8_t *known);

/* Intern flows and generics: rflow/rgen get temporary ids, *uniq (owned by
 * the caller) the distinct packed keys by temporary id. */
xp_status xp_actb_objects_local(xp_actb *b, const uint8_t *known, xp_okey **uniq, int64_t *nuniq,
                                xp_err *e);
int64_t xp_okey_sort_unique(xp_okey *v, int64_t n);
/* objects_local, its *n keys then sorted in place (*keys owned by the
 * caller, also on failure; not NULL on success), as objects_final wants
 * them. */
xp_status xp_actb_objects_sorted(xp_actb *b, const uint8_t *known, xp_okey **keys, int64_t *n,
                                 xp_err *e);
/* The same for v made of sorted runs (the ranks' sorted keys, gathered):
 * merged, O(n log runs); -1 when out of memory. */
int64_t xp_okey_merge_unique(xp_okey *v, int64_t n);
/* Renumber rflow/rgen (nlocal temporary ids) into keys[0..nkeys) (sorted,
 * holding every local key), looked up in the interning table that
 * objects_local kept (then freed), and fill a->objs, nobjs, nflows,
 * ngenerics. */
xp_status xp_actb_objects_final(xp_actb *b, int64_t nlocal, const xp_okey *keys, int64_t nkeys,
                                xp_err *e);

/* The records' time range: *tmin = least ts, *tmax = greatest ts + dur
 * (+inf and -inf when n == 0). After xp_actb_hosts_local only. */
void xp_actb_time_range(const xp_actb *b, double *tmin, double *tmax);
/* a's window grid for a trace [tmin, tmax]: t0, nwindows, trace times.
 * XP_ARG past 2^31 windows. */
xp_status xp_activity_windows(xp_activity *a, double window, double tmin, double tmax, xp_err *e);
/* Each record's windows and new flag on a's grid. */
xp_status xp_actb_spans(xp_actb *b, xp_err *e);

/* Bucket the records' entries by window into a->wptr (nwindows + 1) and
 * a->ent, unsorted; then merge_windows sorts and merges each window. */
xp_status xp_actb_entries(xp_actb *b, xp_err *e);
xp_status xp_activity_merge_windows(xp_activity *a, xp_err *e);
/* Per-object window and client-window counts over a's entries. */
xp_status xp_activity_counts(xp_activity *a, xp_err *e);

/* Sort one window's n entries and merge them in place (a flow seen twice
 * in a window is one entry; new wins), through tmp (room for n, or for
 * 65,536 when n is larger: such a window is sorted in place); returns how
 * many remain. */
int64_t xp_activity_sort_merge(uint64_t *v, int64_t n, uint64_t *tmp);

#endif

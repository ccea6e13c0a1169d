/*
 * xp_activity.h - from records to the activity of every flow and generic
 * in every window (paper §2.1, §2.3, §2.3.1). Pure computation, no MPI.
 *
 * Flows are <proto, src, sport, dst, dport> oriented originator ->
 * responder; a responder port that is not well known, and an originator port
 * >= 1024, collapse to '*' (§2.3.1). A responder port is well known when it
 * is < 1024, in the built-in service table (xp_ports.h), or when at least
 * port_min_flows connections use it (ports
 * learned from the trace, §2.3.1). Every flow with a well-known responder
 * port also activates its generic *.* : dst.dport, remembering the client.
 *
 * A flow is present in every window its record overlaps ([ts, ts + dur]);
 * it is new in the window where a connection starts (a conn.log record's ts,
 * a TCP SYN) and, for packets of other protocols, where it becomes present
 * again after idle_gap seconds without packets (§2.1).
 */
#ifndef XP_ACTIVITY_H
#define XP_ACTIVITY_H

#include "xp_error.h"
#include "xp_rec.h"
#include "xp_trace.h"

typedef struct xp_activity_opts {
    double window;          /* seconds */
    int64_t port_min_flows; /* learned well-known ports */
    double idle_gap;        /* seconds; packets only */
} xp_activity_opts;

/*
 * All objects and their per-window activity. Objects are in canonical order
 * (flows by key, then generics by key; hosts sorted by address), so ids do
 * not depend on the input order. Entries of window w (relative to t0) are
 * ent[wptr[w] .. wptr[w+1]), each packed as xp_ent_* below, sorted, one per
 * (object, client).
 */
typedef struct xp_activity {
    double window, t0, trace_start, trace_end;
    int64_t nwindows, records;
    xp_addr *hosts;
    int64_t nhosts;
    xp_objkey *objs;
    int64_t nobjs, nflows, ngenerics;
    /* One block of XP_ACT_COUNTS(nobjs) counts, owned by n_present: */
    int64_t *n_present, *n_new;   /* windows, per object (nobjs + 1 each) */
    int64_t *cw_present, *cw_new; /* (window, client) pairs, per object */
    int64_t client_windows;       /* (window, originator) pairs with activity */
    int64_t *wptr;                /* nwindows + 1 */
    uint64_t *ent;
    int64_t nent;
    int64_t entcap; /* entries ent can hold (0: unknown, as many as it has) */
} xp_activity;

/* The counts' block: four arrays of n + 1, then one spare slot (zero), so
 * that the ranks can sum the block and client_windows in one reduction. */
#define XP_ACT_COUNTS(n) (4 * ((size_t)(n) + 1) + 1)

/* Packed entry: object (31 bits) | client (32 bits) | new (1 bit). */
static inline uint32_t xp_ent_obj(uint64_t x) { return (uint32_t)(x >> 33); }
static inline uint32_t xp_ent_client(uint64_t x) { return (uint32_t)(x >> 1); }
static inline int xp_ent_new(uint64_t x) { return (int)(x & 1); }
static inline uint64_t xp_ent_pack(uint32_t obj, uint32_t client, int isnew)
{
    return ((uint64_t)obj << 33) | ((uint64_t)client << 1) | (uint64_t)(isnew != 0);
}

/*
 * Build the activity of records r[0..n) (sorted by ts). Fails with XP_ARG
 * when the trace would need more windows than the limit (2^31), XP_NOINPUT
 * when n == 0, XP_NOMEM when out of memory. *out is owned by the caller and
 * released with xp_activity_free.
 */
xp_status xp_activity_build(const xp_rec *r, int64_t n, const xp_activity_opts *o,
                            xp_activity *out, xp_err *e);
void xp_activity_free(xp_activity *a);

/* Bytes xp_activity_build will need at most for n records spanning
 * `entries` window entries (for the memory estimate before allocating). */
int64_t xp_activity_bytes(int64_t n, int64_t entries);

#endif

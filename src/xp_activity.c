/*
 * xp_activity.c - records -> hosts, flows, generics and their activity per
 * window (paper §2.1, §2.3). See xp_activity.h for the definitions.
 */
#include "xp_activity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xp_activity_int.h"
#include "xp_hash.h"
#include "xp_mem.h"
#include "xp_ports.h"
#include "xp_sort.h"

#define XP__MAX_WINDOWS ((int64_t)1 << 31)

/* ---------------------------------------------------------------- hosts */

/* Exact interning of 16-byte addresses: a hash on the folded address, with
 * the full address compared on every probe. */
typedef struct xp__hosttab {
    xp_addr *addr; /* by temporary id */
    int64_t n, cap;
    int64_t *slot; /* temp id + 1, 0 = empty */
    uint64_t mask;
} xp__hosttab;

static uint64_t xp__addr_hash(const xp_addr *a)
{
    uint64_t lo, hi;
    memcpy(&hi, a->b, 8);
    memcpy(&lo, a->b + 8, 8);
    return xp_hash64(lo ^ xp_hash64(hi));
}

static int xp__hosttab_init(xp__hosttab *t)
{
    memset(t, 0, sizeof *t);
    t->mask = 4095;
    t->slot = calloc(t->mask + 1, sizeof *t->slot);
    return t->slot ? 0 : -1;
}

static void xp__hosttab_free(xp__hosttab *t)
{
    free(t->addr);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

static int xp__hosttab_grow(xp__hosttab *t)
{
    uint64_t mask = t->mask * 2 + 1;
    int64_t *slot = calloc(mask + 1, sizeof *slot);
    if (slot == NULL)
        return -1;
    for (int64_t id = 0; id < t->n; id++) {
        uint64_t j = xp__addr_hash(&t->addr[id]) & mask;
        while (slot[j] != 0)
            j = (j + 1) & mask;
        slot[j] = id + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->mask = mask;
    return 0;
}

/* Temporary id of a, inserting it; -1 when out of memory. */
static int64_t xp__hosttab_put(xp__hosttab *t, const xp_addr *a)
{
    uint64_t j = xp__addr_hash(a) & t->mask;
    for (; t->slot[j] != 0; j = (j + 1) & t->mask)
        if (memcmp(&t->addr[t->slot[j] - 1], a, sizeof *a) == 0)
            return t->slot[j] - 1;
    if ((uint64_t)(t->n + 1) * 2 > t->mask + 1) {
        if (xp__hosttab_grow(t) != 0)
            return -1;
        return xp__hosttab_put(t, a);
    }
    if (t->n == t->cap) {
        int64_t cap = t->cap ? t->cap * 2 : 1024;
        xp_addr *v = realloc(t->addr, (size_t)cap * sizeof *v);
        if (v == NULL)
            return -1;
        t->addr = v;
        t->cap = cap;
    }
    t->addr[t->n] = *a;
    t->slot[j] = t->n + 1;
    return t->n++;
}

/* ---------------------------------------------------------------- working state */

xp_status xp_actb_init(xp_actb *b, const xp_rec *r, int64_t n, const xp_activity_opts *o,
                       xp_activity *a, xp_err *e)
{
    memset(b, 0, sizeof *b);
    b->r = r;
    b->n = n;
    b->o = o;
    b->a = a;
    b->tmin = INFINITY; /* no records yet */
    b->tmax = -INFINITY;
    size_t m = (size_t)(n > 0 ? n : 1);
    b->rsrc = xp_mem_malloc(m * sizeof *b->rsrc);
    b->rdst = xp_mem_malloc(m * sizeof *b->rdst);
    b->rflow = xp_mem_malloc(m * sizeof *b->rflow);
    b->rgen = xp_mem_malloc(m * sizeof *b->rgen);
    b->rnew = xp_mem_calloc(m, sizeof *b->rnew);
    b->rfirst = xp_mem_malloc(m * sizeof *b->rfirst);
    b->rlast = xp_mem_malloc(m * sizeof *b->rlast);
    if (!b->rsrc || !b->rdst || !b->rflow || !b->rgen || !b->rnew || !b->rfirst || !b->rlast) {
        xp_actb_free(b);
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld records", (long long)n);
    }
    return XP_OK;
}

void xp_actb_free(xp_actb *b)
{
    free(b->rsrc);
    free(b->rdst);
    free(b->rflow);
    free(b->rgen);
    free(b->rnew);
    free(b->rfirst);
    free(b->rlast);
    free(b->oslot);
    memset(b, 0, sizeof *b);
}

/* ---------------------------------------------------------------- hosts */

xp_status xp_actb_hosts_local(xp_actb *b, xp_addr **uniq, int64_t *nuniq, xp_err *e)
{
    xp__hosttab t;
    *uniq = NULL;
    *nuniq = 0;
    if (xp__hosttab_init(&t) != 0)
        return xp_err_set(e, XP_NOMEM, "out of memory interning hosts");
    /* The time range here too: one pass over the records fewer (each pass
     * reads all of them from memory: 56 bytes a record). */
    double lo = INFINITY, hi = -INFINITY;
    for (int64_t i = 0; i < b->n; i++) {
        const xp_rec *r = &b->r[i];
        int64_t s = xp__hosttab_put(&t, &r->src), d = xp__hosttab_put(&t, &r->dst);
        if (s < 0 || d < 0) {
            xp__hosttab_free(&t);
            return xp_err_set(e, XP_NOMEM, "out of memory interning hosts");
        }
        b->rsrc[i] = (uint32_t)s;
        b->rdst[i] = (uint32_t)d;
        double end = r->ts + r->dur;
        lo = r->ts < lo ? r->ts : lo;
        hi = end > hi ? end : hi;
    }
    b->tmin = lo;
    b->tmax = hi;
    *uniq = t.addr;
    *nuniq = t.n;
    free(t.slot);
    return XP_OK;
}

static int xp__cmp_addr(const void *x, const void *y)
{
    return memcmp(x, y, sizeof(xp_addr));
}

int64_t xp_addr_sort_unique(xp_addr *v, int64_t n)
{
    if (n <= 1)
        return n;
    qsort(v, (size_t)n, sizeof *v, xp__cmp_addr);
    int64_t k = 1;
    for (int64_t i = 1; i < n; i++)
        if (memcmp(&v[i], &v[k - 1], sizeof *v) != 0)
            v[k++] = v[i];
    return k;
}

/* Index of x in the sorted v[0..n) (x is there). */
static int64_t xp__addr_find(const xp_addr *v, int64_t n, const xp_addr *x)
{
    int64_t lo = 0, hi = n;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (memcmp(&v[mid], x, sizeof *x) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

xp_status xp_actb_hosts_final(xp_actb *b, const xp_addr *uniq, int64_t nuniq, xp_addr *hosts,
                              int64_t nhosts, xp_err *e)
{
    b->a->hosts = hosts;
    b->a->nhosts = nhosts;
    uint32_t *gid = malloc((size_t)(nuniq ? nuniq : 1) * sizeof *gid);
    if (gid == NULL)
        return xp_err_set(e, XP_NOMEM, "out of memory numbering hosts");
    for (int64_t t = 0; t < nuniq; t++)
        gid[t] = (uint32_t)xp__addr_find(hosts, nhosts, &uniq[t]);
    for (int64_t i = 0; i < b->n; i++) {
        b->rsrc[i] = gid[b->rsrc[i]];
        b->rdst[i] = gid[b->rdst[i]];
    }
    free(gid);
    return XP_OK;
}

/* ---------------------------------------------------------------- ports */

/* A connection is a record that starts one (conn.log, TCP SYN) or, for
 * other packets, a distinct (client, client port) of the responder port. */
xp_status xp_actb_port_counts(const xp_actb *b, int64_t *cnt, xp_err *e)
{
    xp_imap seen;
    if (xp_imap_init(&seen, 1024) != 0)
        return xp_err_set(e, XP_NOMEM, "out of memory learning ports");
    for (int64_t i = 0; i < b->n; i++) {
        const xp_rec *r = &b->r[i];
        int p = r->proto == 6 ? 0 : r->proto == 17 ? 1 : 2;
        if (!(r->flags & XP_REC_START)) {
            uint64_t k = xp_hash64(((uint64_t)r->proto << 56) ^ ((uint64_t)r->dport << 40) ^
                                   ((uint64_t)r->sport << 24) ^ xp_hash64(b->rsrc[i]) ^
                                   (xp_hash64(b->rdst[i]) << 1));
            int64_t before = seen.n;
            if (xp_imap_put(&seen, k) < 0) {
                xp_imap_free(&seen);
                return xp_err_set(e, XP_NOMEM, "out of memory learning ports");
            }
            if (seen.n == before)
                continue;
        }
        cnt[p * 65536 + r->dport]++;
    }
    xp_imap_free(&seen);
    return XP_OK;
}

void xp_activity_known(const int64_t *cnt, int64_t port_min_flows, uint8_t *known)
{
    for (int64_t i = 0; i < 3 * 65536; i++)
        known[i] = i % 65536 < 1024 || cnt[i] >= port_min_flows;
    /* The built-in table's tcp and udp ports (a search per port was 14 M
     * instructions, on every rank). */
    xp_port_builtin_mark(6, known);
    xp_port_builtin_mark(17, known + 65536);
}

/* ---------------------------------------------------------------- objects */

xp_okey xp_okey_pack(const xp_objkey *k)
{
    xp_okey p;
    p.hi = ((uint64_t)k->generic << 57) | ((uint64_t)k->proto << 49) | ((uint64_t)k->dst << 17) |
           (uint64_t)(k->dport + 1);
    p.lo = ((uint64_t)k->src << 17) | (uint64_t)(k->sport + 1);
    return p;
}

xp_objkey xp_okey_unpack(xp_okey p)
{
    xp_objkey k;
    memset(&k, 0, sizeof k);
    k.generic = (uint8_t)((p.hi >> 57) & 1);
    k.proto = (uint8_t)(p.hi >> 49);
    k.dst = (uint32_t)(p.hi >> 17);
    k.dport = (int32_t)(p.hi & 0x1ffff) - 1;
    k.src = (uint32_t)(p.lo >> 17);
    k.sport = (int32_t)(p.lo & 0x1ffff) - 1;
    return k;
}

static inline int xp__okey_lt(xp_okey a, xp_okey b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

static inline int xp__okey_eq(xp_okey a, xp_okey b)
{
    return a.hi == b.hi && a.lo == b.lo;
}

static int xp__cmp_okey(const void *x, const void *y)
{
    xp_okey a = *(const xp_okey *)x, b = *(const xp_okey *)y;
    return xp__okey_lt(a, b) ? -1 : xp__okey_lt(b, a);
}

XP_QUICKSORT(xp__sort_okey_depth, xp_okey, xp__okey_lt, xp__cmp_okey)

XP_MERGE_RUNS(xp__merge_okey_runs, xp_okey, xp__okey_lt)

/* Repeats dropped from sorted v; the new length. */
static int64_t xp__okey_unique(xp_okey *v, int64_t n)
{
    int64_t k = n ? 1 : 0;
    for (int64_t i = 1; i < n; i++)
        if (!xp__okey_eq(v[i], v[k - 1]))
            v[k++] = v[i];
    return k;
}

int64_t xp_okey_merge_unique(xp_okey *v, int64_t n)
{
    return xp__merge_okey_runs(v, n) != 0 ? -1 : xp__okey_unique(v, n);
}

int64_t xp_okey_sort_unique(xp_okey *v, int64_t n)
{
    xp__sort_okey_depth(v, n, xp_sort_depth(n));
    return xp__okey_unique(v, n);
}

/* Interning of packed keys: open addressing with the key in the slot, so a
 * lookup costs one cache miss, not three (a digest map, its id array and
 * the key array: interning took 0.09 s of 1000 clients x 7 h that way).
 * keys[] keeps the keys by temporary id. */
typedef struct xp__oslot {
    uint64_t hi, lo;
    int64_t id; /* -1: empty */
} xp__oslot;

typedef struct xp__objtab {
    xp__oslot *slot;
    uint64_t mask;
    xp_okey *keys;
    int64_t n, cap;
} xp__objtab;

static uint64_t xp__okey_hash(xp_okey p)
{
    return xp_hash64((p.hi * 0x9e3779b97f4a7c15ULL) ^ p.lo);
}

static int xp__objtab_slots(xp__objtab *t, uint64_t nslots)
{
    xp__oslot *v = xp_mem_malloc(nslots * sizeof *v);
    if (v == NULL)
        return -1;
    memset(v, 0xff, nslots * sizeof *v); /* id -1 */
    free(t->slot);
    t->slot = v;
    t->mask = nslots - 1;
    for (int64_t id = 0; id < t->n; id++) {
        uint64_t j = xp__okey_hash(t->keys[id]) & t->mask;
        while (t->slot[j].id >= 0)
            j = (j + 1) & t->mask;
        t->slot[j] = (xp__oslot){t->keys[id].hi, t->keys[id].lo, id};
    }
    return 0;
}

static void xp__objtab_free(xp__objtab *t)
{
    free(t->slot);
    free(t->keys);
    memset(t, 0, sizeof *t);
}

/* The slot of key k (whose xp__okey_hash is h): the one holding it, or the
 * empty one where it would go. */
static uint64_t xp__oslot_at(const xp__oslot *s, uint64_t mask, xp_okey k, uint64_t h)
{
    uint64_t j = h & mask;
    while (s[j].id >= 0 && !(s[j].hi == k.hi && s[j].lo == k.lo))
        j = (j + 1) & mask;
    return j;
}

/* Temporary id of key k, whose xp__okey_hash is h, inserting it; -1 when
 * out of memory. */
static int64_t xp__objtab_put(xp__objtab *t, xp_okey k, uint64_t h)
{
    uint64_t j = xp__oslot_at(t->slot, t->mask, k, h);
    if (t->slot[j].id >= 0)
        return t->slot[j].id;
    if ((uint64_t)(t->n + 1) * 5 > (t->mask + 1) * 3) { /* load 0.6 (see below) */
        if (xp__objtab_slots(t, (t->mask + 1) * 2) != 0)
            return -1;
        return xp__objtab_put(t, k, h);
    }
    if (t->n == t->cap) {
        int64_t cap = t->cap ? t->cap * 2 : 1024;
        xp_okey *v = xp_mem_realloc(t->keys, (size_t)t->n * sizeof *v, (size_t)cap * sizeof *v);
        if (v == NULL)
            return -1;
        t->keys = v;
        t->cap = cap;
    }
    t->keys[t->n] = k;
    t->slot[j] = (xp__oslot){k.hi, k.lo, t->n};
    return t->n++;
}

enum { XP__AHEAD = 12, XP__RING = 16 }; /* XP__RING > XP__AHEAD, a power of 2 */

/* A record's two keys, packed and hashed XP__AHEAD records before their turn. */
typedef struct xp__ahead {
    xp_okey f, g;
    uint64_t hf, hg;
    int gen; /* the flow has a generic (a well-known responder port) */
} xp__ahead;

static void xp__record_keys(const xp_actb *b, int64_t i, const uint8_t *known, xp_objkey *f,
                            xp_objkey *g)
{
    const xp_rec *r = &b->r[i];
    int p = r->proto == 6 ? 0 : r->proto == 17 ? 1 : 2;
    memset(f, 0, sizeof *f);
    f->proto = r->proto;
    f->src = b->rsrc[i];
    f->dst = b->rdst[i];
    f->sport = r->sport < 1024 ? r->sport : XP_PORT_ANY;
    f->dport = known[p * 65536 + r->dport] ? r->dport : XP_PORT_ANY;
    *g = *f;
    g->generic = 1;
    g->src = XP_HOST_ANY;
    g->sport = XP_PORT_ANY;
}

xp_status xp_actb_objects_local(xp_actb *b, const uint8_t *known, xp_okey **uniq, int64_t *nuniq,
                                xp_err *e)
{
    xp__objtab t = {0};
    *uniq = NULL;
    *nuniq = 0;
    /* Sized for one object per 8 records from the start (the 1000-client
     * 7-hour trace has one per 8.2), up to 2^20 slots (24 MiB; it grows
     * past that as before), filled to 0.6 before it grows: each rank of 2
     * holds one per 6.8 of its records there, and at a load of 0.5 its
     * table was rebuilt once, 27-28 -> 21 ms a rank (in-process timers,
     * not committed). Growing from 4096 slots rehashed six times, each
     * into a fresh 0xff-filled table, 71-76 -> 61-68 ms for its 1 M records
     * (bench/README.md). */
    uint64_t nslots = 4096;
    while (nslots < (uint64_t)b->n / 4 && nslots < ((uint64_t)1 << 20))
        nslots *= 2;
    if (xp__objtab_slots(&t, nslots) != 0)
        return xp_err_set(e, XP_NOMEM, "out of memory interning flows");
    /* Each lookup is a cache miss in a table of megabytes: the keys of the
     * record XP__AHEAD on are packed and hashed, and their slots asked for,
     * while this one is looked up; the ring keeps them until their turn. */
    xp__ahead ring[XP__RING];
    for (int64_t i = -XP__AHEAD; i < b->n; i++) {
        int64_t a = i + XP__AHEAD;
        if (a < b->n) {
            xp_objkey f, g;
            xp__record_keys(b, a, known, &f, &g);
            xp__ahead *q = &ring[a & (XP__RING - 1)];
            q->f = xp_okey_pack(&f);
            q->hf = xp__okey_hash(q->f);
            __builtin_prefetch(&t.slot[q->hf & t.mask]);
            q->gen = f.dport != XP_PORT_ANY;
            if (q->gen) {
                q->g = xp_okey_pack(&g);
                q->hg = xp__okey_hash(q->g);
                __builtin_prefetch(&t.slot[q->hg & t.mask]);
            }
        }
        if (i < 0)
            continue;
        const xp__ahead *q = &ring[i & (XP__RING - 1)];
        int64_t fid = xp__objtab_put(&t, q->f, q->hf);
        int64_t gid = q->gen ? xp__objtab_put(&t, q->g, q->hg) : -2;
        if (fid < 0 || gid == -1) {
            xp__objtab_free(&t);
            return xp_err_set(e, XP_NOMEM, "out of memory interning flows");
        }
        b->rflow[i] = (uint32_t)fid;
        b->rgen[i] = gid < 0 ? UINT32_MAX : (uint32_t)gid;
    }
    b->oslot = t.slot; /* kept for xp_actb_objects_final's numbering */
    b->omask = t.mask;
    *uniq = t.keys;
    *nuniq = t.n;
    return XP_OK;
}

xp_status xp_actb_objects_sorted(xp_actb *b, const uint8_t *known, xp_okey **keys, int64_t *n,
                                 xp_err *e)
{
    XP_CALL(xp_actb_objects_local(b, known, keys, n, e));
    /* Sorted in place: the numbering looks keys up in the interning table
     * (xp_actb_objects_final), not by temporary id. */
    xp_okey_sort_unique(*keys, *n); /* interned: no repeats to drop */
    if (*keys == NULL)              /* no records: an array all the same, for the gather */
        *keys = malloc(sizeof **keys);
    if (*keys == NULL)
        return xp_err_set(e, XP_NOMEM, "out of memory sorting %lld flows", (long long)*n);
    return XP_OK;
}

/*
 * gid[id] = the index in keys (sorted, all ranks' keys) of the local key
 * with temporary id id: keys walked in order, each looked up in the
 * interning table, the slots of the key XP__AHEAD on asked for meanwhile.
 * This was a binary search of each local key among keys (16 in lockstep,
 * branch-free, prefetching: 7.8 ms at 1 rank on 1000 clients x 7 h, 4.9 ms
 * a rank at 2; bench/README.md).
 */
static void xp__okey_number(const xp_actb *b, const xp_okey *keys, int64_t nkeys, uint32_t *gid)
{
    const xp__oslot *s = b->oslot;
    for (int64_t g = 0; g < nkeys; g++) {
        if (g + XP__AHEAD < nkeys)
            __builtin_prefetch(&s[xp__okey_hash(keys[g + XP__AHEAD]) & b->omask]);
        int64_t id = s[xp__oslot_at(s, b->omask, keys[g], xp__okey_hash(keys[g]))].id;
        if (id >= 0)
            gid[id] = (uint32_t)g;
    }
}

xp_status xp_actb_objects_final(xp_actb *b, int64_t nlocal, const xp_okey *keys, int64_t nkeys,
                                xp_err *e)
{
    xp_activity *a = b->a;
    uint32_t *gid = malloc((size_t)(nlocal ? nlocal : 1) * sizeof *gid);
    a->objs = xp_mem_malloc((size_t)(nkeys ? nkeys : 1) * sizeof *a->objs);
    if (gid == NULL || a->objs == NULL) {
        free(gid);
        return xp_err_set(e, XP_NOMEM, "out of memory numbering flows");
    }
    for (int64_t i = 0; i < nkeys; i++) {
        a->objs[i] = xp_okey_unpack(keys[i]);
        a->ngenerics += a->objs[i].generic;
    }
    a->nobjs = nkeys;
    a->nflows = nkeys - a->ngenerics;
    xp__okey_number(b, keys, nkeys, gid); /* every local key is among keys */
    free(b->oslot);
    b->oslot = NULL;
    for (int64_t i = 0; i < b->n; i++) {
        b->rflow[i] = gid[b->rflow[i]];
        if (b->rgen[i] != UINT32_MAX)
            b->rgen[i] = gid[b->rgen[i]];
    }
    free(gid);
    return XP_OK;
}

/* ---------------------------------------------------------------- windows */

void xp_actb_time_range(const xp_actb *b, double *tmin, double *tmax)
{
    *tmin = b->tmin;
    *tmax = b->tmax;
}

xp_status xp_activity_windows(xp_activity *a, double window, double tmin, double tmax, xp_err *e)
{
    a->window = window;
    a->t0 = floor(tmin / window) * window;
    a->trace_start = tmin;
    a->trace_end = tmax;
    double nw = floor((tmax - a->t0) / window) + 1;
    if (!(nw < (double)XP__MAX_WINDOWS))
        return xp_err_set(e, XP_ARG,
                          "the trace spans %.6g s = %.3g windows of %g s; at most %lld windows "
                          "are supported (use a larger --window)",
                          tmax - tmin, nw, window, (long long)XP__MAX_WINDOWS);
    a->nwindows = (int64_t)nw;
    return XP_OK;
}

/* Window spans and new flags (§2.1). Packets of protocols other than TCP are
 * new when their connection was idle for idle_gap seconds (or never seen). */
xp_status xp_actb_spans(xp_actb *b, xp_err *e)
{
    xp_activity *a = b->a;
    double w = a->window;
    /* Like Zeek's inactivity timeout, a connection is a raw 5-tuple (real
     * ports); a packet starts one when its tuple was idle for idle_gap. */
    xp_imap conn;
    double *last_seen = xp_mem_malloc((size_t)(b->n + 1) * sizeof *last_seen);
    if (last_seen == NULL || xp_imap_init(&conn, 1024) != 0) {
        free(last_seen);
        return xp_err_set(e, XP_NOMEM, "out of memory for window spans");
    }
    for (int64_t i = 0; i < b->n; i++) {
        const xp_rec *r = &b->r[i];
        int64_t f = (int64_t)floor((r->ts - a->t0) / w);
        int64_t l = (int64_t)floor((r->ts + r->dur - a->t0) / w);
        f = f < 0 ? 0 : f >= a->nwindows ? a->nwindows - 1 : f;
        b->rfirst[i] = (int32_t)f;
        b->rlast[i] = (int32_t)(l < f ? f : l >= a->nwindows ? a->nwindows - 1 : l);
        if (r->flags & XP_REC_START) {
            b->rnew[i] = 1;
            continue;
        }
        uint64_t k = xp_hash64(((uint64_t)r->proto << 48) ^ ((uint64_t)r->sport << 32) ^
                               (uint64_t)r->dport ^ xp_hash64(b->rsrc[i] ^ xp_hash64(b->rdst[i])));
        int64_t before = conn.n, id = xp_imap_put(&conn, k);
        if (id < 0) {
            free(last_seen);
            xp_imap_free(&conn);
            return xp_err_set(e, XP_NOMEM, "out of memory for window spans");
        }
        if (conn.n != before)
            last_seen[id] = -INFINITY;
        /* TCP starts with a SYN (XP_REC_START); other protocols after idle. */
        b->rnew[i] = r->proto != 6 && r->ts - last_seen[id] >= b->o->idle_gap;
        if (r->ts + r->dur > last_seen[id])
            last_seen[id] = r->ts + r->dur;
    }
    xp_imap_free(&conn);
    free(last_seen);
    return XP_OK;
}

/* Bucket every (window, object, client) by window; merge_windows then sorts
 * and merges each window's entries. */
xp_status xp_actb_entries(xp_actb *b, xp_err *e)
{
    xp_activity *a = b->a;
    int64_t W = a->nwindows;
    int64_t *fill = calloc((size_t)W + 1, sizeof *fill);
    a->wptr = calloc((size_t)W + 1, sizeof *a->wptr);
    if (fill == NULL || a->wptr == NULL) {
        free(fill);
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld windows", (long long)W);
    }
    for (int64_t i = 0; i < b->n; i++) {
        int64_t per = b->rgen[i] == UINT32_MAX ? 1 : 2;
        for (int64_t w = b->rfirst[i]; w <= b->rlast[i]; w++)
            a->wptr[w + 1] += per;
    }
    for (int64_t w = 0; w < W; w++)
        a->wptr[w + 1] += a->wptr[w];
    size_t bytes = (size_t)(a->wptr[W] ? a->wptr[W] : 1) * sizeof *a->ent;
    a->ent = xp_mem_malloc(bytes);
    a->entcap = (int64_t)(xp_mem_usable(bytes) / sizeof *a->ent);
    if (a->ent == NULL) {
        free(fill);
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld activity entries",
                          (long long)a->wptr[W]);
    }
    memcpy(fill, a->wptr, (size_t)W * sizeof *fill);
    for (int64_t i = 0; i < b->n; i++) {
        for (int64_t w = b->rfirst[i]; w <= b->rlast[i]; w++) {
            int isnew = w == b->rfirst[i] && b->rnew[i];
            a->ent[fill[w]++] = xp_ent_pack(b->rflow[i], XP_HOST_ANY, isnew);
            if (b->rgen[i] != UINT32_MAX)
                a->ent[fill[w]++] = xp_ent_pack(b->rgen[i], b->rsrc[i], isnew);
        }
    }
    free(fill);
    return XP_OK;
}

int64_t xp_activity_sort_merge(uint64_t *v, int64_t n, uint64_t *tmp)
{
    xp_sort_u64_room(v, n, tmp);
    int64_t out = 0;
    for (int64_t k = 0; k < n; k++) {
        if (out > 0 && (v[out - 1] >> 1) == (v[k] >> 1))
            v[out - 1] |= v[k];
        else
            v[out++] = v[k];
    }
    return out;
}

/* Sort and merge each window in place, compacting the array. */
xp_status xp_activity_merge_windows(xp_activity *a, xp_err *e)
{
    int64_t W = a->nwindows, out = 0, most = 1;
    for (int64_t w = 0; w < W; w++)
        most = a->wptr[w + 1] - a->wptr[w] > most ? a->wptr[w + 1] - a->wptr[w] : most;
    uint64_t *tmp = malloc((size_t)xp_sort_room(most) * sizeof *tmp);
    if (tmp == NULL)
        return xp_err_set(e, XP_NOMEM, "out of memory sorting a window of %lld entries",
                          (long long)most);
    for (int64_t w = 0; w < W; w++) {
        int64_t lo = a->wptr[w];
        int64_t n = xp_activity_sort_merge(a->ent + lo, a->wptr[w + 1] - lo, tmp);
        if (out != lo)
            memmove(a->ent + out, a->ent + lo, (size_t)n * sizeof *a->ent);
        a->wptr[w] = out;
        out += n;
    }
    free(tmp);
    a->wptr[W] = out;
    a->nent = out;
    return XP_OK;
}

/* Per-object window and client-window counts, and the (window, originator)
 * total that the client-window view uses (docs/statistics.md). */
xp_status xp_activity_counts(xp_activity *a, xp_err *e)
{
    int64_t N = a->nobjs;
    /* One advised block (xp_activity.h): four arrays of a few hundred KiB
     * each were faulted in 4 KiB at a time. */
    int64_t *blk = xp_mem_calloc(XP_ACT_COUNTS(N), sizeof *blk);
    int64_t *stamp = malloc(((size_t)a->nhosts + 1) * sizeof *stamp);
    if (!blk || !stamp) {
        free(blk);
        free(stamp);
        return xp_err_set(e, XP_NOMEM, "out of memory counting activity");
    }
    a->n_present = blk;
    a->n_new = blk + (N + 1);
    a->cw_present = blk + 2 * (N + 1);
    a->cw_new = blk + 3 * (N + 1);
    for (int64_t h = 0; h < a->nhosts; h++)
        stamp[h] = -1;
    a->client_windows = 0;
    for (int64_t w = 0; w < a->nwindows; w++) {
        uint32_t prev = UINT32_MAX;
        int prev_new = 0;
        for (int64_t k = a->wptr[w]; k < a->wptr[w + 1]; k++) {
            uint64_t x = a->ent[k];
            uint32_t o = xp_ent_obj(x);
            a->cw_present[o]++;
            a->cw_new[o] += xp_ent_new(x);
            if (o != prev) {
                a->n_present[o]++;
                prev = o;
                prev_new = 0;
            }
            if (xp_ent_new(x) && !prev_new) {
                a->n_new[o]++;
                prev_new = 1;
            }
            if (!a->objs[o].generic && stamp[a->objs[o].src] != w) {
                stamp[a->objs[o].src] = w;
                a->client_windows++;
            }
        }
    }
    free(stamp);
    return XP_OK;
}

int64_t xp_activity_bytes(int64_t n, int64_t entries)
{
    return n * (int64_t)(4 * sizeof(uint32_t) + 1 + 2 * sizeof(int64_t)) +
           entries * (int64_t)sizeof(uint64_t) + n * 2 * (int64_t)sizeof(xp_objkey);
}

/* The tables of the serial build: a sorted copy of the interned keys. */
static xp_status xp__hosts(xp_actb *b, xp_err *e)
{
    xp_addr *uniq = NULL;
    int64_t nuniq = 0;
    XP_CALL(xp_actb_hosts_local(b, &uniq, &nuniq, e));
    xp_addr *hosts = malloc((size_t)(nuniq ? nuniq : 1) * sizeof *hosts);
    if (hosts == NULL) {
        free(uniq);
        return xp_err_set(e, XP_NOMEM, "out of memory sorting hosts");
    }
    memcpy(hosts, uniq, (size_t)nuniq * sizeof *hosts);
    xp_status s = xp_actb_hosts_final(b, uniq, nuniq, hosts, xp_addr_sort_unique(hosts, nuniq), e);
    free(uniq);
    return s;
}

static xp_status xp__objects(xp_actb *b, const uint8_t *known, xp_err *e)
{
    xp_okey *keys = NULL;
    int64_t n = 0;
    xp_status s = xp_actb_objects_sorted(b, known, &keys, &n, e);
    if (s == XP_OK)
        s = xp_actb_objects_final(b, n, keys, n, e);
    free(keys);
    return s;
}

static xp_status xp__ports(xp_actb *b, uint8_t *known, xp_err *e)
{
    int64_t *cnt = xp_mem_calloc(3 * 65536, sizeof *cnt);
    if (cnt == NULL)
        return xp_err_set(e, XP_NOMEM, "out of memory learning ports");
    xp_status s = xp_actb_port_counts(b, cnt, e);
    xp_activity_known(cnt, b->o->port_min_flows, known);
    free(cnt);
    return s;
}

xp_status xp_activity_build(const xp_rec *r, int64_t n, const xp_activity_opts *o,
                            xp_activity *out, xp_err *e)
{
    memset(out, 0, sizeof *out);
    if (n <= 0)
        return xp_err_set(e, XP_NOINPUT, "the trace holds no usable record");
    out->window = o->window;
    out->records = n;
    xp_actb b;
    uint8_t *known = malloc(3 * 65536);
    if (known == NULL)
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld records", (long long)n);
    xp_status s = xp_actb_init(&b, r, n, o, out, e);
    if (s == XP_OK)
        s = xp__hosts(&b, e);
    if (s == XP_OK)
        s = xp__ports(&b, known, e);
    if (s == XP_OK)
        s = xp__objects(&b, known, e);
    if (s == XP_OK) {
        double tmin, tmax;
        xp_actb_time_range(&b, &tmin, &tmax);
        s = xp_activity_windows(out, o->window, tmin, tmax, e);
    }
    if (s == XP_OK)
        s = xp_actb_spans(&b, e);
    if (s == XP_OK)
        s = xp_actb_entries(&b, e);
    if (s == XP_OK)
        s = xp_activity_merge_windows(out, e);
    if (s == XP_OK)
        s = xp_activity_counts(out, e);
    free(known);
    xp_actb_free(&b);
    if (s != XP_OK)
        xp_activity_free(out);
    return s;
}

void xp_activity_free(xp_activity *a)
{
    free(a->hosts);
    free(a->objs);
    free(a->n_present); /* the block of all four counts */
    free(a->wptr);
    free(a->ent);
    memset(a, 0, sizeof *a);
}

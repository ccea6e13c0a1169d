/*
 * xp_activity.c - records -> hosts, flows, generics and their activity per
 * window (paper §2.1, §2.3). See xp_activity.h for the definitions.
 */
#define _GNU_SOURCE /* qsort_r */
#include "xp_activity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xp_hash.h"
#include "xp_ports.h"

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

static int xp__cmp_host_idx(const void *x, const void *y, void *base)
{
    const xp_addr *h = base;
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return memcmp(&h[a], &h[b], sizeof(xp_addr));
}

/* ---------------------------------------------------------------- working state */

typedef struct xp__build {
    const xp_rec *r;
    int64_t n;
    const xp_activity_opts *o;
    xp_activity *a;
    uint32_t *rsrc, *rdst;   /* canonical host ids per record */
    uint32_t *rflow, *rgen;  /* object ids per record; rgen UINT32_MAX: none */
    uint8_t *rnew;           /* the record's first window is a new activity */
    int64_t *rfirst, *rlast; /* window span */
} xp__build;

static void xp__build_free(xp__build *b)
{
    free(b->rsrc);
    free(b->rdst);
    free(b->rflow);
    free(b->rgen);
    free(b->rnew);
    free(b->rfirst);
    free(b->rlast);
}

/* Intern every address, then number hosts in address order. */
static xp_status xp__hosts(xp__build *b, xp_err *e)
{
    xp__hosttab t;
    if (xp__hosttab_init(&t) != 0)
        return xp_err_set(e, XP_NOMEM, "out of memory interning hosts");
    for (int64_t i = 0; i < b->n; i++) {
        int64_t s = xp__hosttab_put(&t, &b->r[i].src), d = xp__hosttab_put(&t, &b->r[i].dst);
        if (s < 0 || d < 0) {
            xp__hosttab_free(&t);
            return xp_err_set(e, XP_NOMEM, "out of memory interning hosts");
        }
        b->rsrc[i] = (uint32_t)s;
        b->rdst[i] = (uint32_t)d;
    }
    int64_t *order = malloc((size_t)t.n * sizeof *order);
    uint32_t *rank = malloc((size_t)t.n * sizeof *rank);
    b->a->hosts = malloc((size_t)t.n * sizeof(xp_addr));
    if (order == NULL || rank == NULL || b->a->hosts == NULL) {
        free(order);
        free(rank);
        xp__hosttab_free(&t);
        return xp_err_set(e, XP_NOMEM, "out of memory sorting hosts");
    }
    for (int64_t i = 0; i < t.n; i++)
        order[i] = i;
    qsort_r(order, (size_t)t.n, sizeof *order, xp__cmp_host_idx, t.addr);
    for (int64_t i = 0; i < t.n; i++) {
        rank[order[i]] = (uint32_t)i;
        b->a->hosts[i] = t.addr[order[i]];
    }
    b->a->nhosts = t.n;
    for (int64_t i = 0; i < b->n; i++) {
        b->rsrc[i] = rank[b->rsrc[i]];
        b->rdst[i] = rank[b->rdst[i]];
    }
    free(order);
    free(rank);
    xp__hosttab_free(&t);
    return XP_OK;
}

/* ---------------------------------------------------------------- ports */

/* Connections per (proto, responder port), for learned well-known ports.
 * A connection is a record that starts one (conn.log, TCP SYN) or, for
 * other packets, a distinct (client, client port) of the responder port. */
static xp_status xp__learn_ports(xp__build *b, uint8_t *known, xp_err *e)
{
    int64_t *cnt = calloc(3 * 65536, sizeof *cnt);
    xp_imap seen;
    if (cnt == NULL || xp_imap_init(&seen, 1024) != 0) {
        free(cnt);
        return xp_err_set(e, XP_NOMEM, "out of memory learning ports");
    }
    for (int64_t i = 0; i < b->n; i++) {
        const xp_rec *r = &b->r[i];
        int p = r->proto == 6 ? 0 : r->proto == 17 ? 1 : 2;
        if (!(r->flags & XP_REC_START)) {
            uint64_t k = xp_hash64(((uint64_t)r->proto << 56) ^ ((uint64_t)r->dport << 40) ^
                                   ((uint64_t)r->sport << 24) ^ xp_hash64(b->rsrc[i]) ^
                                   (xp_hash64(b->rdst[i]) << 1));
            int64_t before = seen.n;
            if (xp_imap_put(&seen, k) < 0) {
                free(cnt);
                xp_imap_free(&seen);
                return xp_err_set(e, XP_NOMEM, "out of memory learning ports");
            }
            if (seen.n == before)
                continue;
        }
        cnt[p * 65536 + r->dport]++;
    }
    static const uint8_t proto_of[3] = {6, 17, 0};
    for (int64_t i = 0; i < 3 * 65536; i++) {
        int32_t port = (int32_t)(i % 65536);
        known[i] = port < 1024 || cnt[i] >= b->o->port_min_flows ||
                   (i < 2 * 65536 && xp_port_builtin(proto_of[i / 65536], port));
    }
    free(cnt);
    xp_imap_free(&seen);
    return XP_OK;
}

/* ---------------------------------------------------------------- objects */

static int xp__cmp_objkey(const xp_objkey *x, const xp_objkey *y)
{
    if (x->generic != y->generic)
        return x->generic < y->generic ? -1 : 1;
#define XP__CMP(f)                                                             \
    if (x->f != y->f)                                                          \
        return x->f < y->f ? -1 : 1;
    XP__CMP(proto)
    XP__CMP(dst)
    XP__CMP(dport)
    XP__CMP(src)
    XP__CMP(sport)
#undef XP__CMP
    return 0;
}

static int xp__cmp_obj_idx(const void *x, const void *y, void *base)
{
    const xp_objkey *k = base;
    return xp__cmp_objkey(&k[*(const int64_t *)x], &k[*(const int64_t *)y]);
}

/* Pack a key into 64 bits for the interning map: collisions are impossible
 * because every field keeps its full width (hosts < 2^24 use the fast path;
 * larger host tables fall back to a second map level, see xp__objects). */
static uint64_t xp__objpack(const xp_objkey *k)
{
    uint64_t port = (uint64_t)(k->dport + 1) & 0x1ffff, sp = (uint64_t)(k->sport + 1) & 0x1ffff;
    uint64_t src = k->generic ? 0xffffff : k->src;
    return ((uint64_t)k->proto << 56) ^ (src << 34) ^ ((uint64_t)k->dst << 10) ^
           (port << 42 >> 42) ^ xp_hash64(sp ^ (port << 17) ^ ((uint64_t)k->generic << 40));
}

typedef struct xp__objtab {
    xp_imap map;
    xp_objkey *keys;
    int64_t n, cap;
} xp__objtab;

/* Temporary id of key k. The map is keyed by a 64-bit digest; the stored
 * key is compared to rule out a digest collision (then we probe on). */
static int64_t xp__objtab_put(xp__objtab *t, const xp_objkey *k)
{
    uint64_t d = xp__objpack(k);
    for (;;) {
        int64_t before = t->map.n, id = xp_imap_put(&t->map, d);
        if (id < 0)
            return -1;
        if (t->map.n != before) {
            if (t->n == t->cap) {
                int64_t cap = t->cap ? t->cap * 2 : 1024;
                xp_objkey *v = realloc(t->keys, (size_t)cap * sizeof *v);
                if (v == NULL)
                    return -1;
                t->keys = v;
                t->cap = cap;
            }
            t->keys[t->n++] = *k;
            return id;
        }
        if (xp__cmp_objkey(&t->keys[id], k) == 0)
            return id;
        d = xp_hash64(d + 0x9e3779b97f4a7c15ULL);
    }
}

static void xp__record_keys(const xp__build *b, int64_t i, const uint8_t *known,
                            xp_objkey *f, xp_objkey *g)
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

/* Intern flows and generics, then renumber them in canonical key order. */
static xp_status xp__objects(xp__build *b, const uint8_t *known, xp_err *e)
{
    xp__objtab t = {0};
    xp_status s = XP_OK;
    if (xp_imap_init(&t.map, 4096) != 0)
        return xp_err_set(e, XP_NOMEM, "out of memory interning flows");
    for (int64_t i = 0; i < b->n && s == XP_OK; i++) {
        xp_objkey f, g;
        xp__record_keys(b, i, known, &f, &g);
        int64_t fid = xp__objtab_put(&t, &f);
        int64_t gid = f.dport == XP_PORT_ANY ? -2 : xp__objtab_put(&t, &g);
        if (fid < 0 || gid == -1)
            s = xp_err_set(e, XP_NOMEM, "out of memory interning flows");
        b->rflow[i] = (uint32_t)fid;
        b->rgen[i] = gid < 0 ? UINT32_MAX : (uint32_t)gid;
    }
    int64_t *order = s == XP_OK ? malloc((size_t)t.n * sizeof *order) : NULL;
    uint32_t *rank = s == XP_OK ? malloc((size_t)t.n * sizeof *rank) : NULL;
    b->a->objs = s == XP_OK ? malloc((size_t)t.n * sizeof(xp_objkey)) : NULL;
    if (s == XP_OK && (order == NULL || rank == NULL || b->a->objs == NULL))
        s = xp_err_set(e, XP_NOMEM, "out of memory sorting flows");
    if (s == XP_OK) {
        for (int64_t i = 0; i < t.n; i++)
            order[i] = i;
        qsort_r(order, (size_t)t.n, sizeof *order, xp__cmp_obj_idx, t.keys);
        for (int64_t i = 0; i < t.n; i++) {
            rank[order[i]] = (uint32_t)i;
            b->a->objs[i] = t.keys[order[i]];
            b->a->ngenerics += b->a->objs[i].generic;
        }
        b->a->nobjs = t.n;
        b->a->nflows = t.n - b->a->ngenerics;
        for (int64_t i = 0; i < b->n; i++) {
            b->rflow[i] = rank[b->rflow[i]];
            if (b->rgen[i] != UINT32_MAX)
                b->rgen[i] = rank[b->rgen[i]];
        }
    }
    free(order);
    free(rank);
    free(t.keys);
    xp_imap_free(&t.map);
    return s;
}

/* ---------------------------------------------------------------- windows */

/* Window spans and new flags (§2.1). Packets of protocols other than TCP are
 * new when their connection was idle for idle_gap seconds (or never seen). */
static xp_status xp__spans(xp__build *b, xp_err *e)
{
    xp_activity *a = b->a;
    double w = b->o->window, tmin = b->r[0].ts, tmax = b->r[0].ts;
    for (int64_t i = 0; i < b->n; i++) {
        double end = b->r[i].ts + b->r[i].dur;
        tmin = b->r[i].ts < tmin ? b->r[i].ts : tmin;
        tmax = end > tmax ? end : tmax;
    }
    a->t0 = floor(tmin / w) * w;
    a->trace_start = tmin;
    a->trace_end = tmax;
    double nw = floor((tmax - a->t0) / w) + 1;
    if (!(nw < (double)XP__MAX_WINDOWS))
        return xp_err_set(e, XP_ARG,
                          "the trace spans %.6g s = %.3g windows of %g s; at most %lld windows "
                          "are supported (use a larger --window)",
                          tmax - tmin, nw, w, (long long)XP__MAX_WINDOWS);
    a->nwindows = (int64_t)nw;
    /* Like Zeek's inactivity timeout, a connection is a raw 5-tuple (real
     * ports); a packet starts one when its tuple was idle for idle_gap. */
    xp_imap conn;
    double *last_seen = malloc((size_t)(b->n + 1) * sizeof *last_seen);
    if (last_seen == NULL || xp_imap_init(&conn, 1024) != 0) {
        free(last_seen);
        return xp_err_set(e, XP_NOMEM, "out of memory for window spans");
    }
    for (int64_t i = 0; i < b->n; i++) {
        const xp_rec *r = &b->r[i];
        int64_t f = (int64_t)floor((r->ts - a->t0) / w);
        int64_t l = (int64_t)floor((r->ts + r->dur - a->t0) / w);
        b->rfirst[i] = f < 0 ? 0 : f >= a->nwindows ? a->nwindows - 1 : f;
        b->rlast[i] = l < b->rfirst[i] ? b->rfirst[i] : l >= a->nwindows ? a->nwindows - 1 : l;
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

static int xp__cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Sort a window's entries: quicksort with inline comparisons (median of
 * three, the smaller side first, insertion sort below 24), falling back to
 * qsort past 2 log2(n) levels, so never quadratic. glibc's qsort calls the
 * comparator through a pointer for each of the ~5 n log n comparisons: it
 * was 4 % of a whole run (perf, 1000 clients x 7 h; bench/README.md). */
static void xp__sort_u64_depth(uint64_t *v, int64_t n, int depth)
{
    while (n > 24) {
        if (depth-- == 0) {
            qsort(v, (size_t)n, sizeof *v, xp__cmp_u64);
            return;
        }
        uint64_t a = v[0], b = v[n / 2], c = v[n - 1];
        uint64_t piv = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        int64_t i = 0, j = n - 1;
        while (i <= j) { /* Hoare partition around the value piv */
            while (v[i] < piv)
                i++;
            while (v[j] > piv)
                j--;
            if (i <= j) {
                uint64_t t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        }
        /* [0, j] <= piv <= [i, n) */
        if (j + 1 < n - i) {
            xp__sort_u64_depth(v, j + 1, depth);
            v += i;
            n -= i;
        } else {
            xp__sort_u64_depth(v + i, n - i, depth);
            n = j + 1;
        }
    }
    for (int64_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        int64_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static void xp__sort_u64(uint64_t *v, int64_t n)
{
    int depth = 0;
    for (int64_t m = n; m > 1; m >>= 1)
        depth += 2;
    xp__sort_u64_depth(v, n, depth);
}

/* Bucket every (window, object, client) by window, then sort and merge each
 * window's entries (a flow seen twice in a window is one entry; new wins). */
static xp_status xp__entries(xp__build *b, xp_err *e)
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
    a->ent = malloc((size_t)(a->wptr[W] ? a->wptr[W] : 1) * sizeof *a->ent);
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
    /* Sort and merge in place, compacting the array. */
    int64_t out = 0;
    for (int64_t w = 0; w < W; w++) {
        int64_t lo = a->wptr[w], hi = a->wptr[w + 1];
        xp__sort_u64(a->ent + lo, hi - lo);
        a->wptr[w] = out;
        for (int64_t k = lo; k < hi; k++) {
            if (out > a->wptr[w] && (a->ent[out - 1] >> 1) == (a->ent[k] >> 1))
                a->ent[out - 1] |= a->ent[k];
            else
                a->ent[out++] = a->ent[k];
        }
    }
    a->wptr[W] = out;
    a->nent = out;
    return XP_OK;
}

/* Per-object window and client-window counts, and the (window, originator)
 * total that the client-window view uses (docs/statistics.md). */
static xp_status xp__counts(xp_activity *a, xp_err *e)
{
    int64_t N = a->nobjs;
    a->n_present = calloc((size_t)N + 1, sizeof(int64_t));
    a->n_new = calloc((size_t)N + 1, sizeof(int64_t));
    a->cw_present = calloc((size_t)N + 1, sizeof(int64_t));
    a->cw_new = calloc((size_t)N + 1, sizeof(int64_t));
    int64_t *stamp = malloc(((size_t)a->nhosts + 1) * sizeof *stamp);
    if (!a->n_present || !a->n_new || !a->cw_present || !a->cw_new || !stamp) {
        free(stamp);
        return xp_err_set(e, XP_NOMEM, "out of memory counting activity");
    }
    for (int64_t h = 0; h < a->nhosts; h++)
        stamp[h] = -1;
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

xp_status xp_activity_build(const xp_rec *r, int64_t n, const xp_activity_opts *o,
                            xp_activity *out, xp_err *e)
{
    memset(out, 0, sizeof *out);
    if (n <= 0)
        return xp_err_set(e, XP_NOINPUT, "the trace holds no usable record");
    out->window = o->window;
    out->records = n;
    xp__build b = {.r = r, .n = n, .o = o, .a = out};
    b.rsrc = malloc((size_t)n * sizeof *b.rsrc);
    b.rdst = malloc((size_t)n * sizeof *b.rdst);
    b.rflow = malloc((size_t)n * sizeof *b.rflow);
    b.rgen = malloc((size_t)n * sizeof *b.rgen);
    b.rnew = calloc((size_t)n, sizeof *b.rnew);
    b.rfirst = malloc((size_t)n * sizeof *b.rfirst);
    b.rlast = malloc((size_t)n * sizeof *b.rlast);
    uint8_t *known = malloc(3 * 65536);
    xp_status s = XP_OK;
    if (!b.rsrc || !b.rdst || !b.rflow || !b.rgen || !b.rnew || !b.rfirst || !b.rlast || !known)
        s = xp_err_set(e, XP_NOMEM, "out of memory for %lld records", (long long)n);
    if (s == XP_OK)
        s = xp__hosts(&b, e);
    if (s == XP_OK)
        s = xp__learn_ports(&b, known, e);
    if (s == XP_OK)
        s = xp__objects(&b, known, e);
    if (s == XP_OK)
        s = xp__spans(&b, e);
    if (s == XP_OK)
        s = xp__entries(&b, e);
    if (s == XP_OK)
        s = xp__counts(out, e);
    free(known);
    xp__build_free(&b);
    if (s != XP_OK)
        xp_activity_free(out);
    return s;
}

void xp_activity_free(xp_activity *a)
{
    free(a->hosts);
    free(a->objs);
    free(a->n_present);
    free(a->n_new);
    free(a->cw_present);
    free(a->cw_new);
    free(a->wptr);
    free(a->ent);
    memset(a, 0, sizeof *a);
}

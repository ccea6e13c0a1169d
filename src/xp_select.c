/* xp_select.c - dominant objects, top-K, the mined activity matrix, shards. */
#define _GNU_SOURCE /* qsort_r */
#include "xp_select.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xp_mem.h"
#include "xp_sort.h"

typedef struct xp__rank_ctx {
    const xp_activity *a;
    int rank_new;
    const uint8_t *subsumed; /* default mode: 1 for a flow its hub generic stands for */
} xp__rank_ctx;

/* Most active first; ties by object id (canonical key order). Default mode
 * ranks flows of hub services after every other object (see xp__subsumed). */
static int xp__cmp_rank(const void *x, const void *y, void *ctx)
{
    const xp__rank_ctx *c = ctx;
    int64_t i = *(const int64_t *)x, j = *(const int64_t *)y;
    if (c->subsumed && c->subsumed[i] != c->subsumed[j])
        return c->subsumed[i] ? 1 : -1;
    if (c->rank_new && c->a->n_new[i] != c->a->n_new[j])
        return c->a->n_new[i] > c->a->n_new[j] ? -1 : 1;
    if (c->a->n_present[i] != c->a->n_present[j])
        return c->a->n_present[i] > c->a->n_present[j] ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* xp__cmp_rank's order as one packed key (hi, lo = the object id), sorted
 * inline: qsort_r calls the comparator through a pointer about n log2 n
 * times, some 2 million for the 123,443 objects of 1000 clients x 7 h (an
 * estimate, not counted), on every rank. */
typedef struct xp__rkey {
    uint64_t hi, lo;
} xp__rkey;

#define XP__RKEY_LT(a, b) ((a).hi < (b).hi || ((a).hi == (b).hi && (a).lo < (b).lo))
static int xp__cmp_rkey(const void *x, const void *y)
{
    xp__rkey a = *(const xp__rkey *)x, b = *(const xp__rkey *)y;
    return XP__RKEY_LT(a, b) ? -1 : XP__RKEY_LT(b, a);
}
XP_QUICKSORT(xp__sort_rkey, xp__rkey, XP__RKEY_LT, xp__cmp_rkey)
XP_QUICKSELECT(xp__select_rkey, xp__rkey, XP__RKEY_LT, xp__sort_rkey)

/* The `top` first of cand[0..n) in xp__cmp_rank's order moved to
 * cand[0..top), in no particular order (the caller sorts them by id; the
 * order of the rest does not matter either): a selection, not a sort of
 * all candidates (7-10 ms of the shards stage on every rank, 1000 clients x
 * 7 h). -1 (nothing done) when the counts do not fit the key (2^31
 * windows and more) or out of memory. */
static int xp__rank_packed(const xp__rank_ctx *c, int64_t *cand, int64_t n, int64_t top)
{
    const int64_t lim = INT32_MAX;
    if (c->a->nwindows >= lim)
        return -1;
    xp__rkey *k = xp_mem_malloc((size_t)(n ? n : 1) * sizeof *k);
    if (k == NULL)
        return -1;
    for (int64_t t = 0; t < n; t++) {
        int64_t i = cand[t];
        uint64_t sub = c->subsumed ? c->subsumed[i] != 0 : 0;
        uint64_t nn = c->rank_new ? (uint64_t)(lim - c->a->n_new[i]) : 0;
        k[t].hi = sub << 63 | nn << 31 | (uint64_t)(lim - c->a->n_present[i]);
        k[t].lo = (uint64_t)i;
    }
    xp__select_rkey(k, n, top, xp_sort_depth(n));
    for (int64_t t = 0; t < n; t++)
        cand[t] = (int64_t)k[t].lo;
    free(k);
    return 0;
}

static int xp__dominant(const xp_activity *a, const xp_select_opts *o, int64_t i)
{
    if (!o->paper && !(o->ablate & XP_ABL_CWDOM) && a->objs[i].generic)
        return (double)a->cw_present[i] > o->max_presence * (double)a->client_windows;
    return (double)a->n_present[i] > o->max_presence * (double)a->nwindows;
}

static int xp__cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

/* (dst, dport, proto, src) of a flow, for grouping flows by their generic. */
typedef struct xp__svc {
    uint32_t dst, src;
    int32_t dport;
    uint8_t proto;
    int64_t obj;
} xp__svc;

static int xp__cmp_svc(const void *x, const void *y)
{
    const xp__svc *a = x, *b = y;
    if (a->proto != b->proto)
        return a->proto < b->proto ? -1 : 1;
    if (a->dst != b->dst)
        return a->dst < b->dst ? -1 : 1;
    if (a->dport != b->dport)
        return a->dport < b->dport ? -1 : 1;
    if (a->src != b->src)
        return a->src < b->src ? -1 : 1;
    return a->obj < b->obj ? -1 : a->obj > b->obj;
}

static xp__svc xp__svc_of(const xp_activity *a, int64_t i)
{
    const xp_objkey *k = &a->objs[i];
    return (xp__svc){k->dst, k->src, k->dport, k->proto, i};
}

/* The generic (proto, dst, dport) or -1. Generics follow the flows in
 * canonical order, sorted by (proto, dst, dport) (xp_activity.c). */
static int64_t xp__find_generic(const xp_activity *a, uint8_t proto, uint32_t dst,
                                int32_t dport)
{
    int64_t lo = a->nobjs - a->ngenerics, hi = a->nobjs;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        const xp_objkey *k = &a->objs[mid];
        int c = k->proto != proto ? (k->proto < proto ? -1 : 1)
                : k->dst != dst   ? (k->dst < dst ? -1 : 1)
                : k->dport != dport ? (k->dport < dport ? -1 : 1)
                                    : 0;
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/*
 * Default mode (docs/statistics.md, "hubs" and "rare but regular"): a hub is
 * a service whose generic (§2.3) the paper's 90 % rule would drop (present
 * in more than max_presence of the windows) but which the default keeps
 * (not dominant by client-windows) and which has at least hub_clients
 * distinct clients. Its per-client flows are "subsumed": the generic carries
 * their co-occurrences, with the client-window view and a support count, so
 * they are ranked after every other object. With 1000 clients the flows of
 * DNS and mail alone (4 per client) otherwise fill most of the top K and
 * crowd out rare but regular flows such as a scanner's probes.
 * sub[i] = 1 for such flows. Returns -1, or the first flow that breaks the
 * order this relies on: flows are objs[0 .. nflows) in canonical key order
 * (generic, proto, dst, dport, src, sport; xp_activity.h), which groups
 * them by service with their clients in order. They are read in place (a
 * copy to sort was 2.5-4 ms of fresh pages at 2 ranks, bench/README.md).
 */
static int64_t xp__subsumed(const xp_activity *a, const xp_select_opts *o, uint8_t *sub)
{
    for (int64_t i = 0; i < a->nflows; i++) {
        if (a->objs[i].generic)
            return i;
        if (i > 0) {
            xp__svc p = xp__svc_of(a, i - 1), q = xp__svc_of(a, i);
            if (xp__cmp_svc(&p, &q) >= 0)
                return i;
        }
    }
    memset(sub, 0, (size_t)a->nobjs);
    for (int64_t i = 0; i < a->nflows;) {
        const xp_objkey *k = &a->objs[i];
        int64_t j = i, clients = 0;
        for (; j < a->nflows && a->objs[j].dst == k->dst && a->objs[j].dport == k->dport &&
               a->objs[j].proto == k->proto;
             j++)
            clients += j == i || a->objs[j].src != a->objs[j - 1].src;
        int64_t g = xp__find_generic(a, k->proto, k->dst, k->dport);
        if (g >= 0 && clients >= o->hub_clients && !xp__dominant(a, o, g) &&
            (double)a->n_present[g] > o->max_presence * (double)a->nwindows)
            memset(sub + i, 1, (size_t)(j - i));
        i = j;
    }
    return -1;
}

static xp_status xp__fill_columns(const xp_activity *a, const int64_t *pick, int64_t k,
                                  xp_meta *m, xp_err *e)
{
    m->ncols = k;
    m->cols = malloc((size_t)(k ? k : 1) * sizeof *m->cols);
    m->n_present = malloc((size_t)(k ? k : 1) * sizeof(int64_t));
    m->n_new = malloc((size_t)(k ? k : 1) * sizeof(int64_t));
    m->cw_present = malloc((size_t)(k ? k : 1) * sizeof(int64_t));
    m->cw_new = malloc((size_t)(k ? k : 1) * sizeof(int64_t));
    m->hosts = malloc((size_t)(a->nhosts ? a->nhosts : 1) * sizeof(xp_addr));
    if (!m->cols || !m->n_present || !m->n_new || !m->cw_present || !m->cw_new || !m->hosts)
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld columns", (long long)k);
    memcpy(m->hosts, a->hosts, (size_t)a->nhosts * sizeof(xp_addr));
    m->nhosts = a->nhosts;
    for (int64_t c = 0; c < k; c++) {
        int64_t i = pick[c];
        m->cols[c] = a->objs[i];
        m->n_present[c] = a->n_present[i];
        m->n_new[c] = a->n_new[i];
        m->cw_present[c] = a->cw_present[i];
        m->cw_new[c] = a->cw_new[i];
    }
    return XP_OK;
}

xp_status xp_select_columns(const xp_activity *a, const xp_select_opts *o, xp_meta *m,
                            int32_t **colmap, xp_err *e)
{
    m->window = a->window;
    m->t0 = a->t0;
    m->trace_start = a->trace_start;
    m->trace_end = a->trace_end;
    m->nwindows = a->nwindows;
    m->records = a->records;
    m->nflows = a->nflows;
    m->ngenerics = a->ngenerics;
    m->client_windows = a->client_windows;
    int64_t *cand = malloc((size_t)(a->nobjs ? a->nobjs : 1) * sizeof *cand);
    *colmap = malloc((size_t)(a->nobjs ? a->nobjs : 1) * sizeof **colmap);
    if (cand == NULL || *colmap == NULL) {
        free(cand);
        return xp_err_set(e, XP_NOMEM, "out of memory selecting columns");
    }
    int64_t nc = 0;
    for (int64_t i = 0; i < a->nobjs; i++) {
        (*colmap)[i] = -1;
        if (xp__dominant(a, o, i))
            m->ndominant++;
        else if (a->n_present[i] > 0)
            cand[nc++] = i;
    }
    uint8_t *sub = NULL;
    if (!o->paper && !(o->ablate & XP_ABL_HUB) && o->hub_clients > 0) {
        sub = malloc((size_t)(a->nobjs ? a->nobjs : 1));
        int64_t bad = sub ? xp__subsumed(a, o, sub) : -1;
        xp_status s = sub == NULL ? xp_err_set(e, XP_NOMEM, "out of memory ranking columns")
                      : bad >= 0  ? xp_err_set(e, XP_INTERNAL,
                                               "object %lld: the flows are not in canonical order",
                                               (long long)bad)
                                  : XP_OK;
        if (s != XP_OK) {
            free(sub);
            free(cand);
            return s;
        }
    }
    xp__rank_ctx ctx = {a, !o->paper && !(o->ablate & XP_ABL_RANKNEW), sub};
    int64_t k = nc < o->top_k ? nc : o->top_k;
    if (xp__rank_packed(&ctx, cand, nc, k) != 0)
        qsort_r(cand, (size_t)nc, sizeof *cand, xp__cmp_rank, &ctx);
    free(sub);
    m->ntopk_cut = nc - k;
    qsort(cand, (size_t)k, sizeof *cand, xp__cmp_i64);
    for (int64_t c = 0; c < k; c++)
        (*colmap)[cand[c]] = (int32_t)c;
    xp_status s = xp__fill_columns(a, cand, k, m, e);
    free(cand);
    return s;
}

/* Bytes of one matrix of nw windows and n entries in a block: wptr, col,
 * client, isnew, each array 8-byte aligned. */
static size_t xp__actmat_bytes(int64_t nw, int64_t n)
{
    return (size_t)(nw + 1) * 8 + (((size_t)n * 9 + 7) & ~(size_t)7);
}

xp_status xp_select_actmats(xp_activity *a, const int32_t *colmap, const int64_t *shard_w,
                            int64_t k0, int64_t k1, int consume, xp_actmat *out, void **block,
                            xp_err *e)
{
    *block = NULL;
    memset(out, 0, (size_t)(k1 - k0) * sizeof *out);
    /* Sizes first, so that every array has its place in the one block. */
    size_t bytes = 0;
    for (int64_t k = k0; k < k1; k++) {
        int64_t n = 0;
        for (int64_t i = a->wptr[shard_w[k]]; i < a->wptr[shard_w[k + 1]]; i++)
            n += colmap[xp_ent_obj(a->ent[i])] >= 0;
        out[k - k0].nent = n;
        bytes += xp__actmat_bytes(shard_w[k + 1] - shard_w[k], n);
    }
    char *p = xp_mem_malloc(bytes ? bytes : 1);
    if (p == NULL) {
        memset(out, 0, (size_t)(k1 - k0) * sizeof *out);
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld shards' activity (%zu bytes)",
                          (long long)(k1 - k0), bytes);
    }
    *block = p;
    /* Filled in order, so the block's pages are first touched in order. */
    for (int64_t k = k0; k < k1; k++) {
        xp_actmat *m = &out[k - k0];
        const int64_t w0 = shard_w[k], w1 = shard_w[k + 1], n = m->nent;
        m->w0 = w0;
        m->w1 = w1;
        m->wptr = (int64_t *)(void *)p;
        m->col = (uint32_t *)(void *)(p + (size_t)(w1 - w0 + 1) * 8);
        m->client = m->col + n;
        m->isnew = (uint8_t *)(m->client + n);
        p += xp__actmat_bytes(w1 - w0, n);
        int64_t j = 0;
        for (int64_t w = w0; w < w1; w++) {
            m->wptr[w - w0] = j;
            for (int64_t i = a->wptr[w]; i < a->wptr[w + 1]; i++) {
                uint64_t x = a->ent[i];
                int32_t c = colmap[xp_ent_obj(x)];
                if (c < 0)
                    continue;
                m->col[j] = (uint32_t)c;
                m->client[j] = xp_ent_client(x);
                m->isnew[j++] = (uint8_t)xp_ent_new(x);
            }
        }
        m->wptr[w1 - w0] = j;
        /* The entries read so far are dead: their pages go back as the
         * block's are filled, so the two are not held whole at once. */
        if (consume)
            xp_mem_release(a->ent, (size_t)a->wptr[w1] * sizeof *a->ent);
    }
    if (consume) {
        a->entcap = 0;
        a->nent = 0;
    }
    return XP_OK;
}

/* S_w: mined columns active in window w (a generic counts once). */
static int64_t xp__active_cols(const xp_activity *a, const int32_t *colmap, int64_t w)
{
    int64_t s = 0;
    uint32_t prev = UINT32_MAX;
    for (int64_t k = a->wptr[w]; k < a->wptr[w + 1]; k++) {
        uint32_t o = xp_ent_obj(a->ent[k]);
        if (o != prev && colmap[o] >= 0)
            s++;
        prev = o;
    }
    return s;
}

void xp_select_window_work(const xp_activity *a, const int32_t *colmap, int64_t w0, int64_t w1,
                           int64_t *work)
{
    for (int64_t w = w0; w < w1; w++) {
        int64_t s = xp__active_cols(a, colmap, w);
        work[w] = s * s + 1; /* + 1: an empty window still costs a visit */
    }
}

xp_status xp_select_shards_work(const int64_t *work, int64_t W, int64_t nshards, xp_meta *m,
                                xp_err *e)
{
    if (nshards > W)
        nshards = W;
    m->shard_w = malloc((size_t)(nshards + 1) * sizeof *m->shard_w);
    m->shard_work = calloc((size_t)(nshards ? nshards : 1), sizeof *m->shard_work);
    if (!m->shard_w || !m->shard_work)
        return xp_err_set(e, XP_NOMEM, "out of memory planning shards");
    int64_t total = 0;
    for (int64_t w = 0; w < W; w++)
        total += work[w];
    /* Cut where the running work passes each multiple of total / nshards,
     * keeping every shard non-empty. */
    int64_t s = 0, run = 0;
    m->shard_w[0] = 0;
    for (int64_t w = 0; w < W && s < nshards - 1; w++) {
        run += work[w];
        int64_t left_w = W - (w + 1), left_s = nshards - 1 - s;
        if (left_w > 0 &&
            ((double)run >= (double)total * (double)(s + 1) / (double)nshards || left_w == left_s))
            m->shard_w[++s] = w + 1;
    }
    m->nshards = s + 1;
    m->shard_w[m->nshards] = W;
    for (int64_t k = 0; k < m->nshards; k++)
        for (int64_t w = m->shard_w[k]; w < m->shard_w[k + 1]; w++)
            m->shard_work[k] += work[w];
    return XP_OK;
}

xp_status xp_select_shards(const xp_activity *a, const int32_t *colmap, int64_t nshards, xp_meta *m,
                           xp_err *e)
{
    int64_t W = a->nwindows;
    int64_t *work = malloc((size_t)(W ? W : 1) * sizeof *work);
    if (work == NULL)
        return xp_err_set(e, XP_NOMEM, "out of memory planning shards");
    xp_select_window_work(a, colmap, 0, W, work);
    xp_status s = xp_select_shards_work(work, W, nshards, m, e);
    free(work);
    return s;
}

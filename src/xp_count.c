/*
 * xp_count.c - the O(sum S_w^2) pair counter (paper §3, Procedure 1) and the
 * naive O(W K^2) baseline of Fig. 3.
 *
 * Per window, flow-flow and flow-generic pairs are formed only inside the
 * group of columns that touch one host, so the work is the sum over hosts of
 * the squared group sizes, far below S_w^2 when a window holds many
 * unrelated flows. A pair sharing two hosts is counted in the group of the
 * smaller one. Generic-generic pairs are formed inside the group of generics
 * that one client drove in the window (§2.3).
 */
#define _GNU_SOURCE
#include "xp_count.h"

#include <stdlib.h>
#include <string.h>

#include "xp_mem.h"
#include "xp_sort.h"

struct xp_counter {
    const xp_colinfo *ci;
    int64_t ncols;
    int pass, npasses;
    int64_t budget; /* bytes; 0: none */
    /* flow-flow and flow-generic pairs */
    xp_imap ffmap;
    int64_t *ffc, ffcap;
    /* generic-generic pairs */
    xp_imap ggmap;
    int64_t *ggc, *ggcw, *ggstamp, ggcap;
    uint8_t *ggmask;
    /* per-window scratch */
    uint32_t *acol;
    uint8_t *anew;
    uint64_t *hl, *cl, *ctmp; /* ctmp: xp_sort_u64_room's room for hl (up to 2 per
                                 entry) or cl (up to 1), reserved once per window */
    int64_t acap, hcap, ccap, ctcap;
};

xp_status xp_colinfo_make(const xp_meta *m, xp_colinfo **out, xp_err *e)
{
    xp_colinfo *ci = malloc((size_t)(m->ncols ? m->ncols : 1) * sizeof *ci);
    XP_ALLOC_CHECK(e, ci, "column info");
    for (int64_t c = 0; c < m->ncols; c++) {
        const xp_objkey *k = &m->cols[c];
        ci[c].generic = k->generic;
        ci[c].h0 = k->generic ? k->dst : k->src;
        ci[c].h1 = k->generic ? XP_HOST_ANY : k->dst;
        ci[c].relax = -1;
    }
    /* A flow's own generic has the same (proto, dst, dport); columns are in
     * key order with generics last, so binary search the generic block. */
    int64_t g0 = 0;
    while (g0 < m->ncols && !m->cols[g0].generic)
        g0++;
    for (int64_t c = 0; c < g0; c++) {
        const xp_objkey *k = &m->cols[c];
        if (k->dport == XP_PORT_ANY)
            continue;
        int64_t lo = g0, hi = m->ncols;
        while (lo < hi) {
            int64_t mid = (lo + hi) / 2;
            const xp_objkey *g = &m->cols[mid];
            int less = g->proto != k->proto   ? g->proto < k->proto
                       : g->dst != k->dst     ? g->dst < k->dst
                                              : g->dport < k->dport;
            if (less)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < m->ncols && m->cols[lo].proto == k->proto && m->cols[lo].dst == k->dst &&
            m->cols[lo].dport == k->dport)
            ci[c].relax = (int32_t)lo;
    }
    *out = ci;
    return XP_OK;
}

static int xp__shares(const xp_colinfo *x, uint32_t h)
{
    return h != XP_HOST_ANY && (x->h0 == h || x->h1 == h);
}

/* The smallest host the two columns share, or XP_HOST_ANY. */
static uint32_t xp__min_shared(const xp_colinfo *x, const xp_colinfo *y)
{
    uint32_t m = XP_HOST_ANY;
    if (xp__shares(y, x->h0))
        m = x->h0;
    if (xp__shares(y, x->h1) && x->h1 < m)
        m = x->h1;
    return m;
}

int xp_template(const xp_colinfo *ci, uint32_t a, uint32_t b)
{
    const xp_colinfo *x = &ci[a], *y = &ci[b];
    if (a == b)
        return XP_TPL_NONE;
    if (x->generic && y->generic)
        return XP_TPL_GG;
    if (x->generic || y->generic) {
        const xp_colinfo *f = x->generic ? y : x;
        uint32_t g = x->generic ? a : b;
        if (f->relax == (int32_t)g)
            return XP_TPL_NONE;
        return xp__min_shared(x, y) != XP_HOST_ANY ? XP_TPL_FG : XP_TPL_NONE;
    }
    return xp__min_shared(x, y) != XP_HOST_ANY ? XP_TPL_FF : XP_TPL_NONE;
}

/* ---------------------------------------------------------------- the counter */

static int xp__reserve(void **p, int64_t *cap, int64_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    int64_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    void *q = xp_mem_realloc(*p, (size_t)*cap * elem, (size_t)c * elem);
    if (q == NULL)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

xp_status xp_counter_create(const xp_colinfo *ci, int64_t ncols, int64_t nhosts, int pass,
                            int npasses, xp_counter **out, xp_err *e)
{
    (void)nhosts;
    xp_counter *k = calloc(1, sizeof *k);
    XP_ALLOC_CHECK(e, k, "the pair counter");
    k->ci = ci;
    k->ncols = ncols;
    k->pass = pass;
    k->npasses = npasses < 1 ? 1 : npasses;
    if (xp_imap_init(&k->ffmap, 1 << 16) != 0 || xp_imap_init(&k->ggmap, 1 << 12) != 0) {
        xp_counter_destroy(&k);
        return xp_err_set(e, XP_NOMEM, "out of memory creating the pair counter");
    }
    *out = k;
    return XP_OK;
}

void xp_counter_destroy(xp_counter **kp)
{
    xp_counter *k = *kp;
    if (k == NULL)
        return;
    xp_imap_free(&k->ffmap);
    xp_imap_free(&k->ggmap);
    free(k->ffc);
    free(k->ggc);
    free(k->ggcw);
    free(k->ggstamp);
    free(k->ggmask);
    free(k->acol);
    free(k->anew);
    free(k->hl);
    free(k->cl);
    free(k->ctmp);
    free(k);
    *kp = NULL;
}

void xp_counter_set_budget(xp_counter *k, int64_t bytes) { k->budget = bytes; }

int64_t xp_count_pair_bytes(void)
{
    /* map slot (2 x 8 bytes at load <= 1/2, so up to 32) + four counts */
    return 32 + 4 * 8;
}

int64_t xp_counter_bytes(const xp_counter *k)
{
    return (int64_t)((k->ffmap.mask + 1) + (k->ggmap.mask + 1)) * 16 + k->ffcap * 8 +
           k->ggcap * (64 + 9);
}

/* Slot of pair (a, b) in the flow table, creating it; -1: out of memory. */
static int64_t xp__ff_slot(xp_counter *k, uint32_t a, uint32_t b)
{
    int64_t i = xp_imap_put(&k->ffmap, ((uint64_t)a << 32) | b);
    if (i < 0)
        return -1;
    if ((i + 1) * 4 > k->ffcap) {
        int64_t cap = k->ffcap;
        if (xp__reserve((void **)&k->ffc, &cap, (i + 1) * 4, sizeof(int64_t)) != 0)
            return -1;
        memset(k->ffc + k->ffcap, 0, (size_t)(cap - k->ffcap) * sizeof(int64_t));
        k->ffcap = cap;
    }
    return i;
}

static int64_t xp__gg_slot(xp_counter *k, uint32_t a, uint32_t b)
{
    int64_t i = xp_imap_put(&k->ggmap, ((uint64_t)a << 32) | b);
    if (i < 0)
        return -1;
    if (i >= k->ggcap) {
        int64_t cap = k->ggcap ? k->ggcap * 2 : 1024;
        int64_t *c = realloc(k->ggc, (size_t)cap * 4 * sizeof *c);
        if (c)
            k->ggc = c;
        int64_t *cw = realloc(k->ggcw, (size_t)cap * 4 * sizeof *cw);
        if (cw)
            k->ggcw = cw;
        int64_t *st = realloc(k->ggstamp, (size_t)cap * sizeof *st);
        if (st)
            k->ggstamp = st;
        uint8_t *mk = realloc(k->ggmask, (size_t)cap);
        if (mk)
            k->ggmask = mk;
        if (!c || !cw || !st || !mk)
            return -1;
        memset(k->ggc + 4 * k->ggcap, 0, (size_t)(cap - k->ggcap) * 4 * sizeof *c);
        memset(k->ggcw + 4 * k->ggcap, 0, (size_t)(cap - k->ggcap) * 4 * sizeof *cw);
        for (int64_t j = k->ggcap; j < cap; j++)
            k->ggstamp[j] = -1;
        k->ggcap = cap;
    }
    return i;
}

/* Add one co-occurrence of a (new: na) and b (new: nb) to counts c[0..3]. */
static inline void xp__bump(int64_t *c, int na, int nb)
{
    c[XP_COMBO(XP_PRESENT, XP_PRESENT)]++;
    c[XP_COMBO(XP_NEW, XP_PRESENT)] += na;
    c[XP_COMBO(XP_PRESENT, XP_NEW)] += nb;
    c[XP_COMBO(XP_NEW, XP_NEW)] += na & nb;
}

/* Flow-flow and flow-generic pairs of one window, grouped by host. */
static int xp__window_ff(xp_counter *k, int64_t na)
{
    int64_t nh = 0;
    if (xp__reserve((void **)&k->hl, &k->hcap, 2 * na, sizeof *k->hl) != 0)
        return -1;
    for (int64_t i = 0; i < na; i++) {
        const xp_colinfo *x = &k->ci[k->acol[i]];
        k->hl[nh++] = ((uint64_t)x->h0 << 32) | (uint64_t)i;
        if (x->h1 != XP_HOST_ANY && x->h1 != x->h0)
            k->hl[nh++] = ((uint64_t)x->h1 << 32) | (uint64_t)i;
    }
    xp_sort_u64_room(k->hl, nh, k->ctmp);
    for (int64_t g = 0; g < nh;) {
        uint32_t h = (uint32_t)(k->hl[g] >> 32);
        int64_t end = g + 1;
        while (end < nh && (uint32_t)(k->hl[end] >> 32) == h)
            end++;
        for (int64_t p = g; p < end; p++) {
            uint32_t i = (uint32_t)k->hl[p], a = k->acol[i];
            if (a % (uint32_t)k->npasses != (uint32_t)k->pass)
                continue;
            for (int64_t q = p + 1; q < end; q++) {
                uint32_t j = (uint32_t)k->hl[q], b = k->acol[j];
                const xp_colinfo *x = &k->ci[a], *y = &k->ci[b];
                if (x->generic && y->generic)
                    continue;
                if ((x->generic && y->relax == (int32_t)a) || (y->generic && x->relax == (int32_t)b))
                    continue;
                if (xp__min_shared(x, y) != h)
                    continue;
                int64_t s = xp__ff_slot(k, a, b);
                if (s < 0)
                    return -1;
                xp__bump(k->ffc + 4 * s, k->anew[i], k->anew[j]);
            }
        }
        g = end;
    }
    return 0;
}

/* Generic-generic pairs of one window: per client, then once per window. */
static int xp__window_gg(xp_counter *k, int64_t nc, int64_t w)
{
    xp_sort_u64_room(k->cl, nc, k->ctmp);
    for (int64_t g = 0; g < nc;) {
        uint32_t cli = (uint32_t)(k->cl[g] >> 32);
        int64_t end = g + 1;
        while (end < nc && (uint32_t)(k->cl[end] >> 32) == cli)
            end++;
        for (int64_t p = g; p < end; p++) {
            uint32_t a = (uint32_t)k->cl[p] >> 1;
            int na = (int)(k->cl[p] & 1);
            if (a % (uint32_t)k->npasses != (uint32_t)k->pass)
                continue;
            for (int64_t q = p + 1; q < end; q++) {
                uint32_t b = (uint32_t)k->cl[q] >> 1;
                int nb = (int)(k->cl[q] & 1);
                int64_t s = xp__gg_slot(k, a, b);
                if (s < 0)
                    return -1;
                xp__bump(k->ggcw + 4 * s, na, nb);
                if (k->ggstamp[s] != w) {
                    k->ggstamp[s] = w;
                    k->ggmask[s] = 0;
                }
                /* The window counts once per combination, however many
                 * clients drove the pair. */
                uint8_t want = (uint8_t)(1u << XP_COMBO(XP_PRESENT, XP_PRESENT) |
                                         (na ? 1u << XP_COMBO(XP_NEW, XP_PRESENT) : 0) |
                                         (nb ? 1u << XP_COMBO(XP_PRESENT, XP_NEW) : 0) |
                                         (na && nb ? 1u << XP_COMBO(XP_NEW, XP_NEW) : 0));
                uint8_t add = want & (uint8_t)~k->ggmask[s];
                for (int c = 0; c < 4; c++)
                    k->ggc[4 * s + c] += (add >> c) & 1;
                k->ggmask[s] |= add;
            }
        }
        g = end;
    }
    return 0;
}

xp_status xp_counter_add(xp_counter *k, const xp_actmat *a, xp_err *e)
{
    for (int64_t w = a->w0; w < a->w1; w++) {
        int64_t lo = a->wptr[w - a->w0], hi = a->wptr[w - a->w0 + 1];
        if (xp__reserve((void **)&k->acol, &k->acap, hi - lo, sizeof *k->acol) != 0 ||
            (k->anew = realloc(k->anew, (size_t)(k->acap ? k->acap : 1))) == NULL ||
            xp__reserve((void **)&k->cl, &k->ccap, hi - lo, sizeof *k->cl) != 0 ||
            xp__reserve((void **)&k->ctmp, &k->ctcap, xp_sort_room(2 * (hi - lo)),
                        sizeof *k->ctmp) != 0)
            return xp_err_set(e, XP_NOMEM, "out of memory counting window %lld", (long long)w);
        int64_t na = 0, nc = 0;
        for (int64_t x = lo; x < hi; x++) {
            uint32_t c = a->col[x];
            if (na > 0 && k->acol[na - 1] == c) {
                k->anew[na - 1] |= a->isnew[x];
            } else {
                k->acol[na] = c;
                k->anew[na++] = a->isnew[x];
            }
            if (a->client[x] != XP_HOST_ANY)
                k->cl[nc++] = ((uint64_t)a->client[x] << 32) | ((uint64_t)c << 1) | a->isnew[x];
        }
        if (xp__window_ff(k, na) != 0 || xp__window_gg(k, nc, w) != 0)
            return xp_err_set(e, XP_NOMEM, "out of memory counting window %lld (%lld pairs so far)",
                              (long long)w, (long long)(k->ffmap.n + k->ggmap.n));
        /* The tables double when they grow: stop while one more doubling
         * still fits the budget, so the budget is never exceeded. */
        if (k->budget > 0 && 2 * xp_counter_bytes(k) > k->budget)
            return xp_err_set(e, XP_BUDGET,
                              "pair counts need more than the budget of %lld MiB in pass %d of %d",
                              (long long)(k->budget >> 20), k->pass + 1, k->npasses);
    }
    return XP_OK;
}

/* ---------------------------------------------------------------- results */

void xp_pairs_free(xp_pairs *p)
{
    free(p->key);
    free(p->c);
    free(p->cw);
    memset(p, 0, sizeof *p);
}

typedef struct xp__srt {
    uint64_t key;
    int64_t src; /* >= 0: ff slot, < 0: -(gg slot) - 1 */
} xp__srt;

static int xp__cmp_srt(const void *x, const void *y)
{
    uint64_t a = ((const xp__srt *)x)->key, b = ((const xp__srt *)y)->key;
    return a < b ? -1 : a > b;
}
#define XP__SRT_LT(a, b) ((a).key < (b).key)
XP_QUICKSORT(xp__sort_srt, xp__srt, XP__SRT_LT, xp__cmp_srt)

xp_status xp_counter_finish(xp_counter **kp, xp_pairs *out, xp_err *e)
{
    xp_counter *k = *kp;
    int64_t n = k->ffmap.n + k->ggmap.n;
    xp__srt *v = xp_mem_malloc((size_t)(n ? n : 1) * sizeof *v);
    memset(out, 0, sizeof *out);
    out->key = xp_mem_malloc((size_t)(n ? n : 1) * sizeof *out->key);
    out->c = xp_mem_malloc((size_t)(n ? n : 1) * 4 * sizeof *out->c);
    out->cw = xp_mem_malloc((size_t)(n ? n : 1) * 4 * sizeof *out->cw);
    if (!v || !out->key || !out->c || !out->cw) {
        free(v);
        xp_pairs_free(out);
        xp_counter_destroy(kp);
        return xp_err_set(e, XP_NOMEM, "out of memory collecting %lld pairs", (long long)n);
    }
    int64_t j = 0;
    const xp_imap *maps[2] = {&k->ffmap, &k->ggmap};
    for (int t = 0; t < 2; t++)
        for (uint64_t s = 0; s <= maps[t]->mask; s++)
            if (maps[t]->keys[s] != 0)
                v[j++] = (xp__srt){maps[t]->keys[s] - 1,
                                   t == 0 ? maps[t]->vals[s] : -maps[t]->vals[s] - 1};
    xp__sort_srt(v, n, xp_sort_depth(n));
    for (int64_t i = 0; i < n; i++) {
        out->key[i] = v[i].key;
        const int64_t *c = v[i].src >= 0 ? k->ffc + 4 * v[i].src : k->ggc + 4 * (-v[i].src - 1);
        const int64_t *cw = v[i].src >= 0 ? c : k->ggcw + 4 * (-v[i].src - 1);
        memcpy(out->c + 4 * i, c, 4 * sizeof *c);
        memcpy(out->cw + 4 * i, cw, 4 * sizeof *cw);
    }
    out->n = n;
    free(v);
    xp_counter_destroy(kp);
    return XP_OK;
}

/* ---------------------------------------------------------------- naive baseline */

/* Activity of column c in window w: 0 absent, 1 present, 2 new; and for
 * generic pairs whether one client drove both (with the given activities). */
static void xp__naive_window(const xp_actmat *a, int64_t w, uint8_t *act)
{
    for (int64_t x = a->wptr[w - a->w0]; x < a->wptr[w - a->w0 + 1]; x++) {
        uint8_t v = a->isnew[x] ? 2 : 1;
        if (v > act[a->col[x]])
            act[a->col[x]] = v;
    }
}

/* One client drove a (new if need_na) and b (new if need_nb) in window w. */
static int xp__naive_gg(const xp_actmat *a, int64_t w, uint32_t ca, uint32_t cb, int need_na,
                        int need_nb, int *cw)
{
    int64_t lo = a->wptr[w - a->w0], hi = a->wptr[w - a->w0 + 1];
    int any = 0;
    *cw = 0;
    for (int64_t x = lo; x < hi; x++) {
        if (a->col[x] != ca || (need_na && !a->isnew[x]))
            continue;
        for (int64_t y = lo; y < hi; y++)
            if (a->col[y] == cb && a->client[y] == a->client[x] && (!need_nb || a->isnew[y])) {
                any = 1;
                ++*cw;
            }
    }
    return any;
}

xp_status xp_count_naive(const xp_colinfo *ci, int64_t ncols, const xp_actmat *a,
                         xp_pairs *out, xp_err *e)
{
    /* The paper's Fig. 3 baseline: for every window, test every admissible
     * pair of the K columns, O(W * K^2) whatever the windows hold. The
     * admissible pairs are listed once (the templates do not change). */
    memset(out, 0, sizeof *out);
    int64_t np = 0, cap = 1024;
    uint64_t *key = malloc((size_t)cap * sizeof *key);
    uint8_t *act = calloc((size_t)(ncols ? ncols : 1), 1);
    if (key == NULL || act == NULL)
        goto nomem;
    for (uint32_t i = 0; i < (uint32_t)ncols; i++)
        for (uint32_t j = i + 1; j < (uint32_t)ncols; j++) {
            int t = xp_template(ci, i, j);
            if (t == XP_TPL_NONE)
                continue;
            if (np == cap) {
                uint64_t *kk = realloc(key, (size_t)(cap *= 2) * sizeof *kk);
                if (kk == NULL)
                    goto nomem;
                key = kk;
            }
            key[np++] = ((uint64_t)i << 32) | j | ((uint64_t)(t == XP_TPL_GG) << 63);
        }
    int64_t *c = calloc((size_t)(np ? np : 1) * 8, sizeof *c);
    if (c == NULL)
        goto nomem;
    for (int64_t w = a->w0; w < a->w1; w++) {
        xp__naive_window(a, w, act);
        for (int64_t p = 0; p < np; p++) {
            uint32_t i = (uint32_t)(key[p] >> 32) & 0x7fffffffu, j = (uint32_t)key[p];
            int gg = (int)(key[p] >> 63);
            if (act[i] == 0 || act[j] == 0)
                continue;
            for (int ca = 0; ca < 2; ca++)
                for (int cb = 0; cb < 2; cb++) {
                    int need_a = ca == XP_NEW, need_b = cb == XP_NEW, k = 0;
                    int64_t *pc = c + 8 * p + XP_COMBO(ca, cb);
                    if (gg) {
                        pc[0] += xp__naive_gg(a, w, i, j, need_a, need_b, &k);
                        pc[4] += k;
                    } else if (act[i] > need_a && act[j] > need_b) {
                        pc[0]++;
                        pc[4]++;
                    }
                }
        }
        for (int64_t x = a->wptr[w - a->w0]; x < a->wptr[w - a->w0 + 1]; x++)
            act[a->col[x]] = 0;
    }
    /* Keep the pairs seen together at least once, as the fast counter. */
    int64_t n = 0;
    for (int64_t p = 0; p < np; p++)
        n += c[8 * p + XP_COMBO(XP_PRESENT, XP_PRESENT)] != 0;
    out->key = malloc((size_t)(n ? n : 1) * sizeof *out->key);
    out->c = malloc((size_t)(n ? n : 1) * 4 * sizeof *out->c);
    out->cw = malloc((size_t)(n ? n : 1) * 4 * sizeof *out->cw);
    if (!out->key || !out->c || !out->cw) {
        free(c);
        goto nomem;
    }
    for (int64_t p = 0; p < np; p++) {
        if (c[8 * p + XP_COMBO(XP_PRESENT, XP_PRESENT)] == 0)
            continue;
        out->key[out->n] = key[p] & ~((uint64_t)1 << 63);
        memcpy(out->c + 4 * out->n, c + 8 * p, 4 * sizeof *c);
        memcpy(out->cw + 4 * out->n, c + 8 * p + 4, 4 * sizeof *c);
        out->n++;
    }
    free(c);
    free(key);
    free(act);
    return XP_OK;
nomem:
    free(key);
    free(act);
    xp_pairs_free(out);
    return xp_err_set(e, XP_NOMEM, "out of memory in the naive counter");
}

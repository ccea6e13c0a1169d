/* xp_support.c - exact distinct-client support through OR-able bitmaps. */
#define _GNU_SOURCE
#include "xp_support.h"

#include <stdlib.h>
#include <string.h>

#include "xp_sort.h"

void xp_support_free(xp_support *s)
{
    free(s->a);
    free(s->b);
    free(s->act_a);
    free(s->act_b);
    free(s->first);
    free(s->bits);
    memset(s, 0, sizeof *s);
}

/* A rule's request key in canonical orientation (a < b). */
static uint64_t xp__reqkey(const xp_rule *r)
{
    uint32_t a = r->a, b = r->b;
    int aa = r->act_a, ab = r->act_b;
    if (a > b) {
        uint32_t t = a;
        a = b;
        b = t;
        int u = aa;
        aa = ab;
        ab = u;
    }
    return ((uint64_t)a << 34) | ((uint64_t)b << 2) | (uint64_t)(aa * 2 + ab);
}

xp_status xp_support_plan(const xp_rules *r, int64_t ncols, int64_t nhosts, xp_support *s,
                          xp_err *e)
{
    memset(s, 0, sizeof *s);
    uint64_t *k = malloc((size_t)(r->n ? r->n : 1) * sizeof *k);
    XP_ALLOC_CHECK(e, k, "support requests");
    int64_t n = 0;
    for (int64_t i = 0; i < r->n; i++)
        if (r->v[i].tpl != XP_TPL_FF)
            k[n++] = xp__reqkey(&r->v[i]);
    xp_sort_u64(k, n);
    int64_t u = xp_unique_u64(k, n);
    s->nreq = u;
    s->ncols = ncols;
    s->nwords = (nhosts + 63) / 64;
    s->a = malloc((size_t)(u ? u : 1) * sizeof *s->a);
    s->b = malloc((size_t)(u ? u : 1) * sizeof *s->b);
    s->act_a = malloc((size_t)(u ? u : 1));
    s->act_b = malloc((size_t)(u ? u : 1));
    s->first = calloc((size_t)ncols + 1, sizeof *s->first);
    int64_t nbits = u * s->nwords;
    s->bits = calloc((size_t)(nbits > 0 ? nbits : 1), sizeof *s->bits);
    if (!s->a || !s->b || !s->act_a || !s->act_b || !s->first || !s->bits) {
        free(k);
        xp_support_free(s);
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld support bitmaps of %lld hosts",
                          (long long)u, (long long)nhosts);
    }
    for (int64_t i = 0; i < u; i++) {
        s->a[i] = (uint32_t)(k[i] >> 34);
        s->b[i] = (uint32_t)(k[i] >> 2) & 0xffffffffu;
        s->act_a[i] = (uint8_t)((k[i] & 3) >> 1);
        s->act_b[i] = (uint8_t)(k[i] & 1);
        s->first[s->a[i] + 1]++;
    }
    for (int64_t c = 0; c < ncols; c++)
        s->first[c + 1] += s->first[c];
    free(k);
    return XP_OK;
}

/* Entries [lo, hi) of column c in the current window, or lo == hi. */
typedef struct xp__span {
    int64_t lo, hi;
} xp__span;

/* Does the span hold the activity (new: some entry is new)? */
static int xp__active(const xp_actmat *m, xp__span sp, int act)
{
    if (sp.lo == sp.hi)
        return 0;
    if (act == XP_PRESENT)
        return 1;
    for (int64_t x = sp.lo; x < sp.hi; x++)
        if (m->isnew[x])
            return 1;
    return 0;
}

static void xp__mark_generic(uint64_t *bits, const xp_actmat *m, xp__span g, int act)
{
    for (int64_t x = g.lo; x < g.hi; x++)
        if (act == XP_PRESENT || m->isnew[x])
            bits[m->client[x] >> 6] |= 1ULL << (m->client[x] & 63);
}

/* Clients in both spans (each sorted by client) with the activities. */
static void xp__mark_both(uint64_t *bits, const xp_actmat *m, xp__span x, int ax, xp__span y,
                          int ay)
{
    int64_t i = x.lo, j = y.lo;
    while (i < x.hi && j < y.hi) {
        if (m->client[i] < m->client[j]) {
            i++;
        } else if (m->client[i] > m->client[j]) {
            j++;
        } else {
            if ((ax == XP_PRESENT || m->isnew[i]) && (ay == XP_PRESENT || m->isnew[j]))
                bits[m->client[i] >> 6] |= 1ULL << (m->client[i] & 63);
            i++;
            j++;
        }
    }
}

xp_status xp_support_add(xp_support *s, const xp_colinfo *ci, const xp_actmat *a, xp_err *e)
{
    if (s->nreq == 0)
        return XP_OK;
    int64_t *stamp = malloc((size_t)s->ncols * sizeof *stamp);
    xp__span *span = malloc((size_t)s->ncols * sizeof *span);
    if (!stamp || !span) {
        free(stamp);
        free(span);
        return xp_err_set(e, XP_NOMEM, "out of memory computing support");
    }
    for (int64_t c = 0; c < s->ncols; c++)
        stamp[c] = -1;
    for (int64_t w = a->w0; w < a->w1; w++) {
        int64_t lo = a->wptr[w - a->w0], hi = a->wptr[w - a->w0 + 1];
        for (int64_t x = lo; x < hi; x++) {
            uint32_t c = a->col[x];
            if (stamp[c] != w) {
                stamp[c] = w;
                span[c].lo = x;
            }
            span[c].hi = x + 1;
        }
        for (int64_t x = lo; x < hi; x++) {
            uint32_t c = a->col[x];
            if (x > lo && a->col[x - 1] == c)
                continue;
            for (int64_t q = s->first[c]; q < s->first[c + 1]; q++) {
                uint32_t b = s->b[q];
                if (stamp[b] != w)
                    continue;
                uint64_t *bits = s->bits + q * s->nwords;
                if (ci[c].generic && ci[b].generic)
                    xp__mark_both(bits, a, span[c], s->act_a[q], span[b], s->act_b[q]);
                else if (ci[c].generic && xp__active(a, span[b], s->act_b[q]))
                    xp__mark_generic(bits, a, span[c], s->act_a[q]);
                else if (ci[b].generic && xp__active(a, span[c], s->act_a[q]))
                    xp__mark_generic(bits, a, span[b], s->act_b[q]);
            }
        }
    }
    free(stamp);
    free(span);
    return XP_OK;
}

static int64_t xp__find(const xp_support *s, uint32_t a, uint32_t b, int aa, int ab)
{
    for (int64_t q = s->first[a]; q < s->first[a + 1]; q++)
        if (s->b[q] == b && s->act_a[q] == aa && s->act_b[q] == ab)
            return q;
    return -1;
}

void xp_support_apply(const xp_support *s, xp_rules *r)
{
    for (int64_t i = 0; i < r->n; i++) {
        xp_rule *x = &r->v[i];
        if (x->tpl == XP_TPL_FF)
            continue;
        int64_t q = x->a < x->b ? xp__find(s, x->a, x->b, x->act_a, x->act_b)
                                : xp__find(s, x->b, x->a, x->act_b, x->act_a);
        int64_t n = 0;
        for (int64_t w = 0; q >= 0 && w < s->nwords; w++)
            n += __builtin_popcountll(s->bits[q * s->nwords + w]);
        x->support = n;
    }
}

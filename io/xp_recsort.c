/* xp_recsort.c - radix sort of records by ts. */
#include "xp_recsort.h"

#include <stdlib.h>
#include <string.h>

#include "xp_mem.h"

typedef struct xp__kv {
    uint64_t key;
    uint64_t idx;
} xp__kv;

/* Map a double to an unsigned key with the same order. */
static uint64_t xp__key(double d)
{
    uint64_t u;
    if (d == 0)
        d = 0; /* -0.0 sorts with 0.0 */
    memcpy(&u, &d, 8);
    return (u >> 63) ? ~u : (u | (1ull << 63));
}

/* One stable counting pass on byte b; returns 0 when the pass is skipped
 * because every key has the same byte there. */
static int xp__pass(const xp__kv *src, xp__kv *dst, size_t n, int b)
{
    size_t cnt[256] = {0};
    int sh = 8 * b;
    for (size_t i = 0; i < n; i++)
        cnt[(src[i].key >> sh) & 255]++;
    for (int c = 0; c < 256; c++)
        if (cnt[c] == n)
            return 0;
    size_t sum = 0;
    for (int c = 0; c < 256; c++) {
        size_t t = cnt[c];
        cnt[c] = sum;
        sum += t;
    }
    for (size_t i = 0; i < n; i++)
        dst[cnt[(src[i].key >> sh) & 255]++] = src[i];
    return 1;
}

/* Adjacent pairs out of order (the out_of_order counter), and *late: the
 * records below the largest time before them (xp__sort_nearly moves those). */
static int64_t xp__count_disorder(const xp_recvec *v, int64_t *late)
{
    int64_t k = 0, m = 0;
    uint64_t last = 0, prev = 0;
    for (int64_t i = 0; i < v->n; i++) {
        uint64_t key = xp__key(v->v[i].ts);
        k += i > 0 && key < prev;
        m += key < last;
        last = key > last ? key : last;
        prev = key;
    }
    *late = m;
    return k;
}

/* Radix sort of a (key, index) array by key, stable; returns the sorted
 * array (a or b), the other is scratch. */
static xp__kv *xp__radix(xp__kv *a, xp__kv *b, size_t n)
{
    for (int byte = 0; byte < 8; byte++)
        if (xp__pass(a, b, n, byte)) {
            xp__kv *t = a;
            a = b;
            b = t;
        }
    return a;
}

/*
 * A nearly sorted trace (a conn.log is written in order of connection end,
 * so a long connection's record comes late): the m records below the
 * largest time before them are taken out, radix-sorted by (ts, position)
 * and merged back, in place. The same order as the full sort, in
 * O(n + m log m) instead of 8 passes over all n (the full sort was 6 % of a
 * whole run on 1000 clients x 7 h: bench/README.md), and without a second
 * array of all n records (faulting in a fresh one was 6-7 % of each rank's
 * time at 2 ranks, perf). On equal times a kept record goes first: it was
 * earlier in the input, as a kept record after a late one has a larger time
 * (kept times never decrease and the late one is below them). Returns -1,
 * leaving v as it was, when out of memory.
 */
static int xp__sort_nearly(xp_recvec *v, size_t m)
{
    size_t n = (size_t)v->n, nk = 0, j = 0;
    xp__kv *a = malloc((m + 1) * sizeof *a), *b = malloc((m + 1) * sizeof *b);
    xp_rec *x = malloc((m + 1) * sizeof *x); /* the late records, in input order */
    if (a == NULL || b == NULL || x == NULL) {
        free(a);
        free(b);
        free(x);
        return -1;
    }
    uint64_t last = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = xp__key(v->v[i].ts);
        if (nk == 0 || k >= last) {
            v->v[nk++] = v->v[i]; /* nk <= i: the kept run compacts forward */
            last = k;
        } else {
            a[j] = (xp__kv){k, j};
            x[j++] = v->v[i];
        }
    }
    /* j == m: the same rule as xp__count_disorder's (the first record is
     * below nothing). Ties in the radix sort keep input order. */
    const xp__kv *srt = xp__radix(a, b, m);
    size_t i = nk, o = n;
    while (j > 0) { /* from the back; o > i while late records remain */
        if (i > 0 && xp__key(v->v[i - 1].ts) > srt[j - 1].key)
            v->v[--o] = v->v[--i];
        else
            v->v[--o] = x[srt[--j].idx];
    }
    free(a);
    free(b);
    free(x);
    return 0;
}

xp_status xp_recs_sort_ts(xp_recvec *v, int64_t *out_of_order, xp_err *e)
{
    int64_t late = 0, dis = xp__count_disorder(v, &late);
    if (out_of_order)
        *out_of_order = dis;
    if (dis == 0)
        return XP_OK;
    size_t n = (size_t)v->n;
    if (late <= v->n / 16 && xp__sort_nearly(v, (size_t)late) == 0)
        return XP_OK;
    xp__kv *a = xp_mem_malloc(n * sizeof *a), *b = xp_mem_malloc(n * sizeof *b);
    xp_rec *out = xp_mem_malloc(n * sizeof *out);
    if (a == NULL || b == NULL || out == NULL) {
        free(a);
        free(b);
        free(out);
        return xp_err_set(e, XP_NOMEM, "out of memory sorting %lld records", (long long)n);
    }
    for (size_t i = 0; i < n; i++)
        a[i] = (xp__kv){xp__key(v->v[i].ts), i};
    xp__kv *srt = xp__radix(a, b, n);
    if (srt != a) {
        b = a;
        a = srt;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = v->v[a[i].idx];
    free(a);
    free(b);
    free(v->v);
    v->v = out;
    v->cap = v->n;
    return XP_OK;
}

/* First index in [lo, hi) whose ts is above t (strict: upper bound). */
static int64_t xp__upper(const xp_rec *r, int64_t lo, int64_t hi, double t)
{
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (r[mid].ts > t)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* First index in [lo, hi) whose ts is not below t (lower bound). */
static int64_t xp__lower(const xp_rec *r, int64_t lo, int64_t hi, double t)
{
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (r[mid].ts < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * [0, a) and [a, b) are sorted; make [0, b) sorted, stably. Only the tail of
 * the first part later than r[a] and the head of the second earlier than
 * r[a - 1] move; on equal times the first part goes first. tmp has room for
 * *cap records and grows as needed. Double comparisons order -0.0 with 0.0,
 * as the radix keys do.
 */
static xp_status xp__merge_two(xp_rec *r, int64_t a, int64_t b, xp_rec **tmp, int64_t *cap,
                               int64_t *moved, xp_err *e)
{
    if (a == 0 || a == b || !(r[a].ts < r[a - 1].ts))
        return XP_OK;
    int64_t lo = xp__upper(r, 0, a, r[a].ts), hi = xp__lower(r, a, b, r[a - 1].ts);
    int64_t n = hi - lo;
    if (n > *cap) {
        xp_rec *t = xp_mem_realloc(*tmp, 0, (size_t)n * sizeof *t);
        if (t == NULL)
            return xp_err_set(e, XP_NOMEM, "out of memory merging %lld records", (long long)n);
        *tmp = t;
        *cap = n;
    }
    int64_t i = lo, j = a, k = 0;
    while (i < a && j < hi)
        (*tmp)[k++] = r[j].ts < r[i].ts ? r[j++] : r[i++];
    while (i < a)
        (*tmp)[k++] = r[i++];
    while (j < hi)
        (*tmp)[k++] = r[j++];
    memcpy(r + lo, *tmp, (size_t)n * sizeof *r);
    *moved += n;
    return XP_OK;
}

xp_status xp_recs_merge_runs(xp_recvec *v, const int64_t *start, int64_t nruns, xp_err *e)
{
    xp_rec *tmp = NULL;
    int64_t cap = 0, moved = 0;
    xp_status s = XP_OK;
    for (int64_t k = 1; s == XP_OK && k < nruns; k++) {
        s = xp__merge_two(v->v, start[k], start[k + 1], &tmp, &cap, &moved, e);
        /* Heavily overlapping runs: the radix sort is linear whatever the
         * overlap. Sorting the sorted prefix and the rest together gives
         * the same order (ties keep their positions). */
        if (s == XP_OK && moved > v->n) {
            free(tmp);
            return xp_recs_sort_ts(v, NULL, e);
        }
    }
    free(tmp);
    return s;
}

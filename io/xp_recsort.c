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
 * The late records of a nearly sorted trace: those below the largest time
 * before them (a conn.log is written in order of connection end, so a long
 * connection's record comes late). At most cap of them are kept: key[j] =
 * {ts key, j}, rec[j] the record, pos[j] its position, in input order.
 */
typedef struct xp__late {
    xp__kv *key, *tmp;
    xp_rec *rec;
    size_t *pos;
    size_t m, cap;
    size_t room; /* allocated, grown by doubling up to cap */
    int nomem;   /* growing failed */
} xp__late;

/* Room for one more late record; 0, or -1 (l->nomem) when out of memory. */
static int xp__late_grow(xp__late *l)
{
    size_t room = l->room ? 2 * l->room : 1024;
    room = room < l->cap ? room : l->cap;
    xp__kv *key = realloc(l->key, room * sizeof *key);
    if (key != NULL)
        l->key = key;
    xp_rec *rec = key ? realloc(l->rec, room * sizeof *rec) : NULL;
    if (rec != NULL)
        l->rec = rec;
    size_t *pos = rec ? realloc(l->pos, room * sizeof *pos) : NULL;
    if (pos == NULL) {
        l->nomem = 1;
        return -1;
    }
    l->pos = pos;
    l->room = room;
    return 0;
}

static void xp__late_free(xp__late *l)
{
    free(l->key);
    free(l->tmp);
    free(l->rec);
    free(l->pos);
    memset(l, 0, sizeof *l);
}

/*
 * One scan: the adjacent pairs out of order (the out_of_order counter) and
 * the late records, collected while there are at most l->cap of them
 * (l->m counts them all; the arrays grow as they come, so that a trace in
 * order asks for nothing). Returns the pairs out of order.
 */
static int64_t xp__scan(const xp_recvec *v, xp__late *l)
{
    int64_t k = 0;
    uint64_t last = 0, prev = 0;
    for (int64_t i = 0; i < v->n; i++) {
        uint64_t key = xp__key(v->v[i].ts);
        k += i > 0 && key < prev;
        if (key < last) { /* the first record is below nothing */
            if (l->m < l->cap && (l->m < l->room || xp__late_grow(l) == 0)) {
                l->key[l->m] = (xp__kv){key, l->m};
                l->rec[l->m] = v->v[i];
                l->pos[l->m] = (size_t)i;
            }
            l->m++;
        } else
            last = key;
        prev = key;
    }
    return k;
}

/*
 * The late records (all of them collected) sorted by (ts, position) and
 * merged with the others, in place, from the back: the kept records after
 * the last late position move up as one block (memmove) as far as the
 * largest late record allows, it is put in, and so on. Each kept record
 * moves once, and only those after the first late record's place do;
 * before this, the kept records were first compacted forward and then
 * merged back record by record (two moves of most of the trace). On equal
 * times a kept record goes first: it was earlier in the input, as a kept
 * record after a late one has a larger time. Safe in place: every late
 * record at or above the current one in the order lies after the kept
 * records still to be moved (a late record is below some kept record
 * before it), so the block's new place never overlaps unread records
 * except as memmove allows.
 */
static int xp__merge_late(xp_recvec *v, xp__late *l)
{
    l->tmp = malloc((l->m ? l->m : 1) * sizeof *l->tmp);
    if (l->tmp == NULL)
        return -1;
    const xp__kv *srt = xp__radix(l->key, l->tmp, l->m);
    xp_rec *r = v->v;
    size_t o = (size_t)v->n, hi = (size_t)v->n, j = l->m, p = l->m;
    /* The kept records are r[lo, hi) between late positions; o is the next
     * slot to fill from the back. */
    while (j > 0) {
        size_t lo = p > 0 ? l->pos[p - 1] + 1 : 0;
        uint64_t key = srt[j - 1].key;
        /* The kept records of [lo, hi) above key (they are sorted): a suffix. */
        size_t a = lo, b = hi;
        while (a < b) {
            size_t mid = a + (b - a) / 2;
            if (xp__key(r[mid].ts) > key)
                b = mid;
            else
                a = mid + 1;
        }
        size_t run = hi - a;
        if (run > 0 && o - run != a)
            memmove(r + o - run, r + a, run * sizeof *r);
        o -= run;
        hi = a;
        if (hi > lo) { /* a kept record at or below key: the late one goes here */
            r[--o] = l->rec[srt[--j].idx];
        } else if (p > 0) { /* the block is used up: pass the late position */
            p--;
            hi = lo - 1;
        } else { /* nothing kept is left below: the rest of the late ones */
            while (j > 0)
                r[--o] = l->rec[srt[--j].idx];
        }
    }
    return 0;
}

xp_status xp_recs_sort_ts(xp_recvec *v, int64_t *out_of_order, xp_err *e)
{
    /* Nearly sorted (at most 1/16 late): the late records are taken out
     * and merged back, O(n + m log m) instead of 8 radix passes over all n
     * (the full sort was 6 % of a whole run on 1000 clients x 7 h:
     * bench/README.md), and without a second array of all n records. */
    size_t n = (size_t)v->n;
    xp__late l = {0};
    l.cap = n / 16;
    int64_t dis = xp__scan(v, &l);
    if (out_of_order)
        *out_of_order = dis;
    if (!l.nomem && (dis == 0 || l.m <= l.cap)) {
        int bad = dis != 0 && xp__merge_late(v, &l) != 0; /* v unchanged when it fails */
        xp__late_free(&l);
        if (bad)
            return xp_err_set(e, XP_NOMEM, "out of memory sorting %lld records", (long long)n);
        return XP_OK;
    }
    xp__late_free(&l);
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

/*
 * test_io_recsort.c - xp_recs_merge_runs (io/xp_recsort.h) gives exactly
 * the order of xp_recs_sort_ts on concatenations of sorted runs: runs in
 * time order, slightly and heavily overlapping (the fallback), empty runs,
 * many equal times (stability) and -0.0 beside 0.0. And xp_recs_sort_ts
 * itself against an independent stable merge sort, on nearly sorted traces
 * (its take-out-and-merge path: late records, ties, an early outlier that
 * sends it to the full radix sort) and on shuffled ones.
 */
#include <stdlib.h>
#include <string.h>

#include "xp_recsort.h"
#include "xp_test.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
    return xp_test_xorshift(&rng);
}

/*
 * nruns runs of up to maxlen records; run k starts at k * shift and spans
 * span seconds; times rounded to grain (ties). Each record has a unique
 * sport/dport so any reordering of equal times shows.
 */
static void make(xp_recvec *v, int64_t *start, int nruns, int maxlen, double shift, double span,
                 double grain)
{
    int id = 0;
    v->n = 0;
    start[0] = 0;
    for (int k = 0; k < nruns; k++) {
        xp_recvec run = {0};
        int len = (int)(next() % (uint64_t)(maxlen + 1));
        for (int i = 0; i < len; i++) {
            xp_rec r;
            memset(&r, 0, sizeof r);
            double t = k * shift + span * (double)(next() % 1000000) / 1e6;
            r.ts = grain > 0 ? grain * (double)(long long)(t / grain) : t;
            if (next() % 50 == 0)
                r.ts = (next() & 1) ? -0.0 : 0.0;
            r.sport = (uint16_t)(id & 0xffff);
            r.dport = (uint16_t)(id >> 16);
            id++;
            if (xp_recvec_push(&run, &r) != 0)
                abort();
        }
        xp_err e;
        xp_err_clear(&e);
        if (xp_recs_sort_ts(&run, NULL, &e) != XP_OK || xp_recvec_reserve(v, run.n) != 0)
            abort();
        if (run.n)
            memcpy(v->v + v->n, run.v, (size_t)run.n * sizeof *run.v);
        v->n += run.n;
        start[k + 1] = v->n;
        xp_recvec_free(&run);
    }
}

static void check_case(int nruns, int maxlen, double shift, double span, double grain)
{
    xp_recvec v = {0}, ref = {0};
    int64_t *start = malloc((size_t)(nruns + 1) * sizeof *start);
    make(&v, start, nruns, maxlen, shift, span, grain);
    if (xp_recvec_reserve(&ref, v.n ? v.n : 1) != 0)
        abort();
    if (v.n)
        memcpy(ref.v, v.v, (size_t)v.n * sizeof *v.v);
    ref.n = v.n;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_recs_sort_ts(&ref, NULL, &e), XP_OK);
    XP_CHECK_INT(xp_recs_merge_runs(&v, start, nruns, &e), XP_OK);
    XP_CHECK_INT(v.n, ref.n);
    XP_CHECK(v.n == ref.n && (v.n == 0 || memcmp(v.v, ref.v, (size_t)v.n * sizeof *v.v) == 0));
    xp_recvec_free(&v);
    xp_recvec_free(&ref);
    free(start);
}

/* Stable merge sort by ts (IEEE compare: -0.0 equals 0.0). */
static void ref_sort(xp_rec *v, xp_rec *tmp, int64_t n)
{
    if (n < 2)
        return;
    int64_t h = n / 2;
    ref_sort(v, tmp, h);
    ref_sort(v + h, tmp, n - h);
    int64_t i = 0, j = h, o = 0;
    while (i < h || j < n)
        tmp[o++] = (j == n || (i < h && !(v[j].ts < v[i].ts))) ? v[i++] : v[j++];
    memcpy(v, tmp, (size_t)n * sizeof *v);
}

/* n records in time order with ties (grain), then `late` of them moved
 * later by up to `back` positions; outlier: the first one far in the
 * future; shuffle: any order. */
static void check_nearly(int64_t n, int64_t late, int64_t back, int outlier, int shuffle)
{
    xp_recvec v = {0};
    if (xp_recvec_reserve(&v, n + 1) != 0)
        abort();
    for (int64_t i = 0; i < n; i++) {
        xp_rec r;
        memset(&r, 0, sizeof r);
        r.ts = 0.5 * (double)(i / 3);
        if (i % 97 == 0)
            r.ts = (next() & 1) ? -0.0 : 0.0;
        r.sport = (uint16_t)(i & 0xffff);
        r.dport = (uint16_t)(i >> 16);
        v.v[v.n++] = r;
    }
    for (int64_t k = 0; k < late && n > 1; k++) {
        int64_t i = (int64_t)(next() % (uint64_t)n), j = i + 1 + (int64_t)(next() % (uint64_t)back);
        if (j >= n)
            j = n - 1;
        xp_rec t = v.v[i];
        memmove(v.v + i, v.v + i + 1, (size_t)(j - i) * sizeof t);
        v.v[j] = t;
    }
    if (outlier && n > 0)
        v.v[0].ts = 1e9;
    for (int64_t i = n - 1; shuffle && i > 0; i--) {
        int64_t j = (int64_t)(next() % (uint64_t)(i + 1));
        xp_rec t = v.v[i];
        v.v[i] = v.v[j];
        v.v[j] = t;
    }
    xp_rec *ref = malloc((size_t)(n + 1) * sizeof *ref), *tmp = malloc((size_t)(n + 1) * sizeof *tmp);
    memcpy(ref, v.v, (size_t)n * sizeof *ref);
    ref_sort(ref, tmp, n);
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_recs_sort_ts(&v, NULL, &e), XP_OK);
    XP_CHECK(v.n == n && (n == 0 || memcmp(v.v, ref, (size_t)n * sizeof *ref) == 0));
    free(ref);
    free(tmp);
    xp_recvec_free(&v);
}

int main(void)
{
    for (int rep = 0; rep < 10; rep++) {
        check_nearly(5000, 20, 50, 0, 0);    /* a few late records */
        check_nearly(5000, 200, 3000, 0, 0); /* late by far */
        check_nearly(5000, 5, 10, 1, 0);     /* an outlier first: the full sort */
        check_nearly(3000, 0, 1, 0, 1);      /* shuffled: the full sort */
        check_nearly(2, 1, 1, 0, 0);
    }

    for (int rep = 0; rep < 20; rep++) {
        check_case(24, 500, 100, 99, 0);  /* in time order */
        check_case(24, 500, 100, 103, 0); /* slight overlap at each boundary */
        check_case(24, 500, 100, 100, 1); /* equal times across a boundary */
        check_case(8, 300, 0, 50, 0.5);   /* all overlapping, many ties: fallback */
        check_case(10, 3, 1, 5, 1);       /* tiny and empty runs */
        check_case(1, 100, 0, 10, 0);     /* one run */
    }
    check_case(0, 0, 0, 0, 0); /* nothing */
    XP_TEST_END();
}

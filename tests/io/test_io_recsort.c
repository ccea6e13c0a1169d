/*
 * test_io_recsort.c - xp_recs_merge_runs (io/xp_recsort.h) gives exactly
 * the order of xp_recs_sort_ts on concatenations of sorted runs: runs in
 * time order, slightly and heavily overlapping (the fallback), empty runs,
 * many equal times (stability) and -0.0 beside 0.0.
 */
#include <stdlib.h>
#include <string.h>

#include "xp_recsort.h"
#include "xp_test.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
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

int main(void)
{
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

/*
 * count_bench.c - the counting kernel (paper §3, Procedure 1, O(sum S_w^2))
 * against the naive O(W * K^2) baseline of the paper's Fig. 3, on the same
 * activity matrix, in one run.
 *
 *   count_bench OUTDIR [NAIVE_WINDOWS [REPEATS]]
 *
 * OUTDIR is the output directory of an expose-mpi run (its shards/ are the
 * activity matrix of the mined columns). The fast counter counts every
 * window; both counters then count the same first NAIVE_WINDOWS windows
 * (default 2000; the naive one is too slow for a whole day), their pair
 * counts are compared (they must be equal), and the ratio is printed. The
 * naive time of the whole trace is extrapolated linearly in windows, which
 * is exact for its O(W * K^2) loop up to the few active pairs it updates,
 * and printed as such. Times are the minimum over REPEATS (default 3).
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xp_count.h"
#include "xp_shard.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void die(const xp_err *e)
{
    fprintf(stderr, "count_bench: %s\n", e->msg);
    exit(1);
}

/* Count shards v[0..n) with the fast counter; returns seconds. */
static double fast(const xp_colinfo *ci, const xp_meta *m, const xp_actmat *v, int64_t n,
                   xp_pairs *out)
{
    xp_err e = {0};
    xp_counter *k = NULL;
    double t0 = now();
    if (xp_counter_create(ci, m->ncols, m->nhosts, 0, 1, &k, &e) != XP_OK)
        die(&e);
    for (int64_t i = 0; i < n; i++)
        if (xp_counter_add(k, &v[i], &e) != XP_OK)
            die(&e);
    if (xp_counter_finish(&k, out, &e) != XP_OK)
        die(&e);
    return now() - t0;
}

static int same(const xp_pairs *a, const xp_pairs *b)
{
    if (a->n != b->n)
        return 0;
    size_t n = (size_t)a->n;
    return memcmp(a->key, b->key, n * sizeof *a->key) == 0 &&
           memcmp(a->c, b->c, 4 * n * sizeof *a->c) == 0 &&
           memcmp(a->cw, b->cw, 4 * n * sizeof *a->cw) == 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: count_bench OUTDIR [NAIVE_WINDOWS [REPEATS]]\n");
        return 2;
    }
    int64_t nw = argc > 2 ? atoll(argv[2]) : 2000;
    int reps = argc > 3 ? atoi(argv[3]) : 3;
    MPI_Init(&argc, &argv);
    xp_err e = {0};
    xp_meta m = {0};
    char *fp = NULL;
    if (xp_shard_read_meta(MPI_COMM_SELF, argv[1], &m, &fp, &e) != XP_OK)
        die(&e);
    free(fp);
    xp_actmat *v = calloc((size_t)m.nshards, sizeof *v);
    double work = 0;
    int64_t nent = 0;
    for (int64_t k = 0; k < m.nshards; k++) {
        if (xp_shard_read(argv[1], k, m.ncols, &v[k], &e) != XP_OK)
            die(&e);
        nent += v[k].nent;
        for (int64_t w = 0; w < v[k].w1 - v[k].w0; w++) {
            double s = (double)(v[k].wptr[w + 1] - v[k].wptr[w]);
            work += s * s;
        }
    }
    xp_colinfo *ci = NULL;
    if (xp_colinfo_make(&m, &ci, &e) != XP_OK)
        die(&e);
    printf("trace: %lld windows, %lld columns (K), %lld entries, sum S_w^2 = %.3g\n",
           (long long)m.nwindows, (long long)m.ncols, (long long)nent, work);

    double tf = 1e30;
    xp_pairs all = {0};
    for (int r = 0; r < reps; r++) {
        xp_pairs_free(&all);
        double t = fast(ci, &m, v, m.nshards, &all);
        tf = t < tf ? t : tf;
    }
    printf("fast, all windows: %.3f s, %lld pairs\n", tf, (long long)all.n);

    /* The first nw windows: a view of shard 0's leading windows (the
     * shard's wptr is relative to its w0, so a prefix is a valid actmat). */
    xp_actmat sub = v[0];
    if (nw > sub.w1 - sub.w0)
        nw = sub.w1 - sub.w0;
    sub.w1 = sub.w0 + nw;
    sub.nent = sub.wptr[nw];
    double tfs = 1e30, tn = 1e30;
    xp_pairs pf = {0}, pn = {0};
    for (int r = 0; r < reps; r++) {
        xp_pairs_free(&pf);
        double t = fast(ci, &m, &sub, 1, &pf);
        tfs = t < tfs ? t : tfs;
    }
    for (int r = 0; r < (reps < 2 ? reps : 1); r++) {
        xp_pairs_free(&pn);
        double t0 = now();
        if (xp_count_naive(ci, m.ncols, &sub, &pn, &e) != XP_OK)
            die(&e);
        double t = now() - t0;
        tn = t < tn ? t : tn;
    }
    int ok = same(&pf, &pn);
    printf("first %lld windows: fast %.4f s, naive O(W K^2) %.3f s, ratio %.0fx, "
           "%lld pairs, counts %s\n",
           (long long)nw, tfs, tn, tn / tfs, (long long)pf.n, ok ? "equal" : "DIFFER");
    printf("whole trace: fast %.3f s, naive extrapolated %.1f s (x %lld/%lld windows), "
           "ratio %.0fx\n",
           tf, tn * (double)m.nwindows / (double)nw, (long long)m.nwindows, (long long)nw,
           tn * (double)m.nwindows / (double)nw / tf);
    xp_pairs_free(&all);
    xp_pairs_free(&pf);
    xp_pairs_free(&pn);
    for (int64_t k = 0; k < m.nshards; k++)
        xp_actmat_free(&v[k]);
    free(v);
    free(ci);
    xp_meta_free(&m);
    MPI_Finalize();
    return ok ? 0 : 1;
}

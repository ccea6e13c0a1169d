/*
 * test_fiedler.c - the sparse eigen-solver of Procedure 2 (§3.1) against
 * dense LAPACK dsyevr: inertia counts of the sparse LDL^T (xp_sldl.h), the
 * k smallest eigenpairs by both methods (Davidson, slicing; xp_fiedler.h)
 * on graphs with simple, repeated and clustered eigenvalues, and whole
 * clusterings with every part solved sparsely against every part solved
 * densely (identical partitions). Also: --tight 0 solves nothing; a sparse
 * solver that gives up falls back to dense. No MPI.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_graphs.h"
#include "xp_cluster.h"
#include "xp_fiedler.h"
#include "xp_sldl.h"
#include "xp_test.h"

/* A rule graph as a symmetric CSR (max of both directions, sorted rows). */
typedef struct csr {
    int64_t n, *rowptr, *col;
    double *val;
    xp_lapgraph g;
} csr;

static int cmp_pair(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static void csr_build(const tg_graph *t, csr *c)
{
    int64_t m = 0, (*p)[3] = malloc((size_t)(2 * t->nedges + 1) * sizeof *p);
    for (int64_t i = 0; i < t->nedges; i++) {
        if (t->src[i] == t->dst[i])
            continue;
        int64_t bits;
        memcpy(&bits, &t->w[i], sizeof bits);
        p[m][0] = t->src[i], p[m][1] = t->dst[i], p[m++][2] = bits;
        p[m][0] = t->dst[i], p[m][1] = t->src[i], p[m++][2] = bits;
    }
    qsort(p, (size_t)m, sizeof *p, cmp_pair);
    c->n = t->nnodes;
    c->rowptr = calloc((size_t)c->n + 1, sizeof *c->rowptr);
    c->col = malloc((size_t)(m + 1) * sizeof *c->col);
    c->val = malloc((size_t)(m + 1) * sizeof *c->val);
    int64_t o = 0;
    for (int64_t i = 0; i < m; i++) {
        double w;
        memcpy(&w, &p[i][2], sizeof w);
        if (o > 0 && i > 0 && p[i][0] == p[i - 1][0] &&
            p[i][1] == p[i - 1][1]) {
            c->val[o - 1] = fmax(c->val[o - 1], w);
            continue;
        }
        c->col[o] = p[i][1];
        c->val[o++] = w;
        c->rowptr[p[i][0] + 1]++;
    }
    for (int64_t i = 0; i < c->n; i++)
        c->rowptr[i + 1] += c->rowptr[i];
    c->g = (xp_lapgraph){c->n, c->rowptr, c->col, c->val, NULL, NULL};
    free(p);
}

static void csr_free(csr *c)
{
    free(c->rowptr);
    free(c->col);
    free(c->val);
}

static double norm_bound(const csr *c)
{
    double dmax = 0;
    for (int64_t i = 0; i < c->n; i++) {
        double d = 0;
        for (int64_t q = c->rowptr[i]; q < c->rowptr[i + 1]; q++)
            d += c->val[q];
        dmax = fmax(dmax, d);
    }
    return 2 * dmax;
}

/* The k smallest eigenpairs by dense dsyevr (Z may be NULL). */
static void dense_smallest(const csr *c, int k, double *w, double *Z)
{
    int n = (int)c->n;
    double *A = calloc((size_t)n * (size_t)n, sizeof *A);
    double *z = Z ? Z : malloc((size_t)n * (size_t)k * sizeof *z);
    for (int i = 0; i < n; i++)
        for (int64_t p = c->rowptr[i]; p < c->rowptr[i + 1]; p++) {
            A[i + (size_t)c->col[p] * (size_t)n] = -c->val[p];
            A[i + (size_t)i * (size_t)n] += c->val[p];
        }
    XP_CHECK_INT(tg_dsyevr_smallest(A, n, k, w, z), 0);
    if (!Z)
        free(z);
    free(A);
}

/* ---- graphs ---- */

/* A hub with p pairs of twin leaves hanging on p middle nodes, all equal
 * scores: eigenvalues repeated p - 1 and p times (the rule graphs' stars);
 * and a strong path of 2 p nodes on the hub, so that n >= 4 p + 8. */
static void twin_star(tg_graph *t, int p)
{
    memset(t, 0, sizeof *t);
    t->nnodes = 1 + 5 * p;
    for (int i = 0; i < p; i++) {
        int64_t mid = 1 + 3 * i;
        tg_edge(t, 0, mid, 0.5);
        tg_edge(t, mid, mid + 1, 0.01);
        tg_edge(t, mid, mid + 2, 0.01);
    }
    tg_edge(t, 0, 1 + 3 * p, 5.0);
    tg_path(t, 1 + 3 * p, 2 * p, 5.0);
}

/* A sparse "rule graph": a random tree with hubs, some extra edges, and
 * scores spanning three orders of magnitude. */
static void rule_like(tg_graph *t, int64_t n, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    t->nnodes = n;
    for (int64_t v = 1; v < n; v++) {
        /* Half the nodes hang on one of a few hubs. */
        int64_t u = tg_unif(&seed) < 0.5 ? (int64_t)(tg_rand(&seed) % 5)
                                         : (int64_t)(tg_rand(&seed) %
                                                     (uint64_t)v);
        tg_edge(t, u, v, pow(10, -3 * tg_unif(&seed)));
    }
    for (int64_t i = 0; i < n / 3; i++)
        tg_edge(t, (int64_t)(tg_rand(&seed) % (uint64_t)n),
                (int64_t)(tg_rand(&seed) % (uint64_t)n),
                pow(10, -3 * tg_unif(&seed)));
}

static void grid(tg_graph *t, int a, int b)
{
    memset(t, 0, sizeof *t);
    t->nnodes = a * b;
    for (int i = 0; i < a; i++)
        for (int j = 0; j < b; j++) {
            if (i + 1 < a)
                tg_edge(t, i * b + j, (i + 1) * b + j, 1.0);
            if (j + 1 < b)
                tg_edge(t, i * b + j, i * b + j + 1, 1.0);
        }
}

/* ---- inertia counts ---- */

static void counts(const tg_graph *t, const char *what)
{
    csr c;
    csr_build(t, &c);
    int n = (int)c.n;
    double *w = malloc((size_t)n * sizeof *w), norm = norm_bound(&c);
    dense_smallest(&c, n, w, NULL);
    xp_sldl P;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_sldl_factor(&c.g, -1e-3 * norm, NULL, 0, 1 << 24, &P, &e),
                 XP_OK);
    XP_CHECK_INT(P.neg, 0);
    int checked = 0;
    for (int i = 0; i + 1 < n; i++) {
        if (w[i + 1] - w[i] < 1e-6 * norm)
            continue; /* only clear gaps: the count is exact there */
        double sigma = (w[i] + w[i + 1]) / 2;
        xp_sldl F, G;
        XP_CHECK_INT(xp_sldl_factor(&c.g, sigma, NULL, 0, 1 << 24, &F, &e),
                     XP_OK);
        XP_CHECK_INT(xp_sldl_refactor(&P, &c.g, sigma, &G, &e), XP_OK);
        if (F.neg != i + 1 || G.neg != i + 1)
            fprintf(stderr, "%s: sigma %g: counts %lld, %lld, dense %d\n",
                    what, sigma, (long long)F.neg, (long long)G.neg, i + 1);
        XP_CHECK_INT(F.neg, i + 1);
        XP_CHECK_INT(G.neg, i + 1);
        xp_sldl_free(&F);
        xp_sldl_free(&G);
        checked++;
    }
    XP_CHECK(checked > 0);
    /* A solve with the positive definite factor. */
    double *b = malloc((size_t)n * sizeof *b), *x = malloc((size_t)n * sizeof *x);
    for (int i = 0; i < n; i++)
        b[i] = x[i] = sin(1.0 + i);
    xp_sldl_solve(&P, x);
    double r2 = 0, b2 = 0;
    for (int i = 0; i < n; i++) {
        double y = (1e-3 * norm) * x[i];
        for (int64_t q = c.rowptr[i]; q < c.rowptr[i + 1]; q++)
            y += c.val[q] * (x[i] - x[c.col[q]]);
        r2 += (y - b[i]) * (y - b[i]);
        b2 += b[i] * b[i];
    }
    XP_CHECK(sqrt(r2) <= 1e-10 * sqrt(b2));
    /* The refactorisation at the same shift is the same factor, bit for bit. */
    xp_sldl G;
    XP_CHECK_INT(xp_sldl_refactor(&P, &c.g, -1e-3 * norm, &G, &e), XP_OK);
    XP_CHECK(!memcmp(G.d, P.d, (size_t)n * sizeof *G.d));
    xp_sldl_free(&G);
    xp_sldl_free(&P);
    free(b);
    free(x);
    free(w);
    csr_free(&c);
}

/* The dense tail, blocked in xp_sldl.c, against the plain right-looking
 * LDL^T, one pivot at a time, on the same matrix: the same bits. A random
 * dense graph of n nodes factored with every pivot dense (nsparse 0, the
 * identity order), so the tail is all of L - sigma I; n not a multiple of
 * the block, sigma inside the spectrum (negative pivots). */
static void dense_tail_bits(int64_t n, double sigma, uint64_t seed)
{
    tg_graph t = {0};
    t.nnodes = n;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = i + 1; j < n; j++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            if ((seed >> 60) < 12) /* about 3 in 4 pairs */
                tg_edge(&t, i, j, 1e-3 + (double)(seed >> 11) * 0x1p-53);
        }
    csr c;
    csr_build(&t, &c);
    double *a = calloc((size_t)(n * n), sizeof *a), *d = malloc((size_t)n * sizeof *d);
    for (int64_t i = 0; i < n; i++) {
        double deg = 0;
        for (int64_t q = c.rowptr[i]; q < c.rowptr[i + 1]; q++) {
            a[i * n + c.col[q]] = -c.val[q];
            deg += c.val[q];
        }
        a[i * n + i] = deg - sigma;
    }
    for (int64_t k = 0; k < n; k++) { /* column k holds rows k.. */
        double *ck = a + k * n, piv = ck[k];
        d[k] = piv;
        for (int64_t j = k + 1; j < n; j++) {
            double lj = ck[j] / piv, *cj = a + j * n;
            for (int64_t i = j; i < n; i++)
                cj[i] -= ck[i] * lj;
        }
        for (int64_t i = k + 1; i < n; i++)
            ck[i] /= piv;
    }
    int64_t *order = malloc((size_t)n * sizeof *order), neg = 0;
    for (int64_t i = 0; i < n; i++) {
        order[i] = i;
        neg += d[i] < 0;
    }
    xp_sldl F;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_sldl_factor(&c.g, sigma, order, 0, 1 << 24, &F, &e), XP_OK);
    XP_CHECK_INT(F.r, n);
    XP_CHECK(!F.bad && !memcmp(F.d, d, (size_t)n * sizeof *d));
    int64_t diff = 0;
    for (int64_t k = 0; k < n; k++)
        diff +=
            memcmp(F.tail + k * n + k + 1, a + k * n + k + 1, (size_t)(n - k - 1) * sizeof *a) != 0;
    XP_CHECK_INT(diff, 0);
    XP_CHECK_INT(F.neg, neg);
    XP_CHECK(neg > 0 || sigma < 0);
    xp_sldl_free(&F);
    free(order);
    free(a);
    free(d);
    csr_free(&c);
    free(t.src);
    free(t.dst);
    free(t.w);
}

/* ---- eigenpairs against dsyevr ---- */

/* must: the method has to succeed on this graph (else it may give up, but
 * never be wrong). */
static void pairs(const tg_graph *t, int k, int method, int must,
                  const char *what)
{
    csr c;
    csr_build(t, &c);
    int64_t n = c.n;
    double norm = norm_bound(&c);
    xp_fiedler_opts o;
    xp_fiedler_info info;
    xp_fiedler_pairs p;
    xp_err e;
    xp_err_clear(&e);
    xp_fiedler_opts_default(&o, n);
    o.method = method;
    XP_CHECK_INT(xp_fiedler_smallest(&c.g, k, &o, &p, &info, &e), XP_OK);
    if (must && info.outcome != XP_FIEDLER_OK)
        fprintf(stderr, "%s (method %d): outcome %d\n", what, method,
                info.outcome);
    XP_CHECK(!must || info.outcome == XP_FIEDLER_OK);
    if (info.outcome == XP_FIEDLER_OK) {
        XP_CHECK(p.k >= k);
        double *w = malloc((size_t)(p.k + 1) * sizeof *w);
        dense_smallest(&c, p.k + 1, w, NULL);
        for (int j = 0; j < p.k; j++) {
            if (!(fabs(p.w[j] - w[j]) <= info.ebound + 1e-12 * norm))
                fprintf(stderr, "%s (method %d): w[%d] %.17g, dense %.17g, "
                        "bound %.3g\n", what, method, j, p.w[j], w[j],
                        info.ebound);
            XP_CHECK(fabs(p.w[j] - w[j]) <= info.ebound + 1e-12 * norm);
            XP_CHECK(p.rn[j] <= 1e-10 * norm);
            for (int l = 0; l <= j; l++) {
                double d = 0;
                for (int64_t i = 0; i < n; i++)
                    d += p.Z[i + (size_t)j * (size_t)n] *
                         p.Z[i + (size_t)l * (size_t)n];
                XP_CHECK(fabs(d - (l == j)) <= 1e-10);
            }
        }
        XP_CHECK(info.next_lo <= w[p.k] + 1e-12 * norm);
        XP_CHECK(info.ebound <= 1e-10 * norm);
        free(w);
    }
    xp_fiedler_pairs_free(&p);
    csr_free(&c);
}

static void eigenpairs(void)
{
    tg_graph t = {0};
    for (int method = XP_FIEDLER_DAVIDSON; method <= XP_FIEDLER_SLICING;
         method++) {
        memset(&t, 0, sizeof t);
        t.nnodes = 60;
        tg_path(&t, 0, 60, 1.0);
        pairs(&t, 3, method, 1, "path 60");
        tg_edge(&t, 59, 0, 1.0); /* a cycle: every eigenvalue twice */
        pairs(&t, 3, method, 1, "cycle 60");
        pairs(&t, 8, method, 1, "cycle 60, k 8");
        tg_free(&t);
        grid(&t, 8, 10);
        pairs(&t, 3, method, 1, "grid 8x10");
        tg_free(&t);
        twin_star(&t, 20); /* lambda repeated 19 + 20 times */
        pairs(&t, 3, method, method == XP_FIEDLER_SLICING, "twin star");
        tg_free(&t);
        for (int64_t n = 250; n <= 1000; n *= 4) {
            memset(&t, 0, sizeof t);
            tg_planted(&t, n, 30, 0.8, 0.3, 42 + (uint64_t)n);
            pairs(&t, 3, method, 1, "planted");
            pairs(&t, 8, method, 1, "planted, k 8");
            tg_free(&t);
            rule_like(&t, n, 7 + (uint64_t)n);
            pairs(&t, 3, method, 1, "rule-like");
            tg_free(&t);
        }
    }
}

static void sldl_counts(void)
{
    tg_graph t = {0};
    tg_planted(&t, 120, 20, 0.7, 0.2, 5);
    counts(&t, "planted 120");
    tg_free(&t);
    rule_like(&t, 150, 3);
    counts(&t, "rule-like 150");
    tg_free(&t);
    twin_star(&t, 12);
    counts(&t, "twin star");
    tg_free(&t);
    grid(&t, 6, 7);
    counts(&t, "grid 6x7");
    tg_free(&t);
}

/* ---- whole clusterings: sparse against dense ---- */

static void same_clustering(const tg_graph *t, xp_cluster_opts o,
                            const char *what)
{
    xp_rulegraph g = tg_view(t);
    xp_clustering d, s;
    xp_err e;
    xp_err_clear(&e);
    o.sparse_min = INT64_MAX / 2; /* every part dense */
    XP_CHECK_INT(xp_cluster_run(&g, &o, &d, &e), XP_OK);
    for (int method = 0; method <= 2; method++) {
        o.sparse_min = 2; /* every part sparse (from 20 nodes: 4 k + 8) */
        o.sparse_method = method;
        xp_err_clear(&e);
        XP_CHECK_INT(xp_cluster_run(&g, &o, &s, &e), XP_OK);
        int64_t diff = d.nclusters != s.nclusters;
        for (int64_t i = 0; !diff && i < t->nnodes; i++)
            diff += d.node_cluster[i] != s.node_cluster[i];
        for (int64_t i = 0; !diff && i < t->nedges; i++)
            diff += d.edge_cut[i] != s.edge_cut[i];
        for (int64_t k = 0; !diff && k < d.nclusters; k++)
            diff += d.cluster_spectral[k] != s.cluster_spectral[k];
        if (diff)
            fprintf(stderr, "%s (method %d): sparse differs from dense "
                    "(%lld vs %lld clusters)\n", what, method,
                    (long long)s.nclusters, (long long)d.nclusters);
        XP_CHECK_INT(diff, 0);
        XP_CHECK(d.nclusters > 1);
        xp_clustering_free(&s);
    }
    xp_clustering_free(&d);
}

static void sparse_equals_dense(int sweep)
{
    xp_cluster_opts o;
    xp_cluster_opts_default(&o);
    o.sweep = sweep;
    tg_graph t = {0};
    for (uint64_t seed = 1; seed <= 2; seed++) {
        tg_planted(&t, 200 * (int64_t)seed, 30, 0.8, 0.3, seed);
        same_clustering(&t, o, "planted");
        tg_free(&t);
        memset(&t, 0, sizeof t);
    }
    rule_like(&t, 300, 11);
    same_clustering(&t, o, "rule-like 300");
    tg_free(&t);
    twin_star(&t, 30);
    same_clustering(&t, o, "twin star");
    tg_free(&t);
    grid(&t, 10, 13);
    same_clustering(&t, o, "grid 10x13");
    tg_free(&t);
    memset(&t, 0, sizeof t);
    t.nnodes = 120;
    tg_path(&t, 0, 120, 1.0);
    tg_edge(&t, 119, 0, 1.0);
    same_clustering(&t, o, "cycle 120");
    tg_free(&t);
}

/* --tight 0: no eigen-solve at all (a failure injected into the first one
 * never fires), every closure component is one cluster. */
static void tight_zero(void)
{
    xp_cluster_opts o;
    xp_cluster_opts_default(&o);
    tg_graph t = {0};
    tg_planted(&t, 300, 30, 0.8, 0.3, 9);
    t.nnodes += 15;
    tg_path(&t, 300, 15, 1.0); /* a second closure component */
    o.tight = 0;
    o.fault_rank = 0;
    xp_rulegraph g = tg_view(&t);
    xp_clustering c;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_cluster_run(&g, &o, &c, &e), XP_OK);
    XP_CHECK_INT(c.nclusters, 2);
    for (int64_t k = 0; k < c.nclusters; k++)
        XP_CHECK_INT(c.cluster_spectral[k], 0);
    for (int64_t i = 0; i < t.nedges; i++)
        XP_CHECK_INT(c.edge_cut[i], 0);
    xp_clustering_free(&c);
    o.tight = 0.5; /* the same graph does solve, and fails, otherwise */
    XP_CHECK_INT(xp_cluster_run(&g, &o, &c, &e), XP_LAPACK);
    tg_free(&t);
}

/* A sparse solver that gives up every time: the dense fallback decides. */
static void fallback(void)
{
    xp_cluster_opts o;
    xp_cluster_opts_default(&o);
    o.sparse_method = XP_FIEDLER_DAVIDSON;
    o.sparse_maxit = -1;
    tg_graph t = {0};
    tg_planted(&t, 250, 30, 0.8, 0.3, 4);
    same_clustering(&t, o, "fallback");
    tg_free(&t);
}

int main(void)
{
    dense_tail_bits(1, -0.5, 1);
    dense_tail_bits(37, -1e-3, 2);
    dense_tail_bits(70, 3.0, 3);
    dense_tail_bits(150, 10.0, 4);
    sldl_counts();
    eigenpairs();
    sparse_equals_dense(0);
    sparse_equals_dense(1); /* --sweep-cut */
    tight_zero();
    fallback();
    XP_TEST_END();
}

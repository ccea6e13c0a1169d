/*
 * cluster_graphs.h - rule graphs for the clustering tests and bench:
 * cliques, paths, cycles and random planted clusters, all deterministic.
 */
#ifndef CLUSTER_GRAPHS_H
#define CLUSTER_GRAPHS_H

#include <stdint.h>
#include <stdlib.h>

#include "xp_cluster.h"

void dsyevr_(const char *jobz, const char *range, const char *uplo,
             const int *n, double *a, const int *lda, const double *vl,
             const double *vu, const int *il, const int *iu,
             const double *abstol, int *m, double *w, double *z,
             const int *ldz, int *isuppz, double *work, const int *lwork,
             int *iwork, const int *liwork, int *info, size_t, size_t,
             size_t);

/*
 * The reference for the eigen-solvers: the k smallest eigenpairs of the
 * dense symmetric n x n matrix A (column-major, destroyed) by LAPACK dsyevr.
 * w gets k values, Z (n x k) the vectors. Returns dsyevr's info (-100: out
 * of memory).
 */
static inline int tg_dsyevr_smallest(double *A, int n, int k, double *w, double *Z)
{
    int il = 1, iu = k, m = 0, info = 0, lw = -1, liw = -1, iq = 0;
    double vl = 0, vu = 0, ab = 0, q = 0;
    int *isup = malloc(2 * (size_t)k * sizeof *isup);
    double *all = malloc((size_t)n * sizeof *all);
    if (isup == NULL || all == NULL)
        info = -100;
    if (info == 0)
        dsyevr_("V", "I", "L", &n, A, &n, &vl, &vu, &il, &iu, &ab, &m, all, Z, &n, isup, &q, &lw,
                &iq, &liw, &info, 1, 1, 1);
    lw = (int)q;
    liw = iq;
    double *work = info == 0 ? malloc((size_t)lw * sizeof *work) : NULL;
    int *iwork = info == 0 ? malloc((size_t)liw * sizeof *iwork) : NULL;
    if (info == 0 && (work == NULL || iwork == NULL))
        info = -100;
    if (info == 0)
        dsyevr_("V", "I", "L", &n, A, &n, &vl, &vu, &il, &iu, &ab, &m, all, Z, &n, isup, work,
                &lw, iwork, &liw, &info, 1, 1, 1);
    if (info == 0)
        for (int j = 0; j < k; j++)
            w[j] = all[j];
    free(work);
    free(iwork);
    free(all);
    free(isup);
    return info;
}

typedef struct tg_graph {
    int64_t nnodes, nedges, cap;
    int64_t *src, *dst;
    double *w;
} tg_graph;

static inline void tg_edge(tg_graph *t, int64_t s, int64_t d, double w)
{
    if (t->nedges == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->src = realloc(t->src, (size_t)t->cap * sizeof *t->src);
        t->dst = realloc(t->dst, (size_t)t->cap * sizeof *t->dst);
        t->w = realloc(t->w, (size_t)t->cap * sizeof *t->w);
        if (!t->src || !t->dst || !t->w)
            abort(); /* test code: out of memory ends the test */
    }
    t->src[t->nedges] = s;
    t->dst[t->nedges] = d;
    t->w[t->nedges++] = w;
}

/* A clique on nodes [a, a+n) with score w (one direction per pair). */
static inline void tg_clique(tg_graph *t, int64_t a, int64_t n, double w)
{
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = i + 1; j < n; j++)
            tg_edge(t, a + i, a + j, w);
}

/* Two 12-cliques of score 1 (nodes 0-11, 12-23) joined by rule 5 => 17 of
 * score weak (when weak > 0); nnodes at least 24. */
static inline void tg_two_cliques(tg_graph *t, double weak)
{
    if (t->nnodes < 24)
        t->nnodes = 24;
    tg_clique(t, 0, 12, 1.0);
    tg_clique(t, 12, 12, 1.0);
    if (weak > 0)
        tg_edge(t, 5, 17, weak);
}

static inline void tg_path(tg_graph *t, int64_t a, int64_t n, double w)
{
    for (int64_t i = 0; i + 1 < n; i++)
        tg_edge(t, a + i, a + i + 1, w);
}

static inline xp_rulegraph tg_view(const tg_graph *t)
{
    xp_rulegraph g = {t->nnodes, t->nedges, t->src, t->dst, t->w};
    return g;
}

static inline void tg_free(tg_graph *t)
{
    free(t->src);
    free(t->dst);
    free(t->w);
}

static inline uint64_t tg_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline double tg_unif(uint64_t *s) { return (double)(tg_rand(s) >> 11) * 0x1.0p-53; }

/*
 * n nodes in planted clusters of about csize nodes (sizes vary +-50%),
 * inside each cluster a fraction dens of the pairs are strong rules (score
 * 1..10, 30% in both directions), and n * cross weak rules between clusters (score
 * 0.01..0.1) between different clusters, so the whole graph is usually
 * one closure component.
 */
static inline void tg_planted(tg_graph *t, int64_t n, int64_t csize, double dens,
                       double cross, uint64_t seed)
{
    t->nnodes = n;
    int64_t *start = malloc(((size_t)n + 2) * sizeof *start), nc = 0;
    int64_t *of = malloc(((size_t)n + 1) * sizeof *of);
    for (int64_t a = 0; a < n; nc++) {
        start[nc] = a;
        int64_t sz = csize / 2 + (int64_t)(tg_rand(&seed) % (uint64_t)(csize + 1));
        a += sz < 2 ? 2 : sz;
    }
    start[nc] = n;
    if (nc > 1 && start[nc] - start[nc - 1] < 2)
        start[--nc] = n; /* no one-node cluster at the end */
    for (int64_t c = 0; c < nc; c++) {
        int64_t a = start[c], sz = start[c + 1] - start[c];
        for (int64_t i = 0; i < sz; i++)
            of[a + i] = c;
        double p = dens;
        for (int64_t i = 0; i < sz; i++)
            for (int64_t j = i + 1; j < sz; j++)
                if (tg_unif(&seed) < p) {
                    double w = 1 + 9 * tg_unif(&seed);
                    tg_edge(t, a + i, a + j, w);
                    if (tg_unif(&seed) < 0.3)
                        tg_edge(t, a + j, a + i, w * (0.5 + tg_unif(&seed)));
                }
        for (int64_t i = 0; i + 1 < sz; i++) /* keep each cluster connected */
            tg_edge(t, a + i, a + i + 1, 1 + tg_unif(&seed));
    }
    for (int64_t k = 0; k < (int64_t)(cross * (double)n); k++) {
        int64_t s = (int64_t)(tg_rand(&seed) % (uint64_t)n);
        int64_t d = (int64_t)(tg_rand(&seed) % (uint64_t)n);
        if (of[s] != of[d])
            tg_edge(t, s, d, 0.01 + 0.09 * tg_unif(&seed));
    }
    free(start);
    free(of);
}

#endif

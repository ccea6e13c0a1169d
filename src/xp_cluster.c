/*
 * xp_cluster.c - rule clustering (§3.1): closure + Procedure 2, serial.
 * The choices the paper leaves open are explained in docs/clustering.md.
 * Eigenpairs come from the sparse solver (xp_fiedler.h) for large parts,
 * with error bounds that say when a dense LAPACK solve must decide.
 */
#include "xp_cluster.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xp_fiedler.h"
#include "xp_mem.h"
#include "xp_sort.h"

/* LAPACK (Fortran, LP64); the trailing size_t are the hidden string lengths. */
void dsyevr_(const char *jobz, const char *range, const char *uplo,
             const int *n, double *a, const int *lda, const double *vl,
             const double *vu, const int *il, const int *iu,
             const double *abstol, int *m, double *w, double *z,
             const int *ldz, int *isuppz, double *work, const int *lwork,
             int *iwork, const int *liwork, int *info, size_t ljobz,
             size_t lrange, size_t luplo);

void dsyevx_(const char *jobz, const char *range, const char *uplo,
             const int *n, double *a, const int *lda, const double *vl,
             const double *vu, const int *il, const int *iu,
             const double *abstol, int *m, double *w, double *z,
             const int *ldz, double *work, const int *lwork, int *iwork,
             int *ifail, int *info, size_t ljobz, size_t lrange,
             size_t luplo);

void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t luplo);

/* A residual ||L v - lambda v|| above this times ||L|| is a failed solve. */
#define XP__RESID_TOL 1e-8
/* Eigenvalues closer than this times ||L|| count as one repeated value. */
#define XP__EQ_TOL 1e-8
/* The sparse solver's residual tolerance (times 2 max degree), first. */
#define XP__SPARSE_TOL 1e-12
/* Fiedler entries below this times the largest are "zero" (fixed side). */
#define XP__ZERO_TOL 1e-6

void xp_cluster_opts_default(xp_cluster_opts *o)
{
    o->min_split = 4;
    o->tight = 0.5;
    o->max_cut = 0.25;
    o->sweep = 0;
    o->sparse_min = 100;
    o->scalapack_min = 2000;
    o->sparse_method = 0;
    o->sparse_maxit = 0;
    o->fault_rank = -1;
    o->progress = NULL;
    o->progress_ctx = NULL;
}

void xp_clustering_free(xp_clustering *c)
{
    if (c == NULL)
        return;
    free(c->node_cluster);
    free(c->edge_cut);
    free(c->edge_cluster);
    free(c->cluster_score);
    free(c->cluster_spectral);
    memset(c, 0, sizeof *c);
}

xp_status xp_rulegraph_write(const xp_rulegraph *g, const char *path,
                             xp_err *e)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return xp_err_set(e, XP_IO, "%s: cannot write the rule graph", path);
    for (int64_t i = 0; i < g->nedges; i++)
        fprintf(f, "%lld %lld %.17g\n", (long long)g->src[i],
                (long long)g->dst[i], g->w[i]);
    if (fclose(f) != 0)
        return xp_err_set(e, XP_IO, "%s: cannot write the rule graph", path);
    return XP_OK;
}

static xp_status check_input(const xp_rulegraph *g, const xp_cluster_opts *o,
                             xp_err *e)
{
    if (g->nnodes < 0 || g->nedges < 0)
        return xp_err_set(e, XP_ARG, "rule graph: %lld nodes, %lld edges",
                          (long long)g->nnodes, (long long)g->nedges);
    if (g->nedges > 0 && (!g->src || !g->dst || !g->w))
        return xp_err_set(e, XP_ARG, "rule graph: NULL edge arrays");
    if (o->min_split < 2 || !(o->tight >= 0) || !(o->max_cut >= 0) ||
        o->scalapack_min < 2 ||
        o->sparse_min < 2 || o->sparse_method < 0 || o->sparse_method > 2)
        return xp_err_set(e, XP_ARG,
                          "clustering options: expected min-split >= 2, "
                          "tight >= 0, max-cut >= 0, scalapack-min >= 2, "
                          "sparse-min >= 2, found %lld, %g, %g, %lld, %lld",
                          (long long)o->min_split, o->tight, o->max_cut,
                          (long long)o->scalapack_min,
                          (long long)o->sparse_min);
    for (int64_t i = 0; i < g->nedges; i++) {
        if (g->src[i] < 0 || g->src[i] >= g->nnodes || g->dst[i] < 0 ||
            g->dst[i] >= g->nnodes)
            return xp_err_set(e, XP_ARG,
                              "rule graph: rule %lld joins %lld and %lld, "
                              "expected nodes in [0, %lld)",
                              (long long)i, (long long)g->src[i],
                              (long long)g->dst[i], (long long)g->nnodes);
        if (!(g->w[i] >= 0) || !isfinite(g->w[i]))
            return xp_err_set(e, XP_ARG,
                              "rule graph: rule %lld has score %g, expected "
                              "a finite score >= 0",
                              (long long)i, g->w[i]);
    }
    return XP_OK;
}

typedef struct xp__adj {
    int64_t col;
    double w;
} xp__adj;

static int cmp_adj(const void *a, const void *b)
{
    const xp__adj *x = a, *y = b;
    return (x->col > y->col) - (x->col < y->col);
}

/* Each row's entries sorted by column, the comparison inlined (xp_sort.h):
 * with glibc's qsort once per node, xp__cstate_init took 11.3 M
 * instructions on every rank for 4,048 nodes; now 5.0 M (callgrind, 1000
 * clients x 7 h). Equal columns are merged by max, so their order does
 * not matter. */
#define XP__ADJ_LT(x, y) ((x).col < (y).col)
XP_QUICKSORT(xp__sort_adj, xp__adj, XP__ADJ_LT, cmp_adj)

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A_ij = max of the scores of i => j and j => i (duplicates: max too). */
static xp_status build_csr(xp__cstate *st, const xp_rulegraph *g, xp_err *e)
{
    int64_t n = g->nnodes;
    st->rowptr = calloc((size_t)n + 1, sizeof *st->rowptr);
    XP_ALLOC_CHECK(e, st->rowptr, "the rule graph's rows");
    for (int64_t i = 0; i < g->nedges; i++)
        if (g->src[i] != g->dst[i]) {
            st->rowptr[g->src[i] + 1]++;
            st->rowptr[g->dst[i] + 1]++;
        }
    for (int64_t i = 0; i < n; i++)
        st->rowptr[i + 1] += st->rowptr[i];
    int64_t m = st->rowptr[n];
    xp__adj *adj = malloc(((size_t)m + 1) * sizeof *adj);
    int64_t *fill = malloc(((size_t)n + 1) * sizeof *fill);
    if (!adj || !fill) {
        free(adj);
        free(fill);
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld adjacencies",
                          (long long)m);
    }
    memcpy(fill, st->rowptr, (size_t)n * sizeof *fill);
    for (int64_t i = 0; i < g->nedges; i++) {
        int64_t s = g->src[i], d = g->dst[i];
        if (s == d)
            continue;
        adj[fill[s]++] = (xp__adj){d, g->w[i]};
        adj[fill[d]++] = (xp__adj){s, g->w[i]};
    }
    free(fill);
    st->col = malloc(((size_t)m + 1) * sizeof *st->col);
    st->val = malloc(((size_t)m + 1) * sizeof *st->val);
    if (!st->col || !st->val) {
        free(adj);
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld adjacencies",
                          (long long)m);
    }
    int64_t out = 0;
    for (int64_t r = 0; r < n; r++) {
        int64_t b = st->rowptr[r], end = st->rowptr[r + 1];
        xp__sort_adj(adj + b, end - b, xp_sort_depth(end - b));
        st->rowptr[r] = out;
        for (int64_t k = b; k < end; k++) {
            if (out > st->rowptr[r] && st->col[out - 1] == adj[k].col) {
                if (adj[k].w > st->val[out - 1])
                    st->val[out - 1] = adj[k].w;
                continue;
            }
            st->col[out] = adj[k].col;
            st->val[out++] = adj[k].w;
        }
    }
    st->rowptr[n] = out;
    for (int64_t k = 0; k < out && !st->has_zero; k++)
        st->has_zero = st->val[k] == 0;
    free(adj);
    return XP_OK;
}

static xp_status add_leaf(xp__cstate *st, const int64_t *nodes, int64_t n,
                          uint8_t spectral, xp_err *e)
{
    if (st->nleaf == st->capleaf) {
        int64_t cap = st->capleaf ? 2 * st->capleaf : 64;
        uint8_t *p = realloc(st->leaf_spectral, (size_t)cap);
        XP_ALLOC_CHECK(e, p, "the cluster list");
        st->leaf_spectral = p;
        st->capleaf = cap;
    }
    st->leaf_spectral[st->nleaf] = spectral;
    for (int64_t i = 0; i < n; i++)
        st->leaf[nodes[i]] = st->nleaf;
    st->nleaf++;
    return XP_OK;
}

/*
 * Split the ascending node set s[0..m) into connected components (in the
 * whole graph restricted to s). Small ones become leaves; the others are
 * appended to the round being built (parts/nodes/nparts/total of *nx).
 * tag/queue are scratch arrays of nnodes; *stamp grows by 2 per call.
 *
 * The closure (spectral 0) follows every rule; Procedure 2 (spectral 1)
 * only rules of score > 0. A rule of score 0 (kept by its client-level test
 * while eq. (2) is <= 0, docs/statistics.md) joins its nodes in the
 * transitive closure but weighs nothing in the Laplacian, so a part that
 * only such rules hold together has lambda2 = 0 exactly, and Procedure 2's
 * first split is along them: done here, without an eigen-solve of a
 * singular problem (docs/clustering.md).
 */
typedef struct xp__next {
    xp__cpart *parts;
    int64_t *nodes;
    int64_t nparts, total;
    int64_t *tag, *queue, stamp;
} xp__next;

static xp_status components(xp__cstate *st, xp__next *nx, const int64_t *s,
                            int64_t m, uint8_t spectral, xp_err *e);

/* A closure component q[0..n) that enters Procedure 2, split along its
 * rules of score 0 (see components()); when none holds it together it
 * stays one part, from the closure alone (spectral 0). */
static xp_status zero_rule_split(xp__cstate *st, xp__next *nx,
                                 const int64_t *q, int64_t n, xp_err *e)
{
    int64_t *copy = malloc((size_t)n * sizeof *copy); /* q is nx->queue */
    XP_ALLOC_CHECK(e, copy, "a closure component");
    memcpy(copy, q, (size_t)n * sizeof *copy);
    int64_t parts0 = nx->nparts, leaves0 = st->nleaf;
    xp_status s = components(st, nx, copy, n, 1, e);
    free(copy);
    if (s == XP_OK && nx->nparts == parts0 + 1 && st->nleaf == leaves0)
        nx->parts[parts0].spectral = 0; /* still whole */
    return s;
}

static xp_status components(xp__cstate *st, xp__next *nx, const int64_t *s,
                            int64_t m, uint8_t spectral, xp_err *e)
{
    int64_t in = nx->stamp, seen = nx->stamp + 1;
    nx->stamp += 2;
    for (int64_t i = 0; i < m; i++)
        nx->tag[s[i]] = in;
    for (int64_t i = 0; i < m; i++) {
        if (nx->tag[s[i]] != in)
            continue;
        int64_t *q = nx->queue, head = 0, tail = 0;
        q[tail++] = s[i];
        nx->tag[s[i]] = seen;
        while (head < tail) {
            int64_t u = q[head++];
            for (int64_t k = st->rowptr[u]; k < st->rowptr[u + 1]; k++)
                if (nx->tag[st->col[k]] == in && (!spectral || st->val[k] > 0)) {
                    nx->tag[st->col[k]] = seen;
                    q[tail++] = st->col[k];
                }
        }
        qsort(q, (size_t)tail, sizeof *q, cmp_i64);
        if (tail < st->min_split || st->never_split) {
            XP_CALL(add_leaf(st, q, tail, spectral, e));
            continue;
        }
        if (!spectral && st->has_zero) {
            XP_CALL(zero_rule_split(st, nx, q, tail, e));
            continue;
        }
        memcpy(nx->nodes + nx->total, q, (size_t)tail * sizeof *q);
        nx->parts[nx->nparts++] = (xp__cpart){nx->total, tail, spectral};
        nx->total += tail;
    }
    return XP_OK;
}

/* Install the round in *nx as the current one. */
static xp_status install_round(xp__cstate *st, xp__next *nx, xp_err *e)
{
    free(st->parts);
    free(st->nodes);
    free(st->verdict);
    free(st->side);
    st->parts = nx->parts;
    st->nodes = nx->nodes;
    st->nparts = nx->nparts;
    st->total = nx->total;
    nx->parts = NULL;
    nx->nodes = NULL;
    st->verdict = calloc((size_t)st->nparts + 1, 1);
    st->side = calloc((size_t)st->total + 1, 1);
    XP_ALLOC_CHECK(e, st->verdict, "the verdicts");
    XP_ALLOC_CHECK(e, st->side, "the split sides");
    for (int64_t i = 0; i < st->nnodes; i++)
        st->partid[i] = st->pos[i] = -1;
    for (int64_t p = 0; p < st->nparts; p++)
        for (int64_t i = 0; i < st->parts[p].n; i++) {
            int64_t u = st->nodes[st->parts[p].off + i];
            st->partid[u] = p;
            st->pos[u] = i;
        }
    return XP_OK;
}

static xp_status next_alloc(xp__next *nx, int64_t total, int64_t nnodes,
                            xp_err *e)
{
    memset(nx, 0, sizeof *nx);
    nx->parts = malloc(((size_t)total + 1) * sizeof *nx->parts);
    nx->nodes = malloc(((size_t)total + 1) * sizeof *nx->nodes);
    nx->tag = calloc((size_t)nnodes + 1, sizeof *nx->tag);
    nx->queue = malloc(((size_t)nnodes + 1) * sizeof *nx->queue);
    nx->stamp = 1;
    if (!nx->parts || !nx->nodes || !nx->tag || !nx->queue)
        return xp_err_set(e, XP_NOMEM, "out of memory for a round of %lld "
                          "nodes", (long long)total);
    return XP_OK;
}

static void next_free(xp__next *nx)
{
    free(nx->parts);
    free(nx->nodes);
    free(nx->tag);
    free(nx->queue);
}

xp_status xp__cstate_init(xp__cstate *st, const xp_rulegraph *g,
                          const xp_cluster_opts *o, xp_err *e)
{
    memset(st, 0, sizeof *st);
    XP_CALL(check_input(g, o, e));
    st->nnodes = g->nnodes;
    st->min_split = o->min_split;
    /* tight = 0: lambda2 / dbar >= 0 holds for every part, so every closure
     * component is a cluster and no eigenproblem needs solving. */
    st->never_split = !(o->tight > 0);
    st->norm = o->sweep != 0;
    size_t nn = (size_t)g->nnodes + 1;
    st->partid = malloc(nn * sizeof *st->partid);
    st->pos = malloc(nn * sizeof *st->pos);
    st->leaf = malloc(nn * sizeof *st->leaf);
    XP_ALLOC_CHECK(e, st->partid, "the part map");
    XP_ALLOC_CHECK(e, st->pos, "the part map");
    XP_ALLOC_CHECK(e, st->leaf, "the cluster map");
    for (int64_t i = 0; i < g->nnodes; i++)
        st->leaf[i] = -1;
    XP_CALL(build_csr(st, g, e));
    xp__next nx;
    xp_status s = next_alloc(&nx, g->nnodes, g->nnodes, e);
    /* components() takes the node set apart from its scratch queue. */
    int64_t *all = s == XP_OK ? malloc(nn * sizeof *all) : NULL;
    if (s == XP_OK && all == NULL)
        s = xp_err_set(e, XP_NOMEM, "out of memory for the node list");
    if (s == XP_OK) {
        for (int64_t i = 0; i < g->nnodes; i++)
            all[i] = i;
        s = components(st, &nx, all, g->nnodes, 0, e); /* the closure */
    }
    if (s == XP_OK)
        s = install_round(st, &nx, e);
    free(all);
    next_free(&nx);
    return s;
}

void xp__cstate_free(xp__cstate *st)
{
    free(st->rowptr);
    free(st->col);
    free(st->val);
    free(st->partid);
    free(st->pos);
    free(st->leaf);
    free(st->leaf_spectral);
    free(st->parts);
    free(st->nodes);
    free(st->verdict);
    free(st->side);
    memset(st, 0, sizeof *st);
}

xp_status xp__cstate_advance(xp__cstate *st, xp_err *e)
{
    xp__next nx;
    int64_t *half = malloc(((size_t)st->total + 1) * sizeof *half);
    xp_status s = next_alloc(&nx, st->total, st->nnodes, e);
    if (s == XP_OK && half == NULL)
        s = xp_err_set(e, XP_NOMEM, "out of memory for a split");
    for (int64_t p = 0; s == XP_OK && p < st->nparts; p++) {
        const xp__cpart *pt = &st->parts[p];
        const int64_t *nodes = st->nodes + pt->off;
        if (st->verdict[p] == XP__LEAF) {
            s = add_leaf(st, nodes, pt->n, pt->spectral, e);
            continue;
        }
        if (st->verdict[p] != XP__SPLIT) {
            s = xp_err_set(e, XP_INTERNAL, "part %lld of %lld nodes has no "
                           "verdict", (long long)p, (long long)pt->n);
            break;
        }
        /* The positive side first, then the other: a fixed order. */
        for (int side = 1; s == XP_OK && side >= 0; side--) {
            int64_t m = 0;
            for (int64_t i = 0; i < pt->n; i++)
                if (st->side[pt->off + i] == side)
                    half[m++] = nodes[i];
            s = components(st, &nx, half, m, 1, e);
        }
    }
    if (s == XP_OK)
        s = install_round(st, &nx, e);
    free(half);
    next_free(&nx);
    return s;
}

void xp__cstate_degrees(const xp__cstate *st, int64_t p, double *deg)
{
    const xp__cpart *pt = &st->parts[p];
    for (int64_t i = 0; i < pt->n; i++) {
        int64_t u = st->nodes[pt->off + i];
        deg[i] = 0;
        for (int64_t k = st->rowptr[u]; k < st->rowptr[u + 1]; k++)
            if (st->partid[st->col[k]] == p)
                deg[i] += st->val[k];
    }
}

/* L of part p, dense; with st->norm, D^-1/2 L D^-1/2 (unit diagonal: a
 * part's nodes all have rules of positive weight inside it). */
void xp__cstate_laplacian(const xp__cstate *st, int64_t p, double *L)
{
    const xp__cpart *pt = &st->parts[p];
    size_t n = (size_t)pt->n;
    memset(L, 0, n * n * sizeof *L);
    for (size_t i = 0; i < n; i++) {
        int64_t u = st->nodes[pt->off + (int64_t)i];
        double deg = 0;
        for (int64_t k = st->rowptr[u]; k < st->rowptr[u + 1]; k++) {
            if (st->partid[st->col[k]] != p)
                continue;
            L[i + (size_t)st->pos[st->col[k]] * n] = -st->val[k];
            deg += st->val[k];
        }
        L[i + i * n] = deg;
    }
    if (!st->norm)
        return;
    for (size_t i = 0; i < n; i++)
        L[i + i * n] = 1 / sqrt(L[i + i * n]); /* d_i^-1/2, for now */
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < n; i++)
            if (i != j)
                L[i + j * n] *= L[i + i * n] * L[j + j * n];
    for (size_t i = 0; i < n; i++)
        L[i + i * n] = 1;
}

/* y = L x for part p, without forming L; with rs (d_i^-1/2 of each node,
 * st->norm), y = D^-1/2 L D^-1/2 x, whose norm is at most 2. Returns the
 * largest degree (1 with rs). */
static double lap_apply(const xp__cstate *st, int64_t p, const double *rs,
                        const double *x, double *y)
{
    const xp__cpart *pt = &st->parts[p];
    if (rs != NULL) {
        for (int64_t i = 0; i < pt->n; i++) {
            int64_t u = st->nodes[pt->off + i];
            double acc = 0;
            for (int64_t k = st->rowptr[u]; k < st->rowptr[u + 1]; k++) {
                int64_t c = st->col[k];
                if (st->partid[c] == p)
                    acc += st->val[k] * x[st->pos[c]] * rs[st->pos[c]];
            }
            y[i] = x[i] - acc * rs[i];
        }
        return 1;
    }
    double dmax = 0;
    for (int64_t i = 0; i < pt->n; i++) {
        int64_t u = st->nodes[pt->off + i];
        double deg = 0, acc = 0;
        for (int64_t k = st->rowptr[u]; k < st->rowptr[u + 1]; k++) {
            if (st->partid[st->col[k]] != p)
                continue;
            acc -= st->val[k] * x[st->pos[st->col[k]]];
            deg += st->val[k];
        }
        y[i] = acc + deg * x[i];
        if (deg > dmax)
            dmax = deg;
    }
    return dmax;
}

/* A fixed, index-based pseudo-random vector (splitmix64), in [-1, 1). */
static double fixed_entry(int64_t i, uint64_t seed)
{
    uint64_t z = (uint64_t)i * 0x9E3779B97F4A7C15ull + seed;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-52 - 1.0;
}

/* Orthonormalise the columns V[:, 0..m) in place (modified Gram-Schmidt). */
static void orthonormalise(double *V, int64_t n, int m)
{
    for (int j = 0; j < m; j++) {
        double *v = V + (size_t)j * (size_t)n;
        for (int i = 0; i < j; i++) {
            const double *q = V + (size_t)i * (size_t)n;
            double d = 0;
            for (int64_t r = 0; r < n; r++)
                d += q[r] * v[r];
            for (int64_t r = 0; r < n; r++)
                v[r] -= d * q[r];
        }
        double nrm = 0;
        for (int64_t r = 0; r < n; r++)
            nrm += v[r] * v[r];
        nrm = sqrt(nrm);
        for (int64_t r = 0; nrm > 0 && r < n; r++)
            v[r] /= nrm;
    }
}

/*
 * u = projection of a fixed vector f onto span V[:, 0..m) (orthonormal).
 * *fnorm = ||f||; *margin = how far ||u|| is above the length below which
 * the next seed is tried (an error in u smaller than it keeps the seed).
 */
static void project_fixed(const double *V, int64_t n, int m, double *u,
                          double *fnorm, double *margin)
{
    for (uint64_t seed = 1; seed <= 4; seed++) {
        double fn = 0, un = 0;
        memset(u, 0, (size_t)n * sizeof *u);
        for (int j = 0; j < m; j++) {
            const double *q = V + (size_t)j * (size_t)n;
            double d = 0;
            for (int64_t r = 0; r < n; r++)
                d += q[r] * fixed_entry(r, seed);
            for (int64_t r = 0; r < n; r++)
                u[r] += d * q[r];
        }
        for (int64_t r = 0; r < n; r++) {
            double f = fixed_entry(r, seed);
            fn += f * f;
            un += u[r] * u[r];
        }
        *fnorm = sqrt(fn);
        *margin = sqrt(un) - sqrt(1e-12 * fn);
        if (un > 1e-12 * fn)
            return;
    }
    *margin = 0;
    memcpy(u, V, (size_t)n * sizeof *u); /* never seen: a fixed fallback */
}

static xp_status check_residuals(const xp__cstate *st, int64_t p, int k,
                                 const double *w, const double *Z,
                                 const double *rs, double *scratch,
                                 double *normL, xp_err *e)
{
    int64_t n = st->parts[p].n;
    for (int j = 0; j < k; j++) {
        const double *v = Z + (size_t)j * (size_t)n;
        double dmax = lap_apply(st, p, rs, v, scratch), r = 0, vn = 0;
        *normL = 2 * dmax; /* ||L||_2 <= 2 max degree */
        for (int64_t i = 0; i < n; i++) {
            double d = scratch[i] - w[j] * v[i];
            r += d * d;
            vn += v[i] * v[i];
        }
        if (!(sqrt(r) <= XP__RESID_TOL * *normL) ||
            !(fabs(sqrt(vn) - 1) <= 1e-6))
            return xp_err_set(e, XP_LAPACK,
                              "eigen-solver: eigenpair %d of a %lld-node "
                              "Laplacian has residual %.3g (|L| %.3g) and "
                              "norm %.9g, expected residual <= %.1g |L| and "
                              "norm 1",
                              j + 1, (long long)n, sqrt(r), *normL,
                              sqrt(vn), XP__RESID_TOL);
    }
    return XP_OK;
}

/*
 * Split by the sign of u; near-zero entries go to side 0. delta > 0 bounds
 * the error of every entry of u against the exact vector (sparse solves):
 * if an entry lies within delta of the zero threshold, the exact vector's
 * side for it is unknown and the answer is XP__DENSE.
 */
static int split_by_sign(xp__cstate *st, int64_t p, const double *u,
                         double delta)
{
    const xp__cpart *pt = &st->parts[p];
    double umax = 0;
    for (int64_t i = 0; i < pt->n; i++)
        umax = fmax(umax, fabs(u[i]));
    double eps = XP__ZERO_TOL * umax;
    if (delta > 0) {
        /* The exact vector's threshold lies in [lo, hi], its entries
         * within delta of ours. */
        double lo = XP__ZERO_TOL * (umax - delta) - delta;
        double hi = XP__ZERO_TOL * (umax + delta) + delta;
        for (int64_t i = 0; i < pt->n; i++)
            if (fabs(u[i]) > lo && fabs(u[i]) <= hi)
                return XP__DENSE;
    }
    int64_t first = 0;
    while (first < pt->n && !(fabs(u[first]) > eps))
        first++;
    if (first == pt->n)
        return XP__LEAF;
    /* The sign of an eigenvector is arbitrary: make the first clear entry
     * positive, so a zero entry's side does not depend on it. */
    double sgn = u[first] > 0 ? 1 : -1;
    int64_t npos = 0;
    for (int64_t i = 0; i < pt->n; i++) {
        st->side[pt->off + i] = sgn * u[i] > eps;
        npos += st->side[pt->off + i];
    }
    return npos > 0 && npos < pt->n ? XP__SPLIT : XP__LEAF;
}

static double part_degree_sum(const xp__cstate *st, int64_t p)
{
    double dsum = 0;
    for (int64_t i = 0; i < st->parts[p].n; i++) {
        int64_t nd = st->nodes[st->parts[p].off + i];
        for (int64_t q = st->rowptr[nd]; q < st->rowptr[nd + 1]; q++)
            if (st->partid[st->col[q]] == p)
                dsum += st->val[q];
    }
    return dsum;
}

/* Tight (§3.1): normalised algebraic connectivity lambda2 / mean degree at
 * least o->tight; with st->norm, lambda2 of D^-1/2 L D^-1/2 itself (its
 * mean degree is 1). The threshold on lambda2. */
static double tight_at(const xp__cstate *st, int64_t p, const xp_cluster_opts *o)
{
    return o->tight * (st->norm ? 1 : part_degree_sum(st, p) / (double)st->parts[p].n);
}

/*
 * The sweep cut (docs/clustering.md, "Sweep cut"): the nodes in the order of
 * u; entries closer than XP__ZERO_TOL max|u| to their neighbour in that
 * order form one block (the order inside a block is the node index, so it
 * does not depend on the solver's round-off); among the cuts between blocks
 * the one of least conductance (cut weight over the smaller side's volume,
 * the first on ties). delta > 0 bounds every entry's error (sparse solves):
 * a gap between neighbours within 2 delta of the block tolerance makes the
 * blocks uncertain and the answer XP__DENSE. XP__SPLIT with st->side (side
 * 1: the side without the part's first node) when the best conductance is
 * below max_cut; XP__LEAF otherwise (no weak cut along u: one pattern).
 */
static int split_by_sweep(xp__cstate *st, int64_t p, const double *u,
                          double delta, double max_cut, xp_err *e,
                          xp_status *s)
{
    const xp__cpart *pt = &st->parts[p];
    int64_t n = pt->n;
    xp_dkey *k = malloc((size_t)n * sizeof *k);
    uint8_t *in = calloc((size_t)n, 1);
    if (k == NULL || in == NULL) {
        free(k);
        free(in);
        *s = xp_err_set(e, XP_NOMEM, "out of memory for a sweep cut");
        return XP__LEAF;
    }
    double umax = 0;
    for (int64_t i = 0; i < n; i++)
        umax = fmax(umax, fabs(u[i]));
    double tol = XP__ZERO_TOL * umax;
    /* The sign of u is arbitrary: the first clear entry is made positive, so
     * that the sweep order, and the first of two cuts of equal conductance,
     * do not depend on it (as split_by_sign). */
    int64_t first = 0;
    while (first < n && !(fabs(u[first]) > tol))
        first++;
    int verdict = XP__LEAF;
    for (int64_t i = 0; i <= first && i < n; i++)
        if (delta > 0 && fabs(fabs(u[i]) - tol) <= 2 * delta)
            verdict = XP__DENSE; /* which entry is the first clear one? */
    double sgn = first < n && u[first] < 0 ? -1 : 1;
    for (int64_t i = 0; i < n; i++)
        k[i] = (xp_dkey){sgn * u[i], i};
    xp_sort_dkeys(k, n);
    /* Blocks; the index order inside each. */
    int64_t b0 = 0;
    for (int64_t j = 1; verdict != XP__DENSE && j <= n; j++) {
        double gap = j < n ? k[j].v - k[j - 1].v : INFINITY;
        if (delta > 0 && fabs(gap - tol) <= 2 * delta) {
            verdict = XP__DENSE;
            break;
        }
        if (gap > tol) {
            for (int64_t q = b0; q < j; q++)
                k[q].v = (double)b0;       /* the block's id: its first position */
            xp_sort_dkeys(k + b0, j - b0); /* by index */
            b0 = j;
        }
    }
    if (verdict == XP__DENSE) {
        free(k);
        free(in);
        return XP__DENSE;
    }
    double total = part_degree_sum(st, p), vol = 0, cut = 0;
    double best = INFINITY;
    int64_t bestj = -1;
    for (int64_t j = 0; j < n; j++) {
        int64_t li = k[j].i, nd = st->nodes[pt->off + li];
        double deg = 0, inner = 0;
        for (int64_t q = st->rowptr[nd]; q < st->rowptr[nd + 1]; q++) {
            int64_t c = st->col[q];
            if (st->partid[c] != p)
                continue;
            deg += st->val[q];
            if (in[st->pos[c]])
                inner += st->val[q];
        }
        in[li] = 1;
        vol += deg;
        cut += deg - 2 * inner;
        if (j + 1 < n && k[j + 1].v != k[j].v) { /* a block boundary */
            double vmin = fmin(vol, total - vol);
            double phi = vmin > 0 ? fmax(cut, 0) / vmin : INFINITY;
            if (phi < best) {
                best = phi;
                bestj = j;
            }
        }
    }
    if (bestj >= 0 && best < max_cut) {
        memset(in, 0, (size_t)n);
        for (int64_t j = 0; j <= bestj; j++)
            in[k[j].i] = 1;
        for (int64_t i = 0; i < n; i++)
            st->side[pt->off + i] = in[i] != in[0];
        verdict = XP__SPLIT;
    }
    free(k);
    free(in);
    return verdict;
}

/* Error bounds of an iterative solve: every eigenvalue within ebound of
 * w[j] (in order), rn[j] the residual norm of pair j, and the first
 * eigenvalue not returned at least next_lo. */
typedef struct xp__bounds {
    double ebound, next_lo;
    const double *rn;
} xp__bounds;

/* Could the errors in b change a decision on the eigenvalues: the
 * tightness test, or which values tie with lambda2? */
static int values_unsure(int k, const double *w, const xp__bounds *b,
                         double tight_at, double tie)
{
    if (fabs(w[1] - tight_at) <= b->ebound)
        return 1;
    for (int j = 2; j < k; j++)
        if (fabs((w[j] - w[1]) - tie) <= 2 * b->ebound)
            return 1;
    return 0;
}

/*
 * The largest error of an entry of the split vector u: sin of the angle
 * between the computed and the exact eigenspace of pairs 1..m is at most
 * ||R||_F / gap (Davis-Kahan), gap = distance from those Ritz values to the
 * rest of the spectrum; u (a unit vector, or the projection of f) then
 * moves by at most 2 sin * fnorm. INFINITY when no gap is certain.
 */
static double split_error(int k, int m, const double *w,
                          const xp__bounds *b, double fnorm, double *gap)
{
    double next = 1 + m < k ? w[1 + m] - b->ebound : b->next_lo;
    double r2 = 0;
    *gap = next - w[m];
    for (int j = 1; j <= m; j++)
        r2 += b->rn[j] * b->rn[j];
    double sn = *gap > 0 ? sqrt(r2) / *gap : INFINITY;
    return sn < 0.5 ? 2 * sn * fnorm : INFINITY;
}

/*
 * Procedure 2's decision (§3.1) for part p from its k smallest eigenpairs.
 * b: error bounds of an iterative solve (NULL for a dense one); with them
 * the answer is XP__DENSE whenever the errors could change the decision.
 */
static xp_status decide_core(xp__cstate *st, int64_t p, int k,
                             const double *w, double *Z,
                             const xp_cluster_opts *o, const xp__bounds *b,
                             int *verdict, xp_err *e)
{
    int64_t n = st->parts[p].n;
    /* u; with st->norm also rs = d_i^-1/2 (the normalised Laplacian). */
    double *u = malloc(((size_t)n + 1) * (st->norm ? 2 : 1) * sizeof *u), normL = 0;
    XP_ALLOC_CHECK(e, u, "the Fiedler vector");
    double *rs = st->norm ? u + n + 1 : NULL;
    if (rs != NULL) {
        xp__cstate_degrees(st, p, rs);
        for (int64_t i = 0; i < n; i++)
            rs[i] = 1 / sqrt(rs[i]);
    }
    xp_status s = check_residuals(st, p, k, w, Z, rs, u, &normL, e);
    if (s != XP_OK || k < 2) {
        free(u);
        return s != XP_OK ? s : xp_err_set(e, XP_INTERNAL, "decide: k = %d", k);
    }
    double tight = tight_at(st, p, o);
    double tie = XP__EQ_TOL * normL;
    int m = 1;
    while (1 + m < k && w[1 + m] - w[1] <= tie)
        m++;
    *verdict = XP__SPLIT; /* unless one of these holds */
    if (b != NULL && values_unsure(k, w, b, tight, tie))
        *verdict = XP__DENSE;
    else if (w[1] >= tight)
        *verdict = XP__LEAF;
    else if (1 + m == k && k < n && w[k - 1] - w[1] <= tie &&
             (b == NULL || !(b->next_lo - w[1] > tie + b->ebound)))
        *verdict = XP__MORE; /* lambda2 may repeat beyond the pairs given */
    if (*verdict != XP__MORE)
        st->verdict[p] = (uint8_t)*verdict;
    if (*verdict == XP__DENSE || *verdict == XP__LEAF ||
        *verdict == XP__MORE) {
        free(u);
        return XP_OK;
    }
    double *V = Z + (size_t)n; /* pairs 2 .. 1+m */
    double fnorm = 1, margin = INFINITY, delta = 0;
    if (m == 1) {
        memcpy(u, V, (size_t)n * sizeof *u);
    } else {
        orthonormalise(V, n, m);
        project_fixed(V, n, m, u, &fnorm, &margin);
    }
    double gap = 0;
    if (b != NULL)
        delta = split_error(k, m, w, b, fnorm, &gap);
    double vscale = 1; /* bound on an entry of v per unit of y's error */
    if (rs != NULL) { /* N's vector y; the sweep orders v = D^-1/2 y */
        vscale = 0;
        for (int64_t i = 0; i < n; i++) {
            u[i] *= rs[i];
            vscale = fmax(vscale, rs[i]); /* 1 / sqrt(min degree) */
        }
    }
    if (b != NULL && !(delta < margin)) {
        *verdict = XP__DENSE; /* the seed of the projection could change */
    } else {
        /* A dense solve is no better when its own error, eps |L| / gap
         * (times a modest sqrt(n)), is as large: then no solver decides
         * those entries, and the sparse answer stands. */
        double dense_like = 2 * sqrt((double)n) * DBL_EPSILON * normL /
                            gap * fnorm;
        for (int pass = 0; pass < 2; pass++) {
            double d = pass == 0 ? delta : 0;
            *verdict = o->sweep ? split_by_sweep(st, p, u, d * vscale, o->max_cut, e, &s)
                                : split_by_sign(st, p, u, d);
            if (s != XP_OK || *verdict != XP__DENSE || !(gap > 0 && delta <= dense_like))
                break;
        }
    }
    st->verdict[p] = (uint8_t)*verdict;
    free(u);
    return s;
}

xp_status xp__cstate_decide(xp__cstate *st, int64_t p, int k, const double *w,
                            double *Z, const xp_cluster_opts *o, int *verdict,
                            xp_err *e)
{
    return decide_core(st, p, k, w, Z, o, NULL, verdict, e);
}

int xp__cluster_next_k(int k, int64_t n)
{
    int64_t want = k == 0 ? 3 : 2 * (int64_t)k + 2;
    return (int)(want < n ? want : n);
}

static xp_status lapack_status(const char *fn, int info, int64_t n,
                               xp_err *e)
{
    if (info < 0)
        return xp_err_set(e, XP_INTERNAL, "%s: argument %d had an illegal "
                          "value (a %lld-node Laplacian)", fn, -info,
                          (long long)n);
    if (info > 0)
        return xp_err_set(e, XP_LAPACK, "%s: info = %d: the eigen-solver "
                          "failed on a %lld-node Laplacian", fn, info,
                          (long long)n);
    return XP_OK;
}

/* The k smallest eigenpairs of L (destroyed) with dsyevr. */
static xp_status dsyevr_smallest(double *L, int n, int k, double *w,
                                 double *Z, int inject, xp_err *e)
{
    int il = 1, iu = k, m = 0, info = 0, lwork = -1, liwork = -1, iq = 0;
    double vl = 0, vu = 0, abstol = 0, wq = 0;
    int *isuppz = malloc(2 * (size_t)k * sizeof *isuppz);
    XP_ALLOC_CHECK(e, isuppz, "dsyevr's support");
    dsyevr_("V", "I", "L", &n, L, &n, &vl, &vu, &il, &iu, &abstol, &m, w, Z,
            &n, isuppz, &wq, &lwork, &iq, &liwork, &info, 1, 1, 1);
    xp_status s = lapack_status("dsyevr (workspace query)", info, n, e);
    lwork = (int)wq;
    liwork = iq;
    double *work = s == XP_OK ? malloc((size_t)lwork * sizeof *work) : NULL;
    int *iwork = s == XP_OK ? malloc((size_t)liwork * sizeof *iwork) : NULL;
    if (s == XP_OK && (!work || !iwork))
        s = xp_err_set(e, XP_NOMEM, "out of memory for dsyevr's workspace");
    if (s == XP_OK) {
        dsyevr_("V", "I", "L", &n, L, &n, &vl, &vu, &il, &iu, &abstol, &m, w,
                Z, &n, isuppz, work, &lwork, iwork, &liwork, &info, 1, 1, 1);
        if (inject)
            info = 1;
        s = lapack_status("dsyevr", info, n, e);
    }
    if (s == XP_OK && m != k)
        s = xp_err_set(e, XP_LAPACK, "dsyevr: %d eigenpairs found, expected "
                       "%d (a %d-node Laplacian)", m, k, n);
    free(isuppz);
    free(work);
    free(iwork);
    return s;
}

/* The k smallest eigenpairs of L (destroyed) with dsyevx (bisection and
 * inverse iteration): the fallback when dsyevr's MRRR fails (info > 0),
 * as netlib LAPACK 3.11's does on some star Laplacians with equal scores. */
static xp_status dsyevx_smallest(double *L, int n, int k, double *w,
                                 double *Z, xp_err *e)
{
    int il = 1, iu = k, m = 0, info = 0, lwork = -1;
    double vl = 0, vu = 0, abstol = 0, wq = 0;
    int *iwork = malloc((5 * (size_t)n + 1) * sizeof *iwork);
    int *ifail = malloc(((size_t)n + 1) * sizeof *ifail);
    double *work = NULL;
    xp_status s = XP_OK;
    if (!iwork || !ifail)
        s = xp_err_set(e, XP_NOMEM, "out of memory for dsyevx");
    if (s == XP_OK) {
        dsyevx_("V", "I", "L", &n, L, &n, &vl, &vu, &il, &iu, &abstol, &m, w,
                Z, &n, &wq, &lwork, iwork, ifail, &info, 1, 1, 1);
        s = lapack_status("dsyevx (workspace query)", info, n, e);
    }
    lwork = (int)wq;
    work = s == XP_OK ? malloc(((size_t)lwork + 1) * sizeof *work) : NULL;
    if (s == XP_OK && work == NULL)
        s = xp_err_set(e, XP_NOMEM, "out of memory for dsyevx");
    if (s == XP_OK) {
        dsyevx_("V", "I", "L", &n, L, &n, &vl, &vu, &il, &iu, &abstol, &m, w,
                Z, &n, work, &lwork, iwork, ifail, &info, 1, 1, 1);
        s = lapack_status("dsyevx", info, n, e);
    }
    if (s == XP_OK && m != k)
        s = xp_err_set(e, XP_LAPACK, "dsyevx: %d eigenpairs found, expected "
                       "%d (a %d-node Laplacian)", m, k, n);
    free(iwork);
    free(ifail);
    free(work);
    return s;
}

double xp__cstate_tight_shift(const xp__cstate *st, int64_t p, const xp_cluster_opts *o, double *u)
{
    int64_t n = st->parts[p].n;
    double uu = 0;
    if (st->norm)
        xp__cstate_degrees(st, p, u);
    for (int64_t i = 0; i < n; i++) {
        u[i] = st->norm ? sqrt(u[i]) : 1;
        uu += u[i] * u[i];
    }
    for (int64_t i = 0; i < n; i++)
        u[i] /= sqrt(uu);
    return tight_at(st, p, o);
}

/* dpotrf's n^3/3 flops, which stop at the first pivot that is not
 * positive, against dsyevr's tridiagonal reduction (4n^3/3 and more; a
 * 484-node part on the 1000-client trace: 9-15 ms against 29-40 ms). */
xp_status xp__cstate_tight_cholesky(const xp__cstate *st, int64_t p, const xp_cluster_opts *o,
                                    int *tight, xp_err *e)
{
    int64_t n = st->parts[p].n;
    *tight = 0;
    if (n > INT_MAX || (uint64_t)n > SIZE_MAX / sizeof(double) / (uint64_t)n)
        return XP_OK;
    /* Advised (xp_mem.h): a 484-node part's 1.9 MB in 4 KiB pages took
     * longer to fault in than dpotrf took to factor it. */
    double *L = xp_mem_malloc((size_t)n * (size_t)n * sizeof *L);
    double *u = malloc(((size_t)n + 1) * sizeof *u);
    if (L == NULL || u == NULL) {
        free(L);
        free(u);
        return xp_err_set(e, XP_NOMEM, "out of memory for a %lld-node Laplacian", (long long)n);
    }
    double t = xp__cstate_tight_shift(st, p, o, u);
    int nn = (int)n, info = 1;
    if (t > 0) {
        xp__cstate_laplacian(st, p, L);
        for (int64_t j = 0; j < n; j++) /* the lower triangle, which dpotrf reads */
            for (int64_t i = j; i < n; i++)
                L[i + j * n] += 2 * t * u[i] * u[j] - (i == j ? t : 0);
        dpotrf_("L", &nn, L, &nn, &info, 1);
    }
    free(L);
    free(u);
    if (info < 0)
        return lapack_status("dpotrf", info, n, e);
    *tight = info == 0;
    return XP_OK;
}

xp_status xp__cstate_solve_dense(xp__cstate *st, int64_t p,
                                 const xp_cluster_opts *o, int inject,
                                 xp_err *e)
{
    int64_t n = st->parts[p].n;
    if (n > INT_MAX || (uint64_t)n > SIZE_MAX / sizeof(double) / (uint64_t)n)
        return xp_err_set(e, XP_BUDGET, "a %lld-node part is too large for "
                          "a dense eigen-solve", (long long)n);
    double *L = xp_mem_malloc((size_t)n * (size_t)n * sizeof *L);
    XP_ALLOC_CHECK(e, L, "a dense Laplacian");
    xp_status s = XP_OK;
    for (int k = xp__cluster_next_k(0, n), verdict = XP__MORE;
         s == XP_OK && verdict == XP__MORE; k = xp__cluster_next_k(k, n)) {
        double *w = malloc((size_t)n * sizeof *w); /* dsyevr uses all n */
        double *Z = malloc((size_t)n * (size_t)k * sizeof *Z);
        if (!w || !Z)
            s = xp_err_set(e, XP_NOMEM, "out of memory for %d eigenpairs", k);
        if (s == XP_OK) {
            xp__cstate_laplacian(st, p, L);
            s = dsyevr_smallest(L, (int)n, k, w, Z, inject, e);
            if (s == XP_LAPACK && !inject) {
                xp_err_clear(e);
                xp__cstate_laplacian(st, p, L);
                s = dsyevx_smallest(L, (int)n, k, w, Z, e);
            }
        }
        if (s == XP_OK)
            s = xp__cstate_decide(st, p, k, w, Z, o, &verdict, e);
        free(w);
        free(Z);
    }
    free(L);
    return s;
}

/* Part p's own graph (local indices, sorted rows) for the sparse solver. */
static xp_status local_graph(const xp__cstate *st, int64_t p, xp_lapgraph *lg,
                             xp_err *e)
{
    const xp__cpart *pt = &st->parts[p];
    int64_t m = 0;
    for (int64_t i = 0; i < pt->n; i++) {
        int64_t u = st->nodes[pt->off + i];
        for (int64_t k = st->rowptr[u]; k < st->rowptr[u + 1]; k++)
            m += st->partid[st->col[k]] == p;
    }
    int64_t *rowptr = malloc(((size_t)pt->n + 1) * sizeof *rowptr);
    int64_t *col = malloc(((size_t)m + 1) * sizeof *col);
    double *val = malloc(((size_t)m + 1) * sizeof *val);
    if (!rowptr || !col || !val) {
        free(rowptr);
        free(col);
        free(val);
        return xp_err_set(e, XP_NOMEM, "out of memory for a %lld-node "
                          "part's graph", (long long)pt->n);
    }
    /* Nodes are ascending in the part, so positions keep rows sorted. */
    m = 0;
    for (int64_t i = 0; i < pt->n; i++) {
        int64_t u = st->nodes[pt->off + i];
        rowptr[i] = m;
        for (int64_t k = st->rowptr[u]; k < st->rowptr[u + 1]; k++)
            if (st->partid[st->col[k]] == p) {
                col[m] = st->pos[st->col[k]];
                val[m++] = st->val[k];
            }
    }
    rowptr[pt->n] = m;
    *lg = (xp_lapgraph){pt->n, rowptr, col, val, NULL, NULL};
    if (!st->norm)
        return XP_OK;
    /* D^-1/2 L D^-1/2: weights w_ij / sqrt(d_i d_j), diagonal 1, null
     * vector D^1/2 1 (normalised). */
    double *d = malloc(((size_t)pt->n + 1) * 3 * sizeof *d);
    if (d == NULL) {
        free(rowptr);
        free(col);
        free(val);
        return xp_err_set(e, XP_NOMEM, "out of memory for a %lld-node "
                          "part's graph", (long long)pt->n);
    }
    double *one = d + pt->n + 1, *z = one + pt->n + 1, zz = 0;
    xp__cstate_degrees(st, p, d);
    for (int64_t i = 0; i < pt->n; i++) {
        one[i] = 1;
        z[i] = sqrt(d[i]);
        zz += d[i];
    }
    for (int64_t i = 0; i < pt->n; i++)
        for (int64_t q = rowptr[i]; q < rowptr[i + 1]; q++)
            val[q] /= z[i] * z[col[q]];
    for (int64_t i = 0; i < pt->n; i++)
        z[i] /= sqrt(zz);
    lg->diag = one;
    lg->null = z;
    return XP_OK;
}

/* One sparse solve for k pairs (or more: *kdone) at tolerance tol and the
 * decision from it (XP__DENSE when the solver gives up or its bounds cannot
 * decide); *solved = 0 when the solver gave up. */
static xp_status sparse_k_tol(xp__cstate *st, int64_t p,
                              const xp_lapgraph *lg, int k, double tol,
                              const xp_cluster_opts *o, int *verdict,
                              int *kdone, int *solved, xp_err *e)
{
    xp_fiedler_opts fo;
    xp_fiedler_info info;
    xp_fiedler_pairs pr;
    xp_fiedler_opts_default(&fo, lg->n);
    fo.tol = tol;
    fo.method = o->sparse_method;
    if (o->sparse_maxit != 0)
        fo.maxit = o->sparse_maxit < 0 ? 0 : o->sparse_maxit;
    xp_status s = xp_fiedler_smallest(lg, k, &fo, &pr, &info, e);
    *kdone = k;
    *solved = s == XP_OK && info.outcome == XP_FIEDLER_OK;
    if (s == XP_OK && !*solved) {
        *verdict = XP__DENSE;
    } else if (s == XP_OK) {
        xp__bounds b = {info.ebound, info.next_lo, pr.rn};
        *kdone = pr.k;
        s = decide_core(st, p, pr.k, pr.w, pr.Z, o, &b, verdict, e);
    }
    xp_fiedler_pairs_free(&pr);
    return s;
}

/* The sparse decision for k pairs; when the bounds are too loose to decide,
 * solved again to a tighter tolerance (a dense solve of a large part costs
 * far more), down to 1e-15 |L|. */
static xp_status sparse_k(xp__cstate *st, int64_t p, const xp_lapgraph *lg,
                          int k, const xp_cluster_opts *o, int *verdict,
                          int *kdone, xp_err *e)
{
    int solved = 0;
    for (double tol = XP__SPARSE_TOL;; tol /= 30) {
        XP_CALL(sparse_k_tol(st, p, lg, k, tol, o, verdict, kdone, &solved,
                             e));
        if (*verdict != XP__DENSE || !solved || tol < 3e-15)
            return XP_OK;
    }
}

xp_status xp__cstate_solve_sparse(xp__cstate *st, int64_t p,
                                  const xp_cluster_opts *o, int inject,
                                  xp_err *e)
{
    int64_t n = st->parts[p].n;
    if (inject)
        return xp_err_set(e, XP_LAPACK, "sparse eigen-solver: info = 1 "
                          "(injected) on a %lld-node Laplacian", (long long)n);
    xp_lapgraph lg;
    XP_CALL(local_graph(st, p, &lg, e));
    xp_status s = XP_OK;
    int verdict = XP__MORE;
    /* More pairs while they stay few against n; past that, dense. */
    for (int k = xp__cluster_next_k(0, n), kdone = 0;
         s == XP_OK && verdict == XP__MORE; k = xp__cluster_next_k(kdone, n)) {
        if (4 * (int64_t)k + 8 > n)
            verdict = XP__DENSE;
        else
            s = sparse_k(st, p, &lg, k, o, &verdict, &kdone, e);
    }
    if (s == XP_OK)
        st->verdict[p] = (uint8_t)verdict;
    free((void *)lg.rowptr);
    free((void *)lg.col);
    free((void *)lg.val);
    if (lg.diag != NULL)
        free((double *)lg.diag - (st->parts[p].n + 1)); /* the block of local_graph */
    return s;
}

xp_status xp__cstate_solve_serial(xp__cstate *st, int64_t p,
                                  const xp_cluster_opts *o, int inject,
                                  xp_err *e)
{
    if (st->parts[p].n >= o->sparse_min) {
        XP_CALL(xp__cstate_solve_sparse(st, p, o, inject, e));
        if (st->verdict[p] != XP__DENSE)
            return XP_OK;
        /* Undecided by the sparse solver: often a tight part whose lambda2
         * repeats (a near-clique), which Cholesky settles more cheaply. */
        int tight = 0;
        XP_CALL(xp__cstate_tight_cholesky(st, p, o, &tight, e));
        if (tight) {
            st->verdict[p] = XP__LEAF;
            return XP_OK;
        }
    }
    return xp__cstate_solve_dense(st, p, o, inject, e);
}

double xp__cluster_cost(int64_t n, const xp_cluster_opts *o)
{
    double d = (double)n, m = (double)o->sparse_min;
    return n < o->sparse_min ? d * d * d : d * m * m;
}

typedef struct xp__rank {
    double score;
    int64_t minnode, leaf;
} xp__rank;

static int cmp_rank(const void *a, const void *b)
{
    const xp__rank *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return (x->minnode > y->minnode) - (x->minnode < y->minnode);
}

static xp_status alloc_out(xp_clustering *c, int64_t nn, int64_t ne,
                           int64_t nc, xp_err *e)
{
    memset(c, 0, sizeof *c);
    c->nnodes = nn;
    c->nedges = ne;
    c->nclusters = nc;
    c->node_cluster = malloc(((size_t)nn + 1) * sizeof *c->node_cluster);
    c->edge_cut = malloc((size_t)ne + 1);
    c->edge_cluster = malloc(((size_t)ne + 1) * sizeof *c->edge_cluster);
    c->cluster_score = calloc((size_t)nc + 1, sizeof *c->cluster_score);
    c->cluster_spectral = malloc((size_t)nc + 1);
    if (!c->node_cluster || !c->edge_cut || !c->edge_cluster ||
        !c->cluster_score || !c->cluster_spectral) {
        xp_clustering_free(c);
        return xp_err_set(e, XP_NOMEM, "out of memory for the clustering");
    }
    return XP_OK;
}

xp_status xp__cstate_finish(const xp__cstate *st, const xp_rulegraph *g,
                            xp_clustering *out, xp_err *e)
{
    int64_t nl = st->nleaf;
    xp__rank *r = malloc(((size_t)nl + 1) * sizeof *r);
    int64_t *id = malloc(((size_t)nl + 1) * sizeof *id);
    if (!r || !id) {
        free(r);
        free(id);
        return xp_err_set(e, XP_NOMEM, "out of memory ranking clusters");
    }
    for (int64_t l = 0; l < nl; l++)
        r[l] = (xp__rank){0, -1, l};
    for (int64_t i = g->nnodes - 1; i >= 0; i--)
        r[st->leaf[i]].minnode = i;
    /* Summed in rule order on every rank: the same doubles everywhere. */
    for (int64_t i = 0; i < g->nedges; i++)
        if (st->leaf[g->src[i]] == st->leaf[g->dst[i]])
            r[st->leaf[g->src[i]]].score += g->w[i];
    qsort(r, (size_t)nl, sizeof *r, cmp_rank);
    xp_status s = alloc_out(out, g->nnodes, g->nedges, nl, e);
    for (int64_t c = 0; s == XP_OK && c < nl; c++) {
        id[r[c].leaf] = c;
        out->cluster_score[c] = r[c].score;
        out->cluster_spectral[c] = st->leaf_spectral[r[c].leaf];
    }
    for (int64_t i = 0; s == XP_OK && i < g->nnodes; i++)
        out->node_cluster[i] = id[st->leaf[i]];
    for (int64_t i = 0; s == XP_OK && i < g->nedges; i++) {
        out->edge_cluster[i] = out->node_cluster[g->src[i]];
        out->edge_cut[i] = out->node_cluster[g->src[i]] !=
                           out->node_cluster[g->dst[i]];
    }
    free(r);
    free(id);
    return s;
}

xp_status xp_cluster_run(const xp_rulegraph *g, const xp_cluster_opts *o,
                         xp_clustering *out, xp_err *e)
{
    xp__cstate st;
    memset(out, 0, sizeof *out);
    xp_status s = xp__cstate_init(&st, g, o, e);
    int inject = o->fault_rank == 0;
    while (s == XP_OK && st.nparts > 0) {
        for (int64_t p = 0; s == XP_OK && p < st.nparts; p++) {
            s = xp__cstate_solve_serial(&st, p, o, inject, e);
            inject = 0;
        }
        if (s == XP_OK)
            s = xp__cstate_advance(&st, e);
    }
    if (s == XP_OK)
        s = xp__cstate_finish(&st, g, out, e);
    xp__cstate_free(&st);
    return s;
}

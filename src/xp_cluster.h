/*
 * xp_cluster.h - rule clustering (paper §3.1): transitive closure of the rule
 * graph, then Procedure 2 (recursive spectral partitioning) on every closure
 * component. docs/clustering.md gives the choices the paper leaves open
 * (symmetrisation, "tightly connected", eigenspace ties) and why.
 *
 * The public part is xp_cluster_run (serial, LAPACK). The xp__ part at the
 * bottom is the round-based engine shared with the distributed version
 * (mpi/xp_pcluster.c), which only replaces who solves which eigenproblem.
 */
#ifndef XP_CLUSTER_H
#define XP_CLUSTER_H

#include <stdint.h>

#include "xp_error.h"

/* The rule graph: one directed edge per rule X => Y. */
typedef struct xp_rulegraph {
    int64_t nnodes;           /* nodes 0..nnodes-1, canonical order */
    int64_t nedges;           /* one edge per rule */
    const int64_t *src, *dst; /* nedges endpoints each, in [0, nnodes) */
    const double *w;          /* nedges rule scores, finite and >= 0; a
                                 score of 0 joins two nodes in the closure
                                 but weighs nothing in Procedure 2 */
} xp_rulegraph;

typedef struct xp_cluster_opts {
    int64_t min_split;     /* parts with fewer nodes are not split (paper: 10;
                              default 4, docs/clustering.md) */
    double tight;          /* tight when lambda2 / mean degree >= this; 0:
                              every part is tight, no eigen-solve at all */
    /* How a part that is not tight is split: sweep 0, by the sign of the
     * Fiedler vector of L (Procedure 2 to the letter; this library's
     * default); 1, the Fiedler vector of the normalised Laplacian
     * D^-1/2 L D^-1/2 (tight: lambda2 >= tight), and the sweep cut of least
     * conductance along D^-1/2 times it, made only when that conductance is
     * below max_cut, else the part stays whole (expose-mpi's default;
     * docs/clustering.md, "Sweep cut"). */
    int sweep;
    double max_cut;
    /* Parts with at least this many nodes try the sparse eigen-solver
     * (xp_fiedler.h) first; smaller ones, and parts it cannot decide, use a
     * dense solve. */
    int64_t sparse_min;
    /* xp_pcluster_run: a part this big that needs a dense solve uses
     * ScaLAPACK on all ranks. */
    int64_t scalapack_min;
    /* The sparse solver's method and iteration limit (xp_fiedler_opts;
     * 0: its default). For tests and the bench: maxit -1 with the Davidson
     * method makes every sparse solve give up, to test the fallbacks. */
    int sparse_method, sparse_maxit;
    /* Test hook: on this rank (0 for the serial run) the first eigen-solve
     * reports info = 1, as a failing LAPACK/ScaLAPACK call would. -1: off. */
    int fault_rank;
    /* xp_pcluster_run: after each round, progress(progress_ctx, done, total)
     * with the nodes already in their final cluster, of all (the same on
     * every rank). NULL: none. xp_progress_bytes_cb fits. */
    void (*progress)(void *ctx, int64_t done, int64_t total);
    void *progress_ctx;
} xp_cluster_opts;

/* Defaults: min_split 4, tight 0.5, sweep 0, max_cut 0.25, sparse_min 100, scalapack_min 2000,
 * sparse_method 0 (auto), sparse_maxit 0, fault_rank -1, no progress
 * (docs/clustering.md gives the measurements behind them). */
void xp_cluster_opts_default(xp_cluster_opts *o);

typedef struct xp_clustering {
    int64_t nnodes, nedges, nclusters;
    int64_t *node_cluster;     /* nnodes: cluster id */
    uint8_t *edge_cut;         /* nedges: 1 when the rule joins two clusters */
    int64_t *edge_cluster;     /* nedges: cluster of the rule's src node */
    double *cluster_score;     /* nclusters: total score of uncut rules */
    uint8_t *cluster_spectral; /* nclusters: 1 if made by spectral splits */
} xp_clustering;

/*
 * Cluster the rule graph g (not collective; serial LAPACK). Cluster ids are
 * ordered by cluster_score, highest first, ties by the smallest node id.
 * On success *out owns its arrays (free with xp_clustering_free); on failure
 * *out is empty and e says why: XP_ARG for a bad graph or option, XP_NOMEM,
 * XP_LAPACK when the eigen-solver fails or returns a vector whose residual
 * is too large, XP_INTERNAL for a LAPACK argument error (our bug),
 * XP_BUDGET for a part too large for a dense 32-bit LAPACK problem.
 */
xp_status xp_cluster_run(const xp_rulegraph *g, const xp_cluster_opts *o,
                         xp_clustering *out, xp_err *e);

/* Free the arrays of *c and zero it; c may be NULL or already freed. */
void xp_clustering_free(xp_clustering *c);

/* Write g to path as "src dst score" lines (one per rule, %.17g): the
 * input of bench/cluster_bench --graph. XP_IO when the file cannot be
 * written. */
xp_status xp_rulegraph_write(const xp_rulegraph *g, const char *path,
                             xp_err *e);

/* ------------------------------------------------------------------------
 * Internal: the engine shared with mpi/xp_pcluster.c. Not for other users.
 *
 * The engine works in rounds. Every part in a round is connected and has at
 * least min_split nodes. For each part somebody computes a verdict (leaf, or
 * a split given as one side byte per node); xp__cstate_advance then splits
 * every split side into its connected components and starts the next round.
 * Everything but the verdicts is computed identically on every rank.
 */
enum { XP__LEAF = 1, XP__SPLIT = 2, XP__MORE = 3, XP__DENSE = 4 };

typedef struct xp__cpart {
    int64_t off, n;   /* nodes are st->nodes[off .. off+n) ascending */
    uint8_t spectral; /* 1 if a spectral split made this part */
} xp__cpart;

typedef struct xp__cstate {
    int64_t nnodes;
    int64_t *rowptr, *col; /* symmetrised CSR, no self-loops */
    double *val;
    int64_t *partid, *pos; /* per node: active part and index in it, or -1 */
    int64_t *leaf;         /* per node: leaf id once final, else -1 */
    int64_t nleaf, capleaf;
    uint8_t *leaf_spectral;
    /* The current round. */
    int64_t nparts, total;
    xp__cpart *parts;
    int64_t *nodes;   /* total */
    uint8_t *verdict; /* nparts: XP__LEAF or XP__SPLIT once decided */
    uint8_t *side;    /* total: 1 = positive side, for XP__SPLIT parts */
    int64_t min_split;
    int never_split;  /* tight = 0: every closure component is a cluster */
    int has_zero;     /* some rule pair weighs 0 (closure only) */
    int norm;         /* --sweep-cut: the normalised Laplacian
                         D^-1/2 L D^-1/2 (docs/clustering.md) */
} xp__cstate;

/* Check g and o, build the symmetrised graph and the first round (closure
 * components; the small ones become leaves at once). */
xp_status xp__cstate_init(xp__cstate *st, const xp_rulegraph *g,
                          const xp_cluster_opts *o, xp_err *e);
void xp__cstate_free(xp__cstate *st);

/* Make the next round from the verdicts of this one. */
xp_status xp__cstate_advance(xp__cstate *st, xp_err *e);

/* Fill the dense Laplacian of part p (column-major, n x n, lda n). */
void xp__cstate_laplacian(const xp__cstate *st, int64_t p, double *L);
/* deg[i] = weighted degree of the i-th node of part p inside the part. */
void xp__cstate_degrees(const xp__cstate *st, int64_t p, double *deg);

/*
 * The tightness test of part p as a definiteness test (§3.1; the default
 * split and --paper alike): fills u (n doubles) with the unit null vector
 * of its Laplacian (1 / sqrt(n); with st->norm, D^1/2 1 normalised) and
 * returns t, the threshold on lambda2 (tight: lambda2 >= t). Then lambda2
 * > t exactly when M = L - t I + 2t u u^T is positive definite (M has
 * eigenvalue t along u, lambda_i - t along L's other eigenvectors): one
 * Cholesky factorisation instead of an eigen-solve. t <= 0: no test.
 */
double xp__cstate_tight_shift(const xp__cstate *st, int64_t p, const xp_cluster_opts *o, double *u);
/* *tight = 1 when part p is tight by that test (dpotrf, not collective);
 * 0 also when lambda2 is within round-off of t or the part falls apart
 * (lambda2 = 0): an eigen-solve then decides. XP_NOMEM. */
xp_status xp__cstate_tight_cholesky(const xp__cstate *st, int64_t p, const xp_cluster_opts *o,
                                    int *tight, xp_err *e);

/*
 * Given the k smallest eigenpairs of part p's Laplacian (w ascending, Z
 * column-major n x k, ldz n), check their residuals and set the verdict of
 * p (XP__LEAF or XP__SPLIT with its sides), or return *verdict = XP__MORE
 * when lambda2 may be repeated beyond the k pairs given (ask for more).
 * Z may be changed. XP_LAPACK when a residual is too large.
 */
xp_status xp__cstate_decide(xp__cstate *st, int64_t p, int k, const double *w,
                            double *Z, const xp_cluster_opts *o, int *verdict,
                            xp_err *e);

/* Solve part p with dense serial LAPACK and set its verdict (not
 * collective). inject != 0 makes the first solve report info = 1 (test
 * hook). XP_BUDGET when the dense matrix is too large. */
xp_status xp__cstate_solve_dense(xp__cstate *st, int64_t p,
                                 const xp_cluster_opts *o, int inject,
                                 xp_err *e);

/*
 * Try the sparse eigen-solver on part p (not collective; the same bits on
 * every rank). Sets the verdict of p: XP__LEAF or XP__SPLIT, certified to be
 * the verdict of the exact eigenpairs (so that of a dense solve, up to the
 * dense solver's own round-off; where that round-off is as large as the
 * sparse error bound, the sparse verdict stands: docs/clustering.md), or
 * XP__DENSE: the sparse solver did not converge, its factor was too large,
 * or its error bounds cannot decide the verdict; the caller must then solve
 * p densely. inject != 0: report an XP_LAPACK failure (test hook).
 */
xp_status xp__cstate_solve_sparse(xp__cstate *st, int64_t p,
                                  const xp_cluster_opts *o, int inject,
                                  xp_err *e);

/* Solve part p serially (not collective): sparse for parts of at least
 * o->sparse_min nodes, dense for the others and when sparse cannot decide. */
xp_status xp__cstate_solve_serial(xp__cstate *st, int64_t p,
                                  const xp_cluster_opts *o, int inject,
                                  xp_err *e);

/* Estimated cost of solving an n-node part serially, to deal parts to
 * ranks: n^3 dense, n sparse_min^2 sparse (equal at the crossover). */
double xp__cluster_cost(int64_t n, const xp_cluster_opts *o);

/* Number of eigenpairs to ask for next, from k (first call: k = 0). */
int xp__cluster_next_k(int k, int64_t n);

/* Turn the leaves into *out (ids by score, cut edges, scores). */
xp_status xp__cstate_finish(const xp__cstate *st, const xp_rulegraph *g,
                            xp_clustering *out, xp_err *e);

#endif

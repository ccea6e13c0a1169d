/*
 * xp_sldl.h - LDL^T of a shifted graph Laplacian L - sigma I, sparse: the
 * factor behind the sparse eigen-solver of Procedure 2 (paper §3.1,
 * xp_fiedler.h). Pure core, not collective, deterministic (the same graph
 * and sigma give the same bits everywhere).
 *
 * Pivots in minimum-degree order (ties to the lowest node), eliminating the
 * Schur complement explicitly: every row is a sorted array of (column,
 * value), and eliminating v merges v's row into its neighbours'. Rule graphs
 * are nearly trees, so the factor is about as sparse as the graph. When the
 * complement becomes dense (the next pivot is joined to at least 30 % of
 * the nodes left), the rest is factored as one dense block.
 *
 * No pivoting for stability: for sigma below the smallest eigenvalue the
 * matrix is positive definite and every order is stable; for other sigma
 * the factor serves to count eigenvalues (Sylvester's law of inertia), and
 * xp_sldl_beta bounds the backward error so the caller can tell whether
 * the count is reliable.
 */
#ifndef XP_SLDL_H
#define XP_SLDL_H

#include <stdint.h>

#include "xp_error.h"

/* An undirected graph as a symmetric CSR adjacency; the matrix is its
 * Laplacian D - A, or, with diag and null, diag(diag) - A whose null space is
 * spanned by the unit vector null (the normalised Laplacian D^-1/2 L D^-1/2
 * of --sweep-cut: weights w_ij / sqrt(d_i d_j), diag 1, null D^1/2 1
 * normalised). */
typedef struct xp_lapgraph {
    int64_t n;                   /* nodes 0..n-1 */
    const int64_t *rowptr, *col; /* n + 1 row starts; neighbours, no self */
    const double *val;           /* weights > 0; (i, j) and (j, i) equal */
    const double *diag;          /* NULL: the row sums */
    const double *null;          /* NULL: the constant vector */
} xp_lapgraph;

typedef struct xp_sldl_ent {
    int64_t j; /* row node */
    double v;  /* multiplier */
} xp_sldl_ent;

typedef struct xp_sldl {
    int64_t n;         /* nodes = pivots */
    int64_t nsparse;   /* pivots 0..nsparse-1 sparse, the rest dense */
    int64_t *order;    /* n: node of pivot t */
    double *d;         /* n: pivot t */
    int64_t *cptr;     /* nsparse + 1: column t is ent[cptr[t]..cptr[t+1]) */
    xp_sldl_ent *ent;
    int64_t nent, capent;
    int64_t r;         /* dense tail: n - nsparse pivots */
    double *tail;      /* r x r column-major; below the diagonal the
                          multipliers of pivots nsparse.. */
    double *z;         /* r: scratch for solves */
    int64_t neg;       /* negative pivots = eigenvalues below sigma */
    double growth;     /* largest |entry|, pivot and update l_u a_vw met
                          (for the backward error) */
    int bad;           /* a pivot was zero or not finite: no factor */
} xp_sldl;

/*
 * Factor L - sigma I of g (L = diag(degrees) - A). order NULL: minimum
 * degree, switching to a dense tail as above. Otherwise pivots in order
 * (n nodes), the first nsparse sparse and the rest dense, as a factor made
 * before chose them (F->order, F->nsparse). On XP_OK *F owns its arrays
 * (xp_sldl_free) even when F->bad (then F->neg counts the pivots before
 * the zero one). XP_BUDGET when the factor would hold more than max_fill
 * entries (the dense tail counts r (r - 1) / 2); XP_NOMEM.
 */
xp_status xp_sldl_factor(const xp_lapgraph *g, double sigma,
                         const int64_t *order, int64_t nsparse,
                         int64_t max_fill, xp_sldl *F, xp_err *e);

/*
 * Factor L - sigma I of g again, with the pivot order and pattern of P (a
 * factor of the same graph, not bad): no ordering, no merging, every update
 * straight to its place, so much faster than xp_sldl_factor. On XP_OK *F
 * owns its arrays, F->bad set after a zero pivot. XP_NOMEM; XP_INTERNAL
 * when g is not P's graph.
 */
xp_status xp_sldl_refactor(const xp_sldl *P, const xp_lapgraph *g,
                           double sigma, xp_sldl *F, xp_err *e);

/* y := (L - sigma I)^-1 y (F not bad). Uses F's scratch: one solve at a
 * time per factor. */
void xp_sldl_solve(xp_sldl *F, double *y);

/* The backward error: the inertia F->neg is exact for L - sigma I + E with
 * ||E|| <= this (INFINITY when F->bad). */
double xp_sldl_beta(const xp_sldl *F);

/* Entries held: sparse multipliers plus the dense tail's r (r - 1) / 2. */
int64_t xp_sldl_fill(const xp_sldl *F);

/* Free the arrays of *F and zero it; F may be empty. */
void xp_sldl_free(xp_sldl *F);

#endif

/*
 * xp_fiedler.h - the smallest eigenpairs of a graph Laplacian from its
 * sparse adjacency, never forming the dense matrix: the sparse eigen-solver
 * of Procedure 2 (paper §3.1), which needs the eigenvector of the
 * second-smallest eigenvalue of L = diag(colSums(A)) - A.
 *
 * Method (docs/clustering.md, "Sparse solver"):
 * - Shift-invert: (L + s I)^-1 with s = 1e-10 ||L||, through a sparse
 *   LDL^T (xp_sldl.h). Rule graphs are nearly trees, so the factor is about
 *   as sparse as the graph; on the complement of the constant vector the
 *   operator is L^+ for every eigenvalue well above s.
 * - Davidson on the complement of the constant vector with that operator as
 *   preconditioner: each iteration adds (L + s I)^-1 (L x - theta x) for the
 *   lowest unconverged Ritz pair (theta, x); Rayleigh-Ritz with L itself;
 *   thick restart. Converged when every residual ||L x - theta x|| <=
 *   tol ||L||.
 * - A certificate that no eigenvalue was missed (Sylvester's law of
 *   inertia): an LDL^T of L - sigma I in the same pivot order counts the
 *   eigenvalues below sigma, a point in the first clear gap after the wanted
 *   Ritz values; if the count is higher, a start vector is added (this is
 *   also how a repeated eigenvalue, invisible to one Krylov sequence, is
 *   found). By Kahan's theorem the Ritz values then lie within ||R||_F of
 *   the eigenvalues counted, in order.
 *
 * - For nearly-tree graphs (a factor of at most slice_fill entries per
 *   node), spectrum slicing instead: bisection on the same inertia counts
 *   brackets every wanted eigenvalue with its multiplicity, then block
 *   inverse iteration per group of close eigenvalues and one Rayleigh-Ritz
 *   with L give the pairs. Rule graphs repeat eigenvalues many times
 *   (stars of rules with equal scores), which Krylov methods find one copy
 *   at a time; counts see them at once.
 *
 * Deterministic: fixed start vectors (a hash of the node index), one thread,
 * a fixed order of every sum, so the same graph gives the same bits on every
 * rank. Pure core: no MPI.
 */
#ifndef XP_FIEDLER_H
#define XP_FIEDLER_H

#include <stdint.h>

#include "xp_error.h"
#include "xp_sldl.h"

/* Methods (xp_fiedler_opts.method, xp_fiedler_info.method). */
enum {
    XP_FIEDLER_AUTO = 0,     /* slicing when the factor is cheap, else
                                Davidson */
    XP_FIEDLER_DAVIDSON = 1,
    XP_FIEDLER_SLICING = 2
};

typedef struct xp_fiedler_opts {
    double tol;        /* converged: residual <= tol * 2 max degree */
    int64_t max_fill;  /* give up when a factor needs more entries */
    int maxit;         /* give up after this many Davidson iterations */
    int method;        /* XP_FIEDLER_AUTO, _DAVIDSON or _SLICING */
    double slice_fill; /* AUTO: slicing when the factor has at most this
                          many entries per node */
} xp_fiedler_opts;

/* Defaults for an n-node graph: tol 1e-12, max_fill max(2^20, min(n^2/4,
 * 2^24)), maxit 1000, method AUTO, slice_fill 8. */
void xp_fiedler_opts_default(xp_fiedler_opts *o, int64_t n);

/* Outcomes other than OK are not errors: the caller solves densely. */
enum {
    XP_FIEDLER_OK = 0,
    XP_FIEDLER_FILL = 1,   /* a factor would exceed max_fill */
    XP_FIEDLER_NOCONV = 2, /* not converged in maxit iterations */
    XP_FIEDLER_UNSURE = 3  /* the inertia counts disagree with the pairs
                              found, or are not reliable */
};

typedef struct xp_fiedler_info {
    int outcome, method;
    double norm;     /* 2 max degree, >= ||L||_2 */
    double ebound;   /* OK: |w[j] - lambda_j| <= ebound for every pair */
    double next_lo;  /* OK: the first eigenvalue not returned >= next_lo */
    int64_t counted; /* OK: eigenvalues certified by inertia counts */
    int64_t fill;    /* entries of the first factor (xp_sldl_fill) */
    int iters;       /* Davidson iterations, or slicing factorisations */
    int nsolve;      /* solves with a factor */
} xp_fiedler_info;

/* Eigenpairs: w[0..k) ascending, Z column-major n x k, rn[0..k) the
 * residual norms ||L z_j - w_j z_j||. */
typedef struct xp_fiedler_pairs {
    int k;
    double *w, *Z, *rn;
} xp_fiedler_pairs;

/* Free the arrays of *p and zero it. */
void xp_fiedler_pairs_free(xp_fiedler_pairs *p);

/*
 * The k smallest eigenpairs of the Laplacian of g, or more (not
 * collective): on XP_OK with info->outcome XP_FIEDLER_OK, *out holds
 * out->k >= k pairs, a whole group of repeated or close eigenvalues being
 * returned when it straddles k; w[0] = 0 and Z[:, 0] = 1/sqrt(n) exactly
 * (g must be connected), the other columns orthonormal and orthogonal to
 * it. Then the out->k smallest eigenvalues are each within info->ebound of
 * w[j], in order, and the next one is >= info->next_lo. Other outcomes
 * leave *out empty: not errors, the caller solves densely.
 * Requires 2 <= k and 4 k + 8 <= n.
 * Errors: XP_ARG (bad k), XP_NOMEM, XP_LAPACK when the small dense
 * Rayleigh-Ritz problem fails.
 */
xp_status xp_fiedler_smallest(const xp_lapgraph *g, int k,
                              const xp_fiedler_opts *o, xp_fiedler_pairs *out,
                              xp_fiedler_info *info, xp_err *e);

#endif

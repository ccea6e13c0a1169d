/*
 * xp_scalapack.h - checked wrappers for the MPI and ScaLAPACK calls of the
 * distributed eigen-solver: a BLACS grid over a communicator, block-cyclic
 * matrices, the k smallest eigenpairs with pdsyevx, and the agreement step
 * that makes a collective fail on every rank or on none (STYLE.md 8, 9).
 *
 * ScaLAPACK has no C header: the prototypes are declared in the .c file
 * (TOOLCHAIN.md). pdsyevx, not pdsyevr, which can return wrong vectors with
 * info = 0 on this build.
 */
#ifndef XP_SCALAPACK_H
#define XP_SCALAPACK_H

#include <mpi.h>
#include <stdint.h>

#include "xp_error.h"

/* A BLACS process grid over every rank of comm, as square as possible. */
typedef struct xp_sl_grid {
    MPI_Comm comm;
    int rank, size;
    int handle, ctxt; /* BLACS system handle and context */
    int nprow, npcol, myrow, mycol;
} xp_sl_grid;

/* A dense n x n matrix, block-cyclic with square nb x nb blocks. */
typedef struct xp_sl_mat {
    int n, nb, mloc, nloc, lld;
    int desc[9];
    double *a; /* mloc x nloc local part, column-major, leading dim lld */
} xp_sl_mat;

/* Turn an MPI return code into XP_MPI with MPI's own message. Not
 * collective. */
xp_status xp_sl_mpi(int rc, const char *call, xp_err *e);

/*
 * Collective on comm: every rank passes its own status s; all return the
 * worst one (the most negative), and every failing rank's e is replaced,
 * on every rank, by the message of the lowest failing rank, prefixed
 * "rank R: ". XP_OK when every rank passed XP_OK. e must not be NULL.
 */
xp_status xp_sl_agree(MPI_Comm comm, xp_status s, xp_err *e);

/* Collective on comm: make the grid. Close it with xp_sl_grid_close
 * (collective); MPI stays initialised. */
xp_status xp_sl_grid_open(xp_sl_grid *g, MPI_Comm comm, xp_err *e);
void xp_sl_grid_close(xp_sl_grid *g);

/* Not collective: lay out an n x n matrix on the grid and allocate this
 * rank's zeroed part. Free with xp_sl_mat_free. */
xp_status xp_sl_mat_create(const xp_sl_grid *g, int64_t n, int nb,
                           xp_sl_mat *m, xp_err *e);
void xp_sl_mat_free(xp_sl_mat *m);

/* Block-cyclic maps (source process 0): owner and local index of global
 * index i (0-based), and the global index of local index l. */
static inline int xp_sl_owner(int64_t i, int nb, int nprocs)
{
    return (int)((i / nb) % nprocs);
}
static inline int64_t xp_sl_local(int64_t i, int nb, int nprocs)
{
    return (i / ((int64_t)nb * nprocs)) * nb + i % nb;
}
static inline int64_t xp_sl_global(int64_t l, int nb, int nprocs, int me)
{
    return ((l / nb) * nprocs + me) * (int64_t)nb + l % nb;
}

/*
 * Collective on the grid: the k smallest eigenpairs of the symmetric matrix
 * A (its lower triangle is read; A is destroyed), with pdsyevx RANGE='I'.
 * On every rank w (n doubles, pdsyevx's own requirement) gets the k
 * eigenvalues ascending in w[0..k) and Z (n x k,
 * column-major, ldz n) the eigenvectors, gathered from the grid: identical
 * bits on every rank. Errors agree over the grid: XP_INTERNAL for an
 * illegal argument (info < 0), XP_LAPACK when pdsyevx reports info > 0 or
 * finds fewer pairs than asked, XP_NOMEM, XP_MPI. inject != 0 makes this
 * rank see info = 1 (test hook).
 */
xp_status xp_sl_eig_smallest(const xp_sl_grid *g, xp_sl_mat *A, int k,
                             double *w, double *Z, int inject, xp_err *e);

/*
 * Collective on the grid: *pd = 1 when the symmetric matrix A (its lower
 * triangle; destroyed) is positive definite, as pdpotrf's Cholesky
 * factorisation finds it, the same answer on every rank. XP_INTERNAL for
 * an illegal argument, XP_MPI.
 */
xp_status xp_sl_posdef(const xp_sl_grid *g, xp_sl_mat *A, int *pd, xp_err *e);

#endif

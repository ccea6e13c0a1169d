/*
 * xp_scalapack.c - checked MPI/BLACS/ScaLAPACK calls for the eigen-solver.
 */
#include "xp_scalapack.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* BLACS and ScaLAPACK (no C header; TOOLCHAIN.md). Fortran routines take
 * the hidden lengths of their character arguments last. */
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);
void Cblacs_gridinit(int *ctxt, const char *order, int nprow, int npcol);
void Cblacs_gridinfo(int ctxt, int *nprow, int *npcol, int *myrow,
                     int *mycol);
void Cblacs_gridexit(int ctxt);
int numroc_(const int *n, const int *nb, const int *iproc,
            const int *isrcproc, const int *nprocs);
void descinit_(int *desc, const int *m, const int *n, const int *mb,
               const int *nb, const int *irsrc, const int *icsrc,
               const int *ctxt, const int *lld, int *info);
double pdlamch_(const int *ctxt, const char *cmach, size_t lcmach);
void pdsyevx_(const char *jobz, const char *range, const char *uplo,
              const int *n, double *a, const int *ia, const int *ja,
              const int *desca, const double *vl, const double *vu,
              const int *il, const int *iu, const double *abstol, int *m,
              int *nz, double *w, const double *orfac, double *z,
              const int *iz, const int *jz, const int *descz, double *work,
              const int *lwork, int *iwork, const int *liwork, int *ifail,
              int *iclustr, double *gap, int *info, size_t ljobz,
              size_t lrange, size_t luplo);

void pdpotrf_(const char *uplo, const int *n, double *a, const int *ia, const int *ja,
              const int *desca, int *info, size_t luplo);

xp_status xp_sl_mpi(int rc, const char *call, xp_err *e)
{
    if (rc == MPI_SUCCESS)
        return XP_OK;
    char msg[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    if (MPI_Error_string(rc, msg, &len) != MPI_SUCCESS)
        snprintf(msg, sizeof msg, "error code %d", rc);
    return xp_err_set(e, XP_MPI, "%s: %s", call, msg);
}

xp_status xp_sl_agree(MPI_Comm comm, xp_status s, xp_err *e)
{
    int mine = s, worst = 0, rank = 0, size = 1, who = 0;
    xp_err local = *e;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS ||
        MPI_Comm_size(comm, &size) != MPI_SUCCESS)
        return xp_err_set(e, XP_MPI, "MPI_Comm_rank: failed");
    XP_CALL(xp_sl_mpi(MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MIN, comm),
                      "MPI_Allreduce (status agreement)", e));
    if (worst == XP_OK)
        return XP_OK;
    /* Every rank knows a failure happened: all take the same two steps. */
    mine = s != XP_OK ? rank : size;
    XP_CALL(xp_sl_mpi(MPI_Allreduce(&mine, &who, 1, MPI_INT, MPI_MIN, comm),
                      "MPI_Allreduce (failing rank)", e));
    if (s == XP_OK)
        local.msg[0] = '\0';
    XP_CALL(xp_sl_mpi(MPI_Bcast(local.msg, (int)sizeof local.msg, MPI_CHAR,
                                who, comm),
                      "MPI_Bcast (error message)", e));
    local.msg[sizeof local.msg - 1] = '\0';
    e->status = worst;
    snprintf(e->msg, sizeof e->msg, "rank %d: %.1000s", who, local.msg);
    return worst;
}

xp_status xp_sl_grid_open(xp_sl_grid *g, MPI_Comm comm, xp_err *e)
{
    memset(g, 0, sizeof *g);
    g->comm = comm;
    g->ctxt = -1;
    XP_CALL(xp_sl_mpi(MPI_Comm_rank(comm, &g->rank), "MPI_Comm_rank", e));
    XP_CALL(xp_sl_mpi(MPI_Comm_size(comm, &g->size), "MPI_Comm_size", e));
    int pr = (int)sqrt((double)g->size);
    while (pr > 1 && g->size % pr != 0)
        pr--;
    g->nprow = pr < 1 ? 1 : pr;
    g->npcol = g->size / g->nprow;
    g->handle = Csys2blacs_handle(comm);
    g->ctxt = g->handle;
    Cblacs_gridinit(&g->ctxt, "Row", g->nprow, g->npcol);
    int nr = 0, nc = 0;
    Cblacs_gridinfo(g->ctxt, &nr, &nc, &g->myrow, &g->mycol);
    xp_status s = XP_OK;
    if (nr != g->nprow || nc != g->npcol || g->myrow < 0 || g->mycol < 0)
        s = xp_err_set(e, XP_INTERNAL, "BLACS grid: asked %d x %d, got %d x "
                       "%d at (%d, %d)", g->nprow, g->npcol, nr, nc,
                       g->myrow, g->mycol);
    return xp_sl_agree(comm, s, e);
}

void xp_sl_grid_close(xp_sl_grid *g)
{
    if (g->ctxt >= 0 && g->myrow >= 0)
        Cblacs_gridexit(g->ctxt);
    if (g->size > 0)
        Cfree_blacs_system_handle(g->handle);
    memset(g, 0, sizeof *g);
    g->ctxt = -1;
}

xp_status xp_sl_mat_create(const xp_sl_grid *g, int64_t n, int nb,
                           xp_sl_mat *m, xp_err *e)
{
    memset(m, 0, sizeof *m);
    if (n < 1 || n > INT_MAX || nb < 1)
        return xp_err_set(e, XP_BUDGET, "ScaLAPACK matrix of order %lld: "
                          "expected 1 .. %d", (long long)n, INT_MAX);
    int zero = 0, info = 0, ni = (int)n;
    m->n = ni;
    m->nb = nb;
    m->mloc = numroc_(&ni, &nb, &g->myrow, &zero, &g->nprow);
    m->nloc = numroc_(&ni, &nb, &g->mycol, &zero, &g->npcol);
    m->lld = m->mloc > 1 ? m->mloc : 1;
    descinit_(m->desc, &ni, &ni, &nb, &nb, &zero, &zero, &g->ctxt, &m->lld,
              &info);
    if (info != 0)
        return xp_err_set(e, XP_INTERNAL, "descinit: argument %d had an "
                          "illegal value (order %d, block %d)", -info, ni, nb);
    m->a = calloc((size_t)m->lld * (size_t)(m->nloc > 0 ? m->nloc : 1),
                  sizeof *m->a);
    if (m->a == NULL)
        return xp_err_set(e, XP_NOMEM, "out of memory for a %d x %d local "
                          "block of a ScaLAPACK matrix", m->lld, m->nloc);
    return XP_OK;
}

void xp_sl_mat_free(xp_sl_mat *m)
{
    free(m->a);
    memset(m, 0, sizeof *m);
}

static xp_status pdsyevx_status(int info, int m, int nz, int k, int n,
                                xp_err *e)
{
    if (info < 0)
        return xp_err_set(e, XP_INTERNAL, "pdsyevx: argument %d had an "
                          "illegal value (order %d)", -info, n);
    if (info > 0)
        return xp_err_set(e, XP_LAPACK, "pdsyevx: info = %d on a %d-node "
                          "Laplacian (%s%s%s%s)", info, n,
                          info & 1 ? "eigenvectors did not converge; " : "",
                          info & 2 ? "clusters not reorthogonalised; " : "",
                          info & 4 ? "not enough space for all vectors; "
                                   : "",
                          info & 8 ? "bisection failed" : "");
    if (m != k || nz != k)
        return xp_err_set(e, XP_LAPACK, "pdsyevx: %d eigenvalues and %d "
                          "vectors found, expected %d (order %d)", m, nz, k,
                          n);
    return XP_OK;
}

/* Scratch of one pdsyevx call. */
typedef struct xp__slwork {
    xp_sl_mat Z;
    double *work, *gap;
    int *iwork, *ifail, *iclustr;
    int lwork, liwork;
} xp__slwork;

static void slwork_free(xp__slwork *s)
{
    xp_sl_mat_free(&s->Z);
    free(s->work);
    free(s->gap);
    free(s->iwork);
    free(s->ifail);
    free(s->iclustr);
}

static void call_pdsyevx(const xp_sl_grid *g, xp_sl_mat *A, int k, double *w,
                         xp__slwork *s, int *m, int *nz, int *info)
{
    int one = 1;
    double vl = 0, vu = 0, orfac = 1e-3;
    double abstol = 2 * pdlamch_(&g->ctxt, "S", 1);
    pdsyevx_("V", "I", "L", &A->n, A->a, &one, &one, A->desc, &vl, &vu, &one,
             &k, &abstol, m, nz, w, &orfac, s->Z.a, &one, &one, s->Z.desc,
             s->work, &s->lwork, s->iwork, &s->liwork, s->ifail, s->iclustr,
             s->gap, info, 1, 1, 1);
}

/* Every rank adds its local entries of the first k columns of Z into a
 * zeroed n x k array; each entry has one owner, so the sum is exact. */
static xp_status gather_vectors(const xp_sl_grid *g, const xp_sl_mat *Zm,
                                int k, double *Z, xp_err *e)
{
    size_t n = (size_t)Zm->n;
    if (n * (size_t)k > INT_MAX)
        return xp_err_set(e, XP_BUDGET, "%zu x %d eigenvectors exceed an "
                          "MPI count", n, k);
    memset(Z, 0, n * (size_t)k * sizeof *Z);
    for (int jl = 0; jl < Zm->nloc; jl++) {
        int64_t j = xp_sl_global(jl, Zm->nb, g->npcol, g->mycol);
        if (j >= k)
            continue;
        for (int il = 0; il < Zm->mloc; il++) {
            int64_t i = xp_sl_global(il, Zm->nb, g->nprow, g->myrow);
            Z[(size_t)i + (size_t)j * n] = Zm->a[il + (size_t)jl * Zm->lld];
        }
    }
    return xp_sl_mpi(MPI_Allreduce(MPI_IN_PLACE, Z, (int)(n * (size_t)k),
                                   MPI_DOUBLE, MPI_SUM, g->comm),
                     "MPI_Allreduce (eigenvectors)", e);
}

xp_status xp_sl_eig_smallest(const xp_sl_grid *g, xp_sl_mat *A, int k,
                             double *w, double *Z, int inject, xp_err *e)
{
    xp__slwork s;
    memset(&s, 0, sizeof s);
    int P = g->nprow * g->npcol, m = 0, nz = 0, info = 0;
    double wq[3] = {0, 0, 0}; /* the query writes three doubles */
    int iq = 0;
    xp_status st = xp_sl_mat_create(g, A->n, A->nb, &s.Z, e);
    s.ifail = malloc((size_t)A->n * sizeof *s.ifail);
    s.iclustr = malloc(2 * (size_t)P * sizeof *s.iclustr);
    s.gap = malloc((size_t)P * sizeof *s.gap);
    if (st == XP_OK && (!s.ifail || !s.iclustr || !s.gap))
        st = xp_err_set(e, XP_NOMEM, "out of memory for pdsyevx");
    st = xp_sl_agree(g->comm, st, e);
    if (st == XP_OK) {
        s.work = wq;
        s.iwork = &iq;
        s.lwork = s.liwork = -1;
        call_pdsyevx(g, A, k, w, &s, &m, &nz, &info);
        s.work = NULL;
        s.iwork = NULL;
        st = info < 0 ? pdsyevx_status(info, k, k, k, A->n, e) : XP_OK;
        /* Room to reorthogonalise a cluster of up to k vectors. */
        double lw = wq[0] + (double)k * A->n;
        if (st == XP_OK && (lw > INT_MAX || iq < 1))
            st = xp_err_set(e, XP_BUDGET, "pdsyevx workspace %.0f doubles",
                            lw);
        s.lwork = (int)lw;
        s.liwork = iq;
        if (st == XP_OK) {
            s.work = malloc((size_t)s.lwork * sizeof *s.work);
            s.iwork = malloc((size_t)s.liwork * sizeof *s.iwork);
            if (!s.work || !s.iwork)
                st = xp_err_set(e, XP_NOMEM, "out of memory for pdsyevx's "
                                "workspace (%d doubles)", s.lwork);
        }
        st = xp_sl_agree(g->comm, st, e);
    }
    if (st == XP_OK) {
        call_pdsyevx(g, A, k, w, &s, &m, &nz, &info);
        if (inject)
            info = 1;
        st = xp_sl_agree(g->comm, pdsyevx_status(info, m, nz, k, A->n, e), e);
    }
    if (st == XP_OK)
        st = xp_sl_agree(g->comm, gather_vectors(g, &s.Z, k, Z, e), e);
    slwork_free(&s);
    return st;
}

xp_status xp_sl_posdef(const xp_sl_grid *g, xp_sl_mat *A, int *pd, xp_err *e)
{
    int one = 1, info = 0;
    pdpotrf_("L", &A->n, A->a, &one, &one, A->desc, &info, 1);
    /* {illegal argument, not positive definite} on any rank */
    int v[2];
    v[0] = info < 0;
    v[1] = info > 0;
    XP_CALL(xp_sl_mpi(MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_INT, MPI_MAX, g->comm),
                      "MPI_Allreduce (pdpotrf)", e));
    xp_status st = XP_OK;
    if (v[0])
        st = xp_err_set(e, XP_INTERNAL, "pdpotrf: an illegal argument (a %d-node matrix)", A->n);
    *pd = !v[0] && !v[1];
    return xp_sl_agree(g->comm, st, e);
}

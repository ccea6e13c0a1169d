/*
 * xp_pcluster.c - rule clustering (§3.1, Procedure 2) over a communicator.
 *
 * Every rank holds the whole graph and runs the same round engine
 * (src/xp_cluster.c). Per round, the parts are dealt to ranks (largest
 * cost first, to the least loaded rank), each solved by the sparse solver
 * (parts of at least --sparse-min nodes) or dense LAPACK, and the verdicts
 * shared with one MPI_Allgatherv, so every rank advances to the same next
 * round. A part of at least --scalapack-min nodes that needs a dense solve
 * (the sparse solver could not decide it, or it is below --sparse-min) is
 * then solved by ScaLAPACK on all ranks.
 */
#include "xp_pcluster.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xp_scalapack.h"
#include "xp_stop.h"

/* ScaLAPACK block size: pdsyevx was right for every size tried (7-200). */
#define XP__NB 32

typedef struct xp__pctx {
    MPI_Comm comm;
    int rank, size;
    xp_sl_grid grid;
    int grid_open;
    int inject; /* the next solve on this rank reports info = 1 */
    const xp_cluster_opts *o;
} xp__pctx;

/* This rank's blocks of part p's Laplacian, straight from the graph (with
 * st->norm, D^-1/2 L D^-1/2 as xp__cstate_laplacian). */
static xp_status fill_local(const xp__cstate *st, int64_t p, const xp_sl_grid *g,
                            xp_sl_mat *A, xp_err *e)
{
    const xp__cpart *pt = &st->parts[p];
    double *rs = NULL; /* d_i^-1/2 */
    if (st->norm) {
        rs = malloc(((size_t)pt->n + 1) * sizeof *rs);
        XP_ALLOC_CHECK(e, rs, "the degrees");
        xp__cstate_degrees(st, p, rs);
        for (int64_t i = 0; i < pt->n; i++)
            rs[i] = 1 / sqrt(rs[i]);
    }
    for (int il = 0; il < A->mloc; il++) {
        int64_t i = xp_sl_global(il, A->nb, g->nprow, g->myrow);
        int64_t u = st->nodes[pt->off + i];
        double deg = 0;
        for (int64_t k = st->rowptr[u]; k < st->rowptr[u + 1]; k++) {
            if (st->partid[st->col[k]] != p)
                continue;
            int64_t j = st->pos[st->col[k]];
            deg += st->val[k];
            if (xp_sl_owner(j, A->nb, g->npcol) == g->mycol)
                A->a[il + (size_t)xp_sl_local(j, A->nb, g->npcol) * A->lld] =
                    rs ? -st->val[k] * rs[i] * rs[j] : -st->val[k];
        }
        if (xp_sl_owner(i, A->nb, g->npcol) == g->mycol)
            A->a[il + (size_t)xp_sl_local(i, A->nb, g->npcol) * A->lld] = rs ? 1 : deg;
    }
    free(rs);
    return XP_OK;
}

/* Collective: one k of the eigen-solve of part p on the grid. */
static xp_status solve_large_k(xp__pctx *c, xp__cstate *st, int64_t p, int k,
                               int *verdict, xp_err *e)
{
    int64_t n = st->parts[p].n;
    xp_sl_mat A;
    double *w = malloc((size_t)n * sizeof *w); /* pdsyevx writes n */
    double *Z = malloc((size_t)n * (size_t)k * sizeof *Z);
    xp_status s = xp_sl_mat_create(&c->grid, n, XP__NB, &A, e);
    if (s == XP_OK && (!w || !Z))
        s = xp_err_set(e, XP_NOMEM, "out of memory for %d eigenpairs", k);
    s = xp_sl_agree(c->comm, s, e);
    if (s == XP_OK)
        s = xp_sl_agree(c->comm, fill_local(st, p, &c->grid, &A, e), e);
    if (s == XP_OK) {
        s = xp_sl_eig_smallest(&c->grid, &A, k, w, Z, c->inject, e);
        c->inject = 0;
    }
    /* w and Z are the same bits on every rank, so is the verdict. */
    if (s == XP_OK)
        s = xp_sl_agree(c->comm,
                        xp__cstate_decide(st, p, k, w, Z, c->o, verdict, e),
                        e);
    xp_sl_mat_free(&A);
    free(w);
    free(Z);
    return s;
}

/* Collective: *tight = 1 when part p is certainly tight, by pdpotrf on
 * the shifted Laplacian (xp__cstate_tight_shift): a Cholesky factorisation
 * instead of pdsyevx's eigen-solve; 0 leaves the verdict to the latter. */
static xp_status tight_large(xp__pctx *c, const xp__cstate *st, int64_t p, int *tight, xp_err *e)
{
    int64_t n = st->parts[p].n;
    xp_sl_mat A;
    double *u = malloc(((size_t)n + 1) * sizeof *u);
    xp_status s = xp_sl_mat_create(&c->grid, n, XP__NB, &A, e);
    if (s == XP_OK && u == NULL)
        s = xp_err_set(e, XP_NOMEM, "out of memory for a %lld-node null vector", (long long)n);
    s = xp_sl_agree(c->comm, s, e);
    *tight = 0;
    double t = s == XP_OK ? xp__cstate_tight_shift(st, p, c->o, u) : 0; /* the same on all */
    if (s == XP_OK && t > 0)
        s = xp_sl_agree(c->comm, fill_local(st, p, &c->grid, &A, e), e);
    if (s == XP_OK && t > 0) {
        const xp_sl_grid *g = &c->grid;
        for (int jl = 0; jl < A.nloc; jl++) {
            int64_t j = xp_sl_global(jl, A.nb, g->npcol, g->mycol);
            for (int il = 0; il < A.mloc; il++) {
                int64_t i = xp_sl_global(il, A.nb, g->nprow, g->myrow);
                if (i >= j) /* the lower triangle, which pdpotrf reads */
                    A.a[il + (size_t)jl * A.lld] += 2 * t * u[i] * u[j] - (i == j ? t : 0);
            }
        }
        s = xp_sl_posdef(g, &A, tight, e);
    }
    xp_sl_mat_free(&A);
    free(u);
    return s;
}

static xp_status solve_large(xp__pctx *c, xp__cstate *st, int64_t p,
                             xp_err *e)
{
    if (!c->grid_open) {
        XP_CALL(xp_sl_grid_open(&c->grid, c->comm, e));
        c->grid_open = 1;
    }
    /* A tight part is settled by Cholesky; not in a run with a failure to
     * inject into the eigen-solver (tests; o->fault_rank, unlike c->inject,
     * is the same on every rank, as a collective needs). */
    int tight = 0;
    if (c->o->fault_rank < 0)
        XP_CALL(tight_large(c, st, p, &tight, e));
    if (tight) {
        st->verdict[p] = XP__LEAF;
        return XP_OK;
    }
    int verdict = XP__MORE;
    for (int k = xp__cluster_next_k(0, st->parts[p].n); verdict == XP__MORE;
         k = xp__cluster_next_k(k, st->parts[p].n))
        XP_CALL(solve_large_k(c, st, p, k, &verdict, e));
    return XP_OK;
}

typedef struct xp__job {
    int64_t part, n;
} xp__job;

static int cmp_job(const void *a, const void *b)
{
    const xp__job *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return (x->part > y->part) - (x->part < y->part);
}

/* ScaLAPACK straight away: large, and not for the sparse solver. */
static int scalapack_only(const xp_cluster_opts *o, int64_t n)
{
    return n >= o->scalapack_min && n < o->sparse_min;
}

/* Deal the parts: largest first, each to the least loaded rank (cost
 * xp__cluster_cost, ties to the lowest rank). owner[p] = -1 for the parts
 * that go straight to ScaLAPACK. */
static xp_status deal(const xp__pctx *c, const xp__cstate *st, int *owner,
                      xp_err *e)
{
    xp__job *jobs = malloc(((size_t)st->nparts + 1) * sizeof *jobs);
    double *load = calloc((size_t)c->size, sizeof *load);
    if (!jobs || !load) {
        free(jobs);
        free(load);
        return xp_err_set(e, XP_NOMEM, "out of memory dealing parts");
    }
    int64_t nj = 0;
    for (int64_t p = 0; p < st->nparts; p++) {
        owner[p] = -1;
        if (!scalapack_only(c->o, st->parts[p].n))
            jobs[nj++] = (xp__job){p, st->parts[p].n};
    }
    qsort(jobs, (size_t)nj, sizeof *jobs, cmp_job);
    for (int64_t j = 0; j < nj; j++) {
        int best = 0;
        for (int r = 1; r < c->size; r++)
            if (load[r] < load[best])
                best = r;
        owner[jobs[j].part] = best;
        load[best] += xp__cluster_cost(jobs[j].n, c->o);
    }
    free(jobs);
    free(load);
    return XP_OK;
}

/* Pack (rank r) or unpack the verdict byte and sides of r's parts. */
static size_t pack(xp__cstate *st, const int *owner, int r, uint8_t *buf,
                   int unpack)
{
    size_t at = 0;
    for (int64_t p = 0; p < st->nparts; p++) {
        if (owner[p] != r)
            continue;
        uint8_t *side = st->side + st->parts[p].off;
        size_t n = (size_t)st->parts[p].n;
        if (unpack) {
            st->verdict[p] = buf[at];
            memcpy(side, buf + at + 1, n);
        } else if (buf) {
            buf[at] = st->verdict[p];
            memcpy(buf + at + 1, side, n);
        }
        at += 1 + n;
    }
    return at;
}

static xp_status share_small(xp__pctx *c, xp__cstate *st, const int *owner,
                             xp_err *e)
{
    int *cnt = malloc(2 * (size_t)c->size * sizeof *cnt), *dsp;
    uint8_t *all = NULL;
    XP_ALLOC_CHECK(e, cnt, "the gather counts");
    dsp = cnt + c->size;
    size_t tot = 0;
    xp_status s = XP_OK;
    for (int r = 0; r < c->size; r++) {
        size_t b = pack(st, owner, r, NULL, 0);
        if (tot + b > INT_MAX)
            s = xp_err_set(e, XP_BUDGET, "verdicts of %zu bytes exceed an "
                           "MPI count", tot + b);
        cnt[r] = (int)b;
        dsp[r] = (int)tot;
        tot += b;
    }
    all = s == XP_OK ? malloc(tot + 1) : NULL;
    if (s == XP_OK && all == NULL)
        s = xp_err_set(e, XP_NOMEM, "out of memory for %zu verdict bytes",
                       tot);
    s = xp_sl_agree(c->comm, s, e);
    if (s == XP_OK) {
        pack(st, owner, c->rank, all + dsp[c->rank], 0);
        s = xp_sl_agree(c->comm,
                        xp_sl_mpi(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_BYTE,
                                                 all, cnt, dsp, MPI_BYTE,
                                                 c->comm),
                                  "MPI_Allgatherv (verdicts)", e),
                        e);
    }
    for (int r = 0; s == XP_OK && r < c->size; r++)
        pack(st, owner, r, all + dsp[r], 1);
    free(all);
    free(cnt);
    return s;
}

/* SIGTERM/SIGINT caught (mpi/xp_stop.h): XP_INTERRUPTED with the message,
 * else XP_OK. Not collective: the caller agrees on it. */
static xp_status xp__stopped(xp_err *e)
{
    return xp_stop_check(0, 0, "while clustering", NULL, 1, e);
}

/* Collective: the verdicts of one round. */
static xp_status pround(xp__pctx *c, xp__cstate *st, xp_err *e)
{
    int *owner = malloc(((size_t)st->nparts + 1) * sizeof *owner);
    xp_status s = owner ? deal(c, st, owner, e)
                        : xp_err_set(e, XP_NOMEM, "out of memory for owners");
    for (int64_t p = 0; s == XP_OK && p < st->nparts; p++) {
        if (owner[p] != c->rank)
            continue;
        /* SIGTERM/SIGINT (mpi/xp_stop.h) is looked at between parts: a
         * stop waits for at most one part's solve, then every rank learns
         * of it at the agreement below. */
        if ((s = xp__stopped(e)) != XP_OK)
            break;
        /* A large part the sparse solver cannot decide is left XP__DENSE
         * for ScaLAPACK below; smaller ones fall back to dense LAPACK. */
        if (st->parts[p].n >= c->o->scalapack_min)
            s = xp__cstate_solve_sparse(st, p, c->o, c->inject, e);
        else
            s = xp__cstate_solve_serial(st, p, c->o, c->inject, e);
        c->inject = 0;
    }
    s = xp_sl_agree(c->comm, s, e);
    if (s == XP_OK)
        s = share_small(c, st, owner, e);
    /* The verdicts are the same on every rank now, so is this loop. */
    for (int64_t p = 0; s == XP_OK && p < st->nparts; p++)
        if (owner[p] == -1 || st->verdict[p] == XP__DENSE)
            s = solve_large(c, st, p, e);
    free(owner);
    return s;
}

xp_status xp_pcluster_run(MPI_Comm comm, const xp_rulegraph *g,
                          const xp_cluster_opts *o, xp_clustering *out,
                          xp_err *e)
{
    xp__pctx c;
    xp__cstate st;
    memset(&c, 0, sizeof c);
    memset(out, 0, sizeof *out);
    c.comm = comm;
    c.o = o;
    XP_CALL(xp_sl_mpi(MPI_Comm_rank(comm, &c.rank), "MPI_Comm_rank", e));
    XP_CALL(xp_sl_mpi(MPI_Comm_size(comm, &c.size), "MPI_Comm_size", e));
    c.inject = o->fault_rank == c.rank;
    xp_status s = xp_sl_agree(comm, xp__cstate_init(&st, g, o, e), e);
    while (s == XP_OK && st.nparts > 0) {
        /* Between rounds as well: a rank that owned no part still stops.
         * XP_PAUSE=cluster-round holds every rank here (tests only). */
        xp_stop_pause("cluster-round");
        s = xp_sl_agree(comm, xp__stopped(e), e);
        if (s == XP_OK)
            s = pround(&c, &st, e);
        if (s == XP_OK)
            s = xp_sl_agree(comm, xp__cstate_advance(&st, e), e);
        if (s == XP_OK && o->progress != NULL) /* nodes left are in st.total */
            o->progress(o->progress_ctx, st.nnodes - st.total, st.nnodes);
    }
    if (s == XP_OK)
        s = xp_sl_agree(comm, xp__cstate_finish(&st, g, out, e), e);
    if (c.grid_open)
        xp_sl_grid_close(&c.grid);
    xp__cstate_free(&st);
    if (s != XP_OK)
        xp_clustering_free(out);
    return s;
}

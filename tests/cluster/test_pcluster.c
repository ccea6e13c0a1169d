/*
 * test_pcluster.c - distributed rule clustering. Run under mpiexec at 1, 2,
 * 3 and 4 ranks (tests/cluster/CMakeLists.txt). Checks: the same clustering
 * on every rank and equal to the serial one, with ScaLAPACK forced
 * (scalapack_min 8) and with only spread serial solves, with every part
 * sparse, and with sparse solves that give up (dense and ScaLAPACK
 * fallbacks); pdsyevx against
 * dsyevr on random Laplacians; an injected solver failure on one rank
 * becomes the same error on every rank, without a hang.
 */
#include <math.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_graphs.h"
#include "xp_pcluster.h"
#include "xp_scalapack.h"
#include "xp_test.h"

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001B3ull;
    return h;
}

static uint64_t hash_clustering(const xp_clustering *c)
{
    uint64_t h = 0xCBF29CE484222325ull;
    h = fnv(h, &c->nclusters, sizeof c->nclusters);
    h = fnv(h, c->node_cluster, (size_t)c->nnodes * sizeof *c->node_cluster);
    h = fnv(h, c->edge_cut, (size_t)c->nedges);
    h = fnv(h, c->cluster_score, (size_t)c->nclusters * sizeof(double));
    return fnv(h, c->cluster_spectral, (size_t)c->nclusters);
}

/* 1 if every rank passed the same value. */
static int same_everywhere(uint64_t v)
{
    uint64_t lo = 0, hi = 0;
    MPI_Allreduce(&v, &lo, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&v, &hi, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    return lo == hi;
}

static void compare_with_serial(const tg_graph *t, xp_cluster_opts o,
                                const char *what)
{
    xp_rulegraph g = tg_view(t);
    xp_clustering c, s;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_cluster_run(&g, &o, &s, &e), XP_OK);
    for (int64_t smin = 8; smin <= 1000000; smin *= 125000) {
        o.scalapack_min = smin;
        xp_err_clear(&e);
        xp_status st = xp_pcluster_run(MPI_COMM_WORLD, &g, &o, &c, &e);
        XP_CHECK_INT(st, XP_OK);
        if (st != XP_OK) {
            fprintf(stderr, "%s: %s\n", what, e.msg);
            continue;
        }
        XP_CHECK(same_everywhere(hash_clustering(&c)));
        XP_CHECK_INT(c.nclusters, s.nclusters);
        int64_t diff = 0;
        for (int64_t i = 0; c.nclusters == s.nclusters && i < t->nnodes; i++)
            diff += c.node_cluster[i] != s.node_cluster[i];
        for (int64_t i = 0; c.nclusters == s.nclusters && i < t->nedges; i++)
            diff += c.edge_cut[i] != s.edge_cut[i];
        for (int64_t k = 0; c.nclusters == s.nclusters && k < c.nclusters; k++)
            diff += c.cluster_score[k] != s.cluster_score[k] ||
                    c.cluster_spectral[k] != s.cluster_spectral[k];
        if (diff)
            fprintf(stderr, "%s (scalapack_min %lld): %lld differences\n",
                    what, (long long)smin, (long long)diff);
        XP_CHECK_INT(diff, 0);
        xp_clustering_free(&c);
    }
    xp_clustering_free(&s);
}

static void equal_to_serial(int sweep)
{
    xp_cluster_opts o;
    xp_cluster_opts_default(&o);
    o.sweep = sweep;
    tg_graph t = {0};
    tg_two_cliques(&t, 0.05);
    compare_with_serial(&t, o, "two cliques");
    tg_free(&t);
    memset(&t, 0, sizeof t);
    t.nnodes = 24; /* a cycle: lambda2 is repeated */
    tg_path(&t, 0, 24, 1.0);
    tg_edge(&t, 23, 0, 1.0);
    compare_with_serial(&t, o, "cycle");
    tg_free(&t);
    memset(&t, 0, sizeof t);
    t.nnodes = 160; /* eight closure components, paths of 20 */
    for (int p = 0; p < 8; p++)
        tg_path(&t, 20 * p, 20, 1.0 + p);
    compare_with_serial(&t, o, "eight paths");
    tg_free(&t);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        memset(&t, 0, sizeof t);
        tg_planted(&t, 100 + 150 * (int64_t)seed, 25, 0.7, 0.05, seed);
        compare_with_serial(&t, o, "planted");
        /* Every part sparse; and every sparse solve giving up, so that
         * large parts go to ScaLAPACK through the fallback. */
        xp_cluster_opts os = o;
        os.sparse_min = 2;
        compare_with_serial(&t, os, "planted, all sparse");
        os.sparse_method = 1; /* Davidson, */
        os.sparse_maxit = -1; /* with no iteration at all */
        compare_with_serial(&t, os, "planted, sparse gives up");
        tg_free(&t);
    }
    memset(&t, 0, sizeof t);
    t.nnodes = 16; /* a star: lambda2 repeated 14 times */
    for (int i = 1; i < 16; i++)
        tg_edge(&t, 0, i, 1.0);
    o.tight = 0.9;
    compare_with_serial(&t, o, "star");
    tg_free(&t);
}

/* pdsyevx on the grid against dsyevr, on random graphs of several sizes. */
static void eigen_agreement(void)
{
    xp_sl_grid grid;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_sl_grid_open(&grid, MPI_COMM_WORLD, &e), XP_OK);
    int sizes[4] = {10, 37, 100, 250};
    for (int t_ = 0; t_ < 4; t_++) {
        int n = sizes[t_], k = 3;
        tg_graph t = {0};
        uint64_t seed = 11 + (uint64_t)n;
        t.nnodes = n;
        tg_path(&t, 0, n, 1.0); /* connected */
        for (int r = 0; r < 3 * n; r++)
            tg_edge(&t, (int64_t)(tg_rand(&seed) % (uint64_t)n),
                    (int64_t)(tg_rand(&seed) % (uint64_t)n),
                    0.1 + tg_unif(&seed));
        xp_rulegraph g = tg_view(&t);
        xp_cluster_opts o;
        xp_cluster_opts_default(&o);
        o.min_split = 2;
        xp__cstate st;
        XP_CHECK_INT(xp__cstate_init(&st, &g, &o, &e), XP_OK);
        XP_CHECK_INT(st.nparts, 1);
        double *L = malloc((size_t)n * n * sizeof *L);
        double *L2 = malloc((size_t)n * n * sizeof *L2);
        double ws[250], wp[250], *Zs, *Zp;
        Zs = malloc((size_t)n * k * sizeof *Zs);
        Zp = malloc((size_t)n * k * sizeof *Zp);
        xp__cstate_laplacian(&st, 0, L);
        memcpy(L2, L, (size_t)n * n * sizeof *L);
        XP_CHECK_INT(tg_dsyevr_smallest(L, n, k, ws, Zs), 0);
        for (int nb = 4; nb <= 64; nb *= 4) {
            xp_sl_mat A;
            XP_CHECK_INT(xp_sl_mat_create(&grid, n, nb, &A, &e), XP_OK);
            for (int jl = 0; jl < A.nloc; jl++)
                for (int il2 = 0; il2 < A.mloc; il2++) {
                    int64_t i = xp_sl_global(il2, nb, grid.nprow, grid.myrow);
                    int64_t j = xp_sl_global(jl, nb, grid.npcol, grid.mycol);
                    A.a[il2 + (size_t)jl * A.lld] = L2[i + (size_t)j * n];
                }
            XP_CHECK_INT(xp_sl_eig_smallest(&grid, &A, k, wp, Zp, 0, &e),
                         XP_OK);
            for (int j = 0; j < k; j++)
                XP_CHECK_NEAR(wp[j], ws[j], 1e-8);
            for (int j = 1; j < k; j++) { /* lambda2, lambda3 are simple */
                double d = 0;
                for (int i = 0; i < n; i++)
                    d += Zs[i + (size_t)j * n] * Zp[i + (size_t)j * n];
                XP_CHECK_NEAR(fabs(d), 1.0, 1e-8);
            }
            XP_CHECK(same_everywhere(fnv(1, Zp, (size_t)n * k * sizeof *Zp)));
            xp_sl_mat_free(&A);
        }
        free(L);
        free(L2);
        free(Zs);
        free(Zp);
        xp__cstate_free(&st);
        tg_free(&t);
    }
    xp_sl_grid_close(&grid);
}

/* The tightness test by Cholesky (xp__cstate_tight_shift): serial dpotrf
 * (xp__cstate_tight_cholesky) and pdpotrf (xp_sl_posdef) against lambda2
 * from dsyevr, with t just below and just above lambda2, on random
 * connected graphs and two cliques, with L and with the normalised
 * Laplacian. */
static void tight_agreement(void)
{
    xp_sl_grid grid;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_sl_grid_open(&grid, MPI_COMM_WORLD, &e), XP_OK);
    for (int kind = 0; kind < 4; kind++) {
        tg_graph t = {0};
        int n = 37 + 80 * kind;
        uint64_t seed = 5 + (uint64_t)kind;
        if (kind == 3) {
            tg_two_cliques(&t, 0.05);
        } else {
            t.nnodes = n;
            tg_path(&t, 0, n, 1.0);
            for (int r = 0; r < 3 * n; r++)
                tg_edge(&t, (int64_t)(tg_rand(&seed) % (uint64_t)n),
                        (int64_t)(tg_rand(&seed) % (uint64_t)n), 0.1 + tg_unif(&seed));
        }
        xp_rulegraph g = tg_view(&t);
        for (int norm = 0; norm < 2; norm++) {
            xp_cluster_opts o;
            xp_cluster_opts_default(&o);
            o.sweep = norm; /* the normalised Laplacian */
            o.min_split = 2;
            xp__cstate st;
            XP_CHECK_INT(xp__cstate_init(&st, &g, &o, &e), XP_OK);
            XP_CHECK_INT(st.nparts, 1); /* connected: one part, the whole graph */
            int64_t p = 0, m = st.parts[p].n;
            double *L = malloc((size_t)m * m * sizeof *L), *w = malloc((size_t)m * sizeof *w);
            double *Z = malloc((size_t)m * 2 * sizeof *Z), *u = malloc((size_t)m * sizeof *u);
            xp__cstate_laplacian(&st, p, L);
            double mean = 0;
            for (int64_t i = 0; i < m; i++)
                mean += L[i + i * m];
            mean = norm ? 1 : mean / (double)m;
            XP_CHECK_INT(tg_dsyevr_smallest(L, (int)m, 2, w, Z), 0);
            const double f[4] = {0.5, 0.999, 1.001, 2};
            for (int k = 0; k < 4; k++) {
                o.tight = f[k] * w[1] / mean;
                int want = f[k] < 1, serial = -1, dist = -1;
                XP_CHECK_INT(xp__cstate_tight_cholesky(&st, p, &o, &serial, &e), XP_OK);
                XP_CHECK_INT(serial, want);
                double tt = xp__cstate_tight_shift(&st, p, &o, u);
                XP_CHECK_NEAR(tt, f[k] * w[1], 1e-12 * (1 + w[1]));
                xp__cstate_laplacian(&st, p, L);
                xp_sl_mat A;
                XP_CHECK_INT(xp_sl_mat_create(&grid, m, 8, &A, &e), XP_OK);
                for (int jl = 0; jl < A.nloc; jl++)
                    for (int il = 0; il < A.mloc; il++) {
                        int64_t i = xp_sl_global(il, 8, grid.nprow, grid.myrow);
                        int64_t j = xp_sl_global(jl, 8, grid.npcol, grid.mycol);
                        A.a[il + (size_t)jl * A.lld] =
                            L[i + (size_t)j * m] + 2 * tt * u[i] * u[j] - (i == j ? tt : 0);
                    }
                XP_CHECK_INT(xp_sl_posdef(&grid, &A, &dist, &e), XP_OK);
                XP_CHECK_INT(dist, want);
                xp_sl_mat_free(&A);
            }
            free(L), free(w), free(Z), free(u);
            xp__cstate_free(&st);
        }
        tg_free(&t);
    }
    xp_sl_grid_close(&grid);
}

/* A failing solve on the last rank: the same error everywhere, no hang. */
static void injected_failure(int size)
{
    xp_cluster_opts o;
    xp_cluster_opts_default(&o);
    o.min_split = 10; /* the paper's floor: each path of 20 ends as 4 parts */
    tg_graph t = {0};
    t.nnodes = 160;
    for (int p = 0; p < 8; p++)
        tg_path(&t, 20 * p, 20, 1.0);
    xp_rulegraph g = tg_view(&t);
    const char *want[2] = {"pdsyevx: info = 1", "dsyevr: info = 1"};
    for (int path = 0; path < 2; path++) {
        xp_clustering c;
        xp_err e;
        xp_err_clear(&e);
        o.scalapack_min = path == 0 ? 8 : 1000000;
        o.fault_rank = size - 1;
        XP_CHECK_INT(xp_pcluster_run(MPI_COMM_WORLD, &g, &o, &c, &e),
                     XP_LAPACK);
        XP_CHECK_INT(e.status, XP_LAPACK);
        XP_CHECK(strstr(e.msg, want[path]) != NULL);
        XP_CHECK(same_everywhere(fnv(1, e.msg, strlen(e.msg))));
        XP_CHECK(c.node_cluster == NULL);
        /* The library is usable again afterwards. */
        o.fault_rank = -1;
        XP_CHECK_INT(xp_pcluster_run(MPI_COMM_WORLD, &g, &o, &c, &e), XP_OK);
        XP_CHECK_INT(c.nclusters, 32);
        xp_clustering_free(&c);
    }
    tg_free(&t);
}

int main(int argc, char **argv)
{
    int rank = 0, size = 1;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    equal_to_serial(0);
    equal_to_serial(1); /* --sweep-cut */
    eigen_agreement();
    tight_agreement();
    injected_failure(size);
    XP_TEST_MPI_END();
}

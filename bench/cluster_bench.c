/*
 * cluster_bench.c - time rule clustering (§3.1) on random planted rule
 * graphs (clusters of ~30 nodes, density 0.8, 0.3 n weak cross rules):
 * serial xp_cluster_run on rank 0 against xp_pcluster_run over all ranks,
 * once with ScaLAPACK for parts >= --scalapack-min and once with every
 * part solved by serial LAPACK spread over the ranks; and, with --eig,
 * one eigen-solve (3 smallest pairs) dsyevr against pdsyevx.
 *
 *   mpiexec -n P cluster_bench [--serial-max N] [--scalapack-min N]
 *                              [--eig] SIZE...
 * Sizes above --serial-max (default 5000) skip the serial run.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/cluster/cluster_graphs.h"
#include "xp_pcluster.h"
#include "xp_scalapack.h"

static int same(const xp_clustering *a, const xp_clustering *b)
{
    return a->nclusters == b->nclusters &&
           !memcmp(a->node_cluster, b->node_cluster,
                   (size_t)a->nnodes * sizeof *a->node_cluster);
}

static double prun(const xp_rulegraph *g, const xp_cluster_opts *o,
                   xp_clustering *c, int rank)
{
    xp_err e;
    xp_err_clear(&e);
    MPI_Barrier(MPI_COMM_WORLD);
    double t = MPI_Wtime();
    if (xp_pcluster_run(MPI_COMM_WORLD, g, o, c, &e) != XP_OK && rank == 0)
        fprintf(stderr, "cluster_bench: %s\n", e.msg);
    return MPI_Wtime() - t;
}

static void bench_size(int64_t n, int64_t serial_max, int64_t smin, int rank,
                       int size)
{
    tg_graph t = {0};
    tg_planted(&t, n, 30, 0.8, 0.3, 42 + (uint64_t)n);
    xp_rulegraph g = tg_view(&t);
    xp_cluster_opts o;
    xp_cluster_opts_default(&o);
    xp_clustering s = {0}, c = {0};
    xp_err e;
    double ts = -1;
    if (n <= serial_max && rank == 0) {
        xp_err_clear(&e);
        double t0 = MPI_Wtime();
        if (xp_cluster_run(&g, &o, &s, &e) != XP_OK)
            fprintf(stderr, "cluster_bench: %s\n", e.msg);
        ts = MPI_Wtime() - t0;
    }
    o.scalapack_min = smin;
    double tp = prun(&g, &o, &c, rank);
    o.scalapack_min = 1000000000;
    xp_clustering c2 = {0};
    double tq = prun(&g, &o, &c2, rank);
    if (rank == 0)
        printf("clustering n=%lld rules=%lld ranks=%d clusters=%lld "
               "serial_s=%.2f scalapack_s=%.2f (min %lld) spread_s=%.2f "
               "same=%s\n",
               (long long)n, (long long)t.nedges, size,
               (long long)c.nclusters, ts, tp, (long long)smin, tq,
               ts < 0 ? "n/a"
               : same(&s, &c) && same(&s, &c2) ? "yes" : "NO");
    fflush(stdout);
    xp_clustering_free(&s);
    xp_clustering_free(&c);
    xp_clustering_free(&c2);
    tg_free(&t);
}

/* One eigen-solve of an n-node planted graph: dsyevr vs pdsyevx. */
static void bench_eig(int64_t n, int rank, int size)
{
    tg_graph t = {0};
    tg_planted(&t, n, 30, 0.8, 0.3, 42 + (uint64_t)n);
    xp_rulegraph g = tg_view(&t);
    xp_cluster_opts o;
    xp_cluster_opts_default(&o);
    o.min_split = 2;
    xp__cstate st;
    xp_err e;
    xp_err_clear(&e);
    if (xp__cstate_init(&st, &g, &o, &e) != XP_OK || st.nparts != 1) {
        if (rank == 0)
            fprintf(stderr, "cluster_bench: not one component\n");
        tg_free(&t);
        return;
    }
    double ts = -1;
    if (rank == 0) {
        double t0 = MPI_Wtime();
        xp__cstate_solve_serial(&st, 0, &o, 0, &e);
        ts = MPI_Wtime() - t0;
    }
    xp_sl_grid grid;
    xp_sl_grid_open(&grid, MPI_COMM_WORLD, &e);
    xp_sl_mat A;
    double *L = malloc((size_t)n * (size_t)n * sizeof *L);
    double *w = malloc((size_t)n * sizeof *w), *Z = malloc((size_t)n * 3 * 8);
    xp__cstate_laplacian(&st, 0, L);
    xp_sl_mat_create(&grid, n, 32, &A, &e);
    for (int jl = 0; jl < A.nloc; jl++)
        for (int il = 0; il < A.mloc; il++)
            A.a[il + (size_t)jl * A.lld] =
                L[xp_sl_global(il, 32, grid.nprow, grid.myrow) +
                  (size_t)xp_sl_global(jl, 32, grid.npcol, grid.mycol) *
                      (size_t)n];
    free(L);
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    xp_status s = xp_sl_eig_smallest(&grid, &A, 3, w, Z, 0, &e);
    double tp = MPI_Wtime() - t0;
    if (rank == 0)
        printf("eigensolve n=%lld ranks=%d grid=%dx%d dsyevr_s=%.3f "
               "pdsyevx_s=%.3f status=%d\n",
               (long long)n, size, grid.nprow, grid.npcol, ts, tp, s);
    fflush(stdout);
    xp_sl_mat_free(&A);
    xp_sl_grid_close(&grid);
    free(w);
    free(Z);
    xp__cstate_free(&st);
    tg_free(&t);
}

int main(int argc, char **argv)
{
    int rank = 0, size = 1, eig = 0;
    int64_t serial_max = 5000, smin = 2000;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--serial-max") && i + 1 < argc)
            serial_max = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--scalapack-min") && i + 1 < argc)
            smin = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--eig"))
            eig = 1;
        else if (eig)
            bench_eig(atoll(argv[i]), rank, size);
        else
            bench_size(atoll(argv[i]), serial_max, smin, rank, size);
    }
    MPI_Finalize();
    return 0;
}

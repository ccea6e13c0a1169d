/*
 * cluster_bench.c - time rule clustering (§3.1) on random planted rule
 * graphs (clusters of ~30 nodes, density 0.8, 0.3 n weak cross rules), or
 * on a rule graph read from a file.
 *
 * Partitioning lines (default): for each SIZE,
 *   dense_s   serial xp_cluster_run on rank 0, every part dense dsyevr
 *             (sparse_min huge): the reference; only up to --serial-max;
 *   sparse_s  serial xp_cluster_run on rank 0 with the default solver choice
 *             (the sparse solver, src/xp_fiedler.h, for parts >=
 *             --sparse-min);
 *   par_s     xp_pcluster_run over all ranks, same choice (parts dealt);
 *   scal_s    xp_pcluster_run with the sparse solver off and ScaLAPACK for
 *             parts >= --scalapack-min (the dense distributed path); only up
 *             to --serial-max;
 *   same      every clustering equal to the dense reference (or to sparse_s
 *             when there is no reference).
 * With --eig: one eigen-solve of the whole graph's Laplacian (3 smallest
 * pairs and the verdict): dsyevr on rank 0, pdsyevx on all ranks (both only
 * up to --serial-max) and the sparse solver on rank 0.
 *
 *   mpiexec -n P cluster_bench [--serial-max N] [--scalapack-min N]
 *       [--sparse-min N] [--sweep] [--graph FILE] [--eig] SIZE...
 * --sweep: the split expose-mpi makes by default (the normalised
 * Laplacian's sweep cut, docs/clustering.md); without it the sign split.
 * --graph FILE: lines "src dst score" (0-based node ids); SIZE is ignored
 * for it (give one SIZE, e.g. 0).
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/cluster/cluster_graphs.h"
#include "xp_pcluster.h"
#include "xp_scalapack.h"

typedef struct bench_cfg {
    int64_t serial_max, smin, sparse_min;
    int sweep; /* --sweep: expose-mpi's default split (normalised, sweep cut) */
    const char *graph;
    int rank, size;
} bench_cfg;

static int same(const xp_clustering *a, const xp_clustering *b)
{
    return a->nclusters == b->nclusters &&
           !memcmp(a->node_cluster, b->node_cluster,
                   (size_t)a->nnodes * sizeof *a->node_cluster);
}

/* Read "src dst score" lines; nnodes = largest id + 1. 0 on success. */
static int read_graph(const char *path, tg_graph *t)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    long long s, d;
    double w;
    while (fscanf(f, "%lld %lld %lf", &s, &d, &w) == 3) {
        tg_edge(t, s, d, w);
        if (s + 1 > t->nnodes)
            t->nnodes = s + 1;
        if (d + 1 > t->nnodes)
            t->nnodes = d + 1;
    }
    fclose(f);
    return 0;
}

static void make_graph(const bench_cfg *b, int64_t n, tg_graph *t)
{
    memset(t, 0, sizeof *t);
    if (b->graph != NULL) {
        if (read_graph(b->graph, t) != 0 && b->rank == 0)
            fprintf(stderr, "cluster_bench: cannot read %s\n", b->graph);
        return;
    }
    tg_planted(t, n, 30, 0.8, 0.3, 42 + (uint64_t)n);
}

static double srun(const xp_rulegraph *g, const xp_cluster_opts *o,
                   xp_clustering *c)
{
    xp_err e;
    xp_err_clear(&e);
    double t = MPI_Wtime();
    if (xp_cluster_run(g, o, c, &e) != XP_OK)
        fprintf(stderr, "cluster_bench: %s\n", e.msg);
    return MPI_Wtime() - t;
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

static void bench_size(const bench_cfg *b, int64_t n)
{
    tg_graph t;
    make_graph(b, n, &t);
    n = t.nnodes;
    xp_rulegraph g = tg_view(&t);
    xp_cluster_opts o;
    xp_cluster_opts_default(&o);
    o.sparse_min = b->sparse_min;
    o.scalapack_min = b->smin;
    o.sweep = b->sweep;
    xp_clustering d = {0}, s = {0}, c = {0}, q = {0};
    double td = -1, ts = -1, tq = -1;
    int ref = n <= b->serial_max;
    if (b->rank == 0) {
        ts = srun(&g, &o, &s);
        if (ref) {
            xp_cluster_opts od = o;
            od.sparse_min = INT64_MAX;
            td = srun(&g, &od, &d);
        }
    }
    double tp = prun(&g, &o, &c, b->rank);
    if (ref) {
        xp_cluster_opts oq = o;
        oq.sparse_min = INT64_MAX;
        tq = prun(&g, &oq, &q, b->rank);
    }
    const xp_clustering *r = ref ? &d : &s;
    int ok = same(r, &s) && same(r, &c) && (!ref || same(r, &q));
    if (b->rank == 0)
        printf("clustering n=%lld rules=%lld ranks=%d clusters=%lld "
               "dense_s=%.2f sparse_s=%.2f par_s=%.2f scal_s=%.2f "
               "(sparse_min %lld scalapack_min %lld) same=%s%s\n",
               (long long)n, (long long)t.nedges, b->size,
               (long long)c.nclusters, td, ts, tp, tq,
               (long long)b->sparse_min, (long long)b->smin,
               ok ? "yes" : "NO", ref ? "" : " (vs sparse_s, no dense ref)");
    fflush(stdout);
    if (b->rank == 0 && !ok)
        printf("  clusters: dense_s %lld sparse_s %lld par_s %lld scal_s %lld\n",
               (long long)d.nclusters, (long long)s.nclusters,
               (long long)c.nclusters, (long long)q.nclusters);
    xp_clustering_free(&d);
    xp_clustering_free(&s);
    xp_clustering_free(&c);
    xp_clustering_free(&q);
    tg_free(&t);
}

/* pdsyevx of part 0's Laplacian on all ranks; returns seconds. */
static double time_pdsyevx(const xp__cstate *st, int64_t n, int *status)
{
    xp_sl_grid grid;
    xp_sl_mat A;
    xp_err e;
    xp_err_clear(&e);
    xp_sl_grid_open(&grid, MPI_COMM_WORLD, &e);
    double *L = malloc((size_t)n * (size_t)n * sizeof *L);
    double *w = malloc((size_t)n * sizeof *w), *Z = malloc((size_t)n * 3 * 8);
    xp__cstate_laplacian(st, 0, L);
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
    *status = xp_sl_eig_smallest(&grid, &A, 3, w, Z, 0, &e);
    double tp = MPI_Wtime() - t0;
    xp_sl_mat_free(&A);
    xp_sl_grid_close(&grid);
    free(w);
    free(Z);
    return tp;
}

/* One eigen-solve of the whole graph: dsyevr, pdsyevx, sparse. */
static void bench_eig(const bench_cfg *b, int64_t n)
{
    tg_graph t;
    make_graph(b, n, &t);
    n = t.nnodes;
    xp_rulegraph g = tg_view(&t);
    xp_cluster_opts o;
    xp_cluster_opts_default(&o);
    o.min_split = 2;
    xp__cstate st;
    xp_err e;
    xp_err_clear(&e);
    if (xp__cstate_init(&st, &g, &o, &e) != XP_OK || st.nparts != 1) {
        if (b->rank == 0)
            fprintf(stderr, "cluster_bench: not one component\n");
        tg_free(&t);
        return;
    }
    n = st.parts[0].n;
    double td = -1, ts = -1, tp = -1;
    int vd = 0, vs = 0, sp = 0;
    if (b->rank == 0) {
        double t0 = MPI_Wtime();
        if (xp__cstate_solve_sparse(&st, 0, &o, 0, &e) != XP_OK)
            fprintf(stderr, "cluster_bench: %s\n", e.msg);
        ts = MPI_Wtime() - t0;
        vs = st.verdict[0];
        if (n <= b->serial_max) {
            t0 = MPI_Wtime();
            if (xp__cstate_solve_dense(&st, 0, &o, 0, &e) != XP_OK)
                fprintf(stderr, "cluster_bench: %s\n", e.msg);
            td = MPI_Wtime() - t0;
            vd = st.verdict[0];
        }
    }
    if (n <= b->serial_max)
        tp = time_pdsyevx(&st, n, &sp);
    if (b->rank == 0)
        printf("eigensolve n=%lld ranks=%d dsyevr_s=%.3f pdsyevx_s=%.3f "
               "sparse_s=%.3f verdict dense=%d sparse=%d (1 leaf, 2 split, "
               "4 fall back to dense) pdsyevx_status=%d\n",
               (long long)n, b->size, td, tp, ts, vd, vs, sp);
    fflush(stdout);
    xp__cstate_free(&st);
    tg_free(&t);
}

int main(int argc, char **argv)
{
    int eig = 0;
    bench_cfg b = {5000, 2000, 0, 0, NULL, 0, 1};
    xp_cluster_opts od;
    xp_cluster_opts_default(&od);
    b.sparse_min = od.sparse_min;
    b.smin = od.scalapack_min;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &b.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &b.size);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--serial-max") && i + 1 < argc)
            b.serial_max = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--scalapack-min") && i + 1 < argc)
            b.smin = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--sparse-min") && i + 1 < argc)
            b.sparse_min = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--graph") && i + 1 < argc)
            b.graph = argv[++i];
        else if (!strcmp(argv[i], "--sweep"))
            b.sweep = 1;
        else if (!strcmp(argv[i], "--eig"))
            eig = 1;
        else if (eig)
            bench_eig(&b, atoll(argv[i]));
        else
            bench_size(&b, atoll(argv[i]));
    }
    MPI_Finalize();
    return 0;
}

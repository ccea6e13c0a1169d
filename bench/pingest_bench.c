/*
 * pingest_bench.c - parallel ingest (mpi/xp_pingest.h) timed at the rank
 * count it is started with (bench/run-pingest.sh, bench/README.md).
 *
 *   mpiexec -n R pingest_bench REPEATS INPUT...
 *
 * Rank 0 lists the inputs; all ranks read them with xp_pingest_read REPEATS
 * times. Prints one CSV line (no header; run-pingest.sh writes it): ranks,
 * files, bytes, records, out_of_order, best seconds, and the parse /
 * exchange / merge split of that best run, MB/s, and an FNV-1a hash of the
 * records rank 0 ends with, so runs at different rank counts can be checked
 * to give the same records in the same order. On one rank xp_pingest_read is
 * the single reader (xp_input_read_all): its time is the baseline.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#include "xp_comm.h"
#include "xp_pingest.h"

static uint64_t fnv(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (argc < 3) {
        if (rank == 0)
            fprintf(stderr, "usage: pingest_bench REPEATS INPUT...\n");
        MPI_Finalize();
        return 2;
    }
    int repeats = atoi(argv[1]);
    /* PINGEST_SPLIT: xp_pingest_opts.split_bytes (-1: whole files only). */
    const char *sp = getenv("PINGEST_SPLIT");
    int64_t split = sp ? atoll(sp) : 0;
    xp_err e;
    xp_err_clear(&e);
    xp_input_list l = {0};
    xp_status s = rank == 0
                      ? xp_input_list_make((const char *const *)argv + 2, argc - 2, &l, NULL, &e)
                      : XP_OK;
    s = xp_agree(MPI_COMM_WORLD, s, &e);
    if (s == XP_OK)
        s = xp_pingest_bcast_list(MPI_COMM_WORLD, &l, &e);
    double best[4] = {1e300, 0, 0, 0};
    int64_t bytes = 0, records = 0, ooo = 0;
    uint64_t hash = 0;
    for (int64_t i = 0; i < l.n; i++)
        bytes += l.v[i].size;
    for (int r = 0; s == XP_OK && r < repeats; r++) {
        xp_recvec rv = {0};
        xp_input_stats st = {0};
        double sec[3] = {0, 0, 0};
        xp_pingest_opts po = {NULL, 0, sec, split, NULL, NULL};
        MPI_Barrier(MPI_COMM_WORLD);
        double t = MPI_Wtime();
        s = xp_pingest_read(MPI_COMM_WORLD, &l, &po, &rv, &st, &e);
        t = MPI_Wtime() - t;
        /* The slowest rank's time is the run's time. */
        MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        if (s == XP_OK && t < best[0]) {
            best[0] = t;
            best[1] = sec[0];
            best[2] = sec[1];
            best[3] = sec[2];
        }
        records = st.records;
        ooo = st.out_of_order;
        if (rank == 0 && s == XP_OK)
            hash = fnv(rv.v, (size_t)rv.n * sizeof *rv.v);
        xp_recvec_free(&rv);
    }
    if (rank == 0 && s != XP_OK)
        fprintf(stderr, "pingest_bench: %s\n", e.msg);
    if (rank == 0 && s == XP_OK)
        printf("%d,%lld,%lld,%lld,%lld,%.3f,%.3f,%.3f,%.3f,%.1f,%016llx\n", size, (long long)l.n,
               (long long)bytes, (long long)records, (long long)ooo, best[0], best[1], best[2],
               best[3], (double)bytes / 1e6 / best[0], (unsigned long long)hash);
    xp_input_list_free(&l);
    MPI_Finalize();
    return s == XP_OK ? 0 : 1;
}

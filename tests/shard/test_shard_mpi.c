/*
 * test_shard_mpi.c - the collective meta read under mpiexec (1, 2, 4 ranks):
 * every rank gets the same meta (checksums compared with MPI_Allreduce),
 * each rank reads its own shards, and a failure on one rank (a bad directory
 * on rank 1, or a different existing directory) fails the read on every rank
 * without a hang, with the failing rank's message on rank 0.
 *
 * usage: mpiexec -n N test_shard_mpi WORKDIR
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shard_fixture.h"
#include "xp_shard.h"
#include "xp_test.h"

#define NSH 7
static const int64_t shard_w[NSH + 1] = {0, 3, 9, 9, 20, 21, 40, 41};
static const int64_t shard_nent[NSH] = {50, 2000, 0, 0, 7, 3000, 1};
#define NCOLS 97
#define FP "mpi-fixture"

static int rank, size;

static void build(const char *dir, const char *fp)
{
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_shard_remove_all(dir, &e), XP_OK);
    for (int s = 0; s < NSH; s++) {
        xp_actmat a;
        fx_actmat(&a, shard_w[s], shard_w[s + 1], shard_nent[s], NCOLS,
                  (uint64_t)s + 1);
        XP_CHECK_INT(xp_shard_write(dir, s, &a, &e), XP_OK);
        xp_actmat_free(&a);
    }
    xp_meta m;
    fx_meta(&m, 40, NCOLS, shard_w, NSH, 3);
    XP_CHECK_INT(xp_shard_write_meta(dir, &m, fp, &e), XP_OK);
    if (e.status)
        fprintf(stderr, "build: %s\n", e.msg);
    xp_meta_free(&m);
}

static void test_same_meta(const char *dir)
{
    xp_meta m, want;
    char *fp = NULL;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_shard_read_meta(MPI_COMM_WORLD, dir, &m, &fp, &e), XP_OK);
    if (e.status)
        fprintf(stderr, "rank %d: %s\n", rank, e.msg);
    fx_meta(&want, 40, NCOLS, shard_w, NSH, 3);
    const uint64_t sum = fp ? fx_meta_sum(&m, fp) : 0;
    uint64_t lo = 0, hi = 0;
    MPI_Allreduce(&sum, &lo, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&sum, &hi, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    XP_CHECK(lo == hi);
    XP_CHECK(sum == fx_meta_sum(&want, FP));
    xp_meta_free(&want);
    /* Each rank reads its own shards, cyclically. */
    for (int64_t s = rank; s < m.nshards; s += size) {
        xp_actmat a, w;
        fx_actmat(&w, shard_w[s], shard_w[s + 1], shard_nent[s], NCOLS,
                  (uint64_t)s + 1);
        XP_CHECK_INT(xp_shard_read(dir, s, m.ncols, &a, &e), XP_OK);
        XP_CHECK_INT(a.nent, w.nent);
        if (a.nent == w.nent && e.status == XP_OK) {
            XP_CHECK(memcmp(a.wptr, w.wptr, (size_t)(a.w1 - a.w0 + 1) * 8) ==
                     0);
            XP_CHECK(a.nent == 0 ||
                     memcmp(a.client, w.client, (size_t)a.nent * 4) == 0);
        }
        xp_actmat_free(&a);
        xp_actmat_free(&w);
    }
    xp_meta_free(&m);
    free(fp);
}

/* Rank `bad` passes bad_dir, the others dir: every rank must fail. */
static void test_one_rank_fails(const char *dir, const char *bad_dir, int bad,
                                xp_status bad_status)
{
    xp_meta m;
    char *fp = NULL;
    xp_err e;
    xp_err_clear(&e);
    const char *mine = rank == bad ? bad_dir : dir;
    const xp_status st = xp_shard_read_meta(MPI_COMM_WORLD, mine, &m, &fp, &e);
    XP_CHECK_INT(st, rank == bad ? bad_status : XP_REMOTE);
    XP_CHECK(fp == NULL && m.cols == NULL && m.shard_w == NULL);
    if (rank == 0) {
        /* The failing rank's own message reaches rank 0. */
        XP_CHECK(strstr(e.msg, bad_dir) != NULL);
        printf("rank 0 sees: %s: %s\n", xp_status_name(st), e.msg);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_shard_mpi WORKDIR\n");
        return 2;
    }
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    char dir[4096], other[4096], missing[4096];
    snprintf(dir, sizeof dir, "%s/a", argv[1]);
    snprintf(other, sizeof other, "%s/b", argv[1]);
    snprintf(missing, sizeof missing, "%s/missing-dir", argv[1]);
    if (rank == 0) {
        build(dir, FP);
        build(other, FP);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    test_same_meta(dir);
    const int bad = size > 1 ? 1 : 0;
    test_one_rank_fails(dir, missing, bad, XP_IO);
    if (size > 1)
        test_one_rank_fails(dir, other, bad, XP_ARG);
    /* The communicator is still in step: a good read works again. */
    test_same_meta(dir);
    int fails = xp_test_fail_, all = 0;
    MPI_Allreduce(&fails, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Finalize();
    if (rank == 0)
        printf("%d ranks, %d failed checks in all\n", size, all);
    xp_test_fail_ = all ? (fails ? fails : 1) : 0;
    XP_TEST_END();
}

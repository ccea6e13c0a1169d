/*
 * test_preduce.c - the pair counts' reduction (xp_pairs_reduce,
 * mpi/xp_comm.h) under mpiexec at 1, 2, 3 and 4 ranks, against sums every
 * rank computes itself from what each rank contributes (a seeded
 * generator: every rank can make every rank's pairs).
 *
 * Columns 0-5 are flows sharing hosts, 6-9 generics: flow-flow,
 * flow-generic and generic-generic pairs. Each rank holds a random subset
 * of the candidate pairs (some on every rank, some on one), with its own
 * window counts c and, for generic-generic pairs, client-window counts cw
 * (for the others cw is a copy of c, as the counter makes it). Checked:
 * each rank's pairs sorted, the ranks' ranges in rank order and together
 * the union of all keys, each exactly once; c and cw summed exactly for
 * every pair; cw a copy of c for the others; in 32 bits (small counts), in
 * 64 bits when forced (XP_WIDE_COUNTS) and when the sums pass INT32_MAX;
 * with ranks that hold no pairs; the rank's own pairs consumed. And the
 * sums and OR of xp_comm.h over arrays of many pieces.
 */
#include <mpi.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xp_comm.h"
#include "xp_hash.h"
#include "xp_test.h"

#define NCOL 10

static int rank, size;

/* Flows 0-5 between hosts 0-3 (each shares a host with some other),
 * generics 6-9 on servers 0-3. */
static void colinfo(xp_colinfo *ci)
{
    static const uint32_t fh[6][2] = {{0, 1}, {0, 2}, {1, 2}, {2, 3}, {3, 0}, {1, 3}};
    memset(ci, 0, NCOL * sizeof *ci);
    for (int i = 0; i < 6; i++) {
        ci[i].h0 = fh[i][0];
        ci[i].h1 = fh[i][1];
        ci[i].relax = -1;
    }
    for (int i = 6; i < NCOL; i++) {
        ci[i].h0 = (uint32_t)(i - 6);
        ci[i].h1 = XP_HOST_ANY;
        ci[i].relax = -1;
        ci[i].generic = 1;
    }
}

/* Rank q's pairs (sorted by key, as the counter gives them) with counts
 * of about `scale`; none when q is odd and `odd_empty`. */
static void pairs_of(int q, const xp_colinfo *ci, int64_t scale, int odd_empty, xp_pairs *p)
{
    uint64_t s = 1000 + (uint64_t)q;
    p->n = 0;
    p->key = malloc(NCOL * NCOL * sizeof *p->key);
    p->c = malloc(4 * NCOL * NCOL * sizeof *p->c);
    p->cw = malloc(4 * NCOL * NCOL * sizeof *p->cw);
    for (uint32_t a = 0; a < NCOL && !(odd_empty && q % 2); a++)
        for (uint32_t b = a + 1; b < NCOL; b++) {
            int tpl = xp_template(ci, a, b);
            /* Pairs (a + b) % 3 == 0 on every rank, the others on about half. */
            if (tpl == XP_TPL_NONE || ((a + b) % 3 != 0 && xp_splitmix64(&s) % 2))
                continue;
            int64_t i = p->n++;
            p->key[i] = (uint64_t)a << 32 | b;
            for (int k = 0; k < 4; k++) {
                p->c[4 * i + k] = scale + (int64_t)(xp_splitmix64(&s) % 1000);
                p->cw[4 * i + k] = tpl == XP_TPL_GG ? scale + (int64_t)(xp_splitmix64(&s) % 5000)
                                                    : p->c[4 * i + k];
            }
        }
}

static void check_reduce(const xp_colinfo *ci, int64_t scale, const char *wide, int odd_empty)
{
    if (wide)
        setenv("XP_WIDE_COUNTS", wide, 1);
    else
        unsetenv("XP_WIDE_COUNTS");
    xp_pairs mine = {0}, got = {0}, want = {0};
    pairs_of(rank, ci, scale, odd_empty, &mine);
    /* The expected union and sums, from every rank's pairs. */
    want.c = calloc(4 * NCOL * NCOL, sizeof *want.c);
    want.cw = calloc(4 * NCOL * NCOL, sizeof *want.cw);
    uint8_t seen[NCOL * NCOL] = {0};
    for (int q = 0; q < size; q++) {
        xp_pairs p = {0};
        pairs_of(q, ci, scale, odd_empty, &p);
        for (int64_t i = 0; i < p.n; i++) {
            uint64_t a = p.key[i] >> 32, b = p.key[i] & 0xffffffffu;
            seen[a * NCOL + b] = 1;
            for (int k = 0; k < 4; k++) {
                want.c[4 * (a * NCOL + b) + k] += p.c[4 * i + k];
                want.cw[4 * (a * NCOL + b) + k] += p.cw[4 * i + k];
            }
        }
        xp_pairs_free(&p);
    }
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_pairs_reduce(MPI_COMM_WORLD, &mine, ci, &got, &e), XP_OK);
    XP_CHECK(mine.key == NULL && mine.n == 0); /* consumed */
    for (int64_t i = 0; i < got.n; i++) {
        uint64_t a = got.key[i] >> 32, b = got.key[i] & 0xffffffffu;
        XP_CHECK(a < NCOL && b < NCOL && seen[a * NCOL + b]);
        if (i > 0)
            XP_CHECK(got.key[i - 1] < got.key[i]);
        if (a >= NCOL || b >= NCOL)
            continue;
        int gg = xp_template(ci, (uint32_t)a, (uint32_t)b) == XP_TPL_GG;
        for (int k = 0; k < 4; k++) {
            XP_CHECK_INT(got.c[4 * i + k], want.c[4 * (a * NCOL + b) + k]);
            XP_CHECK_INT(got.cw[4 * i + k],
                         gg ? want.cw[4 * (a * NCOL + b) + k] : got.c[4 * i + k]);
        }
    }
    /* The shares: together every key once. */
    int64_t n = 0, total = got.n;
    for (int k = 0; k < NCOL * NCOL; k++)
        n += seen[k];
    MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    XP_CHECK_INT(total, n);
    XP_CHECK_INT(got.n, n / size + (rank < n % size)); /* the rank's share */
    /* In turns: pair j of the n sorted keys is rank j mod size's. */
    uint64_t *sorted = malloc((size_t)(n ? n : 1) * sizeof *sorted);
    int64_t m = 0;
    for (uint64_t a = 0; a < NCOL; a++)
        for (uint64_t b = 0; b < NCOL; b++)
            if (seen[a * NCOL + b])
                sorted[m++] = a << 32 | b;
    int64_t off = 0;
    for (int64_t i = 0; i < got.n; i++)
        off += got.key[i] != sorted[rank + i * size];
    XP_CHECK_INT(off, 0);
    free(sorted);
    xp_pairs_free(&got);
    xp_pairs_free(&want);
}

/* The reductions of xp_comm.h over arrays of many pieces (128 KiB each, at
 * most 64 per array: xp__allreduce_chunks), with a piece left over: sums
 * (32 and 64 bits) and OR exact, element by element. */
static void check_pieces(int64_t n)
{
    int64_t *c = malloc((size_t)n * sizeof *c), *w = malloc((size_t)n * sizeof *w);
    uint64_t *o = malloc((size_t)n * sizeof *o);
    for (int64_t i = 0; i < n; i++) {
        c[i] = (i * 7 + rank) % 1000;
        w[i] = ((int64_t)1 << 40) + i + rank;
        o[i] = (uint64_t)1 << ((i + rank) % 64);
    }
    xp_err e;
    xp_err_clear(&e);
    unsetenv("XP_WIDE_COUNTS");
    XP_CHECK_INT(xp_allreduce_counts(MPI_COMM_WORLD, c, n, &e), XP_OK);
    XP_CHECK_INT(xp_allreduce_i64(MPI_COMM_WORLD, w, n, MPI_SUM, &e), XP_OK);
    XP_CHECK_INT(xp_allreduce_bor(MPI_COMM_WORLD, o, n, &e), XP_OK);
    int64_t bad = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t sc = 0, sw = 0;
        uint64_t so = 0;
        for (int q = 0; q < size; q++) {
            sc += (i * 7 + q) % 1000;
            sw += ((int64_t)1 << 40) + i + q;
            so |= (uint64_t)1 << ((i + q) % 64);
        }
        bad += c[i] != sc || w[i] != sw || o[i] != so;
    }
    XP_CHECK_INT(bad, 0);
    free(c);
    free(w);
    free(o);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    xp_colinfo ci[NCOL];
    colinfo(ci);
    XP_CHECK_INT(xp_template(ci, 6, 7), XP_TPL_GG); /* the kinds are all there */
    XP_CHECK_INT(xp_template(ci, 0, 1), XP_TPL_FF);
    XP_CHECK_INT(xp_template(ci, 0, 6), XP_TPL_FG);
    check_reduce(ci, 10, NULL, 0);               /* 32 bits */
    check_reduce(ci, 10, "1", 0);                /* 64 bits, forced */
    check_reduce(ci, 3000000000LL, NULL, 0);     /* sums past INT32_MAX: 64 bits */
    check_reduce(ci, 2147483647LL / 5, NULL, 0); /* 32 bits below 5 ranks, else 64 */
    check_reduce(ci, 10, NULL, 1);               /* odd ranks hold no pairs */
    check_pieces(7);                             /* fewer than one block of 8 */
    check_pieces(17);                            /* two blocks of 8 and one left */
    check_pieces(100003);                        /* 4-7 pieces and a rest */
    check_pieces(64 * 32768 + 5);                /* past 64 pieces of 128 KiB: bigger ones */
    XP_TEST_MPI_END();
}

/*
 * test_preduce.c - the pair counts' reduction (xp_pairs_allreduce,
 * mpi/xp_comm.h) under mpiexec at 1, 2, 3 and 4 ranks, against sums every
 * rank computes itself from what each rank contributes (a seeded
 * generator: every rank can make every rank's pairs).
 *
 * Columns 0-5 are flows sharing hosts, 6-9 generics: flow-flow,
 * flow-generic and generic-generic pairs. Each rank holds a random subset
 * of the candidate pairs (some on every rank, some on one), with its own
 * window counts c and, for generic-generic pairs, client-window counts cw
 * (for the others cw is a copy of c, as the counter makes it). Checked:
 * the union of keys, sorted; c and cw summed exactly for every pair; cw a
 * copy of c for the others; in 32 bits (small counts), in 64 bits when
 * forced (XP_WIDE_COUNTS) and when the sums pass INT32_MAX.
 */
#include <mpi.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xp_comm.h"
#include "xp_test.h"

#define NCOL 10

static int rank, size;

/* splitmix64 (src/xp_hash.h's finaliser over a Weyl sequence) */
static uint64_t rng_next(uint64_t *s)
{
    return xp_hash64(*s += 0x9e3779b97f4a7c15ULL);
}

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
 * of about `scale`. */
static void pairs_of(int q, const xp_colinfo *ci, int64_t scale, xp_pairs *p)
{
    uint64_t s = 1000 + (uint64_t)q;
    p->n = 0;
    p->key = malloc(NCOL * NCOL * sizeof *p->key);
    p->c = malloc(4 * NCOL * NCOL * sizeof *p->c);
    p->cw = malloc(4 * NCOL * NCOL * sizeof *p->cw);
    for (uint32_t a = 0; a < NCOL; a++)
        for (uint32_t b = a + 1; b < NCOL; b++) {
            int tpl = xp_template(ci, a, b);
            /* Pairs (a + b) % 3 == 0 on every rank, the others on about half. */
            if (tpl == XP_TPL_NONE || ((a + b) % 3 != 0 && rng_next(&s) % 2))
                continue;
            int64_t i = p->n++;
            p->key[i] = (uint64_t)a << 32 | b;
            for (int k = 0; k < 4; k++) {
                p->c[4 * i + k] = scale + (int64_t)(rng_next(&s) % 1000);
                p->cw[4 * i + k] =
                    tpl == XP_TPL_GG ? scale + (int64_t)(rng_next(&s) % 5000) : p->c[4 * i + k];
            }
        }
}

static void check_reduce(const xp_colinfo *ci, int64_t scale, const char *wide)
{
    if (wide)
        setenv("XP_WIDE_COUNTS", wide, 1);
    else
        unsetenv("XP_WIDE_COUNTS");
    xp_pairs mine = {0}, global = {0}, want = {0};
    pairs_of(rank, ci, scale, &mine);
    /* The expected union and sums, from every rank's pairs. */
    want.key = calloc(NCOL * NCOL, sizeof *want.key);
    want.c = calloc(4 * NCOL * NCOL, sizeof *want.c);
    want.cw = calloc(4 * NCOL * NCOL, sizeof *want.cw);
    uint8_t seen[NCOL * NCOL] = {0};
    for (int q = 0; q < size; q++) {
        xp_pairs p = {0};
        pairs_of(q, ci, scale, &p);
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
    XP_CHECK_INT(xp_pairs_allreduce(MPI_COMM_WORLD, &mine, ci, &global, &e), XP_OK);
    int64_t n = 0;
    for (int k = 0; k < NCOL * NCOL; k++)
        n += seen[k];
    XP_CHECK_INT(global.n, n);
    for (int64_t i = 0; i < global.n; i++) {
        uint64_t a = global.key[i] >> 32, b = global.key[i] & 0xffffffffu;
        XP_CHECK(a < NCOL && b < NCOL && seen[a * NCOL + b]);
        if (i > 0)
            XP_CHECK(global.key[i - 1] < global.key[i]);
        if (a >= NCOL || b >= NCOL)
            continue;
        int gg = xp_template(ci, (uint32_t)a, (uint32_t)b) == XP_TPL_GG;
        for (int k = 0; k < 4; k++) {
            XP_CHECK_INT(global.c[4 * i + k], want.c[4 * (a * NCOL + b) + k]);
            XP_CHECK_INT(global.cw[4 * i + k],
                         gg ? want.cw[4 * (a * NCOL + b) + k] : global.c[4 * i + k]);
        }
    }
    xp_pairs_free(&mine);
    xp_pairs_free(&global);
    xp_pairs_free(&want);
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
    check_reduce(ci, 10, NULL);               /* 32 bits */
    check_reduce(ci, 10, "1");                /* 64 bits, forced */
    check_reduce(ci, 3000000000LL, NULL);     /* sums past INT32_MAX: 64 bits */
    check_reduce(ci, 2147483647LL / 5, NULL); /* 32 bits below 5 ranks, else 64 */
    XP_TEST_MPI_END();
}

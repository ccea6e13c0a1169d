/*
 * test_pactivity.c - the activity built by all ranks (mpi/xp_pactivity.h)
 * against the serial build (xp_activity_build) over the same records, under
 * mpiexec at 1, 2, 3 and 4 ranks.
 *
 * Every rank generates the same random records (a seeded generator), builds
 * the serial reference over all of them, and takes its share for the
 * distributed build: round robin, all on rank 0, or all on the last rank.
 * Hosts, objects, counts and the window grid must be equal on every rank;
 * each window's entries must be on exactly the rank whose range holds it,
 * equal to the reference's; after xp_pactivity_move to other random ranges,
 * the same. An empty trace fails with XP_NOINPUT on every rank.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xp_hash.h"
#include "xp_pactivity.h"
#include "xp_test.h"

static int rank, size;

static void addr4(xp_addr *a, uint32_t v)
{
    memset(a, 0, sizeof *a);
    a->b[10] = a->b[11] = 0xff;
    a->b[12] = 10;
    a->b[13] = (uint8_t)(v >> 16);
    a->b[14] = (uint8_t)(v >> 8);
    a->b[15] = (uint8_t)v;
}

/* n connection records over `span` seconds from t0: a few servers and many
 * clients, well-known, learnable and ephemeral ports, some long sessions. */
static xp_rec *make_records(int64_t n, double t0, double span, uint64_t seed)
{
    xp_rec *r = calloc((size_t)(n ? n : 1), sizeof *r);
    static const uint16_t ports[] = {80, 53, 88, 443, 7000, 7003, 8080, 5000};
    for (int64_t i = 0; i < n; i++) {
        addr4(&r[i].src, 1000 + (uint32_t)(xp_splitmix64(&seed) % 40));
        addr4(&r[i].dst, (uint32_t)(xp_splitmix64(&seed) % 6));
        r[i].sport =
            (uint16_t)(xp_splitmix64(&seed) % 4 == 0 ? 123 : 1024 + xp_splitmix64(&seed) % 60000);
        r[i].dport = xp_splitmix64(&seed) % 5 == 0
                         ? (uint16_t)(20000 + xp_splitmix64(&seed) % 30000)
                         : ports[xp_splitmix64(&seed) % 8];
        r[i].proto = xp_splitmix64(&seed) % 3 == 0 ? 17 : 6;
        r[i].ts = t0 + span * (double)(xp_splitmix64(&seed) % 1000000) / 1e6;
        r[i].dur =
            xp_splitmix64(&seed) % 10 == 0 ? (double)(xp_splitmix64(&seed) % 400) / 10 : 0.01;
        r[i].flags = XP_REC_START;
    }
    return r;
}

/* Records of this rank under a split: 0 round robin, 1 all on rank 0,
 * 2 all on the last rank. */
static int64_t share(const xp_rec *all, int64_t n, int split, xp_rec *mine)
{
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++) {
        int owner = split == 0 ? (int)(i % size) : split == 1 ? 0 : size - 1;
        if (owner == rank)
            mine[k++] = all[i];
    }
    return k;
}

/* The global tables and counts. */
static void check_tables(const xp_activity *a, const xp_activity *ref)
{
    XP_CHECK_INT(a->records, ref->records);
    XP_CHECK_INT(a->nwindows, ref->nwindows);
    XP_CHECK(a->t0 == ref->t0 && a->trace_start == ref->trace_start &&
             a->trace_end == ref->trace_end);
    XP_CHECK_INT(a->nhosts, ref->nhosts);
    XP_CHECK(a->nhosts == ref->nhosts &&
             memcmp(a->hosts, ref->hosts, (size_t)ref->nhosts * sizeof *ref->hosts) == 0);
    XP_CHECK_INT(a->nobjs, ref->nobjs);
    XP_CHECK_INT(a->nflows, ref->nflows);
    XP_CHECK_INT(a->ngenerics, ref->ngenerics);
    if (a->nobjs != ref->nobjs)
        return;
    size_t on = (size_t)ref->nobjs;
    XP_CHECK(memcmp(a->objs, ref->objs, on * sizeof *ref->objs) == 0);
    XP_CHECK(memcmp(a->n_present, ref->n_present, on * sizeof(int64_t)) == 0);
    XP_CHECK(memcmp(a->n_new, ref->n_new, on * sizeof(int64_t)) == 0);
    XP_CHECK(memcmp(a->cw_present, ref->cw_present, on * sizeof(int64_t)) == 0);
    XP_CHECK(memcmp(a->cw_new, ref->cw_new, on * sizeof(int64_t)) == 0);
    XP_CHECK_INT(a->client_windows, ref->client_windows);
}

/* Window w's entries are here when bounds[rank] <= w < bounds[rank + 1],
 * equal to the reference's; every window is held by one rank. */
static void check_entries(const xp_activity *a, const xp_activity *ref, const int64_t *bounds)
{
    int64_t W = ref->nwindows, bad = 0, held = 0, total = 0;
    XP_CHECK_INT(bounds[0], 0);
    XP_CHECK_INT(bounds[size], W);
    for (int q = 0; q < size; q++)
        XP_CHECK(bounds[q] <= bounds[q + 1]);
    for (int64_t w = 0; w < W; w++) {
        int64_t n = a->wptr[w + 1] - a->wptr[w], m = ref->wptr[w + 1] - ref->wptr[w];
        if (w >= bounds[rank] && w < bounds[rank + 1]) {
            bad += n != m || memcmp(a->ent + a->wptr[w], ref->ent + ref->wptr[w],
                                    (size_t)m * sizeof *ref->ent) != 0;
            held += n;
        } else {
            bad += n != 0;
        }
    }
    XP_CHECK_INT(bad, 0);
    XP_CHECK_INT(a->nent, held);
    MPI_Allreduce(&held, &total, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    XP_CHECK_INT(total, ref->nent);
}

/* Random non-decreasing ranges from 0 to W, the same on every rank. */
static void random_bounds(int64_t W, uint64_t seed, int64_t *to)
{
    to[0] = 0;
    to[size] = W;
    for (int q = 1; q < size; q++) {
        int64_t x = (int64_t)(xp_splitmix64(&seed) % (uint64_t)(W + 1));
        to[q] = x < to[q - 1] ? to[q - 1] : x;
    }
}

static void one_case(int64_t n, double span, double window, int64_t min_flows, int split,
                     uint64_t seed)
{
    xp_rec *all = make_records(n, 1.7e9 + 0.25, span, seed);
    xp_rec *mine = calloc((size_t)(n ? n : 1), sizeof *mine);
    int64_t k = share(all, n, split, mine);
    xp_activity_opts o = {window, min_flows, 60};
    xp_activity ref, a;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK(xp_activity_build(all, n, &o, &ref, &e) == XP_OK);
    int64_t *bounds = calloc((size_t)size + 1, sizeof *bounds);
    int64_t *to = calloc((size_t)size + 1, sizeof *to);
    xp_status s = xp_pactivity_build(MPI_COMM_WORLD, mine, k, &o, &a, bounds, &e);
    XP_CHECK_INT(s, XP_OK);
    if (s == XP_OK) {
        check_tables(&a, &ref);
        check_entries(&a, &ref, bounds);
        random_bounds(ref.nwindows, seed ^ 0x5555, to);
        XP_CHECK_INT(xp_pactivity_move(MPI_COMM_WORLD, &a, to, &e), XP_OK);
        check_entries(&a, &ref, to);
        /* And back to one rank holding everything. */
        for (int q = 1; q <= size; q++)
            to[q] = ref.nwindows;
        XP_CHECK_INT(xp_pactivity_move(MPI_COMM_WORLD, &a, to, &e), XP_OK);
        check_entries(&a, &ref, to);
        xp_activity_free(&a);
    }
    xp_activity_free(&ref);
    free(bounds);
    free(to);
    free(all);
    free(mine);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    for (uint64_t seed = 1; seed <= 6; seed++)
        for (int split = 0; split < 3; split++)
            one_case(3000, 600, 1.0, 20, split, seed);
    one_case(1, 10, 1.0, 20, 0, 7);         /* one record: ranks without any */
    one_case(5, 2, 1.0, 20, 0, 8);          /* fewer windows than ranks */
    one_case(20000, 7200, 1.0, 50, 0, 9);   /* longer, more windows */
    one_case(4000, 600, 10.0, 1000, 2, 10); /* wider windows, no learned port */
    /* An empty trace: the same error on every rank. */
    xp_activity a;
    xp_err e;
    xp_err_clear(&e);
    int64_t *bounds = calloc((size_t)size + 1, sizeof *bounds);
    xp_activity_opts o = {1.0, 20, 60};
    XP_CHECK_INT(xp_pactivity_build(MPI_COMM_WORLD, NULL, 0, &o, &a, bounds, &e), XP_NOINPUT);
    free(bounds);
    XP_TEST_MPI_END();
}

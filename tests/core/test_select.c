/*
 * test_select.c - the shards' activity matrices (xp_select_actmats) and the
 * release of a block's head (xp_mem_release).
 *
 * On an activity built from seeded records (xp_activity_build), with every
 * third object left unmined: the matrices of all shards made at once (one
 * block) equal those made one shard at a time and a filter written here
 * over the activity's entries (columns renumbered, unmined objects
 * dropped, empty shards included); consuming the activity gives the same
 * matrices and leaves it with no entries. A block's released head reads as
 * zero (Linux) and the rest is untouched. The columns' selection, which
 * reads the flows in place, in canonical order, refuses flows out of that
 * order with an internal error instead of a wrong ranking.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xp_activity.h"
#include "xp_hash.h"
#include "xp_mem.h"
#include "xp_select.h"
#include "xp_test.h"

/* n records over span seconds, in time order: 60 clients, 8 servers. */
static xp_rec *make_records(int64_t n, double span, uint64_t seed)
{
    static const uint16_t ports[] = {80, 53, 88, 443, 7000};
    xp_rec *r = calloc((size_t)n, sizeof *r);
    for (int64_t i = 0; r && i < n; i++) {
        xp_addr_from_v4(&r[i].src, 0x0a000100u + (uint32_t)(xp_splitmix64(&seed) % 60));
        xp_addr_from_v4(&r[i].dst, 0x0a000001u + (uint32_t)(xp_splitmix64(&seed) % 8));
        r[i].sport = (uint16_t)(1024 + xp_splitmix64(&seed) % 60000);
        r[i].dport = ports[xp_splitmix64(&seed) % 5];
        r[i].proto = 6;
        r[i].ts = 1.7e9 + span * (double)i / (double)n;
        r[i].dur = xp_splitmix64(&seed) % 8 == 0 ? 3.5 : 0.01;
        r[i].flags = XP_REC_START;
    }
    return r;
}

/* The matrix of windows [w0, w1), filtered here entry by entry. */
static int same_as_filter(const xp_activity *a, const int32_t *colmap, const xp_actmat *m,
                          int64_t w0, int64_t w1)
{
    if (m->w0 != w0 || m->w1 != w1 || m->wptr[0] != 0)
        return 0;
    int64_t j = 0;
    for (int64_t w = w0; w < w1; w++) {
        if (m->wptr[w - w0] != j)
            return 0;
        for (int64_t i = a->wptr[w]; i < a->wptr[w + 1]; i++) {
            uint64_t x = a->ent[i];
            int32_t c = colmap[xp_ent_obj(x)];
            if (c < 0)
                continue;
            if (j >= m->nent || m->col[j] != (uint32_t)c || m->client[j] != xp_ent_client(x) ||
                m->isnew[j] != (uint8_t)xp_ent_new(x))
                return 0;
            j++;
        }
    }
    return m->wptr[w1 - w0] == j && m->nent == j;
}

static int same_actmat(const xp_actmat *x, const xp_actmat *y)
{
    int64_t nw = x->w1 - x->w0;
    return x->w0 == y->w0 && x->w1 == y->w1 && x->nent == y->nent &&
           memcmp(x->wptr, y->wptr, (size_t)(nw + 1) * sizeof *x->wptr) == 0 &&
           memcmp(x->col, y->col, (size_t)x->nent * sizeof *x->col) == 0 &&
           memcmp(x->client, y->client, (size_t)x->nent * sizeof *x->client) == 0 &&
           memcmp(x->isnew, y->isnew, (size_t)x->nent) == 0;
}

/* n records; shards cut at fractions of the windows, two of them empty. */
static void actmats(int64_t n)
{
    xp_rec *r = make_records(n, 900.0, (uint64_t)n);
    XP_CHECK(r != NULL);
    xp_activity a;
    xp_activity_opts o = {1.0, 1, 0};
    xp_err e = {0};
    XP_CHECK(xp_activity_build(r, n, &o, &a, &e) == XP_OK);
    free(r);
    int32_t *colmap = malloc((size_t)a.nobjs * sizeof *colmap);
    int32_t ncols = 0;
    for (int64_t k = 0; k < a.nobjs; k++)
        colmap[k] = k % 3 == 1 ? -1 : ncols++;
    const int64_t W = a.nwindows;
    const int64_t sw[] = {0, W / 5, W / 5, W / 2, W / 2 + 1, W - 1, W - 1, W};
    const int64_t ns = (int64_t)(sizeof sw / sizeof *sw) - 1;
    xp_actmat all[7], one[7];
    void *blk = NULL;
    XP_CHECK(xp_select_actmats(&a, colmap, sw, 0, ns, 0, all, &blk, &e) == XP_OK);
    int64_t total = 0;
    for (int64_t k = 0; k < ns; k++) {
        void *b1 = NULL;
        XP_CHECK(xp_select_actmats(&a, colmap, sw, k, k + 1, 0, &one[k], &b1, &e) == XP_OK);
        XP_CHECK(same_actmat(&all[k], &one[k]));
        XP_CHECK(same_as_filter(&a, colmap, &all[k], sw[k], sw[k + 1]));
        free(b1);
        total += all[k].nent;
    }
    XP_CHECK_INT(all[1].nent, 0); /* the empty shards */
    XP_CHECK_INT(all[5].nent, 0);
    XP_CHECK(total > 0 && total < a.nent); /* some entries dropped, not all */
    /* Consumed: the same matrices (the last shards only: the first ones'
     * windows are skipped), and the activity has no entries left. */
    xp_actmat part[3];
    void *pb = NULL;
    XP_CHECK(xp_select_actmats(&a, colmap, sw, 4, ns, 1, part, &pb, &e) == XP_OK);
    for (int64_t k = 4; k < ns; k++)
        XP_CHECK(same_actmat(&part[k - 4], &all[k]));
    XP_CHECK_INT(a.nent, 0);
    free(pb);
    free(blk);
    free(colmap);
    xp_activity_free(&a);
}

/* Selection on the activity as built, then with two flows swapped. */
static void flow_order(void)
{
    xp_rec *r = make_records(3000, 900.0, 7);
    xp_activity a;
    xp_activity_opts o = {1.0, 1, 0};
    xp_err e = {0};
    XP_CHECK(r != NULL && xp_activity_build(r, 3000, &o, &a, &e) == XP_OK);
    free(r);
    xp_select_opts so = {50, 0.9, 0, 4, 0};
    xp_meta m = {0};
    int32_t *colmap = NULL;
    XP_CHECK(xp_select_columns(&a, &so, &m, &colmap, &e) == XP_OK);
    XP_CHECK_INT(m.ncols, 50);
    xp_meta_free(&m);
    free(colmap);
    XP_CHECK(a.nflows > 2);
    xp_objkey t = a.objs[1];
    a.objs[1] = a.objs[2];
    a.objs[2] = t;
    memset(&m, 0, sizeof m);
    colmap = NULL;
    XP_CHECK(xp_select_columns(&a, &so, &m, &colmap, &e) == XP_INTERNAL);
    XP_CHECK(strstr(e.msg, "object 2: the flows are not in canonical order") != NULL);
    xp_meta_free(&m);
    free(colmap);
    xp_activity_free(&a);
}

static void release(void)
{
    const size_t mib = (size_t)1 << 20, n = 6 * mib;
    unsigned char *p = xp_mem_malloc(n);
    XP_CHECK(p != NULL);
    if (p == NULL)
        return;
    memset(p, 0xab, n);
    xp_mem_release(p, 4 * mib + 100); /* whole 2 MiB pages only: [0, 4 MiB) */
    int rest = 1;
    for (size_t i = 4 * mib; i < n; i++)
        rest &= p[i] == 0xab;
    XP_CHECK(rest);
#ifdef __linux__
    int zero = 1;
    for (size_t i = 0; i < 4 * mib; i++)
        zero &= p[i] == 0;
    XP_CHECK(zero);
#endif
    xp_mem_release(NULL, n); /* nothing to give back */
    free(p);
}

int main(void)
{
    actmats(3000);
    actmats(400000); /* an entry array of several 2 MiB pages */
    flow_order();
    release();
    XP_TEST_END();
}

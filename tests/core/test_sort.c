/*
 * test_sort.c - xp_sort_u64_small (src/xp_sort.h), the branch-free sort of
 * a window's entries, against qsort: every size from 0 to 300 and some
 * larger, with values drawn wide, from a few (many repeats), already in
 * order, in reverse, and with 0 and UINT64_MAX (the value the last block of
 * eight is padded with). The merge of a window (xp_activity_sort_merge)
 * keeps one entry per (object, client), new if any was, for small windows
 * and for those past the scratch array (sorted in place). xp_sort_dkeys
 * against qsort with xp_cmp_dkey: values with many ties (settled by the
 * index), -0.0 beside 0.0, and infinities.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xp_activity_int.h"
#include "xp_hash.h"
#include "xp_sort.h"
#include "xp_test.h"

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

static uint64_t stream = 1;

static uint64_t draw(int kind, int64_t i, int64_t n)
{
    uint64_t r = xp_hash64(stream++);
    switch (kind) {
    case 0:
        return r; /* wide */
    case 1:
        return r % 5; /* many repeats */
    case 2:
        return (uint64_t)i * 3; /* in order */
    case 3:
        return (uint64_t)(n - i); /* in reverse */
    default:
        return r % 3 == 0 ? UINT64_MAX : r % 3 == 1 ? 0 : r % 7; /* the extremes */
    }
}

/* Sorted as qsort sorts it, and nothing written past n in v or tmp. */
static int sorts_like_qsort(int kind, int64_t n)
{
    uint64_t *v = malloc((size_t)(n + 1) * sizeof *v), *want = malloc((size_t)(n + 1) * sizeof *v);
    uint64_t *tmp = malloc((size_t)(n + 1) * sizeof *tmp);
    for (int64_t i = 0; i < n; i++)
        v[i] = want[i] = draw(kind, i, n);
    v[n] = tmp[n] = 0x5a5a5a5a5a5a5a5aULL; /* guards */
    qsort(want, (size_t)n, sizeof *want, cmp_u64);
    xp_sort_u64_small(v, n, tmp);
    int ok = memcmp(v, want, (size_t)n * sizeof *v) == 0 && v[n] == 0x5a5a5a5a5a5a5a5aULL &&
             tmp[n] == 0x5a5a5a5a5a5a5a5aULL;
    free(v);
    free(want);
    free(tmp);
    return ok;
}

/* xp_sort_dkeys gives qsort's order (a total order: no two keys equal). */
static int dkeys_like_qsort(int64_t n)
{
    static const double few[] = {0.0, -0.0, 1.5, -2.25, INFINITY, -INFINITY, 1e-300};
    xp_dkey *v = malloc((size_t)(n + 1) * sizeof *v), *want = malloc((size_t)(n + 1) * sizeof *v);
    for (int64_t i = 0; i < n; i++) {
        uint64_t r = xp_hash64(stream++);
        double x = r % 2 ? few[r / 2 % 7] : (double)(int64_t)(r >> 11) * 1e-3;
        v[i] = want[i] = (xp_dkey){x, (int64_t)(xp_hash64(stream++) % 1000003)};
        v[i].i = want[i].i = want[i].i * 4096 + i; /* distinct, not in order */
    }
    qsort(want, (size_t)n, sizeof *want, xp_cmp_dkey);
    xp_sort_dkeys(v, n);
    int ok = 1;
    for (int64_t i = 0; i < n; i++)
        ok &= v[i].i == want[i].i;
    free(v);
    free(want);
    return ok;
}

int main(void)
{
    int64_t bad = 0;
    for (int64_t n = 0; n <= 200; n++)
        bad += !dkeys_like_qsort(n);
    bad += !dkeys_like_qsort(50000);
    for (int kind = 0; kind < 5; kind++) {
        for (int64_t n = 0; n <= 300; n++)
            bad += !sorts_like_qsort(kind, n);
        bad += !sorts_like_qsort(kind, 4099);
        bad += !sorts_like_qsort(kind, 100000);
    }
    XP_CHECK_INT(bad, 0);

    /* A window: flow 7 twice (once new), generic 9 from clients 2 and 3,
     * client 2 twice; every entry in reverse order. */
    uint64_t w[] = {xp_ent_pack(9, 2, 0), xp_ent_pack(9, 3, 0), xp_ent_pack(9, 2, 1),
                    xp_ent_pack(7, UINT32_MAX, 0), xp_ent_pack(7, UINT32_MAX, 1)};
    uint64_t tmp[5];
    XP_CHECK_INT(xp_activity_sort_merge(w, 5, tmp), 3);
    XP_CHECK(w[0] == xp_ent_pack(7, UINT32_MAX, 1));
    XP_CHECK(w[1] == xp_ent_pack(9, 2, 1));
    XP_CHECK(w[2] == xp_ent_pack(9, 3, 0));

    /* Windows past the scratch's 65,536 entries are sorted in place: the
     * same merge either way (objects 0..99, new one time in three). */
    for (int64_t n = 65536; n <= 65537 + 4000; n += 4001) {
        uint64_t *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b);
        uint64_t *t = malloc((size_t)n * sizeof *t);
        for (int64_t i = 0; i < n; i++) {
            uint64_t r = xp_hash64(stream++);
            a[i] = b[i] = xp_ent_pack((uint32_t)(r % 100), (uint32_t)(r >> 40) % 3, r % 3 == 0);
        }
        qsort(b, (size_t)n, sizeof *b, cmp_u64);
        int64_t m = 0; /* the merge written out: one per key, new if any */
        for (int64_t i = 0; i < n; i++) {
            if (m > 0 && b[m - 1] >> 1 == b[i] >> 1)
                b[m - 1] |= b[i];
            else
                b[m++] = b[i];
        }
        int64_t got = xp_activity_sort_merge(a, n, t);
        XP_CHECK_INT(got, m);
        XP_CHECK(got == m && memcmp(a, b, (size_t)m * sizeof *a) == 0);
        free(a);
        free(b);
        free(t);
    }
    XP_TEST_END();
}

/* xp_sort.c - the uint64_t and xp_dkey instances of xp_sort.h's sorts. */
#include "xp_sort.h"

#include <string.h>

#include "xp_mem.h"

static int xp__cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

#define XP__U64_LT(a, b) ((a) < (b))
XP_QUICKSORT(xp__sort_u64, uint64_t, XP__U64_LT, xp__cmp_u64)
XP_MERGE_RUNS(xp__merge_runs_u64, uint64_t, XP__U64_LT)

void xp_sort_u64(uint64_t *v, int64_t n)
{
    xp__sort_u64(v, n, xp_sort_depth(n));
}

int xp_cmp_dkey(const void *x, const void *y)
{
    const xp_dkey *a = x, *b = y;
    if (a->v != b->v)
        return a->v < b->v ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

#define XP__DKEY_LT(a, b) (xp_cmp_dkey(&(a), &(b)) < 0)
XP_QUICKSORT(xp__sort_dkeys, xp_dkey, XP__DKEY_LT, xp_cmp_dkey)

void xp_sort_dkeys(xp_dkey *v, int64_t n)
{
    xp__sort_dkeys(v, n, xp_sort_depth(n));
}

int xp_merge_runs_u64(uint64_t *v, int64_t n)
{
    return xp__merge_runs_u64(v, n);
}

int64_t xp_unique_u64(uint64_t *v, int64_t n)
{
    int64_t u = 0;
    for (int64_t i = 0; i < n; i++)
        if (u == 0 || v[u - 1] != v[i])
            v[u++] = v[i];
    return u;
}

/* Compare-exchange without a branch: both are computed, the compiler picks
 * them with conditional moves. */
#define XP__CSWAP(a, b)                                                                            \
    do {                                                                                           \
        uint64_t lo_ = (a) < (b) ? (a) : (b), hi_ = (a) < (b) ? (b) : (a);                         \
        (a) = lo_;                                                                                 \
        (b) = hi_;                                                                                 \
    } while (0)

/* Eight values sorted by Batcher's 19-comparator network. */
static void xp__sort8(uint64_t *v)
{
    uint64_t a0 = v[0], a1 = v[1], a2 = v[2], a3 = v[3], a4 = v[4], a5 = v[5], a6 = v[6], a7 = v[7];
    XP__CSWAP(a0, a2);
    XP__CSWAP(a1, a3);
    XP__CSWAP(a4, a6);
    XP__CSWAP(a5, a7);
    XP__CSWAP(a0, a4);
    XP__CSWAP(a1, a5);
    XP__CSWAP(a2, a6);
    XP__CSWAP(a3, a7);
    XP__CSWAP(a0, a1);
    XP__CSWAP(a2, a3);
    XP__CSWAP(a4, a5);
    XP__CSWAP(a6, a7);
    XP__CSWAP(a2, a4);
    XP__CSWAP(a3, a5);
    XP__CSWAP(a1, a4);
    XP__CSWAP(a3, a6);
    XP__CSWAP(a1, a2);
    XP__CSWAP(a3, a4);
    XP__CSWAP(a5, a6);
    v[0] = a0;
    v[1] = a1;
    v[2] = a2;
    v[3] = a3;
    v[4] = a4;
    v[5] = a5;
    v[6] = a6;
    v[7] = a7;
}

void xp_sort_u64_small(uint64_t *v, int64_t n, uint64_t *tmp)
{
    /* Blocks of eight by the network, the last one padded with the
     * largest value (which sorts last and is not copied back). */
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        xp__sort8(v + i);
    if (i < n) {
        uint64_t b[8];
        for (int64_t k = 0; k < 8; k++)
            b[k] = i + k < n ? v[i + k] : UINT64_MAX;
        xp__sort8(b);
        memcpy(v + i, b, (size_t)(n - i) * sizeof *v);
    }
    /* Then bottom-up merges, each step taking the smaller head by a
     * conditional move rather than a branch that fails half the time. */
    uint64_t *src = v, *dst = tmp;
    for (int64_t w = 8; w < n; w *= 2) {
        for (int64_t s = 0; s < n; s += 2 * w) {
            int64_t m = s + w < n ? s + w : n, end = s + 2 * w < n ? s + 2 * w : n;
            const uint64_t *x = src + s, *xe = src + m, *y = src + m, *ye = src + end;
            uint64_t *o = dst + s;
            while (x < xe && y < ye) {
                uint64_t a = *x, b = *y;
                int t = b < a;
                *o++ = t ? b : a;
                x += !t;
                y += t;
            }
            while (x < xe)
                *o++ = *x++;
            while (y < ye)
                *o++ = *y++;
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, (size_t)n * sizeof *v);
}

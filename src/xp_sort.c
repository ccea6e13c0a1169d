/* xp_sort.c - the uint64_t instances of xp_sort.h's sorts. */
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

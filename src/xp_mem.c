/* xp_mem.c - big buffers with transparent huge pages (xp_mem.h). */
#define _GNU_SOURCE /* MADV_HUGEPAGE */
#include "xp_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define XP__HUGE ((uintptr_t)2 << 20)

void xp_mem_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (p == NULL || n < XP_MEM_HUGE_MIN)
        return;
    uintptr_t lo = ((uintptr_t)p + XP__HUGE - 1) & ~(XP__HUGE - 1);
    uintptr_t hi = ((uintptr_t)p + n) & ~(XP__HUGE - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

void *xp_mem_malloc(size_t n)
{
    void *p = malloc(n);
    xp_mem_huge(p, n);
    return p;
}

void *xp_mem_calloc(size_t k, size_t n)
{
    /* A fresh mapping is zero already and calloc leaves it untouched; a
     * reused heap block is faulted in already. Either way advising after
     * calloc costs nothing. */
    if (n != 0 && k > SIZE_MAX / n)
        return NULL; /* as calloc does; checked here so that sanitizers see no overflow */
    void *p = calloc(k, n);
    if (p != NULL)
        xp_mem_huge(p, k * n);
    return p;
}

void *xp_mem_realloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    xp_mem_huge(q, n);
    return q;
}

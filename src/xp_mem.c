/* xp_mem.c - big buffers, 2 MiB-aligned, huge pages on request (xp_mem.h). */
#define _GNU_SOURCE /* MADV_HUGEPAGE */
#include "xp_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <sys/mman.h>

#define XP__HUGE ((uintptr_t)2 << 20)

/* madvise(advice) on the whole 2 MiB pages inside [p, p + n); errors are ignored. */
static void xp__advise(void *p, size_t n, int advice)
{
    uintptr_t lo = ((uintptr_t)p + XP__HUGE - 1) & ~(XP__HUGE - 1);
    uintptr_t hi = ((uintptr_t)p + n) & ~(XP__HUGE - 1);
    if (p != NULL && hi > lo)
        (void)madvise((void *)lo, hi - lo, advice);
}

/*
 * Whether big blocks are advised: XP_HUGEPAGES=1 in the environment (xp_mem.h
 * says why it is not the default). Read at each big allocation, which costs
 * far less than the allocation, so that a test can change it.
 */
static int xp__huge_wanted(void)
{
    const char *v = getenv("XP_HUGEPAGES");
    return v != NULL && v[0] == '1' && v[1] == '\0';
}

void xp_mem_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (n >= XP_MEM_HUGE_MIN && xp__huge_wanted())
        xp__advise(p, n, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

void xp_mem_release(void *p, size_t n)
{
#ifdef MADV_DONTNEED
    xp__advise(p, n, MADV_DONTNEED);
#else
    (void)p;
    (void)n;
#endif
}

size_t xp_mem_usable(size_t n)
{
    if (n < XP_MEM_HUGE_MIN || n > SIZE_MAX - XP__HUGE)
        return n;
    return (n + XP__HUGE - 1) & ~(XP__HUGE - 1);
}

void *xp_mem_malloc(size_t n)
{
    if (n < XP_MEM_HUGE_MIN || n > SIZE_MAX - XP__HUGE)
        return malloc(n);
    size_t r = xp_mem_usable(n);
    void *p = aligned_alloc(XP__HUGE, r);
    xp_mem_huge(p, r);
    return p;
}

void *xp_mem_calloc(size_t k, size_t n)
{
    if (n != 0 && k > SIZE_MAX / n)
        return NULL; /* as calloc does; checked here so that sanitizers see no overflow */
    if (k * n < XP_MEM_HUGE_MIN || !xp__huge_wanted())
        return calloc(k, n); /* a fresh mapping is zero already: no memset */
    /* Zeroed by hand: calloc skips zeroing only for a fresh mapping, which
     * it would fault in 4 KiB pages, unadvised. */
    void *p = xp_mem_malloc(k * n);
    if (p != NULL)
        memset(p, 0, k * n);
    return p;
}

void *xp_mem_realloc(void *p, size_t keep, size_t n)
{
    if (n < XP_MEM_HUGE_MIN)
        return realloc(p, n);
    if (p != NULL && malloc_usable_size(p) >= n) { /* room already: no copy, no fresh pages */
        xp_mem_huge(p, n);
        return p;
    }
    void *q = xp_mem_malloc(n);
    if (q != NULL && p != NULL) {
        memcpy(q, p, keep < n ? keep : n);
        free(p);
    }
    return q; /* NULL: p is left as it was, as realloc does */
}

/*
 * xp_mem.h - allocation of big buffers that are filled once: transparent
 * huge pages asked for with madvise(MADV_HUGEPAGE) before the first touch.
 *
 * Why: a buffer of many MiB is faulted in one 4 KiB page at a time, and a
 * page fault costs microseconds on virtual machines (on this 2-core VM,
 * page faults were 13 % of a whole run, perf, 1000 clients x 7 h). With
 * huge pages a 2 MiB page takes one fault. The same run with every malloc
 * so advised (GLIBC_TUNABLES=glibc.malloc.hugetlb=1) took 0.79 s instead
 * of 1.10 s at 2 ranks (bench/README.md). Linux's default THP mode is
 * "madvise", which is exactly this request; elsewhere it is a no-op.
 *
 * The functions behave as malloc, calloc and realloc (NULL when out of
 * memory; free with free()), advising blocks of XP_MEM_HUGE_MIN bytes and
 * more. Not for many small objects.
 */
#ifndef XP_MEM_H
#define XP_MEM_H

#include <stddef.h>

#define XP_MEM_HUGE_MIN ((size_t)4 << 20)

/* Advise the whole 2 MiB pages inside [p, p + n); errors are ignored. */
void xp_mem_huge(void *p, size_t n);
void *xp_mem_malloc(size_t n);
void *xp_mem_calloc(size_t k, size_t n);
void *xp_mem_realloc(void *p, size_t n);

#endif

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
 * memory; free with free()). Blocks of XP_MEM_HUGE_MIN bytes and more are
 * advised; xp_mem_malloc also aligns them to 2 MiB and rounds their size up
 * to whole 2 MiB pages, so that all of the block is advised (a 4 KiB fault
 * costs about 12 us on this VM, a 2 MiB one about 0.13 ms: huge pages are
 * cheaper from about 44 KiB on; the threshold leaves room for the round-up).
 * Not for many small objects.
 */
#ifndef XP_MEM_H
#define XP_MEM_H

#include <stddef.h>

#define XP_MEM_HUGE_MIN ((size_t)1 << 20)

/* Advise the whole 2 MiB pages inside [p, p + n); errors are ignored. */
void xp_mem_huge(void *p, size_t n);
void *xp_mem_malloc(size_t n);
/* Give the whole 2 MiB pages inside [p, p + n) back to the system: the part
 * of a block that will not be read again, while the rest is still in use.
 * Those pages read as zero afterwards (MADV_DONTNEED on private memory);
 * errors are ignored, and it does nothing where madvise cannot. */
void xp_mem_release(void *p, size_t n);
/* Bytes a block from xp_mem_malloc(n) can hold: n, or n rounded up to whole
 * 2 MiB pages for an advised block (all of it is the caller's). */
size_t xp_mem_usable(size_t n);
void *xp_mem_calloc(size_t k, size_t n);
/*
 * As realloc(p, n), keeping only the first `keep` bytes of p (at most its
 * old size; 0 for a scratch buffer whose contents do not matter). A big
 * block is p itself when p already has n usable bytes (malloc_usable_size:
 * an advised block has whole 2 MiB pages, and glibc may give more), then
 * advised up to n, else a new advised block and a copy: glibc's realloc
 * copies into fresh 4 KiB pages when it cannot grow in place, faulting each
 * (growing the record array that way was a third of a whole run's page
 * faults).
 */
void *xp_mem_realloc(void *p, size_t keep, size_t n);

#endif

/*
 * xp_mem.h - allocation of big buffers that are filled once: 2 MiB-aligned,
 * with transparent huge pages asked for (madvise(MADV_HUGEPAGE)) only when
 * XP_HUGEPAGES=1 is in the environment.
 *
 * Whether huge pages pay depends on the machine, not on the program:
 * - Where a fresh 4 KiB page costs microseconds to fault in, they do. On an
 *   earlier VM of ours a 4 KiB fault cost about 12 us and a 2 MiB one about
 *   0.13 ms; advising every malloc (GLIBC_TUNABLES=glibc.malloc.hugetlb=1)
 *   took a 2-rank run from 1.10 to 0.79 s, and this module was the default.
 * - Where the guest hands freed memory back to its host (virtio-balloon
 *   free page reporting, as on the Firecracker VM of 2026-12-07, which
 *   reports free blocks of 8 MiB), a huge page is carved from a reported
 *   block and costs the host's faults for all of it: 4.1-5.3 ms a 2 MiB
 *   page against 1.5-1.9 ms for 512 small pages, which come from memory
 *   the guest still holds (bench/touch_bench 64 6 3). There, advising made
 *   a million-record run 23-25 % (1 rank) and 30-38 % (2 ranks) slower
 *   (bench/README.md, "huge pages no longer advised by default").
 * The default leaves the choice to the kernel's THP policy ("always" gives
 * these aligned blocks huge pages anyway); XP_HUGEPAGES=1 asks for them
 * where the policy is "madvise". bench/touch_bench measures both.
 *
 * The functions behave as malloc, calloc and realloc (NULL when out of
 * memory; free with free()). Blocks of XP_MEM_HUGE_MIN bytes and more are
 * aligned to 2 MiB by xp_mem_malloc, their size rounded up to whole 2 MiB
 * pages (so that all of such a block can be a huge page), and advised when
 * asked for. Not for many small objects.
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

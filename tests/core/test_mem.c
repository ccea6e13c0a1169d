/*
 * test_mem.c - big blocks (src/xp_mem.h): a block grows in place while it
 * has room (its whole 2 MiB pages at least), else moves keeping the bytes
 * asked for, 2 MiB-aligned; a small block behaves as realloc; calloc's
 * blocks are zero; huge pages are advised only with XP_HUGEPAGES=1 (the
 * mapping's "hg" flag in /proc/self/smaps).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xp_mem.h"
#include "xp_test.h"

static int all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return 0;
    return 1;
}

/* 1 when the mapping holding p has VmFlag `flag`, 0 when not, -1 when
 * /proc/self/smaps does not tell. */
static int vma_flag(const void *p, const char *flag)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (f == NULL)
        return -1;
    char line[512];
    int in = 0, got = -1;
    uintptr_t a = (uintptr_t)p;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            in = a >= lo && a < hi;
        else if (in && strncmp(line, "VmFlags:", 8) == 0) {
            got = 0;
            for (char *t = strtok(line + 8, " \n"); t != NULL; t = strtok(NULL, " \n"))
                got |= strcmp(t, flag) == 0;
            break;
        }
    }
    fclose(f);
    return got;
}

/* A 4 MiB block from xp_mem_malloc: 1 when advised, 0 when not, -1 unknown. */
static int advised(void)
{
    void *p = xp_mem_malloc((size_t)4 << 20);
    int r = p != NULL ? vma_flag(p, "hg") : -1;
    free(p);
    return r;
}

int main(void)
{
    const size_t mib = (size_t)1 << 20;
    /* 3 MiB: an advised block of two whole 2 MiB pages. */
    unsigned char *p = xp_mem_malloc(3 * mib);
    XP_CHECK(p != NULL);
    XP_CHECK_INT(xp_mem_usable(3 * mib), 4 * mib);
    XP_CHECK_INT((uintptr_t)p % (2 * mib), 0);
    memset(p, 0x5a, 3 * mib);
    unsigned char *q = xp_mem_realloc(p, 3 * mib, 4 * mib); /* room already */
    XP_CHECK(q == p);
    XP_CHECK(all_bytes(q, 3 * mib, 0x5a));
    memset(q + 3 * mib, 0x33, mib); /* all of it is ours */
    size_t room = malloc_usable_size(q);
    XP_CHECK(room >= 4 * mib);
    unsigned char *r = xp_mem_realloc(q, 4 * mib, room + 1); /* no room: moves */
    XP_CHECK(r != NULL && r != q);
    XP_CHECK(r != NULL && all_bytes(r, 3 * mib, 0x5a) && all_bytes(r + 3 * mib, mib, 0x33));
    XP_CHECK_INT((uintptr_t)r % (2 * mib), 0);
    free(r);
    /* Small blocks: realloc's own behaviour, contents kept. */
    unsigned char *s = xp_mem_realloc(NULL, 0, 100);
    XP_CHECK(s != NULL);
    memset(s, 7, 100);
    s = xp_mem_realloc(s, 100, 1000);
    XP_CHECK(s != NULL && all_bytes(s, 100, 7));
    free(s);
    unsigned char *z = xp_mem_calloc(3, mib);
    XP_CHECK(z != NULL && all_bytes(z, 3 * mib, 0));
    free(z);
    /* Huge pages: not advised unless asked for (xp_mem.h says why). */
    unsetenv("XP_HUGEPAGES");
    int def = advised();
    setenv("XP_HUGEPAGES", "0", 1);
    int off = advised();
    setenv("XP_HUGEPAGES", "1", 1); /* last: an advised heap stays advised after free */
    int on = advised();
    if (def >= 0 && on >= 0 && off >= 0) {
        XP_CHECK_INT(def, 0);
        XP_CHECK_INT(off, 0);
#ifdef MADV_HUGEPAGE
        /* 0 too where the kernel has no THP (madvise fails, ignored). */
        FILE *thp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
        if (thp != NULL) {
            XP_CHECK_INT(on, 1);
            fclose(thp);
        }
#endif
    } else
        printf("test_mem: /proc/self/smaps has no VmFlags here; advice not checked\n");
    XP_TEST_END();
}

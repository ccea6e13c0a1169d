/*
 * test_mem.c - big blocks (src/xp_mem.h): a block grows in place while it
 * has room (its whole 2 MiB pages at least), else moves keeping the bytes
 * asked for, 2 MiB-aligned; a small block behaves as realloc; calloc's
 * blocks are zero.
 */
#include <malloc.h>
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
    XP_TEST_END();
}

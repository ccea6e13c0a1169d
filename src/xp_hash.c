/* xp_hash.c - the uint64 -> index map. */
#include "xp_hash.h"

#include <string.h>

#include "xp_mem.h"

static uint64_t xp__cap_for(int64_t n)
{
    uint64_t cap = 64;
    while (cap < (uint64_t)n * 2)
        cap <<= 1;
    return cap;
}

int64_t xp_imap_bytes(int64_t n)
{
    return (int64_t)xp__cap_for(n) * (int64_t)(sizeof(uint64_t) + sizeof(int64_t));
}

int xp_imap_init(xp_imap *m, int64_t hint)
{
    uint64_t cap = xp__cap_for(hint);
    m->keys = xp_mem_calloc(cap, sizeof *m->keys);
    m->vals = xp_mem_malloc(cap * sizeof *m->vals);
    m->mask = cap - 1;
    m->n = 0;
    if (m->keys == NULL || m->vals == NULL) {
        xp_imap_free(m);
        return -1;
    }
    return 0;
}

void xp_imap_free(xp_imap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static int xp__grow(xp_imap *m)
{
    xp_imap big;
    if (xp_imap_init(&big, (int64_t)(m->mask + 1)) != 0)
        return -1;
    for (uint64_t i = 0; i <= m->mask; i++) {
        if (m->keys[i] == 0)
            continue;
        uint64_t j = xp_hash64(m->keys[i]) & big.mask;
        while (big.keys[j] != 0)
            j = (j + 1) & big.mask;
        big.keys[j] = m->keys[i];
        big.vals[j] = m->vals[i];
    }
    big.n = m->n;
    xp_imap_free(m);
    *m = big;
    return 0;
}

int64_t xp_imap_put(xp_imap *m, uint64_t key)
{
    if ((uint64_t)(m->n + 1) * 2 > m->mask + 1 && xp__grow(m) != 0)
        return -1;
    uint64_t k = key + 1, i = xp_hash64(k) & m->mask;
    while (m->keys[i] != 0) {
        if (m->keys[i] == k)
            return m->vals[i];
        i = (i + 1) & m->mask;
    }
    m->keys[i] = k;
    m->vals[i] = m->n;
    return m->n++;
}

int64_t xp_imap_get(const xp_imap *m, uint64_t key)
{
    uint64_t k = key + 1, i = xp_hash64(k) & m->mask;
    while (m->keys[i] != 0) {
        if (m->keys[i] == k)
            return m->vals[i];
        i = (i + 1) & m->mask;
    }
    return -1;
}

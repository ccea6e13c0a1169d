/*
 * xp_hash.h - small open-addressing hash tables keyed by 64-bit integers,
 * used by the activity stage (interning) and the pair counter. Keys are
 * stored as key + 1 so that 0 marks an empty slot; a key of UINT64_MAX is
 * therefore not allowed. Not thread-safe; each table is owned by its user.
 */
#ifndef XP_HASH_H
#define XP_HASH_H

#include <stdint.h>
#include <stdlib.h>

/* 64-bit finaliser (splitmix64): a good spread for packed keys. */
static inline uint64_t xp_hash64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* The next value of the splitmix64 stream in *s (a Weyl sequence through
 * xp_hash64): the tests' and the generator's deterministic draws. */
static inline uint64_t xp_splitmix64(uint64_t *s)
{
    return xp_hash64(*s += 0x9e3779b97f4a7c15ULL);
}

/* A map from uint64 key to a dense index 0..n-1 in insertion order. */
typedef struct xp_imap {
    uint64_t *keys; /* key + 1, 0 = empty */
    int64_t *vals;
    uint64_t mask;  /* capacity - 1 */
    int64_t n;
} xp_imap;

/* Create with room for about `hint` keys; returns 0 or -1 (out of memory). */
int xp_imap_init(xp_imap *m, int64_t hint);
void xp_imap_free(xp_imap *m);
/* Index of key, inserting it as n if absent; -1 when out of memory. */
int64_t xp_imap_put(xp_imap *m, uint64_t key);
/* Index of key, or -1 when absent. */
int64_t xp_imap_get(const xp_imap *m, uint64_t key);
/* Bytes a table for n keys needs (for memory estimates). */
int64_t xp_imap_bytes(int64_t n);

#endif

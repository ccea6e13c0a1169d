/*
 * shard_fixture.h - seeded test data for the shard tests: a meta with every
 * field set, and activity matrices of any size that satisfy the xp_actmat
 * contract (entries of a window strictly increasing by (col, client)).
 */
#ifndef SHARD_FIXTURE_H
#define SHARD_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xp_trace.h"

static inline uint64_t fx_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A meta with nhosts hosts, ncols columns and the given shard boundaries. */
static inline void fx_meta(xp_meta *m, int64_t nhosts, int64_t ncols,
                    const int64_t *shard_w, int64_t nshards, uint64_t seed)
{
    memset(m, 0, sizeof *m);
    m->window = 0.5;
    m->t0 = 1218000000.25;
    m->trace_start = 1218000000.3125;
    m->trace_end = 1218003600.75;
    m->nwindows = shard_w[nshards];
    m->records = 123456789012LL;
    m->nflows = 1000 + (int64_t)(seed % 7);
    m->ngenerics = 77;
    m->ndominant = 5;
    m->ntopk_cut = 11;
    m->client_windows = 99999;
    m->nhosts = nhosts;
    m->hosts = calloc((size_t)nhosts + 1, sizeof *m->hosts);
    for (int64_t h = 0; h < nhosts; h++)
        for (int b = 0; b < 16; b++)
            m->hosts[h].b[b] = (uint8_t)fx_next(&seed);
    m->ncols = ncols;
    m->cols = calloc((size_t)ncols + 1, sizeof *m->cols);
    m->n_present = calloc((size_t)ncols + 1, sizeof(int64_t));
    m->n_new = calloc((size_t)ncols + 1, sizeof(int64_t));
    m->cw_present = calloc((size_t)ncols + 1, sizeof(int64_t));
    m->cw_new = calloc((size_t)ncols + 1, sizeof(int64_t));
    for (int64_t c = 0; c < ncols; c++) {
        xp_objkey *k = &m->cols[c];
        k->generic = (uint8_t)(c % 3 == 0);
        k->src = k->generic ? XP_HOST_ANY : (uint32_t)(fx_next(&seed) % nhosts);
        k->dst = (uint32_t)(fx_next(&seed) % nhosts);
        k->sport = k->generic ? XP_PORT_ANY : (int32_t)(fx_next(&seed) % 65536);
        k->dport = (c % 5 == 0) ? XP_PORT_ANY : (int32_t)(fx_next(&seed) % 65536);
        k->proto = (uint8_t)(c % 2 ? 6 : 17);
        m->n_present[c] = (int64_t)(fx_next(&seed) % 1000);
        m->n_new[c] = m->n_present[c] / 2;
        m->cw_present[c] = m->n_present[c] * 3;
        m->cw_new[c] = -(int64_t)c; /* any value round-trips */
    }
    m->nshards = nshards;
    m->shard_w = calloc((size_t)nshards + 1, sizeof(int64_t));
    m->shard_work = calloc((size_t)nshards + 1, sizeof(int64_t));
    memcpy(m->shard_w, shard_w, (size_t)(nshards + 1) * sizeof(int64_t));
    for (int64_t s = 0; s < nshards; s++)
        m->shard_work[s] = (int64_t)(fx_next(&seed) % 100000);
}

/* Windows [w0, w1) with about nent entries spread evenly, cols < ncols. */
static inline void fx_actmat(xp_actmat *a, int64_t w0, int64_t w1, int64_t nent,
                      int64_t ncols, uint64_t seed)
{
    memset(a, 0, sizeof *a);
    const int64_t nw = w1 - w0;
    a->w0 = w0;
    a->w1 = w1;
    a->wptr = calloc((size_t)nw + 1, sizeof(int64_t));
    a->col = calloc((size_t)nent + 1, sizeof(uint32_t));
    a->client = calloc((size_t)nent + 1, sizeof(uint32_t));
    a->isnew = calloc((size_t)nent + 1, 1);
    int64_t i = 0;
    for (int64_t w = 0; w < nw; w++) {
        const int64_t k = nw ? nent * (w + 1) / nw - nent * w / nw : 0;
        for (int64_t j = 0; j < k; j++, i++) {
            /* col non-decreasing, client strictly increasing: (col, client)
             * strictly increasing within the window. */
            a->col[i] = (uint32_t)(j * ncols / k);
            a->client[i] = (uint32_t)(j * 8 + (int64_t)(fx_next(&seed) % 8));
            a->isnew[i] = (uint8_t)(fx_next(&seed) & 1);
        }
        a->wptr[w + 1] = i;
    }
    a->nent = i;
}

/* FNV-1a over a byte range, folded into h. */
static inline uint64_t fx_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* A checksum of every field of a meta (and the fingerprint). */
static inline uint64_t fx_meta_sum(const xp_meta *m, const char *fp)
{
    uint64_t h = 1469598103934665603ull;
    const double d[4] = {m->window, m->t0, m->trace_start, m->trace_end};
    const int64_t i[10] = {m->nwindows, m->records, m->nhosts, m->nflows,
                           m->ngenerics, m->ndominant, m->ntopk_cut, m->ncols,
                           m->client_windows, m->nshards};
    h = fx_hash(h, d, sizeof d);
    h = fx_hash(h, i, sizeof i);
    h = fx_hash(h, m->hosts, (size_t)m->nhosts * sizeof *m->hosts);
    for (int64_t c = 0; c < m->ncols; c++) {
        const xp_objkey *k = &m->cols[c];
        const int64_t f[6] = {k->src, k->dst, k->sport, k->dport, k->proto,
                              k->generic};
        h = fx_hash(h, f, sizeof f);
    }
    const size_t cb = (size_t)m->ncols * sizeof(int64_t);
    h = fx_hash(h, m->n_present, cb);
    h = fx_hash(h, m->n_new, cb);
    h = fx_hash(h, m->cw_present, cb);
    h = fx_hash(h, m->cw_new, cb);
    h = fx_hash(h, m->shard_w, (size_t)(m->nshards + 1) * sizeof(int64_t));
    h = fx_hash(h, m->shard_work, (size_t)m->nshards * sizeof(int64_t));
    return fx_hash(h, fp, strlen(fp));
}

#endif

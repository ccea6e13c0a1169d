/* xp_recsort.c - radix sort of records by ts. */
#include "xp_recsort.h"

#include <stdlib.h>
#include <string.h>

typedef struct xp__kv {
    uint64_t key;
    uint64_t idx;
} xp__kv;

/* Map a double to an unsigned key with the same order. */
static uint64_t xp__key(double d)
{
    uint64_t u;
    if (d == 0)
        d = 0; /* -0.0 sorts with 0.0 */
    memcpy(&u, &d, 8);
    return (u >> 63) ? ~u : (u | (1ull << 63));
}

/* One stable counting pass on byte b; returns 0 when the pass is skipped
 * because every key has the same byte there. */
static int xp__pass(const xp__kv *src, xp__kv *dst, size_t n, int b)
{
    size_t cnt[256] = {0};
    int sh = 8 * b;
    for (size_t i = 0; i < n; i++)
        cnt[(src[i].key >> sh) & 255]++;
    for (int c = 0; c < 256; c++)
        if (cnt[c] == n)
            return 0;
    size_t sum = 0;
    for (int c = 0; c < 256; c++) {
        size_t t = cnt[c];
        cnt[c] = sum;
        sum += t;
    }
    for (size_t i = 0; i < n; i++)
        dst[cnt[(src[i].key >> sh) & 255]++] = src[i];
    return 1;
}

static int64_t xp__count_disorder(const xp_recvec *v)
{
    int64_t k = 0;
    for (int64_t i = 1; i < v->n; i++)
        k += v->v[i].ts < v->v[i - 1].ts;
    return k;
}

xp_status xp_recs_sort_ts(xp_recvec *v, int64_t *out_of_order, xp_err *e)
{
    int64_t dis = xp__count_disorder(v);
    if (out_of_order)
        *out_of_order = dis;
    if (dis == 0)
        return XP_OK;
    size_t n = (size_t)v->n;
    xp__kv *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    xp_rec *out = malloc(n * sizeof *out);
    if (a == NULL || b == NULL || out == NULL) {
        free(a);
        free(b);
        free(out);
        return xp_err_set(e, XP_NOMEM, "out of memory sorting %lld records", (long long)n);
    }
    for (size_t i = 0; i < n; i++)
        a[i] = (xp__kv){xp__key(v->v[i].ts), i};
    for (int byte = 0; byte < 8; byte++)
        if (xp__pass(a, b, n, byte)) {
            xp__kv *t = a;
            a = b;
            b = t;
        }
    for (size_t i = 0; i < n; i++)
        out[i] = v->v[a[i].idx];
    free(a);
    free(b);
    free(v->v);
    v->v = out;
    v->cap = v->n;
    return XP_OK;
}

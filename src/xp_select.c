/* xp_select.c - dominant objects, top-K, the mined activity matrix, shards. */
#define _GNU_SOURCE /* qsort_r */
#include "xp_select.h"

#include <stdlib.h>
#include <string.h>

typedef struct xp__rank_ctx {
    const xp_activity *a;
    int paper;
} xp__rank_ctx;

/* Most active first; ties by object id (canonical key order). */
static int xp__cmp_rank(const void *x, const void *y, void *ctx)
{
    const xp__rank_ctx *c = ctx;
    int64_t i = *(const int64_t *)x, j = *(const int64_t *)y;
    if (!c->paper && c->a->n_new[i] != c->a->n_new[j])
        return c->a->n_new[i] > c->a->n_new[j] ? -1 : 1;
    if (c->a->n_present[i] != c->a->n_present[j])
        return c->a->n_present[i] > c->a->n_present[j] ? -1 : 1;
    return i < j ? -1 : i > j;
}

static int xp__dominant(const xp_activity *a, const xp_select_opts *o, int64_t i)
{
    if (!o->paper && a->objs[i].generic)
        return (double)a->cw_present[i] > o->max_presence * (double)a->client_windows;
    return (double)a->n_present[i] > o->max_presence * (double)a->nwindows;
}

static int xp__cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

static xp_status xp__fill_columns(const xp_activity *a, const int64_t *pick, int64_t k,
                                  xp_meta *m, xp_err *e)
{
    m->ncols = k;
    m->cols = malloc((size_t)(k ? k : 1) * sizeof *m->cols);
    m->n_present = malloc((size_t)(k ? k : 1) * sizeof(int64_t));
    m->n_new = malloc((size_t)(k ? k : 1) * sizeof(int64_t));
    m->cw_present = malloc((size_t)(k ? k : 1) * sizeof(int64_t));
    m->cw_new = malloc((size_t)(k ? k : 1) * sizeof(int64_t));
    m->hosts = malloc((size_t)(a->nhosts ? a->nhosts : 1) * sizeof(xp_addr));
    if (!m->cols || !m->n_present || !m->n_new || !m->cw_present || !m->cw_new || !m->hosts)
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld columns", (long long)k);
    memcpy(m->hosts, a->hosts, (size_t)a->nhosts * sizeof(xp_addr));
    m->nhosts = a->nhosts;
    for (int64_t c = 0; c < k; c++) {
        int64_t i = pick[c];
        m->cols[c] = a->objs[i];
        m->n_present[c] = a->n_present[i];
        m->n_new[c] = a->n_new[i];
        m->cw_present[c] = a->cw_present[i];
        m->cw_new[c] = a->cw_new[i];
    }
    return XP_OK;
}

xp_status xp_select_columns(const xp_activity *a, const xp_select_opts *o, xp_meta *m,
                            int32_t **colmap, xp_err *e)
{
    m->window = a->window;
    m->t0 = a->t0;
    m->trace_start = a->trace_start;
    m->trace_end = a->trace_end;
    m->nwindows = a->nwindows;
    m->records = a->records;
    m->nflows = a->nflows;
    m->ngenerics = a->ngenerics;
    m->client_windows = a->client_windows;
    int64_t *cand = malloc((size_t)(a->nobjs ? a->nobjs : 1) * sizeof *cand);
    *colmap = malloc((size_t)(a->nobjs ? a->nobjs : 1) * sizeof **colmap);
    if (cand == NULL || *colmap == NULL) {
        free(cand);
        return xp_err_set(e, XP_NOMEM, "out of memory selecting columns");
    }
    int64_t nc = 0;
    for (int64_t i = 0; i < a->nobjs; i++) {
        (*colmap)[i] = -1;
        if (xp__dominant(a, o, i))
            m->ndominant++;
        else if (a->n_present[i] > 0)
            cand[nc++] = i;
    }
    xp__rank_ctx ctx = {a, o->paper};
    qsort_r(cand, (size_t)nc, sizeof *cand, xp__cmp_rank, &ctx);
    int64_t k = nc < o->top_k ? nc : o->top_k;
    m->ntopk_cut = nc - k;
    qsort(cand, (size_t)k, sizeof *cand, xp__cmp_i64);
    for (int64_t c = 0; c < k; c++)
        (*colmap)[cand[c]] = (int32_t)c;
    xp_status s = xp__fill_columns(a, cand, k, m, e);
    free(cand);
    return s;
}

xp_status xp_select_actmat(const xp_activity *a, const int32_t *colmap, int64_t w0, int64_t w1,
                           xp_actmat *out, xp_err *e)
{
    memset(out, 0, sizeof *out);
    out->w0 = w0;
    out->w1 = w1;
    int64_t n = 0;
    for (int64_t k = a->wptr[w0]; k < a->wptr[w1]; k++)
        n += colmap[xp_ent_obj(a->ent[k])] >= 0;
    out->wptr = malloc((size_t)(w1 - w0 + 1) * sizeof *out->wptr);
    out->col = malloc((size_t)(n ? n : 1) * sizeof *out->col);
    out->client = malloc((size_t)(n ? n : 1) * sizeof *out->client);
    out->isnew = malloc((size_t)(n ? n : 1));
    if (!out->wptr || !out->col || !out->client || !out->isnew)
        return xp_err_set(e, XP_NOMEM, "out of memory for a %lld-entry activity matrix",
                          (long long)n);
    int64_t j = 0;
    for (int64_t w = w0; w < w1; w++) {
        out->wptr[w - w0] = j;
        for (int64_t k = a->wptr[w]; k < a->wptr[w + 1]; k++) {
            uint64_t x = a->ent[k];
            int32_t c = colmap[xp_ent_obj(x)];
            if (c < 0)
                continue;
            out->col[j] = (uint32_t)c;
            out->client[j] = xp_ent_client(x);
            out->isnew[j++] = (uint8_t)xp_ent_new(x);
        }
    }
    out->wptr[w1 - w0] = j;
    out->nent = j;
    return XP_OK;
}

/* S_w: mined columns active in window w (a generic counts once). */
static int64_t xp__active_cols(const xp_activity *a, const int32_t *colmap, int64_t w)
{
    int64_t s = 0;
    uint32_t prev = UINT32_MAX;
    for (int64_t k = a->wptr[w]; k < a->wptr[w + 1]; k++) {
        uint32_t o = xp_ent_obj(a->ent[k]);
        if (o != prev && colmap[o] >= 0)
            s++;
        prev = o;
    }
    return s;
}

xp_status xp_select_shards(const xp_activity *a, const int32_t *colmap, int64_t nshards,
                           xp_meta *m, xp_err *e)
{
    int64_t W = a->nwindows;
    if (nshards > W)
        nshards = W;
    int64_t *work = malloc((size_t)W * sizeof *work);
    m->shard_w = malloc((size_t)(nshards + 1) * sizeof *m->shard_w);
    m->shard_work = calloc((size_t)nshards, sizeof *m->shard_work);
    if (!work || !m->shard_w || !m->shard_work) {
        free(work);
        return xp_err_set(e, XP_NOMEM, "out of memory planning shards");
    }
    int64_t total = 0;
    for (int64_t w = 0; w < W; w++) {
        int64_t s = xp__active_cols(a, colmap, w);
        work[w] = s * s + 1; /* + 1: an empty window still costs a visit */
        total += work[w];
    }
    /* Cut where the running work passes each multiple of total / nshards,
     * keeping every shard non-empty. */
    int64_t s = 0, run = 0;
    m->shard_w[0] = 0;
    for (int64_t w = 0; w < W && s < nshards - 1; w++) {
        run += work[w];
        int64_t left_w = W - (w + 1), left_s = nshards - 1 - s;
        if (left_w > 0 &&
            ((double)run >= (double)total * (double)(s + 1) / (double)nshards || left_w == left_s))
            m->shard_w[++s] = w + 1;
    }
    m->nshards = s + 1;
    m->shard_w[m->nshards] = W;
    for (int64_t k = 0; k < m->nshards; k++)
        for (int64_t w = m->shard_w[k]; w < m->shard_w[k + 1]; w++)
            m->shard_work[k] += work[w];
    free(work);
    return XP_OK;
}

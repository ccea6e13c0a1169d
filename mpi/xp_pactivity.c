/*
 * xp_pactivity.c - the activity built by all ranks (xp_pactivity.h): the
 * serial steps of src/xp_activity_int.h on each rank's records, with the
 * global tables agreed between the steps.
 */
#include "xp_pactivity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xp_activity_int.h"
#include "xp_comm.h"
#include "xp_mem.h"

/* A window's entry on its way to the window's owner. */
typedef struct xp__went {
    uint64_t w, ent;
} xp__went;

/* §2.3: hosts numbered in address order over all ranks' addresses. */
static xp_status xp__hosts(MPI_Comm comm, xp_actb *b, xp_err *e)
{
    xp_addr *uniq = NULL;
    void *all = NULL;
    int64_t nuniq = 0, nall = 0;
    xp_status s = xp_agree(comm, xp_actb_hosts_local(b, &uniq, &nuniq, e), e);
    if (s == XP_OK)
        s = xp_allgather_items(comm, uniq, nuniq, sizeof *uniq, &all, &nall, e);
    if (s == XP_OK) /* b->a owns `all` from here */
        s = xp_actb_hosts_final(b, uniq, nuniq, all, xp_addr_sort_unique(all, nall), e);
    free(uniq);
    return xp_agree(comm, s, e);
}

/* §2.3.1: ports learned from the connections of all ranks. Records that
 * start a connection count one each, so the counts add up. */
static xp_status xp__ports(MPI_Comm comm, const xp_actb *b, uint8_t *known, xp_err *e)
{
    int64_t *cnt = calloc(3 * 65536, sizeof *cnt);
    xp_status s = cnt ? xp_actb_port_counts(b, cnt, e)
                      : xp_err_set(e, XP_NOMEM, "out of memory learning ports");
    s = xp_agree(comm, s, e);
    if (s == XP_OK)
        s = xp_allreduce_i64(comm, cnt, 3 * 65536, MPI_SUM, e);
    if (s == XP_OK)
        xp_activity_known(cnt, b->o->port_min_flows, known);
    free(cnt);
    return s;
}

/* Flows and generics numbered in key order over all ranks' keys. */
static xp_status xp__objects(MPI_Comm comm, xp_actb *b, const uint8_t *known, xp_err *e)
{
    xp_okey *uniq = NULL;
    void *all = NULL;
    int64_t nuniq = 0, nall = 0;
    xp_status s = xp_agree(comm, xp_actb_objects_local(b, known, &uniq, &nuniq, e), e);
    if (s == XP_OK)
        s = xp_allgather_items(comm, uniq, nuniq, sizeof *uniq, &all, &nall, e);
    if (s == XP_OK)
        s = xp_actb_objects_final(b, uniq, nuniq, all, xp_okey_sort_unique(all, nall), e);
    free(all);
    free(uniq);
    return xp_agree(comm, s, e);
}

/* §2.1: the window grid of the whole trace, then each record's windows. */
static xp_status xp__grid(MPI_Comm comm, xp_actb *b, xp_err *e)
{
    double v[2];
    xp_actb_time_range(b, &v[0], &v[1]);
    v[1] = -v[1]; /* one MPI_MIN for both ends */
    XP_MPI_CALL(e, MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_DOUBLE, MPI_MIN, comm));
    /* The same numbers on every rank: the same grid, or the same error. */
    XP_CALL(xp_activity_windows(b->a, b->o->window, v[0], -v[1], e));
    return xp_agree(comm, xp_actb_spans(b, e), e);
}

/* Contiguous window ranges of about equal entries: bounds[0..size]. */
static void xp__split(const int64_t *wc, int64_t W, int size, int64_t *bounds)
{
    int64_t total = 0, run = 0;
    for (int64_t w = 0; w < W; w++)
        total += wc[w];
    int q = 1;
    bounds[0] = 0;
    for (int64_t w = 0; w < W && q < size; w++) {
        run += wc[w];
        while (q < size && (double)run >= (double)total * q / size)
            bounds[q++] = w + 1;
    }
    while (q <= size)
        bounds[q++] = W;
}

/* The rank whose range [bounds[q], bounds[q + 1]) holds w. */
static int xp__owner(const int64_t *bounds, int size, int64_t w)
{
    int lo = 0, hi = size;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (bounds[mid] <= w)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Place entries received for this rank's windows [w0, w1) into a, whose
 * window w then holds cnt[w - w0] entries: kept[] (a's own, window-major,
 * keptw[] their per-window prefix) first, then the received ones in
 * arrival order, which keeps each window's order (a window comes whole
 * from one rank). */
static xp_status xp__place(xp_activity *a, int64_t w0, int64_t w1, const int64_t *cnt,
                           const uint64_t *kept, const int64_t *keptw, const xp__went *in,
                           int64_t nin, xp_err *e)
{
    int64_t W = a->nwindows, total = 0;
    int64_t *wptr = calloc((size_t)W + 1, sizeof *wptr);
    int64_t *fill = calloc((size_t)(w1 - w0 + 1), sizeof *fill);
    for (int64_t w = w0; wptr && w < w1; w++)
        total += cnt[w - w0];
    uint64_t *ent = malloc((size_t)(total ? total : 1) * sizeof *ent);
    if (!wptr || !fill || !ent) {
        free(wptr);
        free(fill);
        free(ent);
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld activity entries", (long long)total);
    }
    for (int64_t w = 0; w < W; w++)
        wptr[w + 1] = wptr[w] + (w >= w0 && w < w1 ? cnt[w - w0] : 0);
    for (int64_t w = w0; w < w1; w++) {
        int64_t k = keptw[w - w0 + 1] - keptw[w - w0];
        if (k > 0)
            memcpy(ent + wptr[w], kept + keptw[w - w0], (size_t)k * sizeof *ent);
        fill[w - w0] = wptr[w] + k;
    }
    xp_status s = XP_OK;
    for (int64_t i = 0; i < nin && s == XP_OK; i++) {
        int64_t w = (int64_t)in[i].w;
        if (w < w0 || w >= w1 || fill[w - w0] >= wptr[w + 1])
            s = xp_err_set(e, XP_INTERNAL, "activity exchange: entry for window %lld misplaced",
                           (long long)w);
        else
            ent[fill[w - w0]++] = in[i].ent;
    }
    for (int64_t w = w0; s == XP_OK && w < w1; w++)
        if (fill[w - w0] != wptr[w + 1])
            s = xp_err_set(e, XP_INTERNAL, "activity exchange: window %lld incomplete",
                           (long long)w);
    free(fill);
    if (s != XP_OK) {
        free(wptr);
        free(ent);
        return s;
    }
    free(a->wptr);
    free(a->ent);
    a->wptr = wptr;
    a->ent = ent;
    a->nent = total;
    return XP_OK;
}

/* This rank's windows [w0, w1) from its own bucketed entries (a->wptr,
 * a->ent over all windows) and those received: ein holds each other rank's
 * slice (in rank order, rn[s] entries from rank s), cin the per-window
 * counts of each slice (w1 - w0 per other rank, in rank order). Each
 * window is sorted and merged as soon as its pieces are together, while
 * they are in cache. */
static xp_status xp__gather_windows(xp_activity *a, int rank, int size, int64_t w0, int64_t w1,
                                    const uint64_t *ein, const int64_t *rn, const int64_t *cin,
                                    xp_err *e)
{
    int64_t W = a->nwindows, nw = w1 - w0, total = a->wptr[w1] - a->wptr[w0];
    int64_t *wptr = calloc((size_t)W + 1, sizeof *wptr);
    int64_t *soff = calloc((size_t)size, sizeof *soff);
    for (int q = 0; q < size; q++)
        total += q != rank ? rn[q] : 0;
    uint64_t *ent = xp_mem_malloc((size_t)(total ? total : 1) * sizeof *ent);
    if (!wptr || !soff || !ent) {
        free(wptr);
        free(soff);
        free(ent);
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld activity entries", (long long)total);
    }
    for (int q = 1; q < size; q++)
        soff[q] = soff[q - 1] + (q - 1 != rank ? rn[q - 1] : 0);
    int64_t out = 0;
    for (int64_t w = 0; w < W; w++) {
        wptr[w] = out;
        if (w < w0 || w >= w1)
            continue;
        int64_t k = a->wptr[w + 1] - a->wptr[w];
        memcpy(ent + out, a->ent + a->wptr[w], (size_t)k * sizeof *ent);
        out += k;
        for (int q = 0, j = 0; q < size; q++) {
            if (q == rank)
                continue;
            int64_t c = cin[(int64_t)j++ * nw + (w - w0)];
            memcpy(ent + out, ein + soff[q], (size_t)c * sizeof *ent);
            soff[q] += c;
            out += c;
        }
        out = wptr[w] + xp_activity_sort_merge(ent + wptr[w], out - wptr[w]);
    }
    wptr[W] = out;
    free(soff);
    free(a->wptr);
    free(a->ent);
    a->wptr = wptr;
    a->ent = ent;
    a->nent = out;
    return XP_OK;
}

/* Entries per window over all ranks, the ranges, and each window's entries
 * sent to its owner, there sorted and merged (Procedure 1, line 2). Each
 * rank buckets its records' entries by window, so what goes to a rank is
 * one slice; it sends each other rank its slice and the slice's per-window
 * counts, and keeps its own slice in place. */
static xp_status xp__entries(MPI_Comm comm, xp_actb *b, int64_t *bounds, xp_err *e)
{
    xp_activity *a = b->a;
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int64_t W = a->nwindows, ncin = 0, nein = 0;
    int64_t *lc = calloc((size_t)W + 1, sizeof *lc), *wc = calloc((size_t)W + 1, sizeof *wc);
    int64_t *x = calloc((size_t)size * 5, sizeof *x); /* the exchanges' counts */
    void *cin = NULL, *ein = NULL;
    xp_status s = lc && wc && x
                      ? xp_actb_entries(b, e)
                      : xp_err_set(e, XP_NOMEM, "out of memory for %lld windows", (long long)W);
    s = xp_agree(comm, s, e);
    int64_t *cnt = x, *dsp = x + size, *ccnt = x + 2 * size, *cdsp = x + 3 * size;
    int64_t *rn = x + 4 * size;
    for (int64_t w = 0; s == XP_OK && w < W; w++)
        lc[w] = wc[w] = a->wptr[w + 1] - a->wptr[w];
    if (s == XP_OK)
        s = xp_allreduce_i64(comm, wc, W, MPI_SUM, e);
    if (s == XP_OK) {
        xp__split(wc, W, size, bounds);
        for (int q = 0; q < size; q++) {
            if (q == rank)
                continue;
            dsp[q] = a->wptr[bounds[q]];
            cnt[q] = a->wptr[bounds[q + 1]] - dsp[q];
            cdsp[q] = bounds[q];
            ccnt[q] = bounds[q + 1] - bounds[q];
        }
        s = xp_alltoall_items(comm, lc, ccnt, cdsp, sizeof *lc, &cin, &ncin, NULL, e);
    }
    if (s == XP_OK)
        s = xp_alltoall_items(comm, a->ent, cnt, dsp, sizeof *a->ent, &ein, &nein, rn, e);
    if (s == XP_OK)
        s = xp__gather_windows(a, rank, size, bounds[rank], bounds[rank + 1], ein, rn, cin, e);
    free(cin);
    free(ein);
    free(lc);
    free(wc);
    free(x);
    return xp_agree(comm, s, e);
}

/* Counts of this rank's windows, summed: windows are disjoint across ranks,
 * so every count (and the (window, client) total) adds up exactly. */
static xp_status xp__counts(MPI_Comm comm, xp_activity *a, xp_err *e)
{
    XP_CALL(xp_agree(comm, xp_activity_counts(a, e), e));
    int64_t *v[4] = {a->n_present, a->n_new, a->cw_present, a->cw_new};
    for (int i = 0; i < 4; i++)
        XP_CALL(xp_allreduce_i64(comm, v[i], a->nobjs, MPI_SUM, e));
    return xp_allreduce_i64(comm, &a->client_windows, 1, MPI_SUM, e);
}

xp_status xp_pactivity_build(MPI_Comm comm, const xp_rec *r, int64_t n, const xp_activity_opts *o,
                             xp_activity *a, int64_t *bounds, xp_err *e)
{
    memset(a, 0, sizeof *a);
    xp_actb b;
    uint8_t *known = malloc(3 * 65536);
    xp_status s = known ? xp_actb_init(&b, r, n, o, a, e)
                        : xp_err_set(e, XP_NOMEM, "out of memory for %lld records", (long long)n);
    if (known == NULL)
        memset(&b, 0, sizeof b);
    s = xp_agree(comm, s, e);
    int64_t total = n;
    if (s == XP_OK)
        s = xp_allreduce_i64(comm, &total, 1, MPI_SUM, e);
    if (s == XP_OK && total == 0) /* the same on every rank */
        s = xp_err_set(e, XP_NOINPUT, "the trace holds no usable record");
    a->window = o->window;
    a->records = total;
    if (s == XP_OK)
        s = xp__hosts(comm, &b, e);
    if (s == XP_OK)
        s = xp__ports(comm, &b, known, e);
    if (s == XP_OK)
        s = xp__objects(comm, &b, known, e);
    if (s == XP_OK)
        s = xp__grid(comm, &b, e);
    if (s == XP_OK)
        s = xp__entries(comm, &b, bounds, e);
    if (s == XP_OK)
        s = xp__counts(comm, a, e);
    free(known);
    xp_actb_free(&b);
    if (s != XP_OK)
        xp_activity_free(a);
    return s;
}

xp_status xp_pactivity_move(MPI_Comm comm, xp_activity *a, const int64_t *to, xp_err *e)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int64_t W = a->nwindows, w0 = to[rank], w1 = to[rank + 1], nout = 0, nkept = 0;
    int64_t *count = calloc((size_t)size, sizeof *count);
    int64_t *keptw = calloc((size_t)(w1 - w0 + 1), sizeof *keptw);
    xp_status s = count && keptw ? XP_OK : xp_err_set(e, XP_NOMEM, "out of memory moving windows");
    /* What stays (window-major, in place at the front) and what leaves. */
    for (int64_t w = 0; s == XP_OK && w < W; w++) {
        int64_t k = a->wptr[w + 1] - a->wptr[w];
        if (w >= w0 && w < w1)
            keptw[w - w0 + 1] = k;
        else if (k > 0)
            count[xp__owner(to, size, w)] += k, nout += k;
    }
    xp__went *out = s == XP_OK ? malloc((size_t)(nout ? nout : 1) * sizeof *out) : NULL;
    if (s == XP_OK && out == NULL)
        s = xp_err_set(e, XP_NOMEM, "out of memory for %lld moving entries", (long long)nout);
    int64_t *off = s == XP_OK ? calloc((size_t)size, sizeof *off) : NULL;
    if (s == XP_OK && off == NULL)
        s = xp_err_set(e, XP_NOMEM, "out of memory moving windows");
    for (int q = 1; s == XP_OK && q < size; q++)
        off[q] = off[q - 1] + count[q - 1];
    for (int64_t w = 0; s == XP_OK && w < W; w++) {
        for (int64_t k = a->wptr[w]; k < a->wptr[w + 1]; k++) {
            if (w >= w0 && w < w1)
                a->ent[nkept++] = a->ent[k]; /* nkept <= k: compaction is safe */
            else
                out[off[xp__owner(to, size, w)]++] = (xp__went){(uint64_t)w, a->ent[k]};
        }
    }
    for (int64_t w = w0; s == XP_OK && w < w1; w++)
        keptw[w - w0 + 1] += keptw[w - w0];
    free(off);
    s = xp_agree(comm, s, e);
    void *in = NULL;
    int64_t nin = 0;
    if (s == XP_OK)
        s = xp_alltoall_items(comm, out, count, NULL, sizeof *out, &in, &nin, NULL, e);
    free(out);
    int64_t *cnt = s == XP_OK ? calloc((size_t)(w1 - w0 + 1), sizeof *cnt) : NULL;
    if (s == XP_OK && cnt == NULL)
        s = xp_err_set(e, XP_NOMEM, "out of memory moving windows");
    for (int64_t w = w0; s == XP_OK && w < w1; w++)
        cnt[w - w0] = keptw[w - w0 + 1] - keptw[w - w0];
    for (int64_t i = 0; s == XP_OK && i < nin; i++) {
        int64_t w = (int64_t)((const xp__went *)in)[i].w;
        if (w >= w0 && w < w1)
            cnt[w - w0]++;
    }
    if (s == XP_OK)
        s = xp__place(a, w0, w1, cnt, a->ent, keptw, in, nin, e);
    free(in);
    free(cnt);
    free(count);
    free(keptw);
    s = xp_agree(comm, s, e);
    if (s != XP_OK)
        xp_activity_free(a);
    return s;
}

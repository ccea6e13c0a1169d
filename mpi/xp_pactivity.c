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

/* §2.3: hosts numbered in address order over all ranks' addresses. */
static xp_status xp__hosts(MPI_Comm comm, xp_actb *b, xp_err *e)
{
    xp_addr *uniq = NULL;
    void *all = NULL;
    int64_t nuniq = 0, nall = 0;
    xp_status s = xp_agree(comm, xp_actb_hosts_local(b, &uniq, &nuniq, e), e);
    if (s == XP_OK)
        s = xp_allgather_items(comm, uniq, nuniq, sizeof *uniq, &all, &nall, "hosts",
                               "use more ranks", e);
    if (s == XP_OK) /* b->a owns `all` from here */
        s = xp_actb_hosts_final(b, uniq, nuniq, all, xp_addr_sort_unique(all, nall), e);
    free(uniq);
    return xp_agree(comm, s, e);
}

/* §2.3.1: ports learned from the connections of all ranks. Records that
 * start a connection count one each, so the counts add up. */
static xp_status xp__ports(MPI_Comm comm, const xp_actb *b, uint8_t *known, xp_err *e)
{
    int64_t *cnt = xp_mem_calloc(3 * 65536, sizeof *cnt);
    xp_status s = cnt ? xp_actb_port_counts(b, cnt, e)
                      : xp_err_set(e, XP_NOMEM, "out of memory learning ports");
    s = xp_agree(comm, s, e);
    if (s == XP_OK)
        s = xp_allreduce_counts(comm, cnt, 3 * 65536, e);
    if (s == XP_OK)
        xp_activity_known(cnt, b->o->port_min_flows, known);
    free(cnt);
    return s;
}

/* Flows and generics numbered in key order over all ranks' keys: each rank
 * sorts its own (in parallel), and the gathered sorted runs are merged
 * rather than sorted again on every rank. */
static xp_status xp__objects(MPI_Comm comm, xp_actb *b, const uint8_t *known, xp_err *e)
{
    xp_okey *mine = NULL;
    void *all = NULL;
    int64_t nuniq = 0, nall = 0, nkeys = 0;
    xp_status s = xp_agree(comm, xp_actb_objects_sorted(b, known, &mine, &nuniq, e), e);
    if (s == XP_OK)
        s = xp_allgather_items(comm, mine, nuniq, sizeof *mine, &all, &nall, "flows and generics",
                               "use more ranks", e);
    if (s == XP_OK && (nkeys = xp_okey_merge_unique(all, nall)) < 0)
        s = xp_err_set(e, XP_NOMEM, "out of memory merging %lld flows", (long long)nall);
    if (s == XP_OK)
        s = xp_actb_objects_final(b, nuniq, all, nkeys, e);
    free(all);
    free(mine);
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

/* This rank's windows [w0, w1) from its own entries (a->wptr, a->ent over
 * all windows, window-major) and those received: ein holds each other
 * rank's slice (in rank order, rn[s] entries from rank s), cin the
 * per-window counts of each slice (w1 - w0 per other rank, in rank order).
 * Each window gets its own entries, then each other rank's in rank order;
 * with merge, each window is then sorted and merged.
 *
 * In place: a's own entries of [w0, w1) move to the front of a->ent, and
 * the windows are spread out from the last one back, the received entries
 * copied in after each window's own. A fresh array of all entries, as
 * before, cost more than the exchange: on this VM first touching memory
 * was 2.6 % of each rank's samples here (perf, 1000 clients x 7 h, 2 ranks).
 * a->ent grows only when a rank receives more entries than it sent and its
 * block (whole 2 MiB pages, a->entcap) has no room left. */
static xp_status xp__gather_windows(xp_activity *a, int rank, int size, int64_t w0, int64_t w1,
                                    const uint64_t *ein, const int64_t *rn, const int64_t *cin,
                                    int merge, xp_err *e)
{
    int64_t W = a->nwindows, nw = w1 - w0, base = a->wptr[w0], own = a->wptr[w1] - base;
    int64_t held = a->entcap > a->wptr[W] ? a->entcap : a->wptr[W], total = own;
    for (int q = 0; q < size; q++)
        total += q != rank ? rn[q] : 0;
    int64_t *wptr = calloc((size_t)W + 1, sizeof *wptr);
    int64_t *soff = calloc((size_t)size + 1, sizeof *soff);
    if (!wptr || !soff) {
        free(wptr);
        free(soff);
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld activity entries", (long long)total);
    }
    /* Every entry received is placed: each rank's counts match its slice
     * (checked before a is touched). soff[q]: the end of q's slice. */
    for (int q = 0, j = 0; q < size; q++) {
        soff[q + 1] = soff[q] + (q != rank ? rn[q] : 0);
        if (q == rank)
            continue;
        int64_t said = 0;
        for (int64_t k = 0; k < nw; k++)
            said += cin[(int64_t)j * nw + k];
        j++;
        if (said != rn[q]) {
            free(wptr);
            free(soff);
            return xp_err_set(e, XP_INTERNAL,
                              "activity exchange: rank %d sent %lld entries, its counts say %lld",
                              q, (long long)rn[q], (long long)said);
        }
    }
    memmove(a->ent, a->ent + base, (size_t)own * sizeof *a->ent);
    if (total > held) {
        size_t bytes = (size_t)(total ? total : 1) * sizeof *a->ent;
        uint64_t *p = xp_mem_realloc(a->ent, (size_t)own * sizeof *p, bytes);
        if (p == NULL) {
            free(wptr);
            free(soff);
            return xp_err_set(e, XP_NOMEM, "out of memory for %lld activity entries",
                              (long long)total);
        }
        a->ent = p;
        a->entcap = (int64_t)(xp_mem_usable(bytes) / sizeof *p);
    }
    int64_t out = 0;
    for (int64_t w = 0; w < W; w++) {
        wptr[w] = out;
        if (w < w0 || w >= w1)
            continue;
        out += a->wptr[w + 1] - a->wptr[w];
        for (int j = 0; j < size - 1; j++)
            out += cin[(int64_t)j * nw + (w - w0)];
    }
    wptr[W] = out;
    /* From the back: window w's new place starts at or after where its own
     * entries are now, and ends before anything not yet moved. */
    for (int64_t w = w1 - 1; w >= w0; w--) {
        int64_t end = wptr[w + 1], k = a->wptr[w + 1] - a->wptr[w];
        for (int q = size - 1, j = size - 2; q >= 0; q--) {
            if (q == rank)
                continue;
            int64_t c = cin[(int64_t)j-- * nw + (w - w0)];
            soff[q + 1] -= c;
            end -= c;
            memcpy(a->ent + end, ein + soff[q + 1], (size_t)c * sizeof *a->ent);
        }
        memmove(a->ent + wptr[w], a->ent + (a->wptr[w] - base), (size_t)k * sizeof *a->ent);
    }
    free(soff);
    free(a->wptr);
    a->wptr = wptr;
    a->nent = a->wptr[W];
    return merge ? xp_activity_merge_windows(a, e) : XP_OK;
}

/* Send every other rank q the entries this rank holds of q's windows
 * [to[q], to[q + 1]) with their per-window counts (each one slice, as a's
 * entries are window-major), keep this rank's own, and rebuild a with this
 * rank's windows only (merge: sorting and merging each window). Collective;
 * status agreed by the exchanges, not after the rebuild. */
static xp_status xp__exchange(MPI_Comm comm, xp_activity *a, const int64_t *to, int merge,
                              xp_err *e)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int64_t W = a->nwindows, ncin = 0, nein = 0;
    int64_t *lc = calloc((size_t)W + 1, sizeof *lc);
    int64_t *x = calloc((size_t)size * 5, sizeof *x); /* the exchanges' counts */
    void *cin = NULL, *ein = NULL;
    xp_status s =
        lc && x ? XP_OK : xp_err_set(e, XP_NOMEM, "out of memory for %lld windows", (long long)W);
    s = xp_agree(comm, s, e);
    int64_t *cnt = x, *dsp = x + size, *ccnt = x + 2 * size, *cdsp = x + 3 * size;
    int64_t *rn = x + 4 * size;
    for (int64_t w = 0; s == XP_OK && w < W; w++)
        lc[w] = a->wptr[w + 1] - a->wptr[w];
    for (int q = 0; s == XP_OK && q < size; q++) {
        if (q == rank)
            continue;
        dsp[q] = a->wptr[to[q]];
        cnt[q] = a->wptr[to[q + 1]] - dsp[q];
        cdsp[q] = to[q];
        ccnt[q] = to[q + 1] - to[q];
    }
    if (s == XP_OK)
        s = xp_alltoall_items(comm, lc, ccnt, cdsp, sizeof *lc, &cin, &ncin, NULL, e);
    if (s == XP_OK)
        s = xp_alltoall_items(comm, a->ent, cnt, dsp, sizeof *a->ent, &ein, &nein, rn, e);
    if (s == XP_OK)
        s = xp__gather_windows(a, rank, size, to[rank], to[rank + 1], ein, rn, cin, merge, e);
    free(cin);
    free(ein);
    free(lc);
    free(x);
    return s;
}

/* Entries per window over all ranks, the ranges, and each window's entries
 * sent to its owner, there sorted and merged (Procedure 1, line 2). Each
 * rank buckets its records' entries by window, so what goes to a rank is
 * one slice (xp__exchange). */
static xp_status xp__entries(MPI_Comm comm, xp_actb *b, int64_t *bounds, xp_err *e)
{
    xp_activity *a = b->a;
    int size;
    MPI_Comm_size(comm, &size);
    int64_t W = a->nwindows;
    int64_t *wc = calloc((size_t)W + 1, sizeof *wc);
    xp_status s = wc ? xp_actb_entries(b, e)
                     : xp_err_set(e, XP_NOMEM, "out of memory for %lld windows", (long long)W);
    s = xp_agree(comm, s, e);
    for (int64_t w = 0; s == XP_OK && w < W; w++)
        wc[w] = a->wptr[w + 1] - a->wptr[w];
    if (s == XP_OK)
        s = xp_allreduce_counts(comm, wc, W, e);
    if (s == XP_OK) {
        xp__split(wc, W, size, bounds);
        s = xp__exchange(comm, a, bounds, 1, e);
    }
    free(wc);
    return xp_agree(comm, s, e);
}

/* Counts of this rank's windows, summed: windows are disjoint across ranks,
 * so every count (and the (window, client) total) adds up exactly. One
 * reduction, in place, of the counts' block with the total in its spare
 * slot (XP_ACT_COUNTS). */
static xp_status xp__counts(MPI_Comm comm, xp_activity *a, xp_err *e)
{
    XP_CALL(xp_agree(comm, xp_activity_counts(a, e), e));
    size_t n = XP_ACT_COUNTS(a->nobjs);
    a->n_present[n - 1] = a->client_windows;
    XP_CALL(xp_allreduce_counts(comm, a->n_present, (int64_t)n, e));
    a->client_windows = a->n_present[n - 1];
    a->n_present[n - 1] = 0;
    return XP_OK;
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
    /* A window is held whole by one rank and already merged: moved as is. */
    xp_status s = xp_agree(comm, xp__exchange(comm, a, to, 0, e), e);
    if (s != XP_OK)
        xp_activity_free(a);
    return s;
}

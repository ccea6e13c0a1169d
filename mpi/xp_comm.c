/* xp_comm.c - checked MPI calls and the miner's exact reductions. */
#include "xp_comm.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xp_mem.h"
#include "xp_sort.h"

void xp_mpi_defaults(void)
{
    const char *size = getenv("OMPI_COMM_WORLD_SIZE");
    const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    const char *nodes = getenv("SLURM_STEP_NUM_NODES");
    int alone = !size && !nodes && !getenv("PMIX_RANK") && !getenv("PMI_RANK") && !getenv("PMI_FD");
    int one_node = size    ? local && strcmp(size, local) == 0
                   : nodes ? strcmp(nodes, "1") == 0
                           : alone;
    if (one_node && getenv("OMPI_MCA_pml") == NULL)
        setenv("OMPI_MCA_pml", "ob1", 0);
    if (alone)
        setenv("OMPI_MCA_ess_singleton_isolated", "1", 0); /* keeps a user's value */
}

xp_status xp_mpi_check(int rc, const char *what, xp_err *e)
{
    if (rc == MPI_SUCCESS)
        return XP_OK;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "error code %d", rc);
    return xp_err_set(e, XP_MPI, "%s failed: %s", what, text);
}

xp_status xp_agree(MPI_Comm comm, xp_status s, xp_err *e)
{
    int rank, size, worst = s, mine, first;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    if (MPI_Allreduce(&s, &worst, 1, MPI_INT, MPI_MIN, comm) != MPI_SUCCESS)
        return xp_err_set(e, XP_MPI, "MPI_Allreduce failed while ranks agreed on a status");
    if (worst == XP_OK)
        return XP_OK;
    mine = s != XP_OK ? rank : size;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
    char msg[sizeof e->msg];
    memset(msg, 0, sizeof msg);
    if (rank == first && e)
        snprintf(msg, sizeof msg, "%s", e->msg);
    MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, first, comm);
    if (e && rank != first) {
        xp_err_clear(e);
        if (size > 1 && first != 0)
            xp_err_set(e, worst, "rank %d: %s", first, msg);
        else
            xp_err_set(e, worst, "%s", msg);
    } else if (e && size > 1 && first != 0) {
        char own[sizeof e->msg];
        snprintf(own, sizeof own, "%s", e->msg);
        xp_err_clear(e);
        xp_err_set(e, worst, "rank %d: %s", first, own);
    }
    return worst;
}

/* Bytes per MPI_Allreduce call of xp__allreduce_chunks: XP__CHUNK_BYTES,
 * or more for arrays of over XP__CHUNKS_MAX such pieces, so that a huge
 * array (a big K on a cluster, where each call costs a network latency)
 * takes at most that many calls. One call per array of megabytes was slow
 * here: inside expose-mpi at 2 ranks (1000 clients x 7 h) the pair counts'
 * 2 MB took 4.5 ms in one call and 0.45 ms in 128 KiB pieces, the
 * activity's counts and the ports' the same (XP_TL timers, not committed;
 * 3 and 4 ranks: 10 -> 2.5 ms). Every piece's count stays below 2^28. */
#define XP__CHUNK_BYTES ((int64_t)128 << 10)
#define XP__CHUNKS_MAX 64
#define XP__CHUNK_ITEMS_MAX ((int64_t)1 << 28)

/* MPI_Allreduce in place of n items of type t (size bytes each), in pieces
 * (XP__CHUNK_BYTES). */
static xp_status xp__allreduce_chunks(MPI_Comm comm, void *v, int64_t n, MPI_Datatype t,
                                      size_t size, MPI_Op op, xp_err *e)
{
    int64_t chunk = XP__CHUNK_BYTES / (int64_t)size,
            few = (n + XP__CHUNKS_MAX - 1) / XP__CHUNKS_MAX;
    chunk = chunk > few ? chunk : few;
    chunk = chunk < 1 ? 1 : chunk > XP__CHUNK_ITEMS_MAX ? XP__CHUNK_ITEMS_MAX : chunk;
    for (int64_t off = 0; off < n; off += chunk) {
        int cnt = (int)(n - off < chunk ? n - off : chunk);
        XP_MPI_CALL(e,
                    MPI_Allreduce(MPI_IN_PLACE, (char *)v + (size_t)off * size, cnt, t, op, comm));
    }
    return XP_OK;
}

xp_status xp_allreduce_i64(MPI_Comm comm, int64_t *v, int64_t n, MPI_Op op, xp_err *e)
{
    return xp__allreduce_chunks(comm, v, n, MPI_INT64_T, sizeof *v, op, e);
}

xp_status xp_allreduce_bor(MPI_Comm comm, uint64_t *v, int64_t n, xp_err *e)
{
    return xp__allreduce_chunks(comm, v, n, MPI_UINT64_T, sizeof *v, MPI_BOR, e);
}

xp_status xp_allreduce_counts(MPI_Comm comm, int64_t *v, int64_t n, xp_err *e)
{
    /* No sum can exceed the sum over ranks of each rank's largest count.
     * XP_WIDE_COUNTS (tests) on any rank makes that sum too big for 32 bits,
     * so every rank takes the same path. */
    const char *wide = getenv("XP_WIDE_COUNTS");
    int64_t big = wide && *wide ? (int64_t)INT32_MAX + 1 : 0;
    for (int64_t i = 0; i < n; i++)
        big = v[i] > big ? v[i] : big;
    XP_MPI_CALL(e, MPI_Allreduce(MPI_IN_PLACE, &big, 1, MPI_INT64_T, MPI_SUM, comm));
    if (big > INT32_MAX)
        return xp_allreduce_i64(comm, v, n, MPI_SUM, e);
    /* Packed to 32 bits in the first half of v itself, not in a fresh array
     * (memory touched for the first time is dear: bench/README.md): element
     * i goes to bytes 4i..4i+3, which hold nothing still to be read, and
     * back from the last element down. Eight at a time through a buffer,
     * each block read whole before it is written (a block's two places
     * overlap for the first one), so that the compiler can vectorise the
     * loops: one element at a time they were 21 M instructions on each rank
     * at 2 ranks (1000 clients x 7 h, callgrind). memcpy: no type punning. */
    char *h = (char *)v;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        int32_t x[8];
        for (int k = 0; k < 8; k++)
            x[k] = (int32_t)v[i + k];
        memcpy(h + 4 * i, x, sizeof x);
    }
    for (; i < n; i++) {
        int32_t x = (int32_t)v[i];
        memcpy(h + 4 * i, &x, sizeof x);
    }
    xp_status s = xp__allreduce_chunks(comm, h, n, MPI_INT32_T, sizeof(int32_t), MPI_SUM, e);
    for (i = n - 1; i >= n - n % 8; i--) {
        int32_t x;
        memcpy(&x, h + 4 * i, sizeof x);
        v[i] = s == XP_OK ? x : 0;
    }
    for (i = n - n % 8 - 8; i >= 0; i -= 8) {
        int32_t x[8];
        memcpy(x, h + 4 * i, sizeof x);
        for (int k = 0; k < 8; k++)
            v[i + k] = s == XP_OK ? x[k] : 0;
    }
    return s;
}

/* A contiguous type of `size` bytes, so that counts are in items. */
static xp_status xp__item_type(size_t size, MPI_Datatype *t, xp_err *e)
{
    XP_MPI_CALL(e, MPI_Type_contiguous((int)size, MPI_BYTE, t));
    XP_MPI_CALL(e, MPI_Type_commit(t));
    return XP_OK;
}

/* Item counts and displacements as MPI ints; XP_BUDGET when they do not
 * fit ("WHAT: N items exceed one MPI exchange; ADVICE"). */
static xp_status xp__int_counts(const int64_t *cnt, int size, int *ic, int *displ, int64_t *total,
                                const char *what, const char *advice, xp_err *e)
{
    *total = 0;
    for (int r = 0; r < size; r++) {
        if (*total + cnt[r] > INT_MAX)
            return xp_err_set(e, XP_BUDGET, "%s: %lld items exceed one MPI exchange; %s", what,
                              (long long)(*total + cnt[r]), advice);
        displ[r] = (int)*total;
        ic[r] = (int)cnt[r];
        *total += cnt[r];
    }
    return XP_OK;
}

xp_status xp_allgather_items(MPI_Comm comm, const void *mine, int64_t n, size_t size, void **all,
                             int64_t *nall, const char *what, const char *advice, xp_err *e)
{
    int nr;
    MPI_Comm_size(comm, &nr);
    *all = NULL;
    *nall = 0;
    int64_t *cnt = malloc((size_t)nr * sizeof *cnt);
    int *ic = malloc((size_t)nr * sizeof *ic), *displ = malloc((size_t)nr * sizeof *displ);
    xp_status s = cnt && ic && displ ? XP_OK : xp_err_set(e, XP_NOMEM, "out of memory gathering");
    s = xp_agree(comm, s, e);
    if (s == XP_OK)
        s = xp_mpi_check(MPI_Allgather(&n, 1, MPI_INT64_T, cnt, 1, MPI_INT64_T, comm),
                         "MPI_Allgather", e);
    int64_t total = 0;
    if (s == XP_OK)
        s = xp__int_counts(cnt, nr, ic, displ, &total, what, advice, e);
    if (s == XP_OK && (*all = xp_mem_malloc((size_t)(total ? total : 1) * size)) == NULL)
        s = xp_err_set(e, XP_NOMEM, "out of memory for %lld gathered items", (long long)total);
    s = xp_agree(comm, s, e);
    MPI_Datatype t = MPI_DATATYPE_NULL;
    if (s == XP_OK)
        s = xp__item_type(size, &t, e);
    if (s == XP_OK)
        s = xp_mpi_check(MPI_Allgatherv(mine, (int)n, t, *all, ic, displ, t, comm),
                         "MPI_Allgatherv", e);
    if (t != MPI_DATATYPE_NULL)
        MPI_Type_free(&t);
    if (s == XP_OK) {
        *nall = total;
    } else {
        free(*all);
        *all = NULL;
    }
    free(cnt);
    free(ic);
    free(displ);
    return s;
}

xp_status xp_alltoall_items(MPI_Comm comm, const void *send, const int64_t *count,
                            const int64_t *displ, size_t size, void **recv, int64_t *nrecv,
                            int64_t *rcount, xp_err *e)
{
    int nr;
    MPI_Comm_size(comm, &nr);
    *recv = NULL;
    *nrecv = 0;
    int64_t *rc = malloc((size_t)nr * sizeof *rc);
    int *sc = malloc((size_t)nr * sizeof *sc), *sd = malloc((size_t)nr * sizeof *sd);
    int *ric = malloc((size_t)nr * sizeof *ric), *rd = malloc((size_t)nr * sizeof *rd);
    xp_status s =
        rc && sc && sd && ric && rd ? XP_OK : xp_err_set(e, XP_NOMEM, "out of memory exchanging");
    s = xp_agree(comm, s, e);
    if (s == XP_OK)
        s = xp_mpi_check(MPI_Alltoall(count, 1, MPI_INT64_T, rc, 1, MPI_INT64_T, comm),
                         "MPI_Alltoall", e);
    int64_t stot = 0, rtot = 0;
    if (s == XP_OK)
        s = xp__int_counts(count, nr, sc, sd, &stot, "exchanging", "use more ranks", e);
    for (int q = 0; s == XP_OK && displ && q < nr; q++) {
        if (displ[q] + count[q] > INT_MAX)
            s = xp_err_set(e, XP_BUDGET,
                           "exchanging: %lld items exceed one MPI exchange; use more ranks",
                           (long long)(displ[q] + count[q]));
        sd[q] = (int)displ[q];
    }
    if (s == XP_OK)
        s = xp__int_counts(rc, nr, ric, rd, &rtot, "exchanging", "use more ranks", e);
    if (s == XP_OK && (*recv = xp_mem_malloc((size_t)(rtot ? rtot : 1) * size)) == NULL)
        s = xp_err_set(e, XP_NOMEM, "out of memory for %lld received items", (long long)rtot);
    s = xp_agree(comm, s, e);
    MPI_Datatype t = MPI_DATATYPE_NULL;
    if (s == XP_OK)
        s = xp__item_type(size, &t, e);
    if (s == XP_OK)
        s = xp_mpi_check(MPI_Alltoallv(send, sc, sd, t, *recv, ric, rd, t, comm), "MPI_Alltoallv",
                         e);
    if (t != MPI_DATATYPE_NULL)
        MPI_Type_free(&t);
    if (s == XP_OK) {
        *nrecv = rtot;
        for (int q = 0; rcount && q < nr; q++)
            rcount[q] = rc[q];
    } else {
        free(*recv);
        *recv = NULL;
    }
    free(rc);
    free(sc);
    free(sd);
    free(ric);
    free(rd);
    return s;
}

/* Every rank's sorted keys, gathered and merged into one sorted unique list. */
static xp_status xp__union_keys(MPI_Comm comm, const xp_pairs *local, uint64_t **keys,
                                int64_t *nkeys, xp_err *e)
{
    void *v = NULL;
    int64_t total = 0;
    XP_CALL(xp_allgather_items(comm, local->key, local->n, sizeof *local->key, &v, &total,
                               "distinct pairs",
                               "raise the number of passes with a smaller --mem-per-rank", e));
    uint64_t *all = v;
    if (xp_merge_runs_u64(all, total) != 0) {
        free(all);
        return xp_err_set(e, XP_NOMEM, "out of memory merging %lld pair keys", (long long)total);
    }
    *keys = all;
    *nkeys = xp_unique_u64(all, total);
    return XP_OK;
}

/* Generic-generic pairs carry client-window counts of their own
 * (xp_template: two generics make that template, whatever else). */
static int xp__pair_gg(const xp_colinfo *ci, uint64_t key)
{
    return ci[key >> 32].generic && ci[(uint32_t)key].generic;
}

xp_status xp_pairs_reduce(MPI_Comm comm, xp_pairs *local, const xp_colinfo *ci, xp_pairs *mine,
                          xp_err *e)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    memset(mine, 0, sizeof *mine);
    if (size == 1) { /* the one slice is all, and nothing to add */
        *mine = *local;
        memset(local, 0, sizeof *local);
        return XP_OK;
    }
    uint64_t *keys = NULL;
    int64_t n = 0, ngg = 0;
    xp_status s = xp__union_keys(comm, local, &keys, &n, e);
    if (s != XP_OK) {
        xp_pairs_free(local);
        return s;
    }
    /* The buffer: the 4 window counts of every pair, then the 4
     * client-window counts of each generic-generic pair, in key order (for
     * the others cw is a copy of c: xp_pairs). No offsets are stored: two
     * walks in key order count the generic-generic pairs passed. */
    for (int64_t j = 0; j < n; j++)
        ngg += xp__pair_gg(ci, keys[j]);
    int64_t m = 4 * (n + ngg);
    int64_t *buf = xp_mem_calloc((size_t)(m ? m : 1), sizeof *buf), *gw = buf + 4 * n;
    s = buf ? XP_OK : xp_err_set(e, XP_NOMEM, "out of memory for %lld pair counts", (long long)n);
    for (int64_t i = 0, j = 0, g = 0; s == XP_OK && i < local->n; i++, j++) {
        for (; keys[j] != local->key[i]; j++)
            g += xp__pair_gg(ci, keys[j]);
        memcpy(buf + 4 * j, local->c + 4 * i, 4 * sizeof *buf);
        if (xp__pair_gg(ci, keys[j]))
            memcpy(gw + 4 * g++, local->cw + 4 * i, 4 * sizeof *buf);
    }
    s = xp_agree(comm, s, e);
    if (s == XP_OK)
        s = xp_allreduce_counts(comm, buf, m, e);
    /* This rank's pairs: every size-th one, from the rank-th (j = rank mod
     * size), so that each rank scores a like mix of light and heavy pairs.
     * In contiguous slices the first rank's pairs took 11 % more
     * instructions to score than the second's (callgrind, 1000 clients x
     * 7 h: the hypergeometric tails of the busiest columns' pairs, which
     * sort first); in turns, 432 M each. Its keys move to the front, its
     * counts out, into the arrays of its own pairs when they are large
     * enough (at 2 ranks they nearly always are: fresh memory is dear on
     * this VM). */
    int64_t k = n / size + (rank < n % size);
    if (s == XP_OK && local->n < k) {
        xp_pairs_free(local);
        local->c = xp_mem_malloc((size_t)k * 4 * sizeof *local->c);
        local->cw = xp_mem_malloc((size_t)k * 4 * sizeof *local->cw);
        if (local->c == NULL || local->cw == NULL)
            s = xp_err_set(e, XP_NOMEM, "out of memory for %lld pair counts", (long long)k);
    }
    if (s == XP_OK) {
        int64_t g = 0, t = 0;
        for (int64_t j = 0; j < n; j++) {
            int gg = xp__pair_gg(ci, keys[j]);
            if (j % size == rank) {
                memcpy(local->c + 4 * t, buf + 4 * j, 4 * sizeof *buf);
                memcpy(local->cw + 4 * t, gg ? gw + 4 * g : buf + 4 * j, 4 * sizeof *buf);
                keys[t++] = keys[j];
            }
            g += gg;
        }
        *mine = (xp_pairs){k, keys, local->c, local->cw};
        local->c = local->cw = NULL;
        keys = NULL;
    }
    free(keys);
    free(buf);
    xp_pairs_free(local);
    return s;
}

xp_status xp_rules_allgather(MPI_Comm comm, const xp_rules *part, xp_rules *acc, xp_err *e)
{
    int size;
    MPI_Comm_size(comm, &size);
    int64_t mine[2] = {part->n, part->candidates}, tot[2];
    XP_MPI_CALL(e, MPI_Allreduce(mine, tot, 2, MPI_INT64_T, MPI_SUM, comm));
    int64_t *cnt = malloc((size_t)size * sizeof *cnt);
    int *rc = malloc((size_t)size * sizeof *rc), *displ = malloc((size_t)size * sizeof *displ);
    xp_rule *v = xp_mem_realloc(acc->v, (size_t)acc->n * sizeof *v,
                                (size_t)(acc->n + tot[0] + 1) * sizeof *v);
    if (v)
        acc->v = v;
    xp_status s = (!cnt || !rc || !displ || !v)
                      ? xp_err_set(e, XP_NOMEM, "out of memory gathering %lld rules",
                                   (long long)tot[0])
                      : XP_OK;
    s = xp_agree(comm, s, e);
    if (s == XP_OK)
        s = xp_mpi_check(MPI_Allgather(&part->n, 1, MPI_INT64_T, cnt, 1, MPI_INT64_T, comm),
                         "MPI_Allgather", e);
    int64_t off = 0, bytes = (int64_t)sizeof(xp_rule);
    for (int r = 0; s == XP_OK && r < size; r++) {
        if ((off + cnt[r]) * bytes > INT_MAX)
            s = xp_err_set(e, XP_BUDGET, "%lld candidate rules exceed one MPI exchange",
                           (long long)(off + cnt[r]));
        displ[r] = (int)(off * bytes);
        rc[r] = (int)(cnt[r] * bytes);
        off += cnt[r];
    }
    if (s == XP_OK)
        s = xp_mpi_check(MPI_Allgatherv(part->v, (int)(part->n * bytes), MPI_BYTE, acc->v + acc->n,
                                        rc, displ, MPI_BYTE, comm),
                         "MPI_Allgatherv", e);
    if (s == XP_OK) {
        acc->n += tot[0];
        acc->candidates += tot[1];
    }
    free(cnt);
    free(rc);
    free(displ);
    return s;
}

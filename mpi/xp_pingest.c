/*
 * xp_pingest.c - parallel ingest (xp_pingest.h): parse on every rank, replay
 * warnings and errors on rank 0, move the records to rank 0 file by file,
 * merge them stably by time there (§2.1: one trace, in time order).
 *
 * Why the result equals a single reader's: the stable sort of a
 * concatenation orders records by (ts, position). Sorting each file first,
 * stably, and then the concatenation of the sorted files in list order,
 * stably again, gives the same order: equal times in different files keep
 * the file order, equal times in one file keep their order in the file.
 * Every counter is a sum over files except out_of_order, which is also
 * rebuilt exactly (disorder inside each file + at each file boundary).
 */
#include "xp_pingest.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "xp_comm.h"
#include "xp_recsort.h"
#include "xp_sink.h"
#include "xp_zeek.h"

/* Per-file facts every rank learns after parsing: int64 each, summed over
 * ranks (only the file's reader fills them; doubles travel as their bits). */
enum {
    XP__F_STATUS,
    XP__F_BAD,
    XP__F_CUT,
    XP__F_NREC,
    XP__F_DIS,
    XP__F_FIRST,
    XP__F_LAST,
    XP__F_IRREG, /* a piece that cannot stand for its part (xp_zeek_read_range) */
    XP__F_N
};

enum { XP__TAG = 0x7870 };

/* ---------------------------------------------------------------- assignment */

/*
 * Each file to the rank whose share of the list's bytes holds the file's
 * middle byte: contiguous runs of the list, about T / nranks bytes each
 * (a rank's load is off by at most about one file; big logs are cut into
 * pieces first, xp__pieces). Contiguous, because the list is usually in
 * time order (rotated logs, and the pieces of one log always are): a rank
 * then holds one stretch of time, and most of the activity's entries it
 * makes fall in the windows it owns (mpi/xp_pactivity.c), so few have to
 * be exchanged. Dealing by size (largest first to the least loaded rank)
 * balanced as well but put the second half of a cut log on rank 0, and
 * every entry crossed between the ranks.
 */
void xp_pingest_assign(const xp_input_list *l, int nranks, int *owner)
{
    unsigned __int128 total = 0, at = 0;
    for (int64_t i = 0; i < l->n; i++) /* an empty file still costs an open: one byte */
        total += (uint64_t)(l->v[i].size > 0 ? l->v[i].size : 1);
    for (int64_t i = 0; i < l->n; i++) {
        uint64_t sz = (uint64_t)(l->v[i].size > 0 ? l->v[i].size : 1);
        /* floor(middle * nranks / total), the middle at + sz / 2 kept whole */
        unsigned __int128 r = (2 * at + sz) * (unsigned)nranks / (2 * total);
        owner[i] = r < (unsigned)nranks ? (int)r : nranks - 1;
        at += sz;
    }
}

/* ---------------------------------------------------------------- the list */

enum { XP__L_FMT, XP__L_GZIP, XP__L_SIZE, XP__L_MTIME, XP__L_PATHLEN, XP__L_N };

/* Rank 0: the list as one byte buffer (XP__L_N int64 then the path, per file). */
static xp_status xp__pack_list(const xp_input_list *l, char **buf, int64_t *len, xp_err *e)
{
    int64_t n = (int64_t)sizeof(int64_t);
    for (int64_t i = 0; i < l->n; i++)
        n += XP__L_N * (int64_t)sizeof(int64_t) + (int64_t)strlen(l->v[i].path);
    if (n > INT_MAX)
        return xp_err_set(e, XP_BUDGET,
                          "the input list (%lld files, %lld bytes) exceeds one MPI "
                          "message",
                          (long long)l->n, (long long)n);
    char *b = malloc((size_t)n), *p = b;
    XP_ALLOC_CHECK(e, b, "the input list message");
    memcpy(p, &l->n, sizeof l->n);
    p += sizeof l->n;
    for (int64_t i = 0; i < l->n; i++) {
        const xp_input_file *f = &l->v[i];
        int64_t h[XP__L_N] = {f->fmt, f->gzip, f->size, f->mtime_ns, (int64_t)strlen(f->path)};
        memcpy(p, h, sizeof h);
        memcpy(p + sizeof h, f->path, (size_t)h[XP__L_PATHLEN]);
        p += sizeof h + (size_t)h[XP__L_PATHLEN];
    }
    *buf = b;
    *len = n;
    return XP_OK;
}

static xp_status xp__unpack_list(const char *p, xp_input_list *l, xp_err *e)
{
    int64_t n;
    memcpy(&n, p, sizeof n);
    p += sizeof n;
    l->v = calloc((size_t)(n ? n : 1), sizeof *l->v);
    XP_ALLOC_CHECK(e, l->v, "the input list");
    for (l->n = 0; l->n < n; l->n++) {
        int64_t h[XP__L_N];
        memcpy(h, p, sizeof h);
        xp_input_file *f = &l->v[l->n];
        f->fmt = (xp_format)h[XP__L_FMT];
        f->gzip = (int)h[XP__L_GZIP];
        f->size = h[XP__L_SIZE];
        f->mtime_ns = h[XP__L_MTIME];
        f->path = malloc((size_t)h[XP__L_PATHLEN] + 1);
        XP_ALLOC_CHECK(e, f->path, "a path");
        memcpy(f->path, p + sizeof h, (size_t)h[XP__L_PATHLEN]);
        f->path[h[XP__L_PATHLEN]] = '\0';
        p += sizeof h + (size_t)h[XP__L_PATHLEN];
    }
    return XP_OK;
}

xp_status xp_pingest_bcast_list(MPI_Comm comm, xp_input_list *l, xp_err *e)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    char *buf = NULL;
    int64_t len = 0;
    xp_status s = rank == 0 ? xp__pack_list(l, &buf, &len, e) : XP_OK;
    s = xp_agree(comm, s, e);
    if (s == XP_OK)
        s = xp_mpi_check(MPI_Bcast(&len, 1, MPI_INT64_T, 0, comm), "MPI_Bcast", e);
    if (s == XP_OK && rank != 0 && (buf = malloc((size_t)len)) == NULL)
        s = xp_err_set(e, XP_NOMEM, "out of memory for the input list (%lld bytes)",
                       (long long)len);
    s = xp_agree(comm, s, e);
    if (s == XP_OK)
        s = xp_mpi_check(MPI_Bcast(buf, (int)len, MPI_BYTE, 0, comm), "MPI_Bcast", e);
    if (s == XP_OK && rank != 0)
        s = xp__unpack_list(buf, l, e);
    free(buf);
    s = xp_agree(comm, s, e);
    if (s != XP_OK && rank != 0)
        xp_input_list_free(l);
    return s;
}

/* ---------------------------------------------------------------- parsing */

/* What one rank holds between the steps. */
typedef struct xp__part {
    int *owner;         /* rank of each file */
    xp_recvec *files;   /* this rank's files' records, each sorted by time */
    int64_t *info;      /* XP__F_N per file */
    xp_input_stats tot; /* this rank's counters */
    int64_t n;
} xp__part;

static void xp__part_free(xp__part *p)
{
    for (int64_t i = 0; p->files && i < p->n; i++)
        xp_recvec_free(&p->files[i]);
    free(p->files);
    free(p->owner);
    free(p->info);
    memset(p, 0, sizeof *p);
}

static xp_status xp__part_alloc(const xp_input_list *l, int nranks, xp__part *p, xp_err *e)
{
    size_t n = (size_t)(l->n ? l->n : 1);
    p->n = l->n;
    p->owner = malloc(n * sizeof *p->owner);
    p->files = calloc(n, sizeof *p->files);
    p->info = calloc(n * XP__F_N, sizeof *p->info);
    if (p->owner == NULL || p->files == NULL || p->info == NULL)
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld input files", (long long)l->n);
    xp_pingest_assign(l, nranks, p->owner);
    return XP_OK;
}

#define XP__STATS(X)                                                                               \
    X(records)                                                                                     \
    X(used) X(skipped_nonip) X(skipped_fragment) X(skipped_truncated) X(skipped_bad) X(bytes)      \
        X(skipped_cut) X(out_of_order) X(files)
enum { XP__NSTATS = 10 };
/* A new counter in xp_input_stats must be added to XP__STATS. */
_Static_assert(sizeof(xp_input_stats) == XP__NSTATS * sizeof(int64_t), "XP__STATS is incomplete");

static void xp__stats_add(xp_input_stats *a, const xp_input_stats *b)
{
#define XP__ADD(f) a->f += b->f;
    XP__STATS(XP__ADD)
#undef XP__ADD
}

static void xp__stats_pack(const xp_input_stats *a, int64_t *v)
{
    int i = 0;
#define XP__PUT(f) v[i++] = a->f;
    XP__STATS(XP__PUT)
#undef XP__PUT
}

static void xp__stats_unpack(const int64_t *v, xp_input_stats *a)
{
    int i = 0;
#define XP__GET(f) a->f = v[i++];
    XP__STATS(XP__GET)
#undef XP__GET
}

/* Progress of this rank's share: bytes of its files done out of their sum. */
typedef struct xp__prog {
    const xp_input_opts *io;
    int64_t base, total;
} xp__prog;

static void xp__progress(void *ctx, int64_t done, int64_t total)
{
    const xp__prog *g = ctx;
    g->io->progress(g->io->progress_ctx, g->base + done, g->total);
}

/* The first pass is silent: rank 0 replays what warned, in file order. */
static void xp__no_warn(void *ctx, const char *msg) {}

static double xp__bits_to_f64(int64_t v)
{
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

static int64_t xp__f64_bits(double d)
{
    int64_t v;
    memcpy(&v, &d, sizeof v);
    return v;
}

/* One file of this rank: parse, note its facts, sort it by time. */
static xp_status xp__parse_file(const xp_input_file *f, const xp_input_opts *q, xp_recvec *v,
                                int64_t *inf, xp_input_stats *tot, xp_err *e)
{
    xp_input_stats fs = {0};
    xp_status s;
    if (f->end > 0) {
        xp_sink k = {v, &fs, q, 0, f->size};
        int irr = 0;
        s = xp_zeek_read_range(f->path, f->off, f->end, &k, &irr, e);
        inf[XP__F_IRREG] = irr;
    } else {
        s = xp_input_read_file(f, q, v, &fs, e);
    }
    inf[XP__F_BAD] = fs.skipped_bad;
    inf[XP__F_CUT] = fs.skipped_cut;
    xp__stats_add(tot, &fs);
    if (s == XP_OK && v->n > 0) {
        inf[XP__F_FIRST] = xp__f64_bits(v->v[0].ts);
        inf[XP__F_LAST] = xp__f64_bits(v->v[v->n - 1].ts);
    }
    int64_t dis = 0;
    if (s == XP_OK)
        s = xp_recs_sort_ts(v, &dis, e);
    inf[XP__F_STATUS] = s;
    inf[XP__F_NREC] = v->n;
    inf[XP__F_DIS] = dis;
    if (s != XP_OK)
        xp_recvec_free(v);
    return s;
}

/* This rank's files in list order; stops at its first failure, since a
 * single reader would never read past it. */
static xp_status xp__parse_own(const xp_input_list *l, int rank, const xp_input_opts *io,
                               xp__part *p, xp_err *e)
{
    xp_input_opts q = io ? *io : (xp_input_opts){0};
    xp__prog g = {io, 0, 0};
    for (int64_t i = 0; i < l->n; i++)
        g.total += p->owner[i] == rank ? l->v[i].size : 0;
    q.warn = xp__no_warn;
    q.warn_ctx = NULL;
    q.progress = io && io->progress ? xp__progress : NULL;
    q.progress_ctx = &g;
    for (int64_t i = 0; i < l->n; i++) {
        if (p->owner[i] != rank)
            continue;
        XP_CALL(xp__parse_file(&l->v[i], &q, &p->files[i], p->info + XP__F_N * i, &p->tot, e));
        g.base += l->v[i].size;
    }
    return XP_OK;
}

/* The file at which a single reader stops: the first that failed, or at
 * which the malformed records so far pass --skip-bad; -1 when none. */
static int64_t xp__first_failure(const int64_t *info, int64_t n, int64_t allowed)
{
    int64_t bad = 0;
    for (int64_t i = 0; i < n; i++) {
        const int64_t *f = info + XP__F_N * i;
        if (f[XP__F_STATUS] != XP_OK || bad + f[XP__F_BAD] > allowed)
            return i;
        bad += f[XP__F_BAD];
    }
    return -1;
}

/*
 * Rank 0: read again, in list order, every file that warned, up to the one
 * that fails (included), with the malformed-record count a single reader
 * would have reached before it. The warnings and the error are then those
 * of one reader, word for word. Records read here are dropped.
 */
static xp_status xp__replay(const xp_input_list *l, const int64_t *info, const xp_input_opts *io,
                            xp_err *e)
{
    int64_t stop = xp__first_failure(info, l->n, io ? io->skip_bad : 0);
    int64_t last = stop >= 0 ? stop : l->n - 1, bad = 0;
    xp_input_opts q = io ? *io : (xp_input_opts){0};
    q.progress = NULL;
    for (int64_t i = 0; i <= last; i++) {
        const int64_t *f = info + XP__F_N * i;
        if (i == stop || f[XP__F_BAD] + f[XP__F_CUT] > 0) {
            xp_input_stats fs = {0};
            xp_recvec scratch = {0};
            fs.skipped_bad = bad;
            xp_status s = xp_input_read_file(&l->v[i], io ? &q : NULL, &scratch, &fs, e);
            xp_recvec_free(&scratch);
            XP_CALL(s);
        }
        bad += f[XP__F_BAD];
    }
    return XP_OK;
}

/* Records earlier than the one before them in the list-order concatenation. */
static int64_t xp__out_of_order(const int64_t *info, int64_t n)
{
    int64_t dis = 0, have = 0;
    double last = 0;
    for (int64_t i = 0; i < n; i++) {
        const int64_t *f = info + XP__F_N * i;
        if (f[XP__F_NREC] == 0)
            continue;
        dis += f[XP__F_DIS];
        if (have && xp__bits_to_f64(f[XP__F_FIRST]) < last)
            dis++;
        last = xp__bits_to_f64(f[XP__F_LAST]);
        have = 1;
    }
    return dis;
}

/* ---------------------------------------------------------------- exchange */

/* Records per message: below chunk_bytes, and an int count of bytes. */
static int64_t xp__per_msg(int64_t chunk_bytes)
{
    int64_t b = chunk_bytes > 0 ? chunk_bytes : (int64_t)1 << 30;
    if (b > INT_MAX)
        b = INT_MAX;
    int64_t n = b / (int64_t)sizeof(xp_rec);
    return n > 0 ? n : 1;
}

/* Rank 0 receives (or copies) every file's records in list order into *out;
 * every other rank sends its files in list order. Point-to-point order
 * between two ranks is kept by MPI, so one tag serves. Nothing here fails
 * but MPI itself (sizes are agreed and memory reserved before), and a
 * failed send or receive is taken as the end of the job's MPI. */
static xp_status xp__move(MPI_Comm comm, int rank, xp__part *p, int64_t per, xp_recvec *out,
                          xp_err *e)
{
    const int64_t rb = (int64_t)sizeof(xp_rec);
    for (int64_t i = 0; i < p->n; i++) {
        int64_t n = p->info[XP__F_N * i + XP__F_NREC];
        if (rank == 0 && p->owner[i] == 0) {
            if (n > 0)
                memcpy(out->v + out->n, p->files[i].v, (size_t)(n * rb));
        } else if (rank == 0) {
            for (int64_t off = 0; off < n; off += per) {
                int cnt = (int)((n - off < per ? n - off : per) * rb), got = -1;
                MPI_Status st;
                XP_MPI_CALL(e, MPI_Recv(out->v + out->n + off, cnt, MPI_BYTE, p->owner[i], XP__TAG,
                                        comm, &st));
                MPI_Get_count(&st, MPI_BYTE, &got);
                if (got != cnt)
                    return xp_err_set(e, XP_INTERNAL,
                                      "%s: %d bytes of records received from "
                                      "rank %d, %d expected",
                                      "parallel ingest", got, p->owner[i], cnt);
            }
        } else if (p->owner[i] == rank) {
            for (int64_t off = 0; off < n; off += per) {
                int cnt = (int)((n - off < per ? n - off : per) * rb);
                XP_MPI_CALL(e, MPI_Send(p->files[i].v + off, cnt, MPI_BYTE, 0, XP__TAG, comm));
            }
        }
        out->n += rank == 0 ? n : 0;
        xp_recvec_free(&p->files[i]);
    }
    return XP_OK;
}

/* ---------------------------------------------------------------- pieces */

enum { XP__SPLIT_DEFAULT = 8 << 20 };

/* How many pieces file f is read in by nranks ranks (1: whole). */
static int64_t xp__npieces(const xp_input_file *f, int nranks, int64_t split)
{
    if (split < 0 || f->gzip || (f->fmt != XP_FMT_ZEEK_TSV && f->fmt != XP_FMT_ZEEK_JSON))
        return 1;
    int64_t k = f->size / (split > 0 ? split : XP__SPLIT_DEFAULT);
    return k < 2 ? 1 : k < nranks ? k : nranks;
}

/*
 * *out: l with every big plain Zeek log replaced by its pieces (equal byte
 * ranges; xp_zeek_read_range moves each cut to a line start). Paths are
 * borrowed from l: free out->v only. *any: some file was cut.
 */
static xp_status xp__pieces(const xp_input_list *l, int nranks, int64_t split, xp_input_list *out,
                            int *any, xp_err *e)
{
    int64_t n = 0;
    for (int64_t i = 0; i < l->n; i++)
        n += xp__npieces(&l->v[i], nranks, split);
    *any = n > l->n;
    out->n = 0;
    out->v = malloc((size_t)(n ? n : 1) * sizeof *out->v);
    XP_ALLOC_CHECK(e, out->v, "the list of file pieces");
    for (int64_t i = 0; i < l->n; i++) {
        int64_t k = xp__npieces(&l->v[i], nranks, split);
        for (int64_t j = 0; j < k; j++) {
            xp_input_file *f = &out->v[out->n++];
            *f = l->v[i];
            if (k > 1) {
                f->off = l->v[i].size * j / k;
                f->end = l->v[i].size * (j + 1) / k;
                f->size = f->end - f->off; /* the rank's share of the work */
            }
        }
    }
    return XP_OK;
}

/* A piece could not stand for its part, or warned or failed: the single
 * reader's messages need the whole file read the ordinary way. */
static int xp__pieces_failed(const xp_input_list *l, const int64_t *info)
{
    for (int64_t i = 0; i < l->n; i++) {
        const int64_t *f = info + XP__F_N * i;
        if (l->v[i].end > 0 &&
            (f[XP__F_IRREG] || f[XP__F_STATUS] != XP_OK || f[XP__F_BAD] || f[XP__F_CUT]))
            return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- the whole */

/* Parse everywhere; then agree on the result a single reader would give. */
static xp_status xp__parse_agree(MPI_Comm comm, int rank, const xp_input_list *l,
                                 const xp_input_opts *io, xp__part *p, int *retry, xp_err *e)
{
    xp_err le, re;
    xp_err_clear(&le);
    xp_err_clear(&re);
    xp_status local = xp__parse_own(l, rank, io, p, &le);
    xp_status s = xp_allreduce_i64(comm, p->info, XP__F_N * p->n, MPI_SUM, e);
    /* Every rank sees the same info: all retry or none. */
    *retry = s == XP_OK && xp__pieces_failed(l, p->info);
    if (*retry)
        return XP_OK;
    xp_status s0 = XP_OK;
    if (s == XP_OK && rank == 0)
        s0 = xp__replay(l, p->info, io, &re);
    if (s == XP_OK && s0 != XP_OK)
        *e = re;
    s = xp_agree(comm, s != XP_OK ? s : s0, e);
    /* A failure rank 0 could not reproduce (memory, a file unreadable only
     * there): the failing rank's own message, "rank N: ...". */
    if (s == XP_OK && local != XP_OK)
        *e = le;
    return s == XP_OK ? xp_agree(comm, local, e) : s;
}

/* Counters summed over ranks; out_of_order rebuilt for the whole list. */
static xp_status xp__stats_total(MPI_Comm comm, const xp__part *p, xp_input_stats *st, xp_err *e)
{
    int64_t v[XP__NSTATS];
    xp_input_stats t;
    xp__stats_pack(&p->tot, v);
    XP_CALL(xp_allreduce_i64(comm, v, XP__NSTATS, MPI_SUM, e));
    xp__stats_unpack(v, &t);
    t.out_of_order = xp__out_of_order(p->info, p->n);
    xp__stats_add(st, &t);
    return XP_OK;
}

static xp_status xp__gather(MPI_Comm comm, int rank, xp__part *p, int64_t per, xp_recvec *out,
                            xp_err *e)
{
    xp_status s = XP_OK;
    if (rank == 0) {
        int64_t total = 0;
        for (int64_t i = 0; i < p->n; i++)
            total += p->info[XP__F_N * i + XP__F_NREC];
        if (xp_recvec_reserve(out, total) != 0)
            s = xp_err_set(e, XP_NOMEM, "out of memory for %lld records (%lld bytes) on rank 0",
                           (long long)total, (long long)(total * (int64_t)sizeof(xp_rec)));
    }
    s = xp_agree(comm, s, e);
    if (s == XP_OK)
        s = xp__move(comm, rank, p, per, out, e);
    return xp_agree(comm, s, e);
}

/* Collective: *yes = 1 when every rank's records all start a connection
 * (then their order does not matter to the activity, xp_activity.h). */
static xp_status xp__all_start(MPI_Comm comm, const xp__part *p, int *yes, xp_err *e)
{
    int64_t all = 1;
    for (int64_t i = 0; i < p->n && all; i++)
        for (int64_t k = 0; k < p->files[i].n && all; k++)
            all = (p->files[i].v[k].flags & XP_REC_START) != 0;
    XP_CALL(xp_allreduce_i64(comm, &all, 1, MPI_MIN, e));
    *yes = all != 0;
    return XP_OK;
}

/* This rank's files, in list order, into *out: the first one's array is
 * taken over (a rank usually parses one piece: nothing is copied), the
 * others are appended. */
static xp_status xp__keep_local(xp__part *p, xp_recvec *out, xp_err *e)
{
    int64_t total = 0;
    for (int64_t i = 0; i < p->n; i++)
        total += p->files[i].n;
    for (int64_t i = 0; i < p->n; i++) {
        xp_recvec *f = &p->files[i];
        if (f->n == 0)
            continue;
        if (out->v == NULL) {
            *out = *f;
            memset(f, 0, sizeof *f);
            continue;
        }
        if (xp_recvec_reserve(out, total - out->n) != 0)
            return xp_err_set(e, XP_NOMEM, "out of memory for %lld records (%lld bytes)",
                              (long long)total, (long long)(total * (int64_t)sizeof(xp_rec)));
        memcpy(out->v + out->n, f->v, (size_t)f->n * sizeof(xp_rec));
        out->n += f->n;
        xp_recvec_free(f);
    }
    return XP_OK;
}

/* Rank 0: the files' sorted runs, in list order, merged by time. */
static xp_status xp__merge(const xp__part *p, xp_recvec *out, xp_err *e)
{
    int64_t *start = malloc((size_t)(p->n + 1) * sizeof *start);
    XP_ALLOC_CHECK(e, start, "the run starts");
    start[0] = 0;
    for (int64_t i = 0; i < p->n; i++)
        start[i + 1] = start[i] + p->info[XP__F_N * i + XP__F_NREC];
    xp_status s = xp_recs_merge_runs(out, start, p->n, e);
    free(start);
    return s;
}

static double xp__lap(double *t)
{
    double now = MPI_Wtime(), d = now - *t;
    *t = now;
    return d;
}

xp_status xp_pingest_read(MPI_Comm comm, const xp_input_list *l, const xp_pingest_opts *o,
                          xp_recvec *out, xp_input_stats *st, xp_err *e)
{
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    const xp_input_opts *io = o ? o->io : NULL;
    double sec[3] = {0, 0, 0}, t = MPI_Wtime();
    xp_status s;
    if (o && o->pieces_kept)
        *o->pieces_kept = 0;
    if (o && o->kept_local)
        *o->kept_local = 0;
    if (size == 1) {
        s = xp_input_read_all(l, io, out, st, e);
        sec[0] = xp__lap(&t);
    } else {
        xp__part p = {0};
        xp_input_list pl = {0};
        int cut = 0, retry = 0;
        s = xp_agree(comm, xp__pieces(l, size, o ? o->split_bytes : 0, &pl, &cut, e), e);
        const xp_input_list *use = cut ? &pl : l;
        if (s == XP_OK)
            s = xp_agree(comm, xp__part_alloc(use, size, &p, e), e);
        if (s == XP_OK)
            s = xp__parse_agree(comm, rank, use, io, &p, &retry, e);
        if (s == XP_OK && retry) {
            /* Read again, whole files only (xp__pieces_failed). */
            xp__part_free(&p);
            use = l;
            s = xp_agree(comm, xp__part_alloc(use, size, &p, e), e);
            int again = 0; /* whole files: never set */
            if (s == XP_OK)
                s = xp__parse_agree(comm, rank, use, io, &p, &again, e);
        }
        free(pl.v);
        if (o && o->pieces_kept)
            *o->pieces_kept = s == XP_OK && cut && !retry;
        if (s == XP_OK)
            s = xp__stats_total(comm, &p, st, e);
        sec[0] = xp__lap(&t);
        int local = 0;
        if (s == XP_OK && o && o->kept_local)
            s = xp__all_start(comm, &p, &local, e);
        if (s == XP_OK && local)
            s = xp_agree(comm, xp__keep_local(&p, out, e), e);
        else if (s == XP_OK)
            s = xp__gather(comm, rank, &p, xp__per_msg(o ? o->chunk_bytes : 0), out, e);
        if (o && o->kept_local)
            *o->kept_local = s == XP_OK && local;
        sec[1] = xp__lap(&t);
        /* Sorted files in list order: merged where they overlap in time. */
        xp_status s1 = s == XP_OK && rank == 0 && !local ? xp__merge(&p, out, e) : XP_OK;
        s = s == XP_OK ? xp_agree(comm, s1, e) : s;
        xp__part_free(&p);
        sec[2] = xp__lap(&t);
    }
    if (s != XP_OK)
        xp_recvec_free(out);
    for (int i = 0; o && o->seconds && i < 3; i++)
        o->seconds[i] += sec[i];
    return s;
}

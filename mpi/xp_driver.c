/*
 * xp_driver.c - the whole program in the paper's order (Procedure 1, §3.1):
 *
 *   read     (all)     the trace's files parsed by all ranks; connection
 *                      records stay where parsed, packets are gathered on
 *                      rank 0 in time order (xp_pingest.h)
 *   ingest   (all)     §2.1 activity, §2.2 b/c columns, window shards in
 *                      HDF5, each rank writing its own (rank 0 alone for
 *                      packets; reused when unchanged: then nothing is read)
 *   meta     (all)     collective parallel-HDF5 read of the column metadata
 *   count    (all)     pair co-occurrences of each rank's shards, §3
 *   reduce   (all)     MPI_Allreduce of the exact integer counts
 *   score    (all)     eq. (2) and the filters, §2.2; support, §2.3.2
 *   cluster  (all)     closure + recursive spectral partitioning, §3.1
 *   write    (all)     rules.jsonl formatted and written by all ranks,
 *                      each its slice; then clusters.json, summary.json
 *                      (rank 0);
 *                      the reports (up to four ranks)
 *
 * Every stage that can fail on one rank ends with xp_agree, so all ranks
 * stop together with the failing rank's message (no hang). Results depend
 * only on integer counts reduced exactly, so they are identical at any
 * rank count.
 */
#define _GNU_SOURCE
#include "xp_driver.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <mpi.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xp_activity.h"
#include "xp_cluster.h"
#include "xp_comm.h"
#include "xp_count.h"
#include "xp_input.h"
#include "xp_mem.h"
#include "xp_opts.h"
#include "xp_out.h"
#include "xp_pactivity.h"
#include "xp_pcluster.h"
#include "xp_pingest.h"
#include "xp_progress.h"
#include "xp_report.h"
#include "xp_report_names.h"
#include "xp_score.h"
#include "xp_select.h"
#include "xp_shard.h"
#include "xp_sort.h"
#include "xp_stop.h"
#include "xp_str.h"
#include "xp_support.h"

#define XP_VERSION "0.1.0"

enum { XP_ST_READ, XP_ST_ACTIVITY, XP_ST_SHARDS, XP_ST_META, XP_ST_COUNT, XP_ST_REDUCE,
       XP_ST_SCORE, XP_ST_SUPPORT, XP_ST_CLUSTER, XP_ST_WRITE, XP_NSTAGES };
static const char *const xp__stage_names[XP_NSTAGES] = {
    "read", "activity", "shards", "meta", "count", "reduce", "score", "support", "cluster",
    "write"};

typedef struct xp__ctx {
    MPI_Comm comm;
    int rank, size;
    xp_opts o;
    xp_err e;
    double t0, stage_t0;
    double stage_s[XP_NSTAGES];
    int fault_rank, fault_stage;
    xp_progress prog; /* rank 0's progress lines (off elsewhere and with --quiet) */
    int reports_failed; /* the mined result is complete; the reports are not */
    unsigned ablate; /* XP_ABL_* from XP_ABLATE (benchmarks only) */
    /* results */
    xp_input_stats in;
    int64_t ninputs;
    int reused;
    int npasses;
    xp_meta m;
    int have_meta;   /* m kept from building the shards: meta.h5 is not read back */
    xp_actmat *mine; /* this rank's shards */
    int64_t nmine;
    void *mine_block; /* all of mine's arrays when kept from building them */
    xp_colinfo *ci;
    xp_rules rules;
    xp_clustering cl;
    int have_cl;
    int64_t *rule_cluster;
    uint8_t *rule_cut;
} xp__ctx;

static void xp__log(const xp__ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xp__log(const xp__ctx *c, const char *fmt, ...)
{
    if (c->rank != 0 || c->o.quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "expose-mpi: [%7.2fs] ", MPI_Wtime() - c->t0);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void xp__stage_begin(xp__ctx *c) { c->stage_t0 = MPI_Wtime(); }

/* End of a stage: its time, a fault if one was asked for here, a signal or
 * the time limit. Not collective. */
static xp_status xp__stage_end(xp__ctx *c, int stage, xp_status s)
{
    c->stage_s[stage] += MPI_Wtime() - c->stage_t0;
    xp_progress_end(&c->prog);
    if (s != XP_OK)
        return s;
    if (c->fault_stage == stage && c->fault_rank == c->rank)
        return xp_err_set(&c->e, XP_FAULT, "injected fault at stage %s (XP_FAULT)",
                          xp__stage_names[stage]);
    xp_stop_pause(xp__stage_names[stage]);
    /* SIGTERM/SIGINT or --time-limit (mpi/xp_stop.h). meta.h5 is written at
     * the end of stage shards: from then on the shards are complete. */
    char where[64];
    snprintf(where, sizeof where, "after stage %s", xp__stage_names[stage]);
    return xp_stop_check(MPI_Wtime() - c->t0, c->o.time_limit, where, c->o.out,
                         c->reused || stage >= XP_ST_SHARDS, &c->e);
}

/* XP_FAULT=RANK:STAGE makes RANK fail at the end of STAGE (tests only). */
static void xp__fault_from_env(xp__ctx *c)
{
    c->fault_rank = c->fault_stage = -1;
    const char *f = getenv("XP_FAULT");
    if (f == NULL)
        return;
    const char *colon = strchr(f, ':');
    if (colon == NULL)
        return;
    c->fault_rank = atoi(f);
    for (int s = 0; s < XP_NSTAGES; s++)
        if (strcmp(colon + 1, xp__stage_names[s]) == 0)
            c->fault_stage = s;
    if (strcmp(colon + 1, "reports") == 0) /* in the reports' gather (xp__report_gather) */
        c->fault_stage = XP_NSTAGES;
}

static xp_status xp__mkdirs(const char *dir, xp_err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return xp_err_set(e, XP_IO, "%s: cannot create directory: %s", path, strerror(errno));
        *p = '/';
    }
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return xp_err_set(e, XP_IO, "%s: cannot create directory: %s", path, strerror(errno));
    return XP_OK;
}

/* ---------------------------------------------------------------- ingest (rank 0) */

/* What the shards were made from: format, parameters that shape them, and
 * every input file with its size and modification time (issue: restart). */
static char *xp__fingerprint(const xp__ctx *c, const xp_input_list *l)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    /* "select" names the top-K rule; change it when the selection changes. */
    fprintf(f, "expose-mpi shards v%d; select=2 window=%.17g top-k=%lld max-presence=%.17g "
               "paper=%d beta=%lld port-min-flows=%lld idle-gap=%.17g shards=%lld ablate=%u\n",
            XP_SHARD_FORMAT_VERSION, c->o.window, (long long)c->o.top_k, c->o.max_presence,
            c->o.paper, (long long)c->o.beta, (long long)c->o.port_min_flows, c->o.idle_gap,
            (long long)c->o.shards, c->ablate);
    for (int64_t i = 0; i < l->n; i++)
        fprintf(f, "%s %lld %lld\n", l->v[i].path, (long long)l->v[i].size,
                (long long)l->v[i].mtime_ns);
    fclose(f);
    return buf;
}

static void xp__warn(void *ctx, const char *msg)
{
    xp__ctx *c = ctx;
    xp_progress_clear(&c->prog);
    if (!c->o.quiet)
        fprintf(stderr, "expose-mpi: warning: %s\n", msg);
}

/* The trace read by every rank (mpi/xp_pingest.h): rank 0's list goes to
 * all, each rank parses its share of the files. Connection records stay
 * where they were parsed (*local = 1) for the activity built by all ranks;
 * packets go to rank 0 in time order, as if it had read them alone.
 * Collective; status agreed. */
static xp_status xp__read_trace(xp__ctx *c, xp_input_list *l, const xp_input_opts *io,
                                xp_recvec *rv, int *local)
{
    xp__stage_begin(c);
    xp_status s = c->size > 1 ? xp_pingest_bcast_list(c->comm, l, &c->e) : XP_OK;
    xp_pingest_opts po = {io, 0, NULL, 0, NULL, local};
    if (s == XP_OK)
        s = xp_pingest_read(c->comm, l, &po, rv, &c->in, &c->e);
    s = xp_agree(c->comm, xp__stage_end(c, XP_ST_READ, s), &c->e);
    if (s != XP_OK)
        xp_recvec_free(rv);
    return s;
}

static void xp__log_activity(const xp__ctx *c, const xp_activity *a)
{
    xp__log(c, "read %lld records from %lld files", (long long)c->in.records,
            (long long)c->ninputs);
    xp__log(c, "%lld windows, %lld flows, %lld generics", (long long)a->nwindows,
            (long long)a->nflows, (long long)a->ngenerics);
}

/* Top K and the dominant objects out (§2.2 b, c), on the activity's counts. */
static xp_status xp__columns(xp__ctx *c, const xp_activity *a, xp_meta *m, int32_t **colmap)
{
    /* A generic needs support > beta clients (§2.3.2): hub_clients is the
     * least client count at which a generic can make rules. */
    xp_select_opts so = {c->o.top_k, c->o.max_presence, c->o.paper, c->o.beta + 1, c->ablate};
    xp_status s = xp_select_columns(a, &so, m, colmap, &c->e);
    m->records = c->in.records; /* records read, not only those used */
    return s;
}

/* The shards each rank counts: contiguous blocks of about equal work, each
 * shard to the rank whose share of the total work holds its midpoint (all
 * zero: equal blocks). Rank q counts shards first[q] .. first[q + 1] - 1
 * (first has size + 1 entries). */
static void xp__shard_ranks(const xp_meta *m, int size, int64_t *first)
{
    int64_t total = 0, run = 0;
    for (int64_t k = 0; k < m->nshards; k++)
        total += m->shard_work[k];
    int q = 0;
    first[0] = 0;
    for (int64_t k = 0; k < m->nshards; k++) {
        double mid = (double)run + 0.5 * (double)m->shard_work[k];
        int owner = total > 0 ? (int)(mid * size / (double)total) : (int)(k * size / m->nshards);
        owner = owner >= size ? size - 1 : owner; /* never decreases with k */
        while (q < owner)
            first[++q] = k;
        run += m->shard_work[k];
    }
    while (q < size)
        first[++q] = m->nshards;
}

/* Shards k0..k1-1 of m, written from a's entries (Procedure 1, line 2).
 * keep: they are this rank's shards, kept as c->mine for counting rather
 * than read back from the files just written (the reading cost 13-20 ms of
 * a 0.4 s run, docs/shards.md), and a's entries are used up as they are
 * (xp_select_actmats); else each is freed once written. */
static xp_status xp__write_shards(xp__ctx *c, xp_activity *a, const int32_t *colmap,
                                  const xp_meta *m, int64_t k0, int64_t k1, int keep)
{
    xp_actmat *am = calloc((size_t)(k1 > k0 ? k1 - k0 : 1), sizeof *am);
    if (am == NULL)
        return xp_err_set(&c->e, XP_NOMEM, "out of memory for shard handles");
    void *blk = NULL;
    xp_status s = XP_OK;
    if (keep)
        s = xp_select_actmats(a, colmap, m->shard_w, k0, k1, 1, am, &blk, &c->e);
    xp_progress_begin(&c->prog, "shards", "shards", k1 - k0);
    xp_progress_aside(&c->prog, "windows", m->shard_w[k1] - m->shard_w[k0]);
    for (int64_t k = k0; s == XP_OK && k < k1; k++) {
        if (!keep) /* one at a time */
            s = xp_select_actmats(a, colmap, m->shard_w, k, k + 1, 0, &am[k - k0], &blk, &c->e);
        if (s == XP_OK)
            s = xp_shard_write(c->o.out, k, &am[k - k0], &c->e);
        if (!keep) {
            free(blk);
            blk = NULL;
        }
        xp_progress_update2(&c->prog, k + 1 - k0, m->shard_w[k + 1] - m->shard_w[k0]);
    }
    if (s == XP_OK && keep) {
        c->mine = am;
        c->nmine = k1 - k0;
        c->mine_block = blk;
    } else {
        free(am);
        free(blk);
    }
    return s;
}

/* Trace -> activity -> columns -> shards on rank 0 alone (packets). */
static xp_status xp__shards_rank0(xp__ctx *c, xp_recvec *rv, const char *fp)
{
    xp_activity a;
    xp_activity_opts ao = {c->o.window, c->o.port_min_flows, c->o.idle_gap};
    xp__stage_begin(c);
    xp_status s = xp_activity_build(rv->v, rv->n, &ao, &a, &c->e);
    xp_recvec_free(rv);
    s = xp__stage_end(c, XP_ST_ACTIVITY, s);
    if (s != XP_OK)
        return s;
    xp__log_activity(c, &a);
    xp__stage_begin(c);
    int32_t *colmap = NULL;
    xp_meta m = {0};
    s = xp__columns(c, &a, &m, &colmap);
    if (s == XP_OK)
        s = xp_select_shards(&a, colmap, c->o.shards, &m, &c->e);
    if (s == XP_OK)
        s = xp__write_shards(c, &a, colmap, &m, 0, m.nshards, c->size == 1);
    if (s == XP_OK)
        s = xp_shard_write_meta(c->o.out, &m, fp, &c->e);
    free(colmap);
    xp_activity_free(&a);
    /* Alone, rank 0 keeps the meta it made; else the other ranks read it
     * from meta.h5. */
    if (s == XP_OK && c->size == 1) {
        c->m = m;
        c->have_meta = 1;
    } else {
        xp_meta_free(&m);
    }
    return xp__stage_end(c, XP_ST_SHARDS, s);
}

/* The shards of m from the activity spread over the ranks (bounds: its
 * window ranges): the shards planned on the summed work of every window,
 * each rank's range moved to shard boundaries, each rank writing its own
 * shards, then rank 0 the meta file. Collective; status agreed. */
static xp_status xp__shards_spread(xp__ctx *c, xp_activity *a, const int32_t *colmap,
                                   const int64_t *bounds, xp_meta *m)
{
    int64_t W = a->nwindows;
    int64_t *work = calloc((size_t)W + 1, sizeof *work);
    int64_t *to = calloc((size_t)c->size + 1, sizeof *to);
    int64_t *first = calloc((size_t)c->size + 1, sizeof *first);
    xp_status s =
        work && to && first ? XP_OK : xp_err_set(&c->e, XP_NOMEM, "out of memory planning shards");
    if (s == XP_OK)
        xp_select_window_work(a, colmap, bounds[c->rank], bounds[c->rank + 1], work);
    s = xp_agree(c->comm, s, &c->e);
    if (s == XP_OK)
        s = xp_allreduce_i64(c->comm, work, W, MPI_SUM, &c->e);
    if (s == XP_OK) /* the same work on every rank: the same shards */
        s = xp_agree(c->comm, xp_select_shards_work(work, W, c->o.shards, m, &c->e), &c->e);
    if (s == XP_OK) {
        /* Each rank writes the shards it will count (xp__shard_ranks), from
         * their windows moved to it: it reads back its own files. */
        xp__shard_ranks(m, c->size, first);
        for (int q = 0; q <= c->size; q++)
            to[q] = m->shard_w[first[q]];
        s = xp_pactivity_move(c->comm, a, to, &c->e);
    }
    if (s == XP_OK)
        s = xp_agree(c->comm,
                     xp__write_shards(c, a, colmap, m, first[c->rank], first[c->rank + 1], 1),
                     &c->e);
    free(work);
    free(to);
    free(first);
    return s;
}

/* Trace -> activity -> columns -> shards by every rank (mpi/xp_pactivity.h):
 * each rank holds the connection records it parsed. Collective. */
static xp_status xp__shards_all(xp__ctx *c, xp_recvec *rv, const char *fp)
{
    xp_activity a;
    xp_activity_opts ao = {c->o.window, c->o.port_min_flows, c->o.idle_gap};
    int64_t *bounds = calloc((size_t)c->size + 1, sizeof *bounds);
    xp__stage_begin(c);
    xp_status s = bounds ? XP_OK : xp_err_set(&c->e, XP_NOMEM, "out of memory for rank ranges");
    s = xp_agree(c->comm, s, &c->e);
    if (s == XP_OK)
        s = xp_pactivity_build(c->comm, rv->v, rv->n, &ao, &a, bounds, &c->e);
    xp_recvec_free(rv);
    s = xp_agree(c->comm, xp__stage_end(c, XP_ST_ACTIVITY, s), &c->e);
    if (s != XP_OK) {
        free(bounds);
        return s;
    }
    xp__log_activity(c, &a);
    xp__stage_begin(c);
    int32_t *colmap = NULL;
    xp_meta m = {0};
    /* Every rank selects from the same summed counts: the same columns. */
    s = xp_agree(c->comm, xp__columns(c, &a, &m, &colmap), &c->e);
    if (s == XP_OK)
        s = xp__shards_spread(c, &a, colmap, bounds, &m);
    if (s == XP_OK && c->rank == 0)
        s = xp_shard_write_meta(c->o.out, &m, fp, &c->e);
    free(colmap);
    free(bounds);
    xp_activity_free(&a);
    s = xp_agree(c->comm, xp__stage_end(c, XP_ST_SHARDS, s), &c->e);
    /* Every rank made the same m (the same summed counts, the same plan):
     * kept, it need not be read back from meta.h5 (xp__run). */
    if (s == XP_OK) {
        c->m = m;
        c->have_meta = 1;
    } else {
        xp_meta_free(&m);
    }
    return s;
}

/* Trace -> activity -> columns -> shards (Procedure 1, lines 1-2).
 * Collective: all ranks read (rank 0 passes the list); connection records
 * are then mined into shards by all ranks, packets by rank 0. */
static xp_status xp__build_shards(xp__ctx *c, xp_input_list *l, const char *fp)
{
    xp_recvec rv = {0};
    xp_input_opts io = {.skip_bad = c->o.skip_bad,
                        .warn = xp__warn,
                        .warn_ctx = c,
                        .progress = xp_progress_bytes_cb,
                        .progress_ctx = &c->prog};
    int64_t bytes = 0;
    int local = 0;
    for (int64_t i = 0; i < l->n; i++)
        bytes += l->v[i].size;
    xp_progress_begin(&c->prog, "read", NULL, bytes);
    xp_status s = xp__read_trace(c, l, &io, &rv, &local);
    if (s == XP_OK && local)
        return xp__shards_all(c, &rv, fp);
    if (s != XP_OK || c->rank != 0)
        return s; /* the rest is rank 0's */
    return xp__shards_rank0(c, &rv, fp);
}

/* Rank 0: the input list and its fingerprint; *build says whether the
 * shards must be made (else they are reused). */
static xp_status xp__ingest_plan(xp__ctx *c, xp_input_list *lp, char **fpp, int *build)
{
    xp_input_list l = {0};
    int64_t nskip = 0;
    xp_status s = xp__mkdirs(c->o.out, &c->e);
    if (s == XP_OK)
        s = xp_input_list_make(c->o.inputs, c->o.ninputs, &l, &nskip, &c->e);
    if (s != XP_OK)
        return s;
    c->ninputs = l.n;
    char *fp = xp__fingerprint(c, &l);
    if (fp == NULL) {
        xp_input_list_free(&l);
        return xp_err_set(&c->e, XP_NOMEM, "out of memory for the input fingerprint");
    }
    int reusable = 0;
    if (!c->o.rebuild)
        s = xp_shard_probe(c->o.out, fp, &reusable, &c->e);
    if (s == XP_OK && reusable) {
        c->reused = 1;
        xp__log(c, "reusing the shards in %s/shards (same inputs and parameters)", c->o.out);
    } else if (s == XP_OK) {
        s = xp_shard_remove_all(c->o.out, &c->e);
        *build = s == XP_OK;
    }
    *lp = l;
    *fpp = fp;
    return s;
}

/* Collective: rank 0 plans (xp__ingest_plan), every rank takes part in
 * reading the trace when the shards are to be built. */
static xp_status xp__ingest(xp__ctx *c)
{
    xp_input_list l = {0};
    char *fp = NULL;
    int build = 0;
    xp_status s = c->rank == 0 ? xp__ingest_plan(c, &l, &fp, &build) : XP_OK;
    s = xp_agree(c->comm, s, &c->e);
    if (s == XP_OK)
        s = xp_mpi_check(MPI_Bcast(&build, 1, MPI_INT, 0, c->comm), "MPI_Bcast", &c->e);
    if (s == XP_OK && build)
        s = xp__build_shards(c, &l, fp);
    free(fp);
    xp_input_list_free(&l);
    return s;
}

/* ---------------------------------------------------------------- counting (all) */

/* This rank's shards, read from their files unless kept from building them
 * (xp__write_shards). */
static xp_status xp__load_mine(xp__ctx *c)
{
    if (c->mine != NULL)
        return XP_OK;
    int64_t *first = calloc((size_t)c->size + 1, sizeof *first);
    if (first == NULL)
        return xp_err_set(&c->e, XP_NOMEM, "out of memory for shard ranges");
    xp__shard_ranks(&c->m, c->size, first);
    int64_t lo = first[c->rank], hi = first[c->rank + 1];
    free(first);
    c->nmine = hi - lo;
    c->mine = calloc((size_t)(c->nmine ? c->nmine : 1), sizeof *c->mine);
    if (c->mine == NULL)
        return xp_err_set(&c->e, XP_NOMEM, "out of memory for shard handles");
    for (int64_t k = lo; k < hi; k++)
        XP_CALL(xp_shard_read(c->o.out, k, c->m.ncols, &c->mine[k - lo], &c->e));
    return XP_OK;
}

/* Progress over this rank's shards (stage "count" or "support"): rank 0
 * shows its own share, a fair clock for all ranks as the shards are
 * balanced by counting work; so shards, not windows, give the time left. */
static void xp__shards_progress_begin(xp__ctx *c, const char *stage)
{
    int64_t n = 0;
    for (int64_t i = 0; i < c->nmine; i++)
        n += c->mine[i].w1 - c->mine[i].w0;
    xp_progress_begin(&c->prog, stage, "shards", c->nmine);
    xp_progress_aside(&c->prog, "windows", n);
}

/* This rank's shards are done with once support is known (xp__mine): the
 * clustering and the writing that follow hold the run's peak memory. */
static void xp__free_mine(xp__ctx *c)
{
    for (int64_t i = 0; c->mine_block == NULL && i < c->nmine; i++)
        xp_actmat_free(&c->mine[i]);
    free(c->mine_block);
    free(c->mine);
    c->mine_block = NULL;
    c->mine = NULL;
    c->nmine = 0;
}

/* One counting pass over this rank's shards. */
static xp_status xp__count_pass(xp__ctx *c, int pass, xp_pairs *local)
{
    xp_counter *k = NULL;
    XP_CALL(xp_counter_create(c->ci, c->m.ncols, c->m.nhosts, pass, c->npasses, &k, &c->e));
    xp_counter_set_budget(k, c->o.mem_per_rank << 20);
    xp_status s = XP_OK;
    int64_t done = 0;
    xp__shards_progress_begin(c, "count");
    for (int64_t i = 0; s == XP_OK && i < c->nmine; i++) {
        s = xp_counter_add(k, &c->mine[i], &c->e);
        xp_progress_update2(&c->prog, i + 1, done += c->mine[i].w1 - c->mine[i].w0);
        if (s == XP_OK)
            s = xp_stop_check(MPI_Wtime() - c->t0, c->o.time_limit, "while counting", c->o.out, 1,
                              &c->e);
    }
    if (s != XP_OK) {
        xp_counter_destroy(&k);
        return s;
    }
    return xp_counter_finish(&k, local, &c->e);
}

/* Out of --mem-per-rank even at the most passes: say which option to raise,
 * and that the shards are complete (the option does not shape them). */
static xp_status xp__budget_final(xp__ctx *c)
{
    char why[sizeof c->e.msg];
    snprintf(why, sizeof why, "%s", c->e.msg);
    xp_err_clear(&c->e);
    return xp_err_set(&c->e, XP_BUDGET,
                      "%s, even in %d passes: raise --mem-per-rank; the shards in %s/shards "
                      "are complete: a re-run with the same inputs and options reuses them",
                      why, c->npasses, c->o.out);
}

/* Count, reduce and pre-score pass by pass; more passes when the pair
 * tables would outgrow --mem-per-rank on any rank. */
static xp_status xp__count_all(xp__ctx *c, xp_rules *acc)
{
    xp_score_opts so = {c->o.alpha, c->o.ratio, c->o.q_max, c->o.beta, c->o.paper,
                        c->ablate};
    for (c->npasses = 1;; c->npasses *= 2) {
        xp_status s = XP_OK;
        xp_rules_free(acc);
        for (int pass = 0; s == XP_OK && pass < c->npasses; pass++) {
            xp_pairs local = {0}, global = {0};
            xp__stage_begin(c);
            s = xp__stage_end(c, XP_ST_COUNT, xp__count_pass(c, pass, &local));
            s = xp_agree(c->comm, s, &c->e);
            if (s == XP_OK) {
                xp__stage_begin(c);
                s = xp__stage_end(c, XP_ST_REDUCE,
                                  xp_pairs_reduce(c->comm, &local, c->ci, &global, &c->e));
                s = xp_agree(c->comm, s, &c->e);
            }
            xp_pairs_free(&local);
            if (s == XP_OK) {
                /* Each rank scores its share of the pairs (in turns: xp_pairs_reduce). */
                xp_rules part = {0};
                xp__stage_begin(c);
                s = xp_score_pairs(&c->m, c->ci, &global, 0, global.n, &so, &part, &c->e);
                s = xp_agree(c->comm, s, &c->e);
                if (s == XP_OK)
                    s = xp_rules_allgather(c->comm, &part, acc, &c->e);
                /* Agreed: a stop seen here by one rank only would otherwise send the
                 * ranks into different collectives (the next pass vs. the end). */
                s = xp_agree(c->comm, xp__stage_end(c, XP_ST_SCORE, s), &c->e);
                xp_rules_free(&part);
            }
            xp_pairs_free(&global);
        }
        if (s == XP_BUDGET && (c->npasses >= (1 << 12) || c->npasses >= c->m.ncols))
            return xp__budget_final(c);
        if (s != XP_BUDGET)
            return s;
        xp__log(c, "pair counts exceed --mem-per-rank %lld MiB: counting in %d passes",
                (long long)c->o.mem_per_rank, c->npasses * 2);
        xp_err_clear(&c->e);
    }
}

/* Exact support (§2.3.2): per-rule client bitmaps OR-reduced over ranks. */
static xp_status xp__support(xp__ctx *c)
{
    xp_support sp;
    xp__stage_begin(c);
    xp_status s = xp_support_plan(&c->rules, c->m.ncols, c->m.nhosts, &sp, &c->e);
    int64_t done = 0;
    xp__shards_progress_begin(c, "support");
    for (int64_t i = 0; s == XP_OK && i < c->nmine; i++) {
        s = xp_support_add(&sp, c->ci, &c->mine[i], &c->e);
        xp_progress_update2(&c->prog, i + 1, done += c->mine[i].w1 - c->mine[i].w0);
    }
    s = xp_agree(c->comm, s, &c->e);
    if (s == XP_OK)
        s = xp_allreduce_bor(c->comm, sp.bits, sp.nreq * sp.nwords, &c->e);
    if (s == XP_OK) {
        xp_support_apply(&sp, &c->rules);
        xp_score_support_filter(&c->rules, c->o.beta);
    }
    xp_support_free(&sp);
    return xp__stage_end(c, XP_ST_SUPPORT, s);
}

static xp_status xp__mine(xp__ctx *c)
{
    xp_status s = xp_colinfo_make(&c->m, &c->ci, &c->e);
    if (s == XP_OK)
        s = xp__load_mine(c);
    s = xp_agree(c->comm, s, &c->e);
    if (s != XP_OK)
        return s;
    xp_rules acc = {0};
    s = xp__count_all(c, &acc);
    if (s == XP_OK) {
        xp_score_opts so = {c->o.alpha, c->o.ratio, c->o.q_max, c->o.beta, c->o.paper,
                        c->ablate};
        xp__stage_begin(c);
        s = xp__stage_end(c, XP_ST_SCORE, xp_score_finish(&acc, &so, &c->rules, &c->e));
    }
    xp_rules_free(&acc);
    s = xp_agree(c->comm, s, &c->e);
    if (s == XP_OK)
        s = xp_agree(c->comm, xp__support(c), &c->e);
    xp__free_mine(c);
    if (s == XP_OK)
        s = xp_out_sort_rules(&c->m, &c->rules, &c->e);
    return s;
}

/* ---------------------------------------------------------------- clustering */

static int64_t xp__node_of(const int64_t *nodes, int64_t n, int64_t key)
{
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        if (nodes[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The rule graph (§3.1): nodes are the column activities that appear in a
 * rule, in (column, activity) order; one edge per rule. Collective. */
static xp_status xp__cluster(xp__ctx *c, int64_t **nodes_out, int64_t *nnodes_out)
{
    int64_t n = c->rules.n, nn = 0;
    int64_t *nodes = malloc((size_t)(2 * n + 1) * sizeof *nodes);
    int64_t *src = malloc((size_t)(n + 1) * sizeof *src), *dst = malloc((size_t)(n + 1) * sizeof *dst);
    double *w = malloc((size_t)(n + 1) * sizeof *w);
    c->rule_cluster = malloc((size_t)(n + 1) * sizeof *c->rule_cluster);
    c->rule_cut = malloc((size_t)(n + 1));
    xp_status s = XP_OK;
    if (!nodes || !src || !dst || !w || !c->rule_cluster || !c->rule_cut)
        s = xp_err_set(&c->e, XP_NOMEM, "out of memory building the rule graph");
    for (int64_t i = 0; s == XP_OK && i < n; i++) {
        nodes[nn++] = 2 * (int64_t)c->rules.v[i].a + c->rules.v[i].act_a;
        nodes[nn++] = 2 * (int64_t)c->rules.v[i].b + c->rules.v[i].act_b;
    }
    if (s == XP_OK) {
        /* Node keys are non-negative: their uint64_t order is theirs. */
        xp_sort_u64((uint64_t *)nodes, nn);
        nn = xp_unique_u64((uint64_t *)nodes, nn);
        for (int64_t i = 0; i < n; i++) {
            const xp_rule *r = &c->rules.v[i];
            src[i] = xp__node_of(nodes, nn, 2 * (int64_t)r->a + r->act_a);
            dst[i] = xp__node_of(nodes, nn, 2 * (int64_t)r->b + r->act_b);
            w[i] = xp_rule_weight(r);
        }
    }
    /* Agree before the collective solver: no rank may enter it alone. */
    s = xp_agree(c->comm, s, &c->e);
    if (s == XP_OK) {
        xp_rulegraph g = {nn, n, src, dst, w};
        /* Bench hook (bench/README.md): the rule graph for cluster_bench. */
        const char *dump = getenv("XP_RULEGRAPH");
        if (dump != NULL && c->rank == 0)
            xp_rulegraph_write(&g, dump, NULL);
        xp_cluster_opts co;
        xp_cluster_opts_default(&co);
        co.min_split = c->o.min_split;
        co.tight = c->o.tight;
        co.max_cut = c->o.max_cut;
        /* The default splits along the normalised Laplacian's sweep cut;
         * --sign-split and --paper keep Procedure 2's sign split of L. */
        co.sweep = !c->o.sign_split && !c->o.paper;
        co.sparse_min = c->o.sparse_min;
        co.scalapack_min = c->o.scalapack_min;
        /* Progress: nodes placed in their final cluster. Rounds peel big
         * parts one at a time, so the time left is a rough guess. */
        co.progress = xp_progress_bytes_cb;
        co.progress_ctx = &c->prog;
        xp_progress_begin(&c->prog, "cluster", "nodes", nn);
        s = xp_pcluster_run(c->comm, &g, &co, &c->cl, &c->e);
        xp_progress_end(&c->prog);
    }
    if (s == XP_OK) {
        c->have_cl = 1;
        for (int64_t i = 0; i < n; i++) {
            c->rule_cluster[i] = c->cl.edge_cluster[i];
            c->rule_cut[i] = c->cl.edge_cut[i];
        }
    }
    free(src);
    free(dst);
    free(w);
    *nodes_out = nodes;
    *nnodes_out = nn;
    return s;
}

/* ---------------------------------------------------------------- output (rank 0) */

/* Items 0..n-1 with a bucket b[i] in [0, k) listed bucket by bucket, in
 * index order within each: ord[start[j] .. start[j + 1]) for bucket j (a
 * counting sort; the clusters' nodes and rules were found by scanning all
 * of them once per cluster: 587 x (4,048 + 21,454) on the 1000-client trace). */
static int xp__buckets(const int64_t *b, const uint8_t *skip, int64_t n, int64_t k, int64_t **start,
                       int64_t **ord)
{
    *start = calloc((size_t)k + 2, sizeof **start);
    *ord = malloc((size_t)(n ? n : 1) * sizeof **ord);
    if (*start == NULL || *ord == NULL)
        return -1;
    for (int64_t i = 0; i < n; i++)
        if (b[i] >= 0 && b[i] < k && !(skip && skip[i]))
            (*start)[b[i] + 2]++;
    for (int64_t j = 0; j < k; j++)
        (*start)[j + 2] += (*start)[j + 1];
    for (int64_t i = 0; i < n; i++) /* start[j + 1]: bucket j's cursor */
        if (b[i] >= 0 && b[i] < k && !(skip && skip[i]))
            (*ord)[(*start)[b[i] + 1]++] = i;
    return 0;
}

static xp_status xp__write_clusters(xp__ctx *c, const int64_t *nodes, int64_t nn)
{
    int64_t K = c->cl.nclusters, *ns = NULL, *no = NULL, *rs = NULL, *ro = NULL;
    if (xp__buckets(c->cl.node_cluster, NULL, nn, K, &ns, &no) != 0 ||
        xp__buckets(c->rule_cluster, c->rule_cut, c->rules.n, K, &rs, &ro) != 0) {
        free(ns), free(no), free(rs), free(ro);
        return xp_err_set(&c->e, XP_NOMEM, "out of memory listing %lld clusters", (long long)K);
    }
    FILE *f;
    xp_status s = xp_out_open(c->o.out, "clusters.json", &f, &c->e);
    for (int64_t k = 0; s == XP_OK && k < K; k++) {
        fputs(k ? ",\n {\"id\": " : "{\"clusters\": [\n {\"id\": ", f);
        xp_fput_int(f, k); /* not fprintf: src/xp_str.h says why */
        fputs(", \"score\": ", f);
        xp_fput_dbl(f, "%.10g", c->cl.cluster_score[k]);
        fputs(c->cl.cluster_spectral[k] ? ", \"spectral\": true, \"nodes\": ["
                                        : ", \"spectral\": false, \"nodes\": [",
              f);
        for (int64_t j = ns[k]; j < ns[k + 1]; j++) {
            char id[XP_SIDE_ID_MAX];
            int64_t v = no[j];
            fputs(j > ns[k] ? ", " : "", f);
            xp_out_json_string(
                f, xp_side_id(&c->m, (uint32_t)(nodes[v] / 2), (int)(nodes[v] % 2), id, sizeof id));
        }
        fputs("], \"rules\": [", f);
        for (int64_t j = rs[k]; j < rs[k + 1]; j++) {
            fputs(j > rs[k] ? ", " : "", f);
            xp_fput_int(f, ro[j]);
        }
        fputs("]}", f);
    }
    if (s == XP_OK) {
        fputs(K ? "\n], \"cut_rules\": [" : "{\"clusters\": [\n], \"cut_rules\": [", f);
        int first = 1;
        for (int64_t i = 0; i < c->rules.n; i++)
            if (c->rule_cut[i]) {
                fputs(first ? "" : ", ", f);
                xp_fput_int(f, i);
                first = 0;
            }
        fputs("]}\n", f);
        s = xp_out_close(f, c->o.out, "clusters.json", &c->e);
    }
    free(ns), free(no), free(rs), free(ro);
    return s;
}

static void xp__summary_body(FILE *f, const xp__ctx *c, int64_t peak)
{
    fprintf(f, "{\n \"version\": \"%s\",\n \"mode\": \"%s\",\n \"params\": {", XP_VERSION,
            c->o.paper ? "paper" : "default");
    xp_opts_json(f, &c->o);
    fprintf(f, "},\n \"ranks\": %d,\n \"windows\": %lld,\n \"trace_start\": %.6f,\n"
               " \"trace_end\": %.6f,\n \"records\": %lld,\n",
            c->size, (long long)c->m.nwindows, c->m.trace_start, c->m.trace_end,
            (long long)c->m.records);
    fprintf(f, " \"records_skipped\": {\"non_ip\": %lld, \"fragment\": %lld, \"truncated\": %lld, "
               "\"bad\": %lld, \"cut\": %lld},\n",
            (long long)c->in.skipped_nonip, (long long)c->in.skipped_fragment,
            (long long)c->in.skipped_truncated, (long long)c->in.skipped_bad,
            (long long)c->in.skipped_cut);
    fprintf(f, " \"input_files\": %lld,\n \"shards\": %lld,\n \"shards_reused\": %s,\n"
               " \"hosts\": %lld,\n \"flows\": %lld,\n \"generics\": %lld,\n"
               " \"dominant\": %lld,\n \"topk_cut\": %lld,\n \"columns\": %lld,\n"
               " \"client_windows\": %lld,\n \"passes\": %d,\n \"candidates\": %lld,\n"
               " \"rules\": %lld,\n \"clusters\": %lld,\n \"stage_seconds\": {",
            (long long)c->ninputs, (long long)c->m.nshards, c->reused ? "true" : "false",
            (long long)c->m.nhosts, (long long)c->m.nflows, (long long)c->m.ngenerics,
            (long long)c->m.ndominant, (long long)c->m.ntopk_cut, (long long)c->m.ncols,
            (long long)c->m.client_windows, c->npasses, (long long)c->rules.candidates,
            (long long)c->rules.n, (long long)(c->have_cl ? c->cl.nclusters : 0));
    for (int s = 0; s < XP_NSTAGES; s++)
        fprintf(f, "%s\"%s\": %.3f", s ? ", " : "", xp__stage_names[s], c->stage_s[s]);
    fprintf(f, "},\n \"total_seconds\": %.3f,\n \"peak_rss_bytes\": %lld\n}\n",
            MPI_Wtime() - c->t0, (long long)peak);
}

/* Rules per round of xp__write_rules: what the ranks format into memory
 * at once, about 600 bytes a line (5 MB). 65,536 (40 MB) set the peak RSS
 * of 2 ranks on rita-72h-rotated (63 k rules in one round): 103 -> 97 MiB
 * at 8,192, with the same time on the 1000-client 7-hour trace
 * (bench/README.md). XP_ROUND_RULES=N sets it (tests: many rounds, rounds
 * with fewer rules than ranks; tests/mpi/ranks_identical.sh). */
static int64_t xp__round_rules(void)
{
    const char *v = getenv("XP_ROUND_RULES");
    long long n = v ? atoll(v) : 0;
    return n > 0 ? (int64_t)n : 8192;
}

/* n bytes of buf at off in fd, through short writes and EINTR; 0 or errno. */
static int xp__pwrite_all(int fd, const char *buf, size_t n, off_t off)
{
    while (n > 0) {
        ssize_t k = pwrite(fd, buf, n, off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k < 0 ? errno : EIO;
        buf += k;
        n -= (size_t)k;
        off += k;
    }
    return 0;
}

/* One round: this rank's rules lo..hi-1 formatted into mb, then written at
 * their place in the file: *at (the round's start) plus the lengths of the
 * lower ranks' slices (one MPI_Allgather of the lengths); *at moves past
 * the round. A rank that failed (*s set) writes nothing and says 0 bytes:
 * the file is then cut, and the caller's agreement removes it. */
static xp_status xp__rules_round(xp__ctx *c, int fd, int64_t lo, int64_t hi, xp_out_mem *mb,
                                 int64_t *len, int64_t *at, xp_status *s)
{
    const xp_rule_clusters rc = {c->have_cl ? c->rule_cluster : NULL, c->rule_cut};
    FILE *ms = NULL;
    mb->n = 0;
    if (*s == XP_OK && (ms = xp_out_memfile(mb, (size_t)(hi - lo) * 640)) != NULL) {
        xp_out_rule_lines(ms, &c->m, &c->rules, lo, hi, &rc, c->o.paper);
        if (fclose(ms) != 0)
            ms = NULL;
    }
    if (*s == XP_OK && ms == NULL)
        *s = xp_err_set(&c->e, XP_NOMEM, "out of memory formatting rules %lld-%lld of rules.jsonl",
                        (long long)lo, (long long)hi - 1);
    int64_t n = *s == XP_OK ? (int64_t)mb->n : 0, off = *at;
    xp_status g = xp_mpi_check(MPI_Allgather(&n, 1, MPI_INT64_T, len, 1, MPI_INT64_T, c->comm),
                               "MPI_Allgather (rules.jsonl)", &c->e);
    for (int q = 0; g == XP_OK && q < c->size; q++) {
        off += q < c->rank ? len[q] : 0;
        *at += len[q];
    }
    int err = g == XP_OK && n > 0 ? xp__pwrite_all(fd, mb->p, (size_t)n, (off_t)off) : 0;
    if (err != 0 && *s == XP_OK)
        *s = xp_err_set(&c->e, XP_IO, "%s/rules.jsonl.tmp: write failed: %s", c->o.out,
                        strerror(err));
    return g;
}

/*
 * rules.jsonl.tmp written by every rank: in rounds of xp__round_rules(),
 * each rank formats a contiguous slice of the round into memory and writes
 * it at its offset (pwrite): the same bytes as one rank writing them all.
 * Rank 0 used to gather the slices and write the whole file itself, 4-7 ms
 * of a 0.35 s run at 2 ranks that the other ranks spent waiting, and one
 * rank writing through stdio took 35 ms against 25 now (bench/README.md).
 * The output directory is shared by the ranks already (each writes its own
 * shards there); the slices are disjoint byte ranges of one file, as POSIX
 * file systems keep them (tested on ext4 and tmpfs). Collective; the
 * status is not agreed (the caller agrees, then rank 0 commits or removes
 * the .tmp, after every rank has closed it).
 */
static xp_status xp__write_rules(xp__ctx *c)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/rules.jsonl.tmp", c->o.out);
    int fd = -1;
    xp_status s = XP_OK;
    /* Rank 0 creates it empty, then the others open it. */
    if (c->rank == 0 && (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0)
        s = xp_err_set(&c->e, XP_IO, "%s: cannot create: %s", path, strerror(errno));
    s = xp_agree(c->comm, s, &c->e);
    if (s != XP_OK) {
        if (fd >= 0)
            close(fd);
        return s;
    }
    xp_status mine = XP_OK;
    if (c->rank != 0 && (fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
        mine = xp_err_set(&c->e, XP_IO, "%s: cannot open: %s", path, strerror(errno));
    int64_t *len = malloc((size_t)c->size * sizeof *len), at = 0;
    if (len == NULL) /* the rounds' collectives need it: agreed before them */
        mine = xp_err_set(&c->e, XP_NOMEM, "out of memory writing rules.jsonl");
    s = xp_agree(c->comm, mine, &c->e);
    xp_out_mem mb = {NULL, 0, 0};
    int64_t n = c->rules.n, round = xp__round_rules();
    /* Every rank takes part in every round, failed or not: the rounds'
     * gathers are collective. */
    for (int64_t base = 0; s == XP_OK && base < n; base += round) {
        int64_t m = n - base < round ? n - base : round;
        int64_t lo = base + m * c->rank / c->size, hi = base + m * (c->rank + 1) / c->size;
        s = xp__rules_round(c, fd, lo, hi, &mb, len, &at, &mine);
    }
    s = s == XP_OK ? mine : s;
    free(mb.p);
    free(len);
    if (fd >= 0 && close(fd) != 0 && s == XP_OK) /* NFS reports write errors here */
        s = xp_err_set(&c->e, XP_IO, "%s: write failed: %s", path, strerror(errno));
    return s;
}

/* The rest of the results, on rank 0, once rules.jsonl.tmp is written. */
static xp_status xp__write(xp__ctx *c, const int64_t *nodes, int64_t nn, int64_t peak)
{
    XP_CALL(xp__write_clusters(c, nodes, nn));
    FILE *f;
    XP_CALL(xp_out_open(c->o.out, "summary.json", &f, &c->e));
    xp__summary_body(f, c, peak);
    return xp_out_close(f, c->o.out, "summary.json", &c->e);
}

/* Rename the results written by xp__write into place, or, when the run
 * failed or was stopped by the end of the write stage, remove them: a
 * failed run leaves nothing that looks complete (tests/mpi/fault.sh). */
static xp_status xp__commit(xp__ctx *c, xp_status s)
{
    /* summary.json goes last: its presence says the run completed. */
    const char *names[] = {"rules.jsonl", "clusters.json", "summary.json"};
    if (s == XP_OK)
        return xp_out_commit(c->o.out, names, 3, &c->e);
    for (int i = 0; i < 3; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s.tmp", c->o.out, names[i]);
        unlink(p);
    }
    return s;
}

/* The report files this rank writes: each file, costliest first, to the
 * least loaded of the first min(size, 4) ranks. Costs are the files' times
 * in ms on 21,454 rules (1000 clients x 7 h, 2-core VM, printf-free
 * writers: report.html 51, graph.graphml 42, report.txt 20, graph.dot 9;
 * every rank also loads the results: 74 alone, each rank parsing its part
 * of rules.jsonl). At 2 ranks: rank 0 report.html and graph.dot, rank 1
 * graph.graphml and report.txt. */
static unsigned xp__report_share(int rank, int size)
{
    static const struct {
        unsigned bit;
        int cost;
    } part[] = {
        {XP_REPORT_HTML, 51}, {XP_REPORT_GRAPHML, 42}, {XP_REPORT_TXT, 20}, {XP_REPORT_DOT, 9}};
    int load[4] = {0, 0, 0, 0}, n = size < 4 ? size : 4;
    unsigned mine = 0;
    for (int k = 0; k < 4; k++) {
        int q = 0;
        for (int r = 1; r < n; r++)
            q = load[r] < load[q] ? r : q;
        load[q] += part[k].cost;
        mine |= q == rank ? part[k].bit : 0;
    }
    return mine;
}

/* xp_report_opts.gather: every rank's part of the reports' rules, in rank
 * order, on every rank. Collective; the status is agreed first, so that a
 * rank whose part did not parse stops them all with its message. */
static xp_status xp__report_gather(void *ctx, xp_status s, const void *mine, size_t n, size_t size,
                                   void **all, size_t *nall, xp_err *e)
{
    xp__ctx *c = ctx;
    int64_t na = 0;
    *all = NULL;
    *nall = 0;
    if (s == XP_OK && c->fault_stage == XP_NSTAGES && c->fault_rank == c->rank)
        s = xp_err_set(e, XP_FAULT, "injected fault at the reports' rules (XP_FAULT)");
    XP_CALL(xp_agree(c->comm, s, e));
    XP_CALL(xp_allgather_items(c->comm, mine, (int64_t)n, size, all, &na, "rules for the reports",
                               "use --no-reports and expose-report", e));
    *nall = (size_t)na;
    return XP_OK;
}

/*
 * The reports (report.txt, report.html, graph.*; docs/outputs.md) made
 * from the rules.jsonl and clusters.json just committed, by the code of
 * expose-report, written by up to four ranks at once (xp__report_share);
 * rank 0 puts them all in place once every part is written. Collective
 * (all ranks agree on the outcome). The mined result is complete by then,
 * so a failure says so, and the program exits with status 3 rather than 1.
 */
static xp_status xp__reports(xp__ctx *c)
{
    double t = MPI_Wtime();
    xp_report_opts ro = {.names_path = c->o.names[0] ? c->o.names : NULL,
                         .warn = xp__warn,
                         .warn_ctx = c,
                         .part = c->rank,
                         .parts = c->size,
                         .gather = xp__report_gather,
                         .gather_ctx = c};
    /* Every rank parses its part of rules.jsonl (xp__report_gather), also
     * those that write no file. */
    unsigned which = xp__report_share(c->rank, c->size);
    xp_status s = xp_report_write_tmp(c->o.out, &ro, which, &c->e);
    s = xp_agree(c->comm, s, &c->e);
    if (c->rank == 0) {
        if (s == XP_OK)
            s = xp_report_commit(c->o.out, &c->e);
        if (s != XP_OK)
            xp_report_abort(c->o.out);
        if (s == XP_OK)
            xp__log(c, "wrote the reports in %.2f s: %s/report.txt, report.html, graph.*",
                    MPI_Wtime() - t, c->o.out);
    }
    s = xp_agree(c->comm, s, &c->e);
    if (s != XP_OK) {
        char why[sizeof c->e.msg];
        snprintf(why, sizeof why, "%s", c->e.msg);
        c->reports_failed = 1;
        xp_err_clear(&c->e);
        xp_err_set(&c->e, s, "reports not written: %s (rules.jsonl, clusters.json and "
                             "summary.json in %s are complete; `expose-report%s%s %s` "
                             "makes the reports from them)",
                   why, c->o.out, c->o.names[0] ? " --names " : "", c->o.names, c->o.out);
    }
    return s;
}

/* Remove results of an earlier run before starting, so that a failed run
 * never leaves an older complete-looking result behind. */
static void xp__remove_old(const xp__ctx *c)
{
    xp_report_remove(c->o.out);
    const char *names[] = {"summary.json", "rules.jsonl", "clusters.json"};
    for (int i = 0; i < 3; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", c->o.out, names[i]);
        unlink(p);
    }
}

static int64_t xp__rss(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (int64_t)ru.ru_maxrss * 1024;
}

/* ---------------------------------------------------------------- main */

static xp_status xp__run(xp__ctx *c)
{
    xp_status s = XP_OK;
    if (c->rank == 0)
        xp__remove_old(c);
    s = xp__ingest(c);
    s = xp_agree(c->comm, s, &c->e);
    if (s != XP_OK)
        return s;
    xp__stage_begin(c);
    char *fp = NULL;
    /* Read back (collectively, MPI-IO) unless every rank kept it. */
    if (!c->have_meta)
        s = xp_shard_read_meta(c->comm, c->o.out, &c->m, &fp, &c->e);
    free(fp);
    s = xp_agree(c->comm, xp__stage_end(c, XP_ST_META, s), &c->e);
    if (s != XP_OK)
        return s;
    xp__log(c, "mining %lld columns over %lld windows in %lld shards on %d rank%s",
            (long long)c->m.ncols, (long long)c->m.nwindows, (long long)c->m.nshards, c->size,
            c->size == 1 ? "" : "s");
    s = xp__mine(c);
    s = xp_agree(c->comm, s, &c->e);
    if (s != XP_OK)
        return s;
    xp__log(c, "%lld rules from %lld candidates", (long long)c->rules.n,
            (long long)c->rules.candidates);
    int64_t *nodes = NULL, nn = 0;
    xp__stage_begin(c);
    s = xp__stage_end(c, XP_ST_CLUSTER, xp__cluster(c, &nodes, &nn));
    s = xp_agree(c->comm, s, &c->e);
    if (s == XP_OK) {
        xp__stage_begin(c);
        s = xp_agree(c->comm, xp__stage_end(c, XP_ST_WRITE, xp__write_rules(c)), &c->e);
    }
    int64_t peak = xp__rss();
    if (s == XP_OK)
        s = xp_allreduce_i64(c->comm, &peak, 1, MPI_MAX, &c->e);
    /* Rank 0 commits, or removes every .tmp when a rank failed. */
    if (c->rank == 0)
        s = xp__commit(c, s == XP_OK ? xp__write(c, nodes, nn, peak) : s);
    free(nodes);
    s = xp_agree(c->comm, s, &c->e);
    if (s == XP_OK)
        xp__log(c, "wrote %s/rules.jsonl: %lld rules in %lld clusters", c->o.out,
                (long long)c->rules.n, (long long)c->cl.nclusters);
    return s == XP_OK && !c->o.no_reports ? xp__reports(c) : s;
}

static void xp__ctx_free(xp__ctx *c)
{
    xp__free_mine(c);
    free(c->ci);
    xp_rules_free(&c->rules);
    xp_clustering_free(&c->cl);
    free(c->rule_cluster);
    free(c->rule_cut);
    xp_meta_free(&c->m);
    xp_opts_release(&c->o);
}

/* Rank from the launcher's environment, before MPI_Init (for messages). */
static int xp__env_rank(void)
{
    const char *v[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "SLURM_PROCID", "PMI_RANK"};
    for (int i = 0; i < 4; i++)
        if (getenv(v[i]))
            return atoi(getenv(v[i]));
    return 0;
}

/*
 * XP_ABLATE=name,name...: turn default-mode choices off one by one
 * (XP_ABL_* in xp_trace.h; bench/run-ablation.sh, docs/statistics.md).
 */
static xp_status xp__ablate_from_env(xp__ctx *c)
{
    static const char *const names[] = {"cwdom", "ranknew", "hub", "fdr", "ppnew", "cwtest"};
    const char *v = getenv("XP_ABLATE");
    for (const char *p = v; p != NULL && *p != '\0';) {
        size_t n = strcspn(p, ",");
        size_t i = 0;
        while (i < sizeof names / sizeof *names &&
               (strlen(names[i]) != n || strncmp(names[i], p, n) != 0))
            i++;
        if (i == sizeof names / sizeof *names)
            return xp_err_set(&c->e, XP_ARG,
                              "XP_ABLATE: unknown name '%.*s' (known: cwdom, ranknew, hub, "
                              "fdr, ppnew, cwtest)", (int)n, p);
        c->ablate |= 1u << i;
        p += n + (p[n] == ',');
    }
    return XP_OK;
}

/* --names FILE is checked before anything runs, like the other options:
 * a bad line fails now, not after hours of mining. Every rank reads it
 * (before MPI_Init, as the options are parsed), so all stop together. */
static xp_status xp__check_names(xp__ctx *c)
{
    xp_names *n = NULL;
    xp_status s = c->o.names[0] ? xp_names_load(c->o.names, &n, &c->e) : XP_OK;
    xp_names_free(n);
    return s;
}

/* Rank 0's progress: a self-overwriting line on a terminal, a line every
 * few seconds in a file, none with --quiet. XP_PROGRESS_INTERVAL=SECONDS
 * replaces the interval (tests only). */
static void xp__progress_setup(xp__ctx *c)
{
    const char *iv = getenv("XP_PROGRESS_INTERVAL");
    xp_progress_mode mode = c->rank == 0 ? xp_progress_mode_for(stderr, c->o.quiet)
                                         : XP_PROGRESS_OFF;
    xp_progress_init(&c->prog, stderr, mode, iv ? atof(iv) : 0, "expose-mpi: ");
}

int xp_driver_main(int argc, char **argv)
{
    xp__ctx c;
    memset(&c, 0, sizeof c);
    xp_err_clear(&c.e);
    xp_opts_defaults(&c.o);
    if (xp_opts_parse(&c.o, argc, argv, &c.e) != XP_OK) {
        if (xp__env_rank() == 0)
            fprintf(stderr, "expose-mpi: %s\n", c.e.msg);
        xp_opts_release(&c.o);
        return 2;
    }
    if (c.o.help || c.o.version) {
        if (xp__env_rank() == 0) {
            if (c.o.help)
                xp_opts_help(stdout, "expose-mpi");
            else
                printf("expose-mpi %s\n", XP_VERSION);
        }
        xp_opts_release(&c.o);
        return 0;
    }
    if (xp__check_names(&c) != XP_OK) {
        if (xp__env_rank() == 0)
            fprintf(stderr, "expose-mpi: option --names: %s\n", c.e.msg);
        xp_opts_release(&c.o);
        return 2;
    }
    xp_stop_install();
    /* Past a file-size limit (ulimit -f) a write then fails with EFBIG and
     * the run stops with a message naming the file, instead of being killed. */
    signal(SIGXFSZ, SIG_IGN);
    xp_mpi_defaults();
    MPI_Init(&argc, &argv);
    c.comm = MPI_COMM_WORLD;
    MPI_Comm_set_errhandler(c.comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(c.comm, &c.rank);
    MPI_Comm_size(c.comm, &c.size);
    c.t0 = MPI_Wtime();
    xp__progress_setup(&c);
    xp__fault_from_env(&c);
    xp_status s = xp__ablate_from_env(&c);
    if (s == XP_OK)
        s = xp__run(&c);
    if (s != XP_OK && c.rank == 0)
        fprintf(stderr, "expose-mpi: error: %s\n", c.e.msg[0] ? c.e.msg : xp_status_msg(s));
    xp__ctx_free(&c);
    MPI_Finalize();
    return s == XP_OK ? 0 : c.reports_failed ? 3 : 1;
}

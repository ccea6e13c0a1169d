/*
 * xp_gen.c - expose-gen's driver: options, the hour-by-hour loop that asks
 * the model (xp_gen_model.c) for connections, sorts them and hands them to
 * the writers (xp_gen_out.c), then planted.tsv and gen.json.
 *
 * The trace is made one UTC hour at a time, so memory stays at one hour of
 * connections whatever the length, and --rotate-hourly cuts files at the
 * same places. Connections caused by an event near an hour's end may start
 * in the next hour; they are carried over.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xp_gen.h"
#include "xp_hash.h"
#include "xp_gen_int.h"

/* ------------------------------------------------------------ small parts */

static const char *const xp__kind_names[] = {
#define XP__K(id, name, svc) name,
    XP__GEN_KINDS(XP__K)
#undef XP__K
};
static const char *const xp__kind_svc[] = {
#define XP__K(id, name, svc) svc,
    XP__GEN_KINDS(XP__K)
#undef XP__K
};

const char *xp_gen_kind_name(int k)
{
    return k >= 0 && k < XP__K_COUNT ? xp__kind_names[k] : NULL;
}

const char *xp__gen_kind_service(int k)
{
    return k >= 0 && k < XP__K_COUNT ? xp__kind_svc[k] : "-";
}

uint64_t xp__mix64(uint64_t x)
{
    return xp_splitmix64(&x);
}

void xp__rng_seed(xp__rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = xp__mix64(seed) ^ xp__mix64(stream * 0xd1b54a32d192ed03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = x = xp__mix64(x);
}

static uint64_t xp__rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t xp__rng_next(xp__rng *r)
{
    uint64_t *s = r->s, out = xp__rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3];
    s[2] ^= t;
    s[3] = xp__rotl(s[3], 45);
    return out;
}

double xp__rng_unit(xp__rng *r)
{
    return (double)(xp__rng_next(r) >> 11) * 0x1p-53;
}

int64_t xp__rng_range(xp__rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(xp__rng_next(r) % (uint64_t)(hi - lo + 1));
}

int64_t xp__rng_exp_us(xp__rng *r, double mean_s)
{
    double x = -log(1.0 - xp__rng_unit(r)) * mean_s * (double)XP__US;
    return x < 1.0 ? 1 : x > 1e15 ? (int64_t)1e15 : (int64_t)x;
}

int xp__gvec_push(xp__gvec *v, const xp__gconn *c)
{
    if (v->n == v->cap) {
        int64_t cap = v->cap ? 2 * v->cap : 65536;
        xp__gconn *p = realloc(v->v, (size_t)cap * sizeof *p);
        if (p == NULL)
            return -1;
        v->v = p, v->cap = cap;
    }
    v->v[v->n++] = *c;
    return 0;
}

void xp__gvec_free(xp__gvec *v)
{
    free(v->v);
    v->v = NULL, v->n = v->cap = 0;
}

/* ------------------------------------------------------------ options */

void xp_gen_opts_default(xp_gen_opts *o)
{
    memset(o, 0, sizeof *o);
    o->clients = 200;
    o->duration_s = 2 * 3600.0;
    o->seed = 1;
    o->start = 1700000000;
    o->conn = 1;
}

void xp_gen_usage(FILE *out)
{
    fputs("usage: expose-gen -o DIR [options]\n"
          "  -o, --out DIR      output directory (required)\n"
          "  --clients N        clients 10.1.x.y (default 200; 1..64000)\n"
          "  --hours H          trace length in hours, fractional ok (default 2)\n"
          "  --days D           trace length in days (adds to --hours if both given)\n"
          "  --seed S           PRNG seed (default 1)\n"
          "  --start EPOCH      first second of the trace (default 1700000000)\n"
          "  --pcap             also write trace.pcap (headers only, snaplen 128)\n"
          "  --no-conn          do not write conn.log\n"
          "  --gzip             gzip the conn.log file(s)\n"
          "  --rotate-hourly    DIR/YYYY-MM-DD/conn.HH_00_00-HH_00_00.log like Zeek\n"
          "  -h, --help         this text\n"
          "Writes DIR/conn.log, DIR/planted.tsv, DIR/gen.json (docs/generator.md).\n",
          out);
}

/* A number option's value: the whole text must be a finite number in range. */
static xp_status xp__num(const char *opt, const char *val, double lo, double hi, double *out,
                         xp_err *e)
{
    char *end = NULL;
    errno = 0;
    double v = val ? strtod(val, &end) : 0;
    if (val == NULL || end == val || *end != '\0' || errno || !isfinite(v) || v < lo || v > hi)
        return xp_err_set(e, XP_ARG, "%s: expected a number in [%g, %g], found '%s'", opt, lo, hi,
                          val ? val : "(nothing)");
    *out = v;
    return XP_OK;
}

/* One option with a value; *used says whether argv[i+1] was consumed. */
static xp_status xp__opt_value(xp_gen_opts *o, const char *a, const char *v, double *hours,
                               double *days, xp_err *e)
{
    double x;
    if (!strcmp(a, "-o") || !strcmp(a, "--out")) {
        if (v == NULL || *v == '\0')
            return xp_err_set(e, XP_ARG, "%s: expected a directory, found nothing", a);
        o->outdir = v;
    } else if (!strcmp(a, "--clients")) {
        XP_CALL(xp__num(a, v, 1, 64000, &x, e));
        if (x != floor(x))
            return xp_err_set(e, XP_ARG, "%s: expected a whole number, found '%s'", a, v);
        o->clients = (int64_t)x;
    } else if (!strcmp(a, "--hours")) {
        XP_CALL(xp__num(a, v, 1.0 / 3600, 24 * 366, hours, e));
    } else if (!strcmp(a, "--days")) {
        XP_CALL(xp__num(a, v, 1.0 / 86400, 366, days, e));
    } else if (!strcmp(a, "--seed")) {
        XP_CALL(xp__num(a, v, 0, 9007199254740992.0, &x, e));
        o->seed = (uint64_t)x;
    } else if (!strcmp(a, "--start")) {
        XP_CALL(xp__num(a, v, 0, 4000000000.0, &x, e));
        o->start = (int64_t)x;
    } else {
        return xp_err_set(e, XP_ARG, "unknown option '%s' (see --help)", a);
    }
    return XP_OK;
}

static int xp__flag(xp_gen_opts *o, const char *a)
{
    if (!strcmp(a, "--pcap"))
        o->pcap = 1;
    else if (!strcmp(a, "--no-conn"))
        o->conn = 0;
    else if (!strcmp(a, "--gzip"))
        o->gzip = 1;
    else if (!strcmp(a, "--rotate-hourly"))
        o->rotate = 1;
    else
        return 0;
    return 1;
}

xp_status xp_gen_opts_parse(xp_gen_opts *o, int argc, char **argv, FILE *out, xp_err *e)
{
    double hours = -1, days = -1;
    xp_gen_opts_default(o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            xp_gen_usage(out);
            return 1;
        }
        if (xp__flag(o, a))
            continue;
        XP_CALL(xp__opt_value(o, a, i + 1 < argc ? argv[i + 1] : NULL, &hours, &days, e));
        i++;
    }
    if (o->outdir == NULL)
        return xp_err_set(e, XP_ARG, "-o DIR: expected an output directory, found none");
    if (days > 0)
        o->duration_s = days * 86400.0 + (hours > 0 ? hours * 3600.0 : 0);
    else if (hours > 0)
        o->duration_s = hours * 3600.0;
    o->duration_s = floor(o->duration_s + 0.5);
    if (o->duration_s < 1)
        o->duration_s = 1;
    return XP_OK;
}

/* ------------------------------------------------------------ the loop */

static int xp__gconn_cmp(const void *pa, const void *pb)
{
    const xp__gconn *a = pa, *b = pb;
    if (a->ts_us != b->ts_us)
        return a->ts_us < b->ts_us ? -1 : 1;
    return a->serial < b->serial ? -1 : a->serial > b->serial;
}

/* Zeek logs a connection when it ends, so real logs are a little out of
 * order; imitate that: about one record in 5000 swaps with the one 3 later. */
static int64_t xp__disorder(xp__gconn *c, int64_t n, uint64_t seed)
{
    int64_t swaps = 0;
    for (int64_t i = 0; i + 3 < n; i++) {
        if (xp__mix64(seed ^ (c[i].serial * 0x2545f4914f6cdd1dULL)) % 5000 != 0 ||
            c[i].ts_us == c[i + 3].ts_us)
            continue;
        xp__gconn t = c[i];
        c[i] = c[i + 3], c[i + 3] = t;
        swaps++;
        i += 3;
    }
    return swaps;
}

typedef struct xp__run {
    const xp_gen_opts *o;
    xp__model *model;
    xp__connw *conn;
    xp__pcapw *pcap;
    xp__gvec chunk, carry;
    xp_gen_counts *n;
} xp__run;

/* Records with ts < t1 go out; later ones wait in r->carry. */
static xp_status xp__emit(xp__run *r, int64_t t1, xp_err *e)
{
    xp__gvec *c = &r->chunk;
    qsort(c->v, (size_t)c->n, sizeof *c->v, xp__gconn_cmp);
    int64_t k = c->n;
    while (k > 0 && c->v[k - 1].ts_us >= t1)
        k--;
    r->carry.n = 0;
    for (int64_t i = k; i < c->n; i++)
        if (xp__gvec_push(&r->carry, &c->v[i]) != 0)
            return xp_err_set(e, XP_NOMEM, "out of memory carrying records");
    for (int64_t i = 0; i < k; i++)
        r->n->by_kind[c->v[i].kind]++;
    r->n->records += k;
    if (r->pcap)
        XP_CALL(xp__pcapw_feed(r->pcap, c->v, k, t1, e));
    if (r->conn) {
        r->n->out_of_order += xp__disorder(c->v, k, r->o->seed);
        XP_CALL(xp__connw_write(r->conn, c->v, k, e));
    }
    return XP_OK;
}

static xp_status xp__loop(xp__run *r, xp_err *e)
{
    int64_t t = r->o->start * XP__US;
    int64_t end = t + (int64_t)r->o->duration_s * XP__US;
    while (t < end) {
        int64_t t1 = (t / (3600 * XP__US) + 1) * 3600 * XP__US;
        if (t1 > end)
            t1 = end;
        r->chunk.n = 0;
        for (int64_t i = 0; i < r->carry.n; i++)
            if (xp__gvec_push(&r->chunk, &r->carry.v[i]) != 0)
                return xp_err_set(e, XP_NOMEM, "out of memory carrying records");
        r->carry.n = 0;
        XP_CALL(xp__model_chunk(r->model, t, t1, &r->chunk, e));
        XP_CALL(xp__emit(r, t1, e));
        t = t1;
    }
    return XP_OK;
}

static xp_status xp__write_planted(const xp_gen_opts *o, xp_gen_counts *n, xp_err *e)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/planted.tsv", o->outdir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return xp_err_set(e, XP_IO, "%s: cannot create: %s", path, strerror(errno));
    xp_status st = xp__model_write_planted(f, &n->planted);
    if (fclose(f) != 0 || st != XP_OK)
        return xp_err_set(e, XP_IO, "%s: write failed", path);
    return XP_OK;
}

static void xp__json_body(FILE *f, const xp_gen_opts *o, const xp_gen_counts *n)
{
    fprintf(f,
            "{\n \"generator\": \"expose-gen\",\n \"params\": {\"clients\": %lld, "
            "\"seed\": %llu, \"start\": %lld, \"duration_s\": %.0f, \"pcap\": %s, "
            "\"conn\": %s, \"gzip\": %s, \"rotate_hourly\": %s},\n",
            (long long)o->clients, (unsigned long long)o->seed, (long long)o->start, o->duration_s,
            o->pcap ? "true" : "false", o->conn ? "true" : "false", o->gzip ? "true" : "false",
            o->rotate ? "true" : "false");
    fprintf(f, " \"trace_start\": %lld,\n \"trace_end\": %lld,\n", (long long)o->start,
            (long long)(o->start + (int64_t)o->duration_s));
    fprintf(f,
            " \"records\": %lld,\n \"packets\": %lld,\n \"out_of_order\": %lld,\n"
            " \"conn_files\": %lld,\n \"planted_pairs\": %lld,\n \"by_kind\": {",
            (long long)n->records, (long long)n->packets, (long long)n->out_of_order,
            (long long)n->files, (long long)n->planted);
    for (int k = 0; k < XP__K_COUNT; k++)
        fprintf(f, "%s\"%s\": %lld", k ? ", " : "", xp__kind_names[k], (long long)n->by_kind[k]);
    fprintf(f, "}\n}\n");
}

/* gen.json is written last and renamed into place: its presence says done. */
static xp_status xp__write_json(const xp_gen_opts *o, const xp_gen_counts *n, xp_err *e)
{
    char tmp[4200], path[4200];
    snprintf(path, sizeof path, "%s/gen.json", o->outdir);
    snprintf(tmp, sizeof tmp, "%s/gen.json.tmp", o->outdir);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return xp_err_set(e, XP_IO, "%s: cannot create: %s", tmp, strerror(errno));
    xp__json_body(f, o, n);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return xp_err_set(e, XP_IO, "%s: write failed: %s", path, strerror(errno));
    return XP_OK;
}

static xp_status xp__open_all(xp__run *r, xp_err *e)
{
    const xp_gen_opts *o = r->o;
    char path[4200];
    if (mkdir(o->outdir, 0777) != 0 && errno != EEXIST)
        return xp_err_set(e, XP_IO, "%s: cannot create: %s", o->outdir, strerror(errno));
    snprintf(path, sizeof path, "%s/gen.json", o->outdir);
    remove(path);
    XP_CALL(xp__model_create(&r->model, o, e));
    if (o->conn)
        XP_CALL(xp__connw_open(&r->conn, o, e));
    snprintf(path, sizeof path, "%s/trace.pcap", o->outdir);
    if (o->pcap)
        XP_CALL(xp__pcapw_open(&r->pcap, path, e));
    return XP_OK;
}

xp_status xp_gen_run(const xp_gen_opts *o, xp_gen_counts *counts, xp_err *e)
{
    xp_gen_counts local;
    xp__run r = {.o = o, .n = counts ? counts : &local};
    memset(r.n, 0, sizeof *r.n);
    if (o->outdir == NULL || o->clients < 1 || o->clients > 64000 || o->duration_s < 1)
        return xp_err_set(e, XP_ARG,
                          "expose-gen: expected an output directory, "
                          "1..64000 clients and at least 1 s");
    xp_status st = xp__open_all(&r, e);
    if (st == XP_OK)
        st = xp__loop(&r, e);
    xp_status cs = xp__connw_close(&r.conn, &r.n->files, e);
    xp_status ps = xp__pcapw_close(&r.pcap, &r.n->packets, e);
    st = st != XP_OK ? st : cs != XP_OK ? cs : ps;
    xp__model_free(&r.model);
    xp__gvec_free(&r.chunk);
    xp__gvec_free(&r.carry);
    if (st == XP_OK)
        st = xp__write_planted(o, r.n, e);
    if (st == XP_OK)
        st = xp__write_json(o, r.n, e);
    return st;
}

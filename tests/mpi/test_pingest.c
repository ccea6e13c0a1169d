/*
 * test_pingest.c - parallel ingest (mpi/xp_pingest.h) against the single
 * reader, under mpiexec at 1, 2, 3 and 4 ranks.
 *
 * For every case rank 0 first reads the list alone with xp_input_read_all
 * (the reference); then all ranks read it with xp_pingest_read. Rank 0
 * requires the same status, error message, records (byte for byte, in the
 * same order), counters and warnings (same lines, same order); the other
 * ranks must print no warning and return the same status. Cases: files of
 * a generated trace that overlap in time and share timestamps, a file with
 * no record, a gzip file; malformed lines in several files under each
 * --skip-bad from 0 to past their number (warnings numbered across files);
 * a log cut mid-line; a hard error in a file a non-zero rank reads; tiny
 * messages (chunking); the real traces of ../shared when present. With
 * kept_local (connection records left where they were parsed), the ranks'
 * records together must be the single reader's.
 */
#define _GNU_SOURCE
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "xp_pingest.h"
#include "xp_test.h"

static int rank, size;

/* Every warning line, in order. */
typedef struct warnbuf {
    char *s;
    size_t n;
    int lines;
} warnbuf;

static void on_warn(void *ctx, const char *msg)
{
    warnbuf *w = ctx;
    size_t m = strlen(msg);
    char *p = realloc(w->s, w->n + m + 2);
    if (p == NULL)
        return;
    w->s = p;
    memcpy(w->s + w->n, msg, m);
    w->s[w->n + m] = '\n';
    w->s[w->n + m + 1] = '\0';
    w->n += m + 1;
    w->lines++;
}

static int all_same(long long v)
{
    long long lo, hi;
    MPI_Allreduce(&v, &lo, 1, MPI_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&v, &hi, 1, MPI_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
    return lo == hi;
}

/* ---------------------------------------------------------------- inputs */

static const char *hdr =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
    "#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\t"
    "duration\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tinterval\n";

static void line(FILE *f, double ts, int i)
{
    fprintf(f, "%.6f\tC%d\t10.1.0.%d\t%d\t10.0.0.%d\t%d\t%s\t%.3f\n", ts, i, 1 + i % 200,
            1024 + i % 5000, 1 + i % 7, i % 3 ? 53 : 443, i % 3 ? "udp" : "tcp", 0.01 * (i % 9));
}

/* n records from t0 on, one per step; every 7th swapped with the next (out
 * of order, as Zeek writes them), every 5th at the same time as the one
 * before (ties); a malformed line before records listed in bad[]. */
static void body(FILE *f, double t0, double step, int n, const int *bad, int nbad)
{
    for (int i = 0; i < n; i++) {
        for (int b = 0; b < nbad; b++)
            if (bad[b] == i)
                fprintf(f, "abc\tCbad\t10.1.0.1\t1\t10.0.0.1\t53\tudp\t0\n");
        double ts = t0 + step * (i - (i % 5 == 4));
        if (i % 7 == 3 && i + 1 < n) {
            line(f, t0 + step * (i + 1), i + 1);
            line(f, ts, i);
            i++;
            continue;
        }
        line(f, ts, i);
    }
}

static char *path_in(const char *dir, const char *name)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", dir, name) < 0)
        abort();
    return p;
}

static FILE *create(const char *dir, const char *name)
{
    char *p = path_in(dir, name);
    FILE *f = fopen(p, "w");
    free(p);
    if (f == NULL)
        abort();
    fputs(hdr, f);
    return f;
}

/* Files that overlap in time, share timestamps, one empty, one gzip. */
static void make_good(const char *dir)
{
    FILE *f = create(dir, "00.log");
    body(f, 1000, 0.5, 400, NULL, 0);
    fclose(f);
    fclose(create(dir, "01-empty.log"));
    f = create(dir, "02.log"); /* overlaps 00.log, same times */
    body(f, 1100, 0.5, 900, NULL, 0);
    fclose(f);
    f = create(dir, "03.log");
    body(f, 2000, 0.25, 1500, NULL, 0);
    fclose(f);
    f = create(dir, "04.log");
    body(f, 2400, 1, 60, NULL, 0);
    fclose(f);
    char *p = path_in(dir, "05.log.gz"), *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    fputs(hdr, m);
    body(m, 900, 2, 700, NULL, 0); /* earlier than everything: merged first */
    fclose(m);
    gzFile g = gzopen(p, "wb");
    gzwrite(g, buf, (unsigned)len);
    gzclose(g);
    free(buf);
    free(p);
}

/* Pieces (xp_zeek_read_range): a log that ends with Zeek's #close line (a
 * header line that changes nothing: the pieces stand), and a log whose
 * header repeats mid-file with the columns in another order (the pieces
 * cannot stand: the whole list is read again). */
/* A log of n records from t0 on that ends with Zeek's #close line; open. */
static FILE *closed_log(const char *dir, const char *name, double t0, int n)
{
    FILE *f = create(dir, name);
    body(f, t0, 0.5, n, NULL, 0);
    fputs("#close\t2024-04-19-00-00-00\n", f);
    return f;
}

static void make_rehdr(const char *dir)
{
    fclose(closed_log(dir, "00.log", 1000, 300));
    FILE *f = create(dir, "01.log");
    body(f, 1200, 0.5, 300, NULL, 0);
    fputs("#fields\tuid\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\n", f);
    for (int i = 0; i < 300; i++)
        fprintf(f, "C%d\t%.6f\t10.1.0.%d\t%d\t10.0.0.%d\t53\tudp\t0.1\n", i, 1400 + 0.5 * i,
                1 + i % 200, 1024 + i, 1 + i % 7);
    fclose(f);
}

static void make_close(const char *dir)
{
    fclose(closed_log(dir, "00.log", 1000, 600));
}

/* Malformed lines in 00 (1), 02 (2), 04 (1); 03 ends mid-line (cut). */
static void make_bad(const char *dir)
{
    const int b0[] = {30}, b2[] = {5, 600}, b4[] = {10};
    FILE *f = create(dir, "00.log");
    body(f, 1000, 0.5, 100, b0, 1);
    fclose(f);
    f = create(dir, "01.log");
    body(f, 1000, 0.1, 2000, NULL, 0);
    fclose(f);
    f = create(dir, "02.log");
    body(f, 1100, 0.5, 1200, b2, 2);
    fclose(f);
    f = create(dir, "03.log");
    body(f, 1200, 0.5, 50, NULL, 0);
    fputs("1300.5\tCcut\t10.1", f);
    fclose(f);
    f = create(dir, "04.log");
    body(f, 1300, 0.5, 80, b4, 1);
    fclose(f);
}

/* A hard error (no id.orig_p column) after a malformed line, in a file a
 * non-zero rank reads (the second largest goes to rank 1). */
static void make_hard(const char *dir)
{
    const int b[] = {3};
    FILE *f = create(dir, "00.log");
    body(f, 1000, 0.5, 3000, NULL, 0);
    fclose(f);
    f = create(dir, "01.log");
    body(f, 1000, 0.5, 2000, b, 1);
    fputs("#fields\tts\tuid\tid.orig_h\tid.resp_h\tid.resp_p\tproto\n", f);
    body(f, 2000, 0.5, 10, NULL, 0);
    fclose(f);
    f = create(dir, "02.log");
    body(f, 1000, 0.5, 50, NULL, 0);
    fclose(f);
}

/* ---------------------------------------------------------------- compare */

typedef struct result {
    xp_status s;
    xp_err e;
    xp_recvec rv;
    xp_input_stats st;
    warnbuf w;
} result;

static void result_free(result *r)
{
    xp_recvec_free(&r->rv);
    free(r->w.s);
}

/* An order-free digest of records: the sum of a hash of each. */
static uint64_t rec_digest(const xp_recvec *v)
{
    uint64_t sum = 0;
    for (int64_t i = 0; i < v->n; i++) {
        const unsigned char *b = (const unsigned char *)&v->v[i];
        uint64_t h = 1469598103934665603ull;
        for (size_t k = 0; k < sizeof(xp_rec); k++)
            h = (h ^ b[k]) * 1099511628211ull;
        sum += h;
    }
    return sum;
}

/* kept_local (connection records stay on the rank that parsed them): set
 * on every rank exactly when there are several ranks and every record
 * starts a connection; then the ranks' records together are the single
 * reader's (as a multiset), else rank 0 holds them as without the option. */
static void compare_local(const xp_input_list *l, const result *ref, int64_t skip_bad,
                          int64_t split)
{
    result par = {0};
    xp_err_clear(&par.e);
    xp_input_opts io = {.skip_bad = skip_bad, .warn = on_warn, .warn_ctx = &par.w};
    int local = -1;
    xp_pingest_opts po = {&io, 0, NULL, split, NULL, &local};
    par.s = xp_pingest_read(MPI_COMM_WORLD, l, &po, &par.rv, &par.st, &par.e);
    XP_CHECK(all_same(par.s));
    XP_CHECK(all_same(local));
    long long starts = 1, n = par.rv.n, total = 0;
    uint64_t d = rec_digest(&par.rv), dsum = 0;
    if (rank == 0)
        for (int64_t i = 0; i < ref->rv.n; i++)
            starts &= (ref->rv.v[i].flags & XP_REC_START) != 0;
    MPI_Bcast(&starts, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
    MPI_Allreduce(&n, &total, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(&d, &dsum, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (par.s == XP_OK) {
        XP_CHECK_INT(local, size > 1 && starts);
        if (rank == 0) {
            XP_CHECK_INT(total, ref->rv.n);
            XP_CHECK(dsum == rec_digest(&ref->rv));
        }
        if (!local && rank != 0)
            XP_CHECK_INT(n, 0);
    } else {
        XP_CHECK_INT(local, 0);
    }
    result_free(&par);
}

/* Read paths alone on rank 0 and in parallel; compare. */
static void compare_p(const char *const *paths, int npaths, int64_t skip_bad, int64_t chunk,
                      const char *what, int expect_pieces)
{
    xp_input_list l = {0};
    result ref = {0}, par = {0};
    xp_err e;
    xp_err_clear(&e);
    xp_err_clear(&ref.e);
    xp_err_clear(&par.e);
    xp_status ls = rank == 0 ? xp_input_list_make(paths, npaths, &l, NULL, &e) : XP_OK;
    XP_CHECK_INT(ls, XP_OK);
    if (rank == 0) {
        xp_input_opts io = {.skip_bad = skip_bad, .warn = on_warn, .warn_ctx = &ref.w};
        ref.s = xp_input_read_all(&l, &io, &ref.rv, &ref.st, &ref.e);
    }
    XP_CHECK_INT(xp_pingest_bcast_list(MPI_COMM_WORLD, &l, &e), XP_OK);
    XP_CHECK(all_same(l.n));
    XP_CHECK(all_same(l.n ? l.v[l.n - 1].size : -1));
    /* Whole files only (split -1), and every plain Zeek log cut into pieces
     * of 64 bytes and up (lines cut anywhere; xp_zeek_read_range). */
    for (int sp = 0; sp < 2; sp++) {
        int64_t split = sp ? 64 : -1;
        compare_local(&l, &ref, skip_bad, split);
        result_free(&par);
        memset(&par, 0, sizeof par);
        xp_err_clear(&par.e);
        double sec[3] = {0, 0, 0};
        xp_input_opts io = {.skip_bad = skip_bad, .warn = on_warn, .warn_ctx = &par.w};
        int kept = -1;
        xp_pingest_opts po = {&io, chunk, sec, split, &kept, NULL};
        par.s = xp_pingest_read(MPI_COMM_WORLD, &l, &po, &par.rv, &par.st, &par.e);
        XP_CHECK(all_same(par.s));
        XP_CHECK(sec[0] > 0);
        XP_CHECK(all_same(kept));
        if (split < 0 || size == 1)
            XP_CHECK_INT(kept, 0);
        /* Clean logs are read in pieces, and the pieces stand. */
        if (split > 0 && size > 1 && expect_pieces >= 0)
            XP_CHECK_INT(kept, expect_pieces);
        if (rank == 0) {
            XP_CHECK_INT(par.s, ref.s);
            XP_CHECK_STR(par.e.msg, ref.e.msg);
            XP_CHECK_STR(par.w.s ? par.w.s : "", ref.w.s ? ref.w.s : "");
            if (ref.s == XP_OK) {
                XP_CHECK_INT(par.rv.n, ref.rv.n);
                XP_CHECK(par.rv.n == ref.rv.n &&
                         memcmp(par.rv.v, ref.rv.v, (size_t)ref.rv.n * sizeof(xp_rec)) == 0);
                XP_CHECK_INT(par.st.records, ref.st.records);
                XP_CHECK_INT(par.st.out_of_order, ref.st.out_of_order);
                XP_CHECK_INT(par.st.skipped_bad, ref.st.skipped_bad);
                XP_CHECK_INT(par.st.skipped_cut, ref.st.skipped_cut);
                XP_CHECK(memcmp(&par.st, &ref.st, sizeof ref.st) == 0);
            } else {
                XP_CHECK_INT(par.rv.n, 0);
            }
            printf("%s, skip-bad %lld, chunk %lld, split %lld%s: %s, %lld records, %d warnings%s%s\n", what,
                   (long long)skip_bad, (long long)chunk, (long long)split, kept ? " (pieces)" : "", xp_status_name(par.s), (long long)par.rv.n,
                   par.w.lines, par.s ? ": " : "", par.e.msg);
        } else {
            XP_CHECK_INT(par.w.lines, 0); /* only rank 0 speaks */
            XP_CHECK_INT(par.rv.n, 0);
        }
        if (par.s == XP_OK)
            XP_CHECK(all_same(par.st.records) && all_same(par.st.out_of_order));
    }
    result_free(&ref);
    result_free(&par);
    xp_input_list_free(&l);
}

static void compare(const char *const *paths, int npaths, int64_t skip_bad, int64_t chunk,
                    const char *what)
{
    compare_p(paths, npaths, skip_bad, chunk, what, -1); /* pieces or not */
}

/* Contiguous runs of about equal bytes, each file where its middle falls. */
static void assignment(void)
{
    xp_input_file f[7] = {{.size = 10}, {.size = 50}, {.size = 50}, {.size = 0},
                          {.size = 30}, {.size = 20}, {.size = 5}};
    xp_input_list l = {f, 7};
    int owner[7];
    xp_pingest_assign(&l, 3, owner);
    /* 166 bytes (the empty file counts one), thirds at 55.3 and 110.7: the
     * middles 5, 35 -> r0; 85, 110.5 -> r1; 126, 151, 163.5 -> r2. */
    const int want[7] = {0, 0, 1, 1, 2, 2, 2};
    for (int i = 0; i < 7; i++)
        XP_CHECK_INT(owner[i], want[i]);
    /* One log cut in equal pieces: piece j to rank j, in time order. */
    xp_input_file p[4] = {{.size = 25}, {.size = 25}, {.size = 25}, {.size = 26}};
    xp_input_list pl = {p, 4};
    xp_pingest_assign(&pl, 4, owner);
    for (int i = 0; i < 4; i++)
        XP_CHECK_INT(owner[i], i);
    xp_pingest_assign(&l, 1, owner);
    for (int i = 0; i < 7; i++)
        XP_CHECK_INT(owner[i], 0);
}

static void make_dir(char *dir, void (*make)(const char *))
{
    if (rank == 0) {
        if (mkdtemp(dir) == NULL)
            abort();
        make(dir);
    }
}

static void remove_dir(const char *dir)
{
    if (rank != 0)
        return;
    char *cmd = NULL;
    if (asprintf(&cmd, "rm -rf '%s'", dir) > 0 && system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    free(cmd);
}

static void generated(void)
{
    char good[] = "/tmp/xp-pingest-good-XXXXXX", bad[] = "/tmp/xp-pingest-bad-XXXXXX",
         hard[] = "/tmp/xp-pingest-hard-XXXXXX";
    make_dir(good, make_good);
    make_dir(bad, make_bad);
    make_dir(hard, make_hard);
    const char *g[] = {good}, *b[] = {bad}, *h[] = {hard};
    compare_p(g, 1, 0, 0, "overlapping files", 1);
    compare_p(g, 1, 0, 100, "overlapping files", 1);
    char rehdr[] = "/tmp/xp-pingest-rehdr-XXXXXX", closed[] = "/tmp/xp-pingest-close-XXXXXX";
    make_dir(rehdr, make_rehdr);
    make_dir(closed, make_close);
    const char *rh[] = {rehdr}, *cl[] = {closed};
    compare_p(cl, 1, 0, 0, "a log ending in #close", 1);
    compare_p(rh, 1, 0, 0, "a header repeated mid-file", 0);
    remove_dir(rehdr);
    remove_dir(closed);
    for (int64_t n = 0; n <= 5; n++)
        compare(b, 1, n, n == 2 ? 300 : 0, "malformed lines");
    compare(h, 1, 0, 0, "hard error");
    compare(h, 1, 1, 0, "hard error");
    if (rank == 0 && size > 1) {
        /* The case is only worth its name if a non-zero rank reads the file. */
        const char *hp[] = {hard};
        xp_input_list l = {0};
        int owner[3] = {0, 0, 0};
        xp_err e;
        xp_err_clear(&e);
        XP_CHECK_INT(xp_input_list_make(hp, 1, &l, NULL, &e), XP_OK);
        if (l.n == 3)
            xp_pingest_assign(&l, size, owner);
        XP_CHECK(owner[1] != 0);
        xp_input_list_free(&l);
    }
    remove_dir(good);
    remove_dir(bad);
    remove_dir(hard);
}

/* The real traces, when ../shared is there: rotated gzip logs, pcaps, a
 * conn.log out of time order. */
static void shared(const char *traces)
{
    char *rita = path_in(traces, "rita-72h-rotated"),
         *m57 = path_in(traces, "m57-day1118/conn.log"),
         *afs = path_in(traces, "afs-pcap/afs.pcap"), *pc = path_in(traces, "m57-day1118-pcap10k");
    int have = access(rita, R_OK) == 0 && access(m57, R_OK) == 0 && access(afs, R_OK) == 0 &&
               access(pc, R_OK) == 0;
    if (!have && rank == 0)
        printf("note: %s absent: real traces not checked\n", traces);
    if (have) {
        const char *r[] = {rita}, *mix[] = {m57, afs, pc, rita};
        compare(r, 1, 0, 0, "rita-72h-rotated");
        compare_p(mix, 4, 0, 4096, "m57 conn.log + afs.pcap + m57 pcap + rita", 1);
    }
    free(rita);
    free(m57);
    free(afs);
    free(pc);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    assignment();
    generated();
    shared(argc > 1 ? argv[1] : "../shared/traces");
    XP_TEST_MPI_END();
}

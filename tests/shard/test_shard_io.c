/*
 * test_shard_io.c - the shard files on one rank (MPI singleton, the meta read
 * on MPI_COMM_SELF): round trip of meta + shards (an empty shard, a shard
 * with no windows, one with 1e5 entries), damaged files, probe, remove_all,
 * and h5dump reading the layout.
 *
 * usage: test_shard_io WORKDIR [H5DUMP]
 */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shard_fixture.h"
#include "xp_shard.h"
#include "xp_test.h"

#define NSH 4
static const int64_t shard_w[NSH + 1] = {0, 10, 50, 60, 60};
static const int64_t shard_nent[NSH] = {0, 100000, 37, 0};
#define NCOLS 300
#define FP "inputs=a.pcap:123:456;window=0.5;top-k=5000"

static int exists(const char *dir, const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/shards/%s", dir, name);
    return access(p, F_OK) == 0;
}

static void shard_file(char *p, size_t n, const char *dir, int s)
{
    snprintf(p, n, "%s/shards/shard-%05d.h5", dir, s);
}

static void write_shard(const char *dir, int s)
{
    xp_actmat a;
    xp_err e;
    xp_err_clear(&e);
    fx_actmat(&a, shard_w[s], shard_w[s + 1], shard_nent[s], NCOLS,
              100 + (uint64_t)s);
    XP_CHECK_INT(xp_shard_write(dir, s, &a, &e), XP_OK);
    if (e.status)
        fprintf(stderr, "write shard %d: %s\n", s, e.msg);
    xp_actmat_free(&a);
}

static void write_set(const char *dir, const char *fp)
{
    xp_meta m;
    xp_err e;
    xp_err_clear(&e);
    for (int s = 0; s < NSH; s++)
        write_shard(dir, s);
    /* No meta until the whole set is there. */
    XP_CHECK(!exists(dir, "meta.h5"));
    fx_meta(&m, 50, NCOLS, shard_w, NSH, 7);
    XP_CHECK_INT(xp_shard_write_meta(dir, &m, fp, &e), XP_OK);
    if (e.status)
        fprintf(stderr, "write meta: %s\n", e.msg);
    xp_meta_free(&m);
    XP_CHECK(exists(dir, "meta.h5"));
    XP_CHECK(!exists(dir, "meta.h5.tmp"));
    XP_CHECK(!exists(dir, "shard-00001.h5.tmp"));
}

static void check_meta_equal(const xp_meta *a, const xp_meta *b)
{
    XP_CHECK_NEAR(a->window, b->window, 0);
    XP_CHECK_NEAR(a->t0, b->t0, 0);
    XP_CHECK_NEAR(a->trace_start, b->trace_start, 0);
    XP_CHECK_NEAR(a->trace_end, b->trace_end, 0);
    XP_CHECK_INT(a->nwindows, b->nwindows);
    XP_CHECK_INT(a->records, b->records);
    XP_CHECK_INT(a->nhosts, b->nhosts);
    XP_CHECK_INT(a->nflows, b->nflows);
    XP_CHECK_INT(a->ngenerics, b->ngenerics);
    XP_CHECK_INT(a->ndominant, b->ndominant);
    XP_CHECK_INT(a->ntopk_cut, b->ntopk_cut);
    XP_CHECK_INT(a->ncols, b->ncols);
    XP_CHECK_INT(a->client_windows, b->client_windows);
    XP_CHECK_INT(a->nshards, b->nshards);
    if (a->nhosts != b->nhosts || a->ncols != b->ncols ||
        a->nshards != b->nshards)
        return;
    XP_CHECK(memcmp(a->hosts, b->hosts, (size_t)a->nhosts * 16) == 0);
    int bad = 0;
    for (int64_t c = 0; c < a->ncols; c++) {
        const xp_objkey *x = &a->cols[c], *y = &b->cols[c];
        bad += x->src != y->src || x->dst != y->dst || x->sport != y->sport ||
               x->dport != y->dport || x->proto != y->proto ||
               x->generic != y->generic;
    }
    XP_CHECK_INT(bad, 0);
    const size_t cb = (size_t)a->ncols * sizeof(int64_t);
    XP_CHECK(memcmp(a->n_present, b->n_present, cb) == 0);
    XP_CHECK(memcmp(a->n_new, b->n_new, cb) == 0);
    XP_CHECK(memcmp(a->cw_present, b->cw_present, cb) == 0);
    XP_CHECK(memcmp(a->cw_new, b->cw_new, cb) == 0);
    XP_CHECK(memcmp(a->shard_w, b->shard_w,
                    (size_t)(a->nshards + 1) * sizeof(int64_t)) == 0);
    XP_CHECK(memcmp(a->shard_work, b->shard_work,
                    (size_t)a->nshards * sizeof(int64_t)) == 0);
}

static void test_round_trip(const char *dir)
{
    xp_meta want, got;
    char *fp = NULL;
    xp_err e;
    xp_err_clear(&e);
    fx_meta(&want, 50, NCOLS, shard_w, NSH, 7);
    XP_CHECK_INT(xp_shard_read_meta(MPI_COMM_SELF, dir, &got, &fp, &e), XP_OK);
    if (e.status)
        fprintf(stderr, "read meta: %s\n", e.msg);
    XP_CHECK_STR(fp, FP);
    check_meta_equal(&want, &got);
    XP_CHECK(fp && fx_meta_sum(&want, FP) == fx_meta_sum(&got, fp));
    xp_meta_free(&got);
    xp_meta_free(&want);
    XP_CHECK(got.cols == NULL && got.ncols == 0); /* freed and zeroed */
    free(fp);
    for (int s = 0; s < NSH; s++) {
        xp_actmat w, a;
        fx_actmat(&w, shard_w[s], shard_w[s + 1], shard_nent[s], NCOLS,
                  100 + (uint64_t)s);
        XP_CHECK_INT(xp_shard_read(dir, s, NCOLS, &a, &e), XP_OK);
        XP_CHECK_INT(a.w0, w.w0);
        XP_CHECK_INT(a.w1, w.w1);
        XP_CHECK_INT(a.nent, w.nent);
        if (a.nent == w.nent && a.w1 == w.w1 && a.w0 == w.w0 && !e.status) {
            const size_t n = (size_t)a.nent;
            XP_CHECK(memcmp(a.wptr, w.wptr,
                            (size_t)(a.w1 - a.w0 + 1) * 8) == 0);
            XP_CHECK(n == 0 || memcmp(a.col, w.col, n * 4) == 0);
            XP_CHECK(n == 0 || memcmp(a.client, w.client, n * 4) == 0);
            XP_CHECK(n == 0 || memcmp(a.isnew, w.isnew, n) == 0);
        }
        if (shard_nent[s] == 0)
            XP_CHECK(a.col == NULL && a.client == NULL && a.isnew == NULL);
        xp_actmat_free(&a);
        xp_actmat_free(&w);
    }
}

/* Overwrite element idx of a dataset in place through the HDF5 API. */
static int rewrite(const char *path, const char *dset, hid_t mtype,
                   hsize_t idx, const void *val)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, dset, H5P_DEFAULT);
    hid_t fs = H5Dget_space(d);
    hsize_t one = 1;
    hid_t ms = H5Screate_simple(1, &one, NULL);
    herr_t rc = H5Sselect_hyperslab(fs, H5S_SELECT_SET, &idx, NULL, &one, NULL);
    if (rc >= 0)
        rc = H5Dwrite(d, mtype, ms, fs, H5P_DEFAULT, val);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    return H5Fclose(f) < 0 || rc < 0 || f < 0 || d < 0;
}

/* Reading shard s fails with status want and a message holding each part. */
static void expect_bad(const char *dir, int s, int64_t ncols, xp_status want,
                       const char *part1, const char *part2)
{
    xp_actmat a;
    xp_err e;
    xp_err_clear(&e);
    char path[4096];
    shard_file(path, sizeof path, dir, s);
    XP_CHECK_INT(xp_shard_read(dir, s, ncols, &a, &e), want);
    XP_CHECK(strstr(e.msg, path) != NULL);
    XP_CHECK(part1 == NULL || strstr(e.msg, part1) != NULL);
    XP_CHECK(part2 == NULL || strstr(e.msg, part2) != NULL);
    XP_CHECK(a.wptr == NULL && a.col == NULL);
    printf("  expected failure: %s: %s\n", xp_status_name(e.status), e.msg);
}

static void test_corrupt(const char *dir)
{
    char path[4096];
    shard_file(path, sizeof path, dir, 1);
    /* Shard 1 has 2500 entries a window: wptr[4] = 10000. */
    const int64_t dec = 9999;
    XP_CHECK_INT(rewrite(path, "wptr", H5T_NATIVE_INT64, 5, &dec), 0);
    expect_bad(dir, 1, NCOLS, XP_FORMAT, "dataset wptr", "index 5");
    write_shard(dir, 1);
    const uint32_t big = 1000000;
    XP_CHECK_INT(rewrite(path, "col", H5T_NATIVE_UINT32, 4321, &big), 0);
    expect_bad(dir, 1, NCOLS, XP_FORMAT, "dataset col", "index 4321");
    write_shard(dir, 1);
    const uint8_t two = 2;
    XP_CHECK_INT(rewrite(path, "isnew", H5T_NATIVE_UINT8, 17, &two), 0);
    expect_bad(dir, 1, NCOLS, XP_FORMAT, "dataset isnew", "index 17");
    write_shard(dir, 1);
    /* ncols smaller than the largest column read. */
    expect_bad(dir, 1, NCOLS - 1, XP_FORMAT, "dataset col", "ncols 299");
    /* The file cut in half. */
    struct stat st;
    XP_CHECK(stat(path, &st) == 0 && truncate(path, st.st_size / 2) == 0);
    expect_bad(dir, 1, NCOLS, XP_HDF5, NULL, NULL);
    /* Shard 2's file under shard 1's name: the index attribute says so. */
    char p2[4096];
    shard_file(p2, sizeof p2, dir, 2);
    XP_CHECK(rename(p2, path) == 0);
    expect_bad(dir, 1, NCOLS, XP_FORMAT, "index 2 (expected 1)", NULL);
    /* Missing. */
    expect_bad(dir, 2, NCOLS, XP_HDF5, "unable to open file", NULL);
    write_shard(dir, 1);
    write_shard(dir, 2);
}

static int probe(const char *dir, const char *fp)
{
    int r = -1;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_shard_probe(dir, fp, &r, &e), XP_OK);
    XP_CHECK_INT(e.status, XP_OK);
    return r;
}

static void test_probe(const char *dir)
{
    char path[4096];
    XP_CHECK_INT(probe(dir, FP), 1);
    XP_CHECK_INT(probe(dir, FP "x"), 0);
    XP_CHECK_INT(probe(dir, ""), 0);
    shard_file(path, sizeof path, dir, 3);
    XP_CHECK(unlink(path) == 0);
    XP_CHECK_INT(probe(dir, FP), 0);
    write_shard(dir, 3);
    XP_CHECK_INT(probe(dir, FP), 1);
    /* Shard 2 rewritten with another window range. */
    xp_actmat a;
    xp_err e;
    xp_err_clear(&e);
    fx_actmat(&a, 50, 59, 5, NCOLS, 1);
    XP_CHECK_INT(xp_shard_write(dir, 2, &a, &e), XP_OK);
    xp_actmat_free(&a);
    XP_CHECK_INT(probe(dir, FP), 0);
    write_shard(dir, 2);
    XP_CHECK_INT(probe(dir, FP), 1);
    XP_CHECK_INT(probe("/nonexistent/dir", FP), 0);
}

static void test_bad_meta(const char *dir)
{
    xp_meta m;
    char *fp = NULL, path[4096];
    xp_err e;
    xp_err_clear(&e);
    snprintf(path, sizeof path, "%s/shards/meta.h5", dir);
    const int v2 = 2;
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t at = H5Aopen(f, "format_version", H5P_DEFAULT);
    XP_CHECK(H5Awrite(at, H5T_NATIVE_INT, &v2) >= 0);
    H5Aclose(at);
    XP_CHECK(H5Fclose(f) >= 0);
    XP_CHECK_INT(xp_shard_read_meta(MPI_COMM_SELF, dir, &m, &fp, &e),
                 XP_FORMAT);
    XP_CHECK(strstr(e.msg, "format_version 2") && strstr(e.msg, path));
    XP_CHECK(fp == NULL && m.cols == NULL);
    XP_CHECK_INT(probe(dir, FP), 0);
    /* Not an HDF5 file at all. */
    FILE *g = fopen(path, "w");
    XP_CHECK(g && fputs("not hdf5\n", g) >= 0 && fclose(g) == 0);
    XP_CHECK_INT(probe(dir, FP), 0);
    xp_err_clear(&e);
    XP_CHECK_INT(xp_shard_read_meta(MPI_COMM_SELF, dir, &m, &fp, &e), XP_HDF5);
    XP_CHECK(strstr(e.msg, path) != NULL);
    printf("  expected failure: %s\n", e.msg);
    xp_err_clear(&e);
    XP_CHECK_INT(xp_shard_read_meta(MPI_COMM_SELF, "/nonexistent", &m, &fp, &e),
                 XP_IO);
    XP_CHECK(strstr(e.msg, "/nonexistent/shards/meta.h5") != NULL);
}

static void test_h5dump(const char *dir, const char *h5dump)
{
    if (h5dump == NULL || h5dump[0] == '\0') {
        printf("  h5dump not found: layout check skipped\n");
        return;
    }
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "'%s' -H '%s/shards/meta.h5' '%s/shards/shard-00001.h5' "
             "> '%s/h5dump.txt' 2>&1",
             h5dump, dir, dir, dir);
    XP_CHECK_INT(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/h5dump.txt", dir);
    FILE *f = fopen(cmd, "r");
    char buf[65536] = "";
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
    const char *want[] = {"format_version", "fingerprint", "\"cols\"",
                          "\"generic\"", "\"sport\"", "\"hosts\"",
                          "( 50, 16 )", "\"shard_w\"", "( 5 )", "\"wptr\"",
                          "\"nent\"", "( 100000 )"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(buf, want[i])) {
            XP_CHECK(!"h5dump output lacks an expected string");
            fprintf(stderr, "missing '%s' in:\n%s\n", want[i], buf);
        }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_shard_io WORKDIR [H5DUMP]\n");
        return 2;
    }
    const char *dir = argv[1];
    MPI_Init(&argc, &argv);
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_shard_remove_all(dir, &e), XP_OK);
    write_set(dir, FP);
    test_round_trip(dir);
    test_h5dump(dir, argc > 2 ? argv[2] : NULL);
    test_corrupt(dir);
    test_round_trip(dir); /* the repaired set reads again */
    test_probe(dir);
    test_bad_meta(dir);
    XP_CHECK_INT(xp_shard_remove_all(dir, &e), XP_OK);
    XP_CHECK(!exists(dir, "meta.h5") && !exists(dir, "shard-00000.h5") &&
             !exists(dir, "shard-00003.h5"));
    XP_CHECK_INT(probe(dir, FP), 0);
    XP_CHECK_INT(xp_shard_remove_all("/nonexistent/dir", &e), XP_OK);
    MPI_Finalize();
    XP_TEST_END();
}

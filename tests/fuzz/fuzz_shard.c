/*
 * fuzz_shard.c - reading a window shard (io/xp_shard.c over io/xp_h5.c).
 *
 * Two kinds of input:
 *  - one starting with the HDF5 signature (\x89HDF\r\n\x1a\n) is written as
 *    it is to DIR/shards/shard-00000.h5 (the seed corpus holds real shards
 *    written by expose-mpi and the generator; mutating them fuzzes HDF5's own
 *    file parser as much as ours);
 *  - anything else describes a shard structurally, and the target writes a
 *    well-formed HDF5 file from it whose content is inconsistent in the ways
 *    the bytes choose: attributes or datasets missing, of the wrong rank or
 *    type, lengths off by one, wptr not monotone or not ending at nent, col
 *    at or past ncols, isnew above 1, entries out of order, a meta.h5 whose
 *    shard_w does or does not match. This fuzzes our validation, which is
 *    what a damaged checkpoint reaches.
 * Then xp_shard_read(DIR, 0, ncols) and xp_shard_probe(DIR, "fp").
 * Invariants: a failure has a one-line message; a shard read back passes the
 * documented checks (wptr from 0 to nent, non-decreasing; col < ncols; isnew
 * 0/1; strictly increasing (col, client) per window); the probe says
 * reusable exactly when meta matches and the shard's attributes agree; no
 * HDF5 object is left open afterwards.
 * Not collective: needs no MPI_Init (default HDF5 file driver).
 */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xp_shard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz__dir[256];

/* A byte reader that yields zeros past the end. */
typedef struct fuzz__in {
    const uint8_t *p;
    size_t n, at;
} fuzz__in;

static unsigned fuzz__u8(fuzz__in *in) { return in->at < in->n ? in->p[in->at++] : 0; }

/* Remove the scratch directory at exit (what the target can leave there). */
static void fuzz__cleanup(void)
{
    static const char *const names[] = {"shards/shard-00000.h5", "shards/meta.h5", "shards", ""};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[400];
        snprintf(p, sizeof p, "%s/%s", fuzz__dir, names[i]);
        if (remove(p) != 0 && i == 3)
            fprintf(stderr, "fuzz_shard: could not remove %s\n", fuzz__dir);
    }
}

static const char *fuzz__setup(void)
{
    if (fuzz__dir[0] == '\0') {
        const char *t = getenv("TMPDIR");
        snprintf(fuzz__dir, sizeof fuzz__dir, "%s/xp-fuzz-shard-XXXXXX", t ? t : "/tmp");
        if (mkdtemp(fuzz__dir) == NULL)
            abort();
        char sub[300];
        snprintf(sub, sizeof sub, "%s/shards", fuzz__dir);
        mkdir(sub, 0755);
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        atexit(fuzz__cleanup);
    }
    return fuzz__dir;
}

static void fuzz__attr(hid_t f, const char *name, hid_t type, const void *v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, name, type, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, type, v);
    H5Aclose(a);
    H5Sclose(sp);
}

/* Write a 1-D (or, when rank2, n x 1) dataset of n elements of mtype. */
static void fuzz__dset(hid_t f, const char *name, hid_t mtype, hsize_t n, int rank2,
                       const void *buf)
{
    hsize_t dims[2] = {n, 1};
    hid_t sp = H5Screate_simple(rank2 ? 2 : 1, dims, NULL);
    hid_t d = H5Dcreate2(f, name, mtype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (n > 0)
        H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    H5Dclose(d);
    H5Sclose(sp);
}

/* What the structured description chose. */
typedef struct fuzz__shard {
    unsigned omit, bend;
    int64_t index, w0, w1, nent, ncols, len[4];
    int64_t *wptr;
    uint32_t *col, *client;
    uint8_t *isnew;
} fuzz__shard;

static void fuzz__decode(fuzz__in *in, fuzz__shard *s)
{
    s->omit = fuzz__u8(in) & fuzz__u8(in); /* mostly nothing omitted */
    s->bend = fuzz__u8(in) & fuzz__u8(in);
    s->index = (s->bend & 1) ? (int64_t)(int8_t)fuzz__u8(in) : 0;
    s->w0 = (s->bend & 2) ? -(int64_t)fuzz__u8(in) : (int64_t)fuzz__u8(in);
    s->w1 = s->w0 + (int64_t)(int8_t)fuzz__u8(in) % 40;
    s->nent = (int64_t)fuzz__u8(in) % 64 - ((s->bend & 4) ? 2 : 0);
    s->ncols = fuzz__u8(in) % 16 + 1;
    const int64_t nw = s->w1 - s->w0 + 1;
    const int64_t want[4] = {nw, s->nent, s->nent, s->nent};
    for (int i = 0; i < 4; i++) {
        int d = (s->bend & 8) ? (int)(fuzz__u8(in) % 3) - 1 : 0;
        s->len[i] = want[i] + d < 0 ? 0 : want[i] + d;
    }
    const int64_t nwp = s->len[0] > 0 ? s->len[0] : 1;
    s->wptr = calloc((size_t)nwp, sizeof *s->wptr);
    for (int64_t i = 1; i < s->len[0]; i++) {
        /* A split of nent entries, bent by the input when asked. */
        unsigned b = fuzz__u8(in);
        int64_t v = s->wptr[i - 1] + (s->bend & 16 ? (int64_t)(int8_t)b : (int64_t)(b % 4));
        s->wptr[i] = (i == s->len[0] - 1 && !(s->bend & 32)) ? s->nent : v;
    }
    int64_t ne = 1;
    for (int i = 1; i < 4; i++)
        ne = s->len[i] > ne ? s->len[i] : ne;
    s->col = calloc((size_t)ne, sizeof *s->col);
    s->client = calloc((size_t)ne, sizeof *s->client);
    s->isnew = calloc((size_t)ne, 1);
    for (int64_t i = 0; i < ne; i++) {
        unsigned b = fuzz__u8(in);
        s->col[i] = (s->bend & 64) ? b : (uint32_t)(i * s->ncols / ne); /* non-decreasing */
        s->client[i] = (uint32_t)i * 3 + (b >> 6);
        s->isnew[i] = (s->bend & 128) ? (uint8_t)(b >> 4) : (b >> 4) & 1;
    }
}

static void fuzz__write_shard(const char *path, const fuzz__shard *s)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const char *an[4] = {"index", "w0", "w1", "nent"};
    const int64_t av[4] = {s->index, s->w0, s->w1, s->nent};
    for (int i = 0; i < 4; i++)
        if (!(s->omit & (1u << i))) {
            if (i == 3 && (s->bend & 0x40) && (s->omit & 0x80)) {
                const double dv = (double)av[i] + 0.5;
                fuzz__attr(f, an[i], H5T_NATIVE_DOUBLE, &dv);
            } else {
                fuzz__attr(f, an[i], H5T_NATIVE_INT64, &av[i]);
            }
        }
    if (!(s->omit & 16))
        fuzz__dset(f, "wptr", H5T_NATIVE_INT64, (hsize_t)s->len[0], s->omit & 0x80, s->wptr);
    if (!(s->omit & 32) && (s->bend & 0x60) == 0x60) {
        /* col stored as doubles (fractional ones too): HDF5 converts on read. */
        double *d = calloc((size_t)s->len[1] + 1, sizeof *d);
        for (int64_t i = 0; i < s->len[1]; i++)
            d[i] = s->col[i] + ((s->isnew[i] & 2) ? 0.5 : 0.0);
        fuzz__dset(f, "col", H5T_NATIVE_DOUBLE, (hsize_t)s->len[1], 0, d);
        free(d);
    } else if (!(s->omit & 32)) {
        fuzz__dset(f, "col", H5T_NATIVE_UINT32, (hsize_t)s->len[1], 0, s->col);
    }
    if (!(s->omit & 64))
        fuzz__dset(f, "client", H5T_NATIVE_UINT32, (hsize_t)s->len[2], 0, s->client);
    fuzz__dset(f, "isnew", H5T_NATIVE_UINT8, (hsize_t)s->len[3], 0, s->isnew);
    H5Fclose(f);
}

/* meta.h5 naming one shard [mw0, mw1), for the probe; the fingerprint as
 * a dataset (as written now) or as a string attribute (as written before). */
static void fuzz__write_meta(const char *path, int64_t mw0, int64_t mw1, int fp_dset)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const int ver = XP_SHARD_FORMAT_VERSION;
    const int64_t nshards = 1, sw[2] = {mw0, mw1};
    fuzz__attr(f, "format_version", H5T_NATIVE_INT, &ver);
    fuzz__attr(f, "nshards", H5T_NATIVE_INT64, &nshards);
    if (fp_dset) {
        fuzz__dset(f, "fingerprint", H5T_NATIVE_UINT8, 2, 0, "fp");
    } else {
        hid_t st = H5Tcopy(H5T_C_S1);
        H5Tset_size(st, 3);
        fuzz__attr(f, "fingerprint", st, "fp");
        H5Tclose(st);
    }
    fuzz__dset(f, "shard_w", H5T_NATIVE_INT64, 2, 0, sw);
    H5Fclose(f);
}

/* The documented checks, repeated independently of xp_shard.c. */
static void fuzz__check_read(const xp_actmat *a, int64_t ncols)
{
    const int64_t nw = a->w1 - a->w0;
    if (nw < 0 || a->nent < 0 || a->wptr[0] != 0 || a->wptr[nw] != a->nent)
        abort();
    for (int64_t w = 0; w < nw; w++)
        for (int64_t i = a->wptr[w]; i < a->wptr[w + 1]; i++) {
            if (a->col[i] >= ncols || a->isnew[i] > 1)
                abort();
            if (i > a->wptr[w] && (a->col[i] < a->col[i - 1] ||
                                   (a->col[i] == a->col[i - 1] && a->client[i] <= a->client[i - 1])))
                abort();
        }
}

static void fuzz__check_err(const xp_err *e)
{
    if (e->msg[0] == '\0' || strchr(e->msg, '\n') != NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz__setup();
    char shard[400], meta[400];
    snprintf(shard, sizeof shard, "%s/shards/shard-00000.h5", dir);
    snprintf(meta, sizeof meta, "%s/shards/meta.h5", dir);
    unlink(meta);
    static const uint8_t sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    int64_t ncols = 1 << 20, mw0 = 0, mw1 = 0;
    int has_meta = 0;
    fuzz__shard s;
    memset(&s, 0, sizeof s);
    if (size >= 8 && memcmp(data, sig, 8) == 0) {
        FILE *f = fopen(shard, "wb");
        if (f == NULL || fwrite(data, 1, size, f) != size)
            abort();
        fclose(f);
    } else {
        fuzz__in in = {data, size, 0};
        const unsigned m = fuzz__u8(&in);
        fuzz__decode(&in, &s);
        ncols = s.ncols;
        fuzz__write_shard(shard, &s);
        if (m & 1) {
            mw0 = (m & 2) ? s.w0 + 1 : s.w0;
            mw1 = (m & 4) ? s.w1 - 1 : s.w1;
            fuzz__write_meta(meta, mw0, mw1, (m & 8) != 0);
            has_meta = 1;
        }
    }
    xp_err e;
    xp_err_clear(&e);
    xp_actmat a;
    const xp_status rs = xp_shard_read(dir, 0, ncols, &a, &e);
    if (getenv("FUZZ_VERBOSE")) /* to see what a corpus file reaches */
        fprintf(stderr, "read: %s\n", rs == XP_OK ? "ok" : e.msg);
    if (rs == XP_OK) {
        fuzz__check_read(&a, ncols);
        xp_actmat_free(&a);
    } else {
        fuzz__check_err(&e);
        if (a.wptr != NULL || a.col != NULL)
            abort(); /* "On failure *a is empty" */
    }
    xp_err_clear(&e);
    int reusable = -1;
    const xp_status ps = xp_shard_probe(dir, "fp", &reusable, &e);
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "probe: %s, reusable %d (meta %d)\n", ps == XP_OK ? "ok" : e.msg,
                reusable, has_meta);
    if (ps != XP_OK)
        fuzz__check_err(&e);
    else if (reusable != (has_meta && !(s.omit & 7) && s.index == 0 && s.w0 == mw0 &&
                          s.w1 == mw1))
        abort(); /* reusable exactly when meta names this shard's attributes */
    /* Every HDF5 object we opened is closed again, on every path: LeakSanitizer
     * cannot tell (the leak would be inside libhdf5, which is suppressed). */
    if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) != 0)
        abort();
    free(s.wptr);
    free(s.col);
    free(s.client);
    free(s.isnew);
    return 0;
}

/* xp_shard.c - the HDF5 window shards (see xp_shard.h, docs/shards.md). */
#include "xp_shard.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xp_h5.h"

/* Entry datasets are stored contiguous and uncompressed: gzip level 1 made
 * writing a 1M-entry shard 19x slower (0.010 s -> 0.194 s) for a 3x smaller
 * file; the rule was "compress only if it costs < 2x" (docs/shards.md). */
#define XP__SHARD_DEFLATE 0

/* ---- paths ------------------------------------------------------------- */

static xp_status xp__path(char *buf, size_t size, const char *dir,
                          const char *name, xp_err *e)
{
    int n = snprintf(buf, size, "%s/shards/%s", dir, name);
    if (n < 0 || (size_t)n >= size)
        return xp_err_set(e, XP_IO, "%s/shards/%s: path too long", dir, name);
    return XP_OK;
}

static xp_status xp__shard_path(char *buf, size_t size, const char *dir,
                                int64_t index, xp_err *e)
{
    char name[64];
    snprintf(name, sizeof name, "shard-%05lld.h5", (long long)index);
    return xp__path(buf, size, dir, name, e);
}

static xp_status xp__mkdir(const char *path, xp_err *e)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return xp_err_set(e, XP_IO, "%s: cannot create directory: %s", path,
                          strerror(errno));
    return XP_OK;
}

/* mkdir -p DIR/shards. */
static xp_status xp__mkdirs(const char *dir, xp_err *e)
{
    char sub[PATH_MAX];
    int n = snprintf(sub, sizeof sub, "%s/shards", dir);
    if (n < 0 || (size_t)n >= sizeof sub)
        return xp_err_set(e, XP_IO, "%s/shards: path too long", dir);
    for (char *p = sub + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        xp_status st = xp__mkdir(sub, e);
        *p = '/';
        XP_CALL(st);
    }
    return xp__mkdir(sub, e);
}

/* Rename tmp onto final; the rename is what publishes the file. */
static xp_status xp__publish(const char *tmp, const char *final, xp_err *e)
{
    if (rename(tmp, final) != 0)
        return xp_err_set(e, XP_IO, "%s: cannot rename to %s: %s", tmp, final,
                          strerror(errno));
    return XP_OK;
}

/* ---- checks shared by writers and readers ------------------------------ */

/* bad is XP_INTERNAL for data we are about to write, XP_FORMAT for data read
 * back from a file. */
static xp_status xp__actmat_check(const xp_actmat *a, int64_t ncols,
                                  const char *path, xp_status bad, xp_err *e)
{
    const int64_t nw = a->w1 - a->w0;
    if (a->wptr[0] != 0)
        return xp_err_set(e, bad, "%s: dataset wptr: index 0: %lld, expected 0",
                          path, (long long)a->wptr[0]);
    for (int64_t w = 0; w < nw; w++) {
        const int64_t lo = a->wptr[w], hi = a->wptr[w + 1];
        if (hi < lo || hi > a->nent)
            return xp_err_set(e, bad,
                              "%s: dataset wptr: index %lld: %lld after %lld "
                              "(must be non-decreasing and at most nent %lld)",
                              path, (long long)(w + 1), (long long)hi,
                              (long long)lo, (long long)a->nent);
        for (int64_t i = lo; i < hi; i++) {
            if ((int64_t)a->col[i] >= ncols)
                return xp_err_set(e, bad,
                                  "%s: dataset col: index %lld: %u, expected "
                                  "< ncols %lld",
                                  path, (long long)i, a->col[i],
                                  (long long)ncols);
            if (a->isnew[i] > 1)
                return xp_err_set(e, bad,
                                  "%s: dataset isnew: index %lld: %u, "
                                  "expected 0 or 1",
                                  path, (long long)i, a->isnew[i]);
            const uint64_t k = (uint64_t)a->col[i] << 32 | a->client[i];
            if (i > lo && k <= ((uint64_t)a->col[i - 1] << 32 | a->client[i - 1]))
                return xp_err_set(e, bad,
                                  "%s: dataset col/client: index %lld: "
                                  "(%u, %u) does not follow (%u, %u) in "
                                  "window %lld",
                                  path, (long long)i, a->col[i], a->client[i],
                                  a->col[i - 1], a->client[i - 1],
                                  (long long)(a->w0 + w));
        }
    }
    if (a->wptr[nw] != a->nent)
        return xp_err_set(e, bad,
                          "%s: dataset wptr: index %lld: %lld, expected nent "
                          "%lld",
                          path, (long long)nw, (long long)a->wptr[nw],
                          (long long)a->nent);
    return XP_OK;
}

static xp_status xp__cols_check(const xp_meta *m, const char *path,
                                xp_status bad, xp_err *e)
{
    for (int64_t i = 0; i < m->ncols; i++) {
        const xp_objkey *k = &m->cols[i];
        const int src_ok = k->generic ? k->src == XP_HOST_ANY
                                      : (int64_t)k->src < m->nhosts;
        if (k->generic > 1 || !src_ok || (int64_t)k->dst >= m->nhosts ||
            k->sport < XP_PORT_ANY || k->sport > 65535 ||
            k->dport < XP_PORT_ANY || k->dport > 65535)
            return xp_err_set(e, bad,
                              "%s: dataset cols: index %lld: (src %u, dst %u, "
                              "sport %d, dport %d, generic %u) is not a valid "
                              "column for %lld hosts",
                              path, (long long)i, k->src, k->dst, k->sport,
                              k->dport, k->generic, (long long)m->nhosts);
    }
    return XP_OK;
}

static xp_status xp__meta_check(const xp_meta *m, const char *path,
                                xp_status bad, xp_err *e)
{
    if (m->nwindows < 0 || m->nhosts < 0 || m->ncols < 0 || m->nshards < 0 ||
        m->ncols > (int64_t)UINT32_MAX)
        return xp_err_set(e, bad,
                          "%s: negative or too large count (nwindows %lld, "
                          "nhosts %lld, ncols %lld, nshards %lld)",
                          path, (long long)m->nwindows, (long long)m->nhosts,
                          (long long)m->ncols, (long long)m->nshards);
    if (m->shard_w == NULL || (m->nhosts > 0 && m->hosts == NULL) ||
        (m->ncols > 0 && (!m->cols || !m->n_present || !m->n_new ||
                          !m->cw_present || !m->cw_new)) ||
        (m->nshards > 0 && m->shard_work == NULL))
        return xp_err_set(e, bad, "%s: meta has a missing array", path);
    if (m->shard_w[0] != 0 || m->shard_w[m->nshards] != m->nwindows)
        return xp_err_set(e, bad,
                          "%s: dataset shard_w: runs from %lld to %lld, "
                          "expected 0 to nwindows %lld",
                          path, (long long)m->shard_w[0],
                          (long long)m->shard_w[m->nshards],
                          (long long)m->nwindows);
    for (int64_t s = 0; s < m->nshards; s++)
        if (m->shard_w[s + 1] < m->shard_w[s])
            return xp_err_set(e, bad,
                              "%s: dataset shard_w: index %lld: %lld after "
                              "%lld (must be non-decreasing)",
                              path, (long long)(s + 1),
                              (long long)m->shard_w[s + 1],
                              (long long)m->shard_w[s]);
    return xp__cols_check(m, path, bad, e);
}

/* ---- the types and attribute tables of meta.h5 ------------------------- */

/* cols as a compound with named members; packed little-endian in the file
 * (18 bytes), the xp_objkey layout in memory. */
static hid_t xp__cols_type(int file, const char *path, xp_err *e)
{
    const hid_t u32 = file ? H5T_STD_U32LE : H5T_NATIVE_UINT32;
    const hid_t i32 = file ? H5T_STD_I32LE : H5T_NATIVE_INT32;
    const hid_t u8 = file ? H5T_STD_U8LE : H5T_NATIVE_UINT8;
    const struct { const char *name; size_t moff, foff; hid_t t; } mem[] = {
        {"src", offsetof(xp_objkey, src), 0, u32},
        {"dst", offsetof(xp_objkey, dst), 4, u32},
        {"sport", offsetof(xp_objkey, sport), 8, i32},
        {"dport", offsetof(xp_objkey, dport), 12, i32},
        {"proto", offsetof(xp_objkey, proto), 16, u8},
        {"generic", offsetof(xp_objkey, generic), 17, u8},
    };
    hid_t t = H5Tcreate(H5T_COMPOUND, file ? 18 : sizeof(xp_objkey));
    if (xp_h5_check(t, e, "%s: compound type for cols", path) != XP_OK)
        return -1;
    for (size_t i = 0; i < sizeof mem / sizeof mem[0]; i++) {
        if (xp_h5_check(H5Tinsert(t, mem[i].name,
                                  file ? mem[i].foff : mem[i].moff, mem[i].t),
                        e, "%s: compound type for cols", path) != XP_OK) {
            (void)H5Tclose(t);
            return -1;
        }
    }
    return t;
}

typedef struct xp__field {
    const char *name;
    size_t off;
} xp__field;

#define XP__F(name) {#name, offsetof(xp_meta, name)}
static const xp__field xp__meta_f64[] = {XP__F(window), XP__F(t0),
                                         XP__F(trace_start),
                                         XP__F(trace_end)};
static const xp__field xp__meta_i64[] = {
    XP__F(nwindows),  XP__F(records),   XP__F(nflows),
    XP__F(ngenerics), XP__F(ndominant), XP__F(ntopk_cut),
    XP__F(client_windows), XP__F(nshards)};
/* The per-column int64 datasets. */
static const xp__field xp__meta_cols[] = {XP__F(n_present), XP__F(n_new),
                                          XP__F(cw_present), XP__F(cw_new)};
#undef XP__F
#define XP__N(a) (sizeof(a) / sizeof((a)[0]))
#define XP__AT(m, f, type) ((type *)((char *)(m) + (f).off))
#define XP__CAT(m, f, type) ((const type *)((const char *)(m) + (f).off))

/* ---- writing ------------------------------------------------------------ */

/* Build a file in memory with fill, then write its image to path; the file
 * is left behind only when everything succeeded.
 *
 * Why in memory: HDF5 1.10.8 does not survive a failed H5Fclose. When the
 * disk is full or a file-size limit is reached (EFBIG, ENOSPC), H5Fclose
 * fails and the half-closed file makes H5close, and so MPI_Finalize, crash
 * (seen by tests/edge, the out-of-disk case, and in a ten-line C probe).
 * With the core driver and no backing store the HDF5 calls never touch the
 * disk; the one write that can fail is ours and is reported with errno. The
 * cost is one copy of one file in memory (a shard or meta.h5, never the
 * whole set). */
typedef xp_status (*xp__fill_fn)(const xp_h5_loc *l, const void *arg);

/* Write buf[0..n) to path; XP_IO with the system's reason on failure. */
static xp_status xp__write_image(const char *path, const void *buf, size_t n,
                                 xp_err *e)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return xp_err_set(e, XP_IO, "%s: cannot create: %s", path,
                          strerror(errno));
    int err = 0;
    errno = 0;
    if (fwrite(buf, 1, n, f) != n || fflush(f) != 0)
        err = errno ? errno : EIO;
    if (fclose(f) != 0 && err == 0)
        err = errno ? errno : EIO;
    if (err != 0)
        return xp_err_set(e, XP_IO, "%s: write failed: %s", path,
                          strerror(err));
    return XP_OK;
}

/* The image of the in-memory file f (malloc'd into *buf, *n bytes). */
static xp_status xp__file_image(hid_t f, const char *path, void **buf,
                                size_t *n, xp_err *e)
{
    *buf = NULL;
    XP_CALL(xp_h5_check(H5Fflush(f, H5F_SCOPE_GLOBAL), e, "%s: flushing",
                        path));
    ssize_t len = H5Fget_file_image(f, NULL, 0);
    XP_CALL(xp_h5_check(len, e, "%s: size of the file image", path));
    *buf = malloc(len > 0 ? (size_t)len : 1);
    if (*buf == NULL)
        return xp_err_set(e, XP_NOMEM, "%s: out of memory for a %lld-byte "
                          "file image", path, (long long)len);
    *n = (size_t)len;
    return xp_h5_check(H5Fget_file_image(f, *buf, (size_t)len), e,
                       "%s: file image", path);
}

/* The in-memory file grows by `increment` bytes, each zeroed by HDF5's
 * core driver: a fixed 4 MiB took a 4 MiB memset and its page faults per
 * shard of ~150 KB (perf, 1000 clients x 7 h). size_hint: the data's
 * bytes; the increment is that plus room for HDF5's own metadata. */
static xp_status xp__write_file(const char *path, xp__fill_fn fill,
                                const void *arg, int64_t size_hint, xp_err *e)
{
    XP_CALL(xp_h5_quiet(e));
    int64_t inc = ((size_hint > 0 ? size_hint : 0) + ((int64_t)96 << 10) + 65535) &
                  ~(int64_t)65535;
    if (inc > ((int64_t)64 << 20))
        inc = (int64_t)64 << 20;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    XP_CALL(xp_h5_check(fapl, e, "%s: file access list", path));
    xp_status st = xp_h5_check(H5Pset_fapl_core(fapl, (size_t)inc, 0), e,
                               "%s: in-memory file driver", path);
    hid_t f = H5I_INVALID_HID;
    if (st == XP_OK) {
        f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
        st = xp_h5_check(f, e, "%s: creating file", path);
    }
    (void)xp_h5_close(&fapl, e, path);
    void *img = NULL;
    size_t n = 0;
    if (st == XP_OK) {
        const xp_h5_loc l = {f, path, H5P_DEFAULT, e};
        st = fill(&l, arg);
    }
    if (st == XP_OK)
        st = xp__file_image(f, path, &img, &n, e);
    xp_status c = xp_h5_close(&f, e, path);
    if (st == XP_OK)
        st = c;
    if (st == XP_OK)
        st = xp__write_image(path, img, n, e);
    free(img);
    if (st != XP_OK)
        (void)unlink(path);
    return st;
}

typedef struct xp__shard_arg {
    const xp_actmat *a;
    int64_t index;
    int deflate;
} xp__shard_arg;

static xp_status xp__fill_shard(const xp_h5_loc *l, const void *arg)
{
    const xp__shard_arg *s = arg;
    const xp_actmat *a = s->a;
    const int64_t attr[4] = {s->index, a->w0, a->w1, a->nent};
    const char *const names[4] = {"index", "w0", "w1", "nent"};
    for (int i = 0; i < 4; i++)
        XP_CALL(xp_h5_attr_write(l, names[i], H5T_STD_I64LE, H5T_NATIVE_INT64,
                                 &attr[i]));
    const hsize_t n = (hsize_t)a->nent;
    const xp_h5_dset d[4] = {
        {"wptr", H5T_STD_I64LE, H5T_NATIVE_INT64, 1,
         {(hsize_t)(a->w1 - a->w0 + 1), 0}, a->wptr, 0},
        {"col", H5T_STD_U32LE, H5T_NATIVE_UINT32, 1, {n, 0}, a->col,
         s->deflate},
        {"client", H5T_STD_U32LE, H5T_NATIVE_UINT32, 1, {n, 0}, a->client,
         s->deflate},
        {"isnew", H5T_STD_U8LE, H5T_NATIVE_UINT8, 1, {n, 0}, a->isnew,
         s->deflate},
    };
    for (int i = 0; i < 4; i++)
        XP_CALL(xp_h5_write(l, &d[i]));
    return XP_OK;
}

xp_status xp__shard_write_level(const char *dir, int64_t index,
                                const xp_actmat *a, int deflate, xp_err *e)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8];
    if (index < 0 || a->w1 < a->w0 || a->nent < 0 || a->wptr == NULL ||
        (a->nent > 0 && (!a->col || !a->client || !a->isnew)))
        return xp_err_set(e, XP_INTERNAL,
                          "shard %lld: bad index, window range [%lld, %lld), "
                          "nent %lld or missing array",
                          (long long)index, (long long)a->w0, (long long)a->w1,
                          (long long)a->nent);
    XP_CALL(xp__shard_path(path, sizeof path, dir, index, e));
    XP_CALL(xp__actmat_check(a, (int64_t)UINT32_MAX + 1, path, XP_INTERNAL,
                             e));
    XP_CALL(xp__mkdirs(dir, e));
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    const xp__shard_arg arg = {a, index, deflate};
    /* col, client, isnew per entry; wptr per window */
    XP_CALL(xp__write_file(tmp, xp__fill_shard, &arg,
                           a->nent * 9 + (a->w1 - a->w0 + 1) * 8, e));
    return xp__publish(tmp, path, e);
}

xp_status xp_shard_write(const char *dir, int64_t index, const xp_actmat *a,
                         xp_err *e)
{
    return xp__shard_write_level(dir, index, a, XP__SHARD_DEFLATE, e);
}

typedef struct xp__meta_arg {
    const xp_meta *m;
    const char *fingerprint;
} xp__meta_arg;

static xp_status xp__fill_meta_attrs(const xp_h5_loc *l, const xp__meta_arg *x)
{
    const int version = XP_SHARD_FORMAT_VERSION;
    XP_CALL(xp_h5_attr_write(l, "format_version", H5T_STD_I32LE,
                             H5T_NATIVE_INT, &version));
    for (size_t i = 0; i < XP__N(xp__meta_f64); i++)
        XP_CALL(xp_h5_attr_write(l, xp__meta_f64[i].name, H5T_IEEE_F64LE,
                                 H5T_NATIVE_DOUBLE,
                                 XP__CAT(x->m, xp__meta_f64[i], double)));
    for (size_t i = 0; i < XP__N(xp__meta_i64); i++)
        XP_CALL(xp_h5_attr_write(l, xp__meta_i64[i].name, H5T_STD_I64LE,
                                 H5T_NATIVE_INT64,
                                 XP__CAT(x->m, xp__meta_i64[i], int64_t)));
    /* A dataset, not an attribute: an attribute must fit HDF5's 64 KiB object
     * header message, and the fingerprint names every input file (ten
     * thousand files overflowed it: tests/edge). */
    const xp_h5_dset d = {"fingerprint", H5T_STD_U8LE, H5T_NATIVE_UINT8, 1,
                          {(hsize_t)strlen(x->fingerprint), 0}, x->fingerprint, 0};
    return xp_h5_write(l, &d);
}

static void *xp__alloc(int64_t n, size_t size, const char *what, xp_err *e);

/* The fingerprint of an open meta.h5 into a new string: the "fingerprint"
 * dataset, or the string attribute of that name that earlier versions wrote.
 * Collective exactly when l->dxpl is. */
static xp_status xp__fingerprint_read(const xp_h5_loc *l, char **out)
{
    *out = NULL;
    htri_t is_dset = H5Lexists(l->loc, "fingerprint", H5P_DEFAULT);
    XP_CALL(xp_h5_check(is_dset, l->e, "%s: looking for fingerprint", l->path));
    if (!is_dset)
        return xp_h5_attr_read_str(l, "fingerprint", out);
    hsize_t n[1];
    XP_CALL(xp_h5_dims(l, "fingerprint", 1, n));
    char *s = xp__alloc((int64_t)n[0] + 1, 1, "the fingerprint", l->e);
    if (s == NULL)
        return l->e->status;
    xp_status st = xp_h5_read(l, "fingerprint", H5T_NATIVE_UINT8, (int64_t)n[0], s);
    if (st != XP_OK) {
        free(s);
        return st;
    }
    s[n[0]] = '\0';
    *out = s;
    return XP_OK;
}

static xp_status xp__fill_meta_cols(const xp_h5_loc *l, const xp_meta *m)
{
    hid_t ft = xp__cols_type(1, l->path, l->e);
    hid_t mt = ft >= 0 ? xp__cols_type(0, l->path, l->e) : -1;
    xp_status st = mt >= 0 ? XP_OK : XP_HDF5;
    if (st == XP_OK) {
        const xp_h5_dset d = {"cols", ft, mt, 1, {(hsize_t)m->ncols, 0},
                              m->cols, 0};
        st = xp_h5_write(l, &d);
    }
    (void)xp_h5_close(&mt, l->e, l->path);
    (void)xp_h5_close(&ft, l->e, l->path);
    return st;
}

static xp_status xp__fill_meta(const xp_h5_loc *l, const void *arg)
{
    const xp__meta_arg *x = arg;
    const xp_meta *m = x->m;
    XP_CALL(xp__fill_meta_attrs(l, x));
    const xp_h5_dset hosts = {"hosts", H5T_STD_U8LE, H5T_NATIVE_UINT8, 2,
                              {(hsize_t)m->nhosts, 16}, m->hosts, 0};
    XP_CALL(xp_h5_write(l, &hosts));
    XP_CALL(xp__fill_meta_cols(l, m));
    for (size_t i = 0; i < XP__N(xp__meta_cols); i++) {
        const xp_h5_dset d = {xp__meta_cols[i].name, H5T_STD_I64LE,
                              H5T_NATIVE_INT64, 1, {(hsize_t)m->ncols, 0},
                              *XP__CAT(m, xp__meta_cols[i], int64_t *), 0};
        XP_CALL(xp_h5_write(l, &d));
    }
    const xp_h5_dset sw = {"shard_w", H5T_STD_I64LE, H5T_NATIVE_INT64, 1,
                           {(hsize_t)m->nshards + 1, 0}, m->shard_w, 0};
    const xp_h5_dset sk = {"shard_work", H5T_STD_I64LE, H5T_NATIVE_INT64, 1,
                           {(hsize_t)m->nshards, 0}, m->shard_work, 0};
    XP_CALL(xp_h5_write(l, &sw));
    return xp_h5_write(l, &sk);
}

xp_status xp_shard_write_meta(const char *dir, const xp_meta *m,
                              const char *fingerprint, xp_err *e)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8];
    XP_CALL(xp__path(path, sizeof path, dir, "meta.h5", e));
    XP_CALL(xp__meta_check(m, path, XP_INTERNAL, e));
    XP_CALL(xp__mkdirs(dir, e));
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    const xp__meta_arg arg = {m, fingerprint ? fingerprint : ""};
    /* hosts, the columns' keys and counts, the shard layout */
    XP_CALL(xp__write_file(tmp, xp__fill_meta, &arg,
                           m->nhosts * 16 + m->ncols * 64 + m->nshards * 16, e));
    return xp__publish(tmp, path, e);
}

/* ---- reading meta.h5 (one rank's part; xp_shard_read_meta drives it) --- */

/* Attributes, and the sizes of the datasets, checked against each other. */
static xp_status xp__meta_read_attrs(const xp_h5_loc *l, xp_meta *m,
                                     char **fingerprint)
{
    int version = 0;
    XP_CALL(xp_h5_attr_read(l, "format_version", H5T_NATIVE_INT, &version));
    if (version != XP_SHARD_FORMAT_VERSION)
        return xp_err_set(l->e, XP_FORMAT,
                          "%s: format_version %d, this program reads %d",
                          l->path, version, XP_SHARD_FORMAT_VERSION);
    for (size_t i = 0; i < XP__N(xp__meta_f64); i++)
        XP_CALL(xp_h5_attr_read(l, xp__meta_f64[i].name, H5T_NATIVE_DOUBLE,
                                XP__AT(m, xp__meta_f64[i], double)));
    for (size_t i = 0; i < XP__N(xp__meta_i64); i++)
        XP_CALL(xp_h5_attr_read(l, xp__meta_i64[i].name, H5T_NATIVE_INT64,
                                XP__AT(m, xp__meta_i64[i], int64_t)));
    return xp__fingerprint_read(l, fingerprint);
}

/* Check that dataset `name` has the one dimension n. */
static xp_status xp__expect_len(const xp_h5_loc *l, const char *name,
                                int64_t n)
{
    hsize_t d[1];
    XP_CALL(xp_h5_dims(l, name, 1, d));
    if ((int64_t)d[0] != n)
        return xp_err_set(l->e, XP_FORMAT,
                          "%s: dataset %s has %llu elements, expected %lld",
                          l->path, name, (unsigned long long)d[0],
                          (long long)n);
    return XP_OK;
}

static void *xp__alloc(int64_t n, size_t size, const char *what, xp_err *e)
{
    /* Never malloc(0): an empty array is a valid (1-byte) allocation. */
    void *p = (n >= 0 && (uint64_t)n <= SIZE_MAX / size)
                  ? calloc(n > 0 ? (size_t)n : 1, size)
                  : NULL;
    if (p == NULL)
        xp_err_set(e, XP_NOMEM, "out of memory allocating %s (%lld x %zu)",
                   what, (long long)n, size);
    return p;
}

/* Sizes from the datasets, then every array allocated. */
static xp_status xp__meta_alloc(const xp_h5_loc *l, xp_meta *m)
{
    hsize_t hd[2], cd[1];
    if (m->nshards < 0 || m->nshards > INT32_MAX)
        return xp_err_set(l->e, XP_FORMAT, "%s: attribute nshards: %lld",
                          l->path, (long long)m->nshards);
    XP_CALL(xp_h5_dims(l, "hosts", 2, hd));
    if (hd[1] != 16)
        return xp_err_set(l->e, XP_FORMAT,
                          "%s: dataset hosts: %llu bytes a host, expected 16",
                          l->path, (unsigned long long)hd[1]);
    XP_CALL(xp_h5_dims(l, "cols", 1, cd));
    m->nhosts = (int64_t)hd[0];
    m->ncols = (int64_t)cd[0];
    for (size_t i = 0; i < XP__N(xp__meta_cols); i++)
        XP_CALL(xp__expect_len(l, xp__meta_cols[i].name, m->ncols));
    XP_CALL(xp__expect_len(l, "shard_w", m->nshards + 1));
    XP_CALL(xp__expect_len(l, "shard_work", m->nshards));
    m->hosts = xp__alloc(m->nhosts, sizeof *m->hosts, "hosts", l->e);
    m->cols = xp__alloc(m->ncols, sizeof *m->cols, "cols", l->e);
    for (size_t i = 0; i < XP__N(xp__meta_cols); i++)
        *XP__AT(m, xp__meta_cols[i], int64_t *) =
            xp__alloc(m->ncols, sizeof(int64_t), xp__meta_cols[i].name, l->e);
    m->shard_w = xp__alloc(m->nshards + 1, sizeof(int64_t), "shard_w", l->e);
    m->shard_work = xp__alloc(m->nshards, sizeof(int64_t), "shard_work", l->e);
    return l->e->status;
}

/* ---- collective agreement ----------------------------------------------- */

/* The MPI half of the checked-wrapper rule: a failed MPI call becomes XP_MPI
 * with MPI's own message. */
static xp_status xp__mpi_check(int rc, xp_err *e, const char *what)
{
    if (rc == MPI_SUCCESS)
        return XP_OK;
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, msg, &len) != MPI_SUCCESS)
        snprintf(msg, sizeof msg, "MPI error %d", rc);
    return xp_err_set(e, XP_MPI, "%s: %s", what, msg);
}

typedef struct xp__coll {
    MPI_Comm comm;
    int rank, size;
    xp_err *e;
    xp_status st; /* agreed status: XP_OK while every rank is fine */
} xp__coll;

/*
 * Collective: agree on whether any rank failed since the last agreement (one
 * MPI_Allreduce of {status, lowest failing rank}); if one did, broadcast the
 * lowest failing rank's message, and ranks that did not fail record
 * XP_REMOTE with it. Returns the agreed status (XP_OK when none failed).
 */
static xp_status xp__agree(xp__coll *c)
{
    if (c->st != XP_OK)
        return c->st;
    const int failed = c->e->status != XP_OK;
    int in[2] = {c->e->status, failed ? c->rank : c->size}, out[2];
    XP_CALL(c->st = xp__mpi_check(
                MPI_Allreduce(in, out, 2, MPI_INT, MPI_MIN, c->comm), c->e,
                "agreeing on the status of reading meta.h5"));
    if (out[0] == XP_OK)
        return XP_OK;
    char msg[sizeof c->e->msg] = "";
    if (failed && c->rank == out[1])
        memcpy(msg, c->e->msg, sizeof msg);
    XP_CALL(c->st = xp__mpi_check(MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR,
                                            out[1], c->comm),
                                  c->e, "broadcasting a rank's error"));
    msg[sizeof msg - 1] = '\0';
    if (!failed)
        xp_err_set(c->e, XP_REMOTE, "rank %d: %s", out[1], msg);
    return c->st = c->e->status;
}

static int64_t xp__hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (int64_t)(h >> 2);
}

/* Local checks before the collective open: the file is there, and every
 * rank names the same file as rank 0 (MPI-IO needs that). */
static void xp__meta_precheck(xp__coll *c, const char *path)
{
    if (c->e->status == XP_OK && access(path, R_OK) != 0)
        xp_err_set(c->e, XP_IO, "%s: %s", path, strerror(errno));
    int64_t h = xp__hash(path);
    if (xp__mpi_check(MPI_Bcast(&h, 1, MPI_INT64_T, 0, c->comm), c->e,
                      "broadcasting the meta path") == XP_OK &&
        h != xp__hash(path))
        xp_err_set(c->e, XP_ARG, "%s: not the file rank 0 opens", path);
}

/* Collective: open path with the MPI-IO driver; *fapl, *dxpl are created. */
static hid_t xp__meta_open(xp__coll *c, const char *path, hid_t *fapl,
                           hid_t *dxpl)
{
    xp_err *e = c->e;
    *fapl = H5Pcreate(H5P_FILE_ACCESS);
    *dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (xp_h5_check(*fapl, e, "%s: access list", path) != XP_OK ||
        xp_h5_check(*dxpl, e, "%s: transfer list", path) != XP_OK ||
        xp_h5_check(H5Pset_fapl_mpio(*fapl, c->comm, MPI_INFO_NULL), e,
                    "%s: MPI-IO driver", path) != XP_OK ||
        xp_h5_check(H5Pset_dxpl_mpio(*dxpl, H5FD_MPIO_COLLECTIVE), e,
                    "%s: collective transfer", path) != XP_OK)
        return H5I_INVALID_HID;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, *fapl);
    (void)xp_h5_check(f, e, "%s: opening file", path);
    return f;
}

/* Collective: every dataset, each read with collective transfer and
 * followed by an agreement, so no rank enters a read another skipped. */
static void xp__meta_read_data(xp__coll *c, const xp_h5_loc *l, xp_meta *m)
{
    hid_t ct = xp__cols_type(0, l->path, c->e);
    if (xp__agree(c) != XP_OK)
        return;
    (void)xp_h5_read(l, "hosts", H5T_NATIVE_UINT8, m->nhosts * 16, m->hosts);
    if (xp__agree(c) == XP_OK)
        (void)xp_h5_read(l, "cols", ct, m->ncols, m->cols);
    (void)xp_h5_close(&ct, c->e, l->path);
    for (size_t i = 0; i < XP__N(xp__meta_cols) && xp__agree(c) == XP_OK; i++)
        (void)xp_h5_read(l, xp__meta_cols[i].name, H5T_NATIVE_INT64, m->ncols,
                         *XP__AT(m, xp__meta_cols[i], int64_t *));
    if (xp__agree(c) == XP_OK)
        (void)xp_h5_read(l, "shard_w", H5T_NATIVE_INT64, m->nshards + 1,
                         m->shard_w);
    if (xp__agree(c) == XP_OK)
        (void)xp_h5_read(l, "shard_work", H5T_NATIVE_INT64, m->nshards,
                         m->shard_work);
    if (xp__agree(c) == XP_OK)
        (void)xp__meta_check(m, l->path, XP_FORMAT, c->e);
}

xp_status xp_shard_read_meta(MPI_Comm comm, const char *dir, xp_meta *m,
                             char **fingerprint, xp_err *e)
{
    memset(m, 0, sizeof *m);
    *fingerprint = NULL;
    xp__coll c = {comm, 0, 1, e, XP_OK};
    XP_CALL(xp__mpi_check(MPI_Comm_rank(comm, &c.rank), e, "MPI_Comm_rank"));
    XP_CALL(xp__mpi_check(MPI_Comm_size(comm, &c.size), e, "MPI_Comm_size"));
    char path[PATH_MAX] = "";
    if (xp_h5_quiet(e) == XP_OK)
        (void)xp__path(path, sizeof path, dir, "meta.h5", e);
    xp__meta_precheck(&c, path);
    hid_t fapl = H5I_INVALID_HID, dxpl = H5I_INVALID_HID;
    hid_t f = H5I_INVALID_HID;
    if (xp__agree(&c) == XP_OK)
        f = xp__meta_open(&c, path, &fapl, &dxpl);
    const xp_h5_loc l = {f, path, dxpl, e};
    if (xp__agree(&c) == XP_OK && xp__meta_read_attrs(&l, m, fingerprint) ==
                                      XP_OK)
        (void)xp__meta_alloc(&l, m);
    if (xp__agree(&c) == XP_OK)
        xp__meta_read_data(&c, &l, m);
    /* Closing an MPI-IO file is collective: every rank that opened it. */
    (void)xp_h5_close(&f, e, path);
    (void)xp_h5_close(&dxpl, e, path);
    (void)xp_h5_close(&fapl, e, path);
    /* One last agreement, over the close and the value checks too; skipped
     * by all ranks alike when an earlier one already failed. */
    if (c.st == XP_OK)
        (void)xp__agree(&c);
    if (e->status != XP_OK) {
        xp_meta_free(m);
        free(*fingerprint);
        *fingerprint = NULL;
    }
    return e->status;
}

/* ---- reading one shard --------------------------------------------------- */

static xp_status xp__shard_read_attrs(const xp_h5_loc *l, int64_t index,
                                      xp_actmat *a)
{
    int64_t got;
    XP_CALL(xp_h5_attr_read(l, "index", H5T_NATIVE_INT64, &got));
    XP_CALL(xp_h5_attr_read(l, "w0", H5T_NATIVE_INT64, &a->w0));
    XP_CALL(xp_h5_attr_read(l, "w1", H5T_NATIVE_INT64, &a->w1));
    XP_CALL(xp_h5_attr_read(l, "nent", H5T_NATIVE_INT64, &a->nent));
    if (got != index || a->w0 < 0 || a->w1 < a->w0 || a->nent < 0 ||
        a->w1 - a->w0 >= INT64_MAX - 1)
        return xp_err_set(l->e, XP_FORMAT,
                          "%s: attributes index %lld (expected %lld), w0 "
                          "%lld, w1 %lld, nent %lld are inconsistent",
                          l->path, (long long)got, (long long)index,
                          (long long)a->w0, (long long)a->w1,
                          (long long)a->nent);
    XP_CALL(xp__expect_len(l, "wptr", a->w1 - a->w0 + 1));
    XP_CALL(xp__expect_len(l, "col", a->nent));
    XP_CALL(xp__expect_len(l, "client", a->nent));
    return xp__expect_len(l, "isnew", a->nent);
}

static xp_status xp__shard_read_data(const xp_h5_loc *l, xp_actmat *a)
{
    const int64_t nw = a->w1 - a->w0 + 1;
    a->wptr = xp__alloc(nw, sizeof *a->wptr, "wptr", l->e);
    if (a->nent > 0) {
        a->col = xp__alloc(a->nent, sizeof *a->col, "col", l->e);
        a->client = xp__alloc(a->nent, sizeof *a->client, "client", l->e);
        a->isnew = xp__alloc(a->nent, sizeof *a->isnew, "isnew", l->e);
    }
    XP_CALL(l->e->status);
    XP_CALL(xp_h5_read(l, "wptr", H5T_NATIVE_INT64, nw, a->wptr));
    XP_CALL(xp_h5_read(l, "col", H5T_NATIVE_UINT32, a->nent, a->col));
    XP_CALL(xp_h5_read(l, "client", H5T_NATIVE_UINT32, a->nent, a->client));
    return xp_h5_read(l, "isnew", H5T_NATIVE_UINT8, a->nent, a->isnew);
}

xp_status xp_shard_read(const char *dir, int64_t index, int64_t ncols,
                        xp_actmat *a, xp_err *e)
{
    memset(a, 0, sizeof *a);
    char path[PATH_MAX];
    XP_CALL(xp__shard_path(path, sizeof path, dir, index, e));
    XP_CALL(xp_h5_quiet(e));
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    XP_CALL(xp_h5_check(f, e, "%s: opening shard", path));
    const xp_h5_loc l = {f, path, H5P_DEFAULT, e};
    xp_status st = xp__shard_read_attrs(&l, index, a);
    if (st == XP_OK)
        st = xp__shard_read_data(&l, a);
    xp_status c = xp_h5_close(&f, e, path);
    if (st == XP_OK)
        st = c;
    if (st == XP_OK)
        st = xp__actmat_check(a, ncols, path, XP_FORMAT, e);
    if (st != XP_OK)
        xp_actmat_free(a);
    return st;
}

/* ---- probing and removing ----------------------------------------------- */

/* Does shard s open with the index and window range meta promises? */
static int xp__probe_shard(const char *dir, int64_t s, const int64_t *shard_w,
                           xp_err *e)
{
    char path[PATH_MAX];
    if (xp__shard_path(path, sizeof path, dir, s, e) != XP_OK ||
        access(path, R_OK) != 0)
        return 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (xp_h5_check(f, e, "%s: opening shard", path) != XP_OK)
        return 0;
    const xp_h5_loc l = {f, path, H5P_DEFAULT, e};
    int64_t idx = -1, w0 = -1, w1 = -1;
    const int ok = xp_h5_attr_read(&l, "index", H5T_NATIVE_INT64, &idx) ==
                       XP_OK &&
                   xp_h5_attr_read(&l, "w0", H5T_NATIVE_INT64, &w0) == XP_OK &&
                   xp_h5_attr_read(&l, "w1", H5T_NATIVE_INT64, &w1) == XP_OK &&
                   idx == s && w0 == shard_w[s] && w1 == shard_w[s + 1];
    (void)xp_h5_close(&f, e, path);
    return ok;
}

/* The meta half of the probe, on an open meta.h5. */
static int xp__probe_meta(const xp_h5_loc *l, const char *dir,
                          const char *fingerprint)
{
    int version = 0;
    int64_t nshards = -1;
    char *fp = NULL;
    int ok = xp_h5_attr_read(l, "format_version", H5T_NATIVE_INT, &version) ==
                 XP_OK &&
             version == XP_SHARD_FORMAT_VERSION &&
             xp__fingerprint_read(l, &fp) == XP_OK &&
             strcmp(fp, fingerprint) == 0 &&
             xp_h5_attr_read(l, "nshards", H5T_NATIVE_INT64, &nshards) ==
                 XP_OK &&
             nshards >= 0 && xp__expect_len(l, "shard_w", nshards + 1) == XP_OK;
    free(fp);
    int64_t *w = ok ? xp__alloc(nshards + 1, sizeof *w, "shard_w", l->e) : NULL;
    ok = w != NULL &&
         xp_h5_read(l, "shard_w", H5T_NATIVE_INT64, nshards + 1, w) == XP_OK;
    for (int64_t s = 0; ok && s < nshards; s++)
        ok = xp__probe_shard(dir, s, w, l->e);
    free(w);
    return ok;
}

xp_status xp_shard_probe(const char *dir, const char *fingerprint,
                         int *reusable, xp_err *e)
{
    *reusable = 0;
    /* Reasons a set is not reusable are recorded here, not in *e. */
    xp_err why;
    xp_err_clear(&why);
    char path[PATH_MAX];
    if (xp__path(path, sizeof path, dir, "meta.h5", &why) != XP_OK ||
        access(path, R_OK) != 0)
        return XP_OK;
    XP_CALL(xp_h5_quiet(e));
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (xp_h5_check(f, &why, "%s: opening file", path) != XP_OK)
        return XP_OK;
    const xp_h5_loc l = {f, path, H5P_DEFAULT, &why};
    *reusable = xp__probe_meta(&l, dir, fingerprint ? fingerprint : "");
    (void)xp_h5_close(&f, &why, path);
    if (why.status == XP_NOMEM) {
        *reusable = 0;
        return xp_err_set(e, XP_NOMEM, "%s", why.msg);
    }
    return XP_OK;
}

static int xp__is_shard_name(const char *n)
{
    const size_t len = strlen(n);
    if (strcmp(n, "meta.h5.tmp") == 0)
        return 1;
    if (strncmp(n, "shard-", 6) != 0)
        return 0;
    return (len > 9 && strcmp(n + len - 3, ".h5") == 0) ||
           (len > 13 && strcmp(n + len - 7, ".h5.tmp") == 0);
}

static xp_status xp__unlink(const char *path, xp_err *e)
{
    if (unlink(path) != 0 && errno != ENOENT)
        return xp_err_set(e, XP_IO, "%s: cannot remove: %s", path,
                          strerror(errno));
    return XP_OK;
}

xp_status xp_shard_remove_all(const char *dir, xp_err *e)
{
    char path[PATH_MAX];
    XP_CALL(xp__path(path, sizeof path, dir, "meta.h5", e));
    XP_CALL(xp__unlink(path, e));
    XP_CALL(xp__path(path, sizeof path, dir, "", e));
    DIR *d = opendir(path);
    if (d == NULL)
        return errno == ENOENT ? XP_OK
                               : xp_err_set(e, XP_IO, "%s: %s", path,
                                            strerror(errno));
    xp_status st = XP_OK;
    const struct dirent *de;
    while (st == XP_OK && (de = readdir(d)) != NULL) {
        char f[PATH_MAX];
        if (!xp__is_shard_name(de->d_name))
            continue;
        st = xp__path(f, sizeof f, dir, de->d_name, e);
        if (st == XP_OK)
            st = xp__unlink(f, e);
    }
    closedir(d);
    return st;
}

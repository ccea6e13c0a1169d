/* xp_h5.c - the checked HDF5 wrapper and its small helpers (see xp_h5.h). */
#include "xp_h5.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The innermost entry of the error stack: the place HDF5 found the fault. */
typedef struct xp__h5_inner {
    char desc[512];
    char func[96];
    int found;
} xp__h5_inner;

static herr_t xp__h5_walk_cb(unsigned n, const H5E_error2_t *err, void *data)
{
    xp__h5_inner *in = data;
    /* Walking upward, entry 0 is the most specific one. */
    if (n != 0 || in->found)
        return 0;
    in->found = 1;
    if (err->desc && err->desc[0])
        snprintf(in->desc, sizeof in->desc, "%s", err->desc);
    else if (H5Eget_msg(err->min_num, NULL, in->desc, sizeof in->desc) < 0)
        snprintf(in->desc, sizeof in->desc, "unknown HDF5 error");
    snprintf(in->func, sizeof in->func, "%s",
             err->func_name ? err->func_name : "?");
    return 0;
}

xp_status xp_h5_quiet(xp_err *e)
{
    return xp_h5_check(H5Eset_auto2(H5E_DEFAULT, NULL, NULL), e,
                       "switching off HDF5 error printing");
}

xp_status xp_h5_check(int64_t rc, xp_err *e, const char *fmt, ...)
{
    if (rc >= 0)
        return XP_OK;
    char ctx[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof ctx, fmt, ap);
    va_end(ap);
    xp__h5_inner in = {.found = 0};
    /* Failures of the walk itself are ignored: we are already reporting. */
    (void)H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, xp__h5_walk_cb, &in);
    (void)H5Eclear2(H5E_DEFAULT);
    if (!in.found)
        return xp_err_set(e, XP_HDF5, "%s: HDF5 call failed (no message)",
                          ctx);
    return xp_err_set(e, XP_HDF5, "%s: %s (%s)", ctx, in.desc, in.func);
}

xp_status xp_h5_close(hid_t *id, xp_err *e, const char *path)
{
    if (*id < 0)
        return XP_OK;
    herr_t rc;
    switch (H5Iget_type(*id)) {
    case H5I_FILE: rc = H5Fclose(*id); break;
    case H5I_GROUP: rc = H5Gclose(*id); break;
    case H5I_DATASET: rc = H5Dclose(*id); break;
    case H5I_ATTR: rc = H5Aclose(*id); break;
    case H5I_DATATYPE: rc = H5Tclose(*id); break;
    case H5I_DATASPACE: rc = H5Sclose(*id); break;
    case H5I_GENPROP_LST: rc = H5Pclose(*id); break;
    default: rc = -1; break;
    }
    *id = H5I_INVALID_HID;
    return xp_h5_check(rc, e, "%s: closing an HDF5 object", path);
}

/* Chunk of at most 64 Ki elements along the first dimension. */
static hid_t xp__h5_dcpl(const xp_h5_loc *l, const xp_h5_dset *d)
{
    if (d->deflate <= 0 || d->dims[0] == 0)
        return H5P_DEFAULT;
    hsize_t chunk[2] = {d->dims[0] < 65536 ? d->dims[0] : 65536, d->dims[1]};
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    if (xp_h5_check(p, l->e, "%s: dataset %s", l->path, d->name) != XP_OK)
        return p;
    if (xp_h5_check(H5Pset_chunk(p, d->rank, chunk), l->e, "%s: chunking %s",
                    l->path, d->name) != XP_OK ||
        xp_h5_check(H5Pset_deflate(p, (unsigned)d->deflate), l->e,
                    "%s: compressing %s", l->path, d->name) != XP_OK) {
        (void)H5Pclose(p);
        return -1;
    }
    return p;
}

xp_status xp_h5_write(const xp_h5_loc *l, const xp_h5_dset *d)
{
    hid_t space = H5Screate_simple(d->rank, d->dims, NULL);
    xp_status st = xp_h5_check(space, l->e, "%s: dataspace of %s", l->path,
                               d->name);
    hid_t dcpl = st == XP_OK ? xp__h5_dcpl(l, d) : H5P_DEFAULT;
    if (dcpl < 0)
        st = XP_HDF5;
    hid_t ds = H5I_INVALID_HID;
    if (st == XP_OK) {
        ds = H5Dcreate2(l->loc, d->name, d->ftype, space, H5P_DEFAULT, dcpl,
                        H5P_DEFAULT);
        st = xp_h5_check(ds, l->e, "%s: creating dataset %s", l->path,
                         d->name);
    }
    hsize_t n = d->dims[0] * (d->rank > 1 ? d->dims[1] : 1);
    if (st == XP_OK && n > 0)
        st = xp_h5_check(H5Dwrite(ds, d->mtype, H5S_ALL, H5S_ALL, l->dxpl,
                                  d->buf),
                         l->e, "%s: writing dataset %s", l->path, d->name);
    if (dcpl != H5P_DEFAULT && dcpl >= 0)
        (void)xp_h5_close(&dcpl, l->e, l->path);
    xp_status c1 = xp_h5_close(&ds, l->e, l->path);
    xp_status c2 = xp_h5_close(&space, l->e, l->path);
    return st != XP_OK ? st : c1 != XP_OK ? c1 : c2;
}

xp_status xp_h5_dims(const xp_h5_loc *l, const char *name, int rank,
                     hsize_t *dims)
{
    hid_t ds = H5Dopen2(l->loc, name, H5P_DEFAULT);
    XP_CALL(xp_h5_check(ds, l->e, "%s: dataset %s", l->path, name));
    hid_t space = H5Dget_space(ds);
    xp_status st = xp_h5_check(space, l->e, "%s: dataspace of %s", l->path,
                               name);
    int r = st == XP_OK ? H5Sget_simple_extent_ndims(space) : -1;
    if (st == XP_OK)
        st = xp_h5_check(r, l->e, "%s: rank of %s", l->path, name);
    if (st == XP_OK && r != rank)
        st = xp_err_set(l->e, XP_FORMAT,
                        "%s: dataset %s has %d dimensions, expected %d",
                        l->path, name, r, rank);
    if (st == XP_OK)
        st = xp_h5_check(H5Sget_simple_extent_dims(space, dims, NULL), l->e,
                         "%s: dimensions of %s", l->path, name);
    xp_status c1 = xp_h5_close(&space, l->e, l->path);
    xp_status c2 = xp_h5_close(&ds, l->e, l->path);
    return st != XP_OK ? st : c1 != XP_OK ? c1 : c2;
}

xp_status xp_h5_read(const xp_h5_loc *l, const char *name, hid_t mtype,
                     int64_t nelem, void *buf)
{
    if (nelem == 0)
        return XP_OK;
    hid_t ds = H5Dopen2(l->loc, name, H5P_DEFAULT);
    XP_CALL(xp_h5_check(ds, l->e, "%s: dataset %s", l->path, name));
    xp_status st = xp_h5_check(
        H5Dread(ds, mtype, H5S_ALL, H5S_ALL, l->dxpl, buf), l->e,
        "%s: reading dataset %s", l->path, name);
    xp_status c = xp_h5_close(&ds, l->e, l->path);
    return st != XP_OK ? st : c;
}

xp_status xp_h5_attr_write(const xp_h5_loc *l, const char *name, hid_t ftype,
                           hid_t mtype, const void *val)
{
    hid_t space = H5Screate(H5S_SCALAR);
    XP_CALL(xp_h5_check(space, l->e, "%s: attribute %s", l->path, name));
    hid_t a = H5Acreate2(l->loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    xp_status st = xp_h5_check(a, l->e, "%s: creating attribute %s", l->path,
                               name);
    if (st == XP_OK)
        st = xp_h5_check(H5Awrite(a, mtype, val), l->e,
                         "%s: writing attribute %s", l->path, name);
    xp_status c1 = xp_h5_close(&a, l->e, l->path);
    xp_status c2 = xp_h5_close(&space, l->e, l->path);
    return st != XP_OK ? st : c1 != XP_OK ? c1 : c2;
}

/* Open attribute `name` and check that it holds one value. */
static xp_status xp__h5_attr_open(const xp_h5_loc *l, const char *name,
                                  hid_t *a)
{
    *a = H5Aopen(l->loc, name, H5P_DEFAULT);
    XP_CALL(xp_h5_check(*a, l->e, "%s: attribute %s", l->path, name));
    hid_t space = H5Aget_space(*a);
    xp_status st = xp_h5_check(space, l->e, "%s: attribute %s", l->path,
                               name);
    hssize_t n = st == XP_OK ? H5Sget_simple_extent_npoints(space) : -1;
    if (st == XP_OK)
        st = xp_h5_check(n, l->e, "%s: attribute %s", l->path, name);
    if (st == XP_OK && n != 1)
        st = xp_err_set(l->e, XP_FORMAT,
                        "%s: attribute %s holds %lld values, expected 1",
                        l->path, name, (long long)n);
    (void)xp_h5_close(&space, l->e, l->path);
    if (st != XP_OK)
        (void)xp_h5_close(a, l->e, l->path);
    return st;
}

xp_status xp_h5_attr_read(const xp_h5_loc *l, const char *name, hid_t mtype,
                          void *val)
{
    hid_t a;
    XP_CALL(xp__h5_attr_open(l, name, &a));
    xp_status st = xp_h5_check(H5Aread(a, mtype, val), l->e,
                               "%s: reading attribute %s", l->path, name);
    xp_status c = xp_h5_close(&a, l->e, l->path);
    return st != XP_OK ? st : c;
}

xp_status xp_h5_attr_write_str(const xp_h5_loc *l, const char *name,
                               const char *s)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    XP_CALL(xp_h5_check(t, l->e, "%s: string type for %s", l->path, name));
    xp_status st = xp_h5_check(H5Tset_size(t, strlen(s) + 1), l->e,
                               "%s: string type for %s", l->path, name);
    if (st == XP_OK)
        st = xp_h5_check(H5Tset_strpad(t, H5T_STR_NULLTERM), l->e,
                         "%s: string type for %s", l->path, name);
    if (st == XP_OK)
        st = xp_h5_attr_write(l, name, t, t, s);
    xp_status c = xp_h5_close(&t, l->e, l->path);
    return st != XP_OK ? st : c;
}

/* Read a string attribute whose file type is ft into a new string. */
static xp_status xp__h5_read_str(const xp_h5_loc *l, const char *name,
                                 hid_t a, hid_t ft, char **s)
{
    htri_t vlen = H5Tis_variable_str(ft);
    XP_CALL(xp_h5_check(vlen, l->e, "%s: attribute %s", l->path, name));
    hid_t mt = H5Tcopy(H5T_C_S1);
    XP_CALL(xp_h5_check(mt, l->e, "%s: attribute %s", l->path, name));
    size_t size = vlen ? H5T_VARIABLE : H5Tget_size(ft);
    xp_status st = xp_h5_check(size == 0 ? -1 : H5Tset_size(mt, size), l->e,
                               "%s: attribute %s", l->path, name);
    char *vs = NULL, *buf = NULL;
    if (st == XP_OK && !vlen) {
        buf = calloc(1, size + 1);
        if (buf == NULL)
            st = xp_err_set(l->e, XP_NOMEM, "out of memory reading %s", name);
    }
    if (st == XP_OK)
        st = xp_h5_check(H5Aread(a, mt, vlen ? (void *)&vs : (void *)buf),
                         l->e, "%s: reading attribute %s", l->path, name);
    if (st == XP_OK && vlen) {
        buf = strdup(vs ? vs : "");
        if (buf == NULL)
            st = xp_err_set(l->e, XP_NOMEM, "out of memory reading %s", name);
    }
    if (vs)
        (void)H5free_memory(vs);
    (void)xp_h5_close(&mt, l->e, l->path);
    if (st != XP_OK)
        free(buf);
    else
        *s = buf;
    return st;
}

xp_status xp_h5_attr_read_str(const xp_h5_loc *l, const char *name, char **s)
{
    hid_t a;
    XP_CALL(xp__h5_attr_open(l, name, &a));
    hid_t ft = H5Aget_type(a);
    xp_status st = xp_h5_check(ft, l->e, "%s: type of attribute %s", l->path,
                               name);
    H5T_class_t cls = st == XP_OK ? H5Tget_class(ft) : H5T_NO_CLASS;
    if (st == XP_OK && cls != H5T_STRING)
        st = xp_err_set(l->e, XP_FORMAT,
                        "%s: attribute %s is not a string (class %d)", l->path,
                        name, (int)cls);
    if (st == XP_OK)
        st = xp__h5_read_str(l, name, a, ft, s);
    (void)xp_h5_close(&ft, l->e, l->path);
    xp_status c = xp_h5_close(&a, l->e, l->path);
    return st != XP_OK ? st : c;
}

/*
 * xp_h5.h - the one checked wrapper for HDF5 (STYLE.md, practice 9), and a
 * few small helpers built on it for scalar attributes and whole datasets.
 *
 * Every HDF5 call in expose-mpi goes through xp_h5_check: a negative return
 * becomes XP_HDF5 with our context ("DIR/shards/meta.h5: dataset cols") and
 * the innermost message of HDF5's own error stack (found with H5Ewalk2), e.g.
 * "...: unable to open file: name = '...', errno = 2, ...". HDF5's automatic
 * printing of the stack to stderr is switched off by xp_h5_quiet, which
 * every entry point of io/ that uses HDF5 calls first.
 *
 * None of these functions is collective by itself; whether an HDF5 call is
 * collective depends on the file access / transfer property lists the
 * caller passes (see xp_shard.c).
 */
#ifndef XP_H5_H
#define XP_H5_H

#include <hdf5.h>
#include <stdint.h>

#include "xp_error.h"

/*
 * Turn off HDF5's automatic error printing for the default error stack.
 * Idempotent and cheap; not collective. Returns XP_OK or XP_HDF5.
 */
xp_status xp_h5_quiet(xp_err *e);

/*
 * The checked wrapper. rc is any HDF5 return (herr_t, hid_t, htri_t,
 * hssize_t): rc >= 0 is success and returns XP_OK; rc < 0 records XP_HDF5 in
 * *e as "<context>: <innermost HDF5 message> (<HDF5 function>)", clears the
 * HDF5 error stack and returns XP_HDF5. fmt/... give the context and should
 * name the file and the object. Not collective.
 */
xp_status xp_h5_check(int64_t rc, xp_err *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Close *id whatever kind of HDF5 object it is (file, group, dataset,
 * attribute, datatype, dataspace, property list) and set it to
 * H5I_INVALID_HID; a negative *id is left alone and returns XP_OK. Closing a
 * file opened for writing flushes it, so its status matters. Collective
 * exactly when closing that object is (a file opened with the MPI-IO driver).
 */
xp_status xp_h5_close(hid_t *id, xp_err *e, const char *path);

/* Where helpers read and write: an open file or group, its path for
 * messages, and the transfer property list for dataset I/O (H5P_DEFAULT,
 * or a collective one for MPI-IO). */
typedef struct xp_h5_loc {
    hid_t loc;
    const char *path;
    hid_t dxpl;
    xp_err *e;
} xp_h5_loc;

/* A whole dataset to write: up to 2 dimensions, contiguous memory buffer. */
typedef struct xp_h5_dset {
    const char *name;
    hid_t ftype; /* type in the file (e.g. H5T_STD_I64LE) */
    hid_t mtype; /* type in memory (e.g. H5T_NATIVE_INT64) */
    int rank;    /* 1 or 2 */
    hsize_t dims[2];
    const void *buf; /* may be NULL when a dimension is 0 */
    int deflate;     /* 0: contiguous; 1..9: chunked with that gzip level */
} xp_h5_dset;

/* Create and write dataset d under l->loc. Not collective (use it on files
 * opened with the default driver). Errors: XP_HDF5. */
xp_status xp_h5_write(const xp_h5_loc *l, const xp_h5_dset *d);

/*
 * Open dataset `name`, check that it has `rank` dimensions (XP_FORMAT
 * otherwise) and store them in dims. Not collective.
 */
xp_status xp_h5_dims(const xp_h5_loc *l, const char *name, int rank,
                     hsize_t *dims);

/*
 * Read all of dataset `name` into buf (which the caller sized from
 * xp_h5_dims), converting to mtype, with transfer list l->dxpl: collective
 * when that list asks for collective transfer, so then every rank of the
 * file's communicator must call it. Reads nothing when nelem is 0.
 */
xp_status xp_h5_read(const xp_h5_loc *l, const char *name, hid_t mtype,
                     int64_t nelem, void *buf);

/* Write a scalar attribute `name` of file type ftype from *val (mtype). */
xp_status xp_h5_attr_write(const xp_h5_loc *l, const char *name, hid_t ftype,
                           hid_t mtype, const void *val);
/* Read scalar attribute `name` into *val converting to mtype. XP_FORMAT when
 * the attribute is not a scalar. */
xp_status xp_h5_attr_read(const xp_h5_loc *l, const char *name, hid_t mtype,
                          void *val);
/* Write a fixed-length, NUL-terminated ASCII string attribute. */
xp_status xp_h5_attr_write_str(const xp_h5_loc *l, const char *name,
                               const char *s);
/* Read a fixed- or variable-length string attribute into a new malloc'd
 * string *s (the caller frees it). XP_FORMAT when it is not a string. */
xp_status xp_h5_attr_read_str(const xp_h5_loc *l, const char *name, char **s);

#endif

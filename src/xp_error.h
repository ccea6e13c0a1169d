/*
 * xp_error.h - one error table for the whole program (X-macro), and the error
 * object that carries the first failure with its full message.
 *
 * Every fallible function returns an xp_status (XP_OK == 0, failures < 0) and,
 * where it has an xp_err *, fills it with a one-line message that names the
 * file and the place ("trace.pcap: record 1832 at offset 991204: ...").
 * Library code never exits; only main() turns a status into an exit code.
 */
#ifndef XP_ERROR_H
#define XP_ERROR_H

#include <stdarg.h>
#include <stddef.h>

/* name, message */
#define XP_ERROR_TABLE(X)                                                      \
    X(OK, "success")                                                           \
    X(NOMEM, "out of memory")                                                  \
    X(IO, "input/output error")                                                \
    X(FORMAT, "malformed input")                                               \
    X(TRUNCATED, "input cut short")                                            \
    X(UNSUPPORTED, "unsupported input")                                        \
    X(NOINPUT, "no trace found")                                               \
    X(ARG, "bad option")                                                       \
    X(MPI, "MPI failure")                                                      \
    X(HDF5, "HDF5 failure")                                                    \
    X(LAPACK, "numerical library failure")                                     \
    X(BUDGET, "over a memory or size budget")                                  \
    X(INTERRUPTED, "interrupted by a signal")                                  \
    X(FAULT, "injected fault")                                                 \
    X(REMOTE, "another rank failed")                                           \
    X(INTERNAL, "internal error")                                              \
    X(TIMEOUT, "over the time limit")

typedef enum xp_status {
#define XP__ENUM(name, msg) XP__IDX_##name,
    XP_ERROR_TABLE(XP__ENUM)
#undef XP__ENUM
    XP__NSTATUS
} xp__status_idx;

/* Public codes are 0 (success) or negative. */
#define XP__CODE(name) (-(int)XP__IDX_##name)
enum {
#define XP__DEF(name, msg) XP_##name = XP__CODE(name),
    XP_ERROR_TABLE(XP__DEF)
#undef XP__DEF
};
typedef int xp_status;

/* The first failure of an operation, with a one-line message. */
typedef struct xp_err {
    xp_status status;
    char msg[1024];
} xp_err;

/* Name ("FORMAT") and generic message of a status; never NULL. */
const char *xp_status_name(xp_status s);
const char *xp_status_msg(xp_status s);

/* Reset *e to XP_OK with an empty message. */
void xp_err_clear(xp_err *e);

/*
 * Record failure s with a printf-style message, unless *e already holds a
 * failure (the first one wins). Returns s so callers can write
 * `return xp_err_set(e, XP_FORMAT, "%s: line %lld: ...", ...)`.
 * e may be NULL.
 */
xp_status xp_err_set(xp_err *e, xp_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Return from the current function with its status if expr fails. */
#define XP_CALL(expr)                                                          \
    do {                                                                       \
        xp_status xp__s = (expr);                                              \
        if (xp__s != XP_OK)                                                    \
            return xp__s;                                                      \
    } while (0)

/* Fail with XP_NOMEM (and a message naming what) when ptr is NULL. */
#define XP_ALLOC_CHECK(e, ptr, what)                                           \
    do {                                                                       \
        if ((ptr) == NULL)                                                     \
            return xp_err_set((e), XP_NOMEM, "out of memory allocating %s",    \
                              (what));                                         \
    } while (0)

#endif

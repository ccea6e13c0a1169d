/*
 * xp_report_json.h - a small JSON reader for our own output files
 * (rules.jsonl, clusters.json, summary.json). Parses a memory buffer into a
 * tree; strict RFC 8259 syntax, UTF-8 passed through, \u escapes decoded.
 * Not thread-hostile: no state outside the tree.
 */
#ifndef XP_REPORT_JSON_H
#define XP_REPORT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "xp_error.h"

typedef enum xp_jtype { XP_JNULL, XP_JBOOL, XP_JNUM, XP_JSTR, XP_JARR, XP_JOBJ } xp_jtype;

/* One value. Arrays keep their elements in v[0..n); objects also keep
 * keys[0..n) parallel to v (duplicate keys: the first one is found). */
typedef struct xp_jval {
    xp_jtype type;
    int b;        /* XP_JBOOL */
    double num;   /* XP_JNUM */
    char *str;    /* XP_JSTR, NUL-terminated (may hold NUL via \u0000: cut) */
    struct xp_jval *v;
    char **keys;
    size_t n;
    void *arena; /* the root's: every string and array of the tree */
} xp_jval;

/*
 * Parse exactly one JSON value from buf[0..len) (whitespace around it is
 * allowed, anything else after it is an error). `where` names the input in
 * messages ("out/rules.jsonl: line 3"); errors are XP_FORMAT with the byte
 * offset in the buffer and what was expected, or XP_NOMEM. On success *out
 * is owned by the caller: release it with xp_json_free. On failure *out is
 * left empty (XP_JNULL).
 */
xp_status xp_json_parse(const char *buf, size_t len, const char *where, xp_jval *out,
                        xp_err *e);

/* Release the tree of a root from xp_json_parse and reset it to XP_JNULL.
 * v may be NULL; a value inside a tree owns nothing (its root does). */
void xp_json_free(xp_jval *v);

/* Member `key` of object o, or NULL when o is not an object or lacks it. */
const xp_jval *xp_json_get(const xp_jval *o, const char *key);

/* Number member as double/int64 with a fallback when absent or null.
 * Returns XP_FORMAT (naming `where` and key) when present but not a number,
 * or, for the integer form, not an integer in range. */
xp_status xp_json_num(const xp_jval *o, const char *key, double dflt, double *out,
                      const char *where, xp_err *e);
xp_status xp_json_int(const xp_jval *o, const char *key, int64_t dflt, int64_t *out,
                      const char *where, xp_err *e);

#endif

/* xp_report_json.c - recursive-descent JSON reader (see xp_report_json.h). */
#include "xp_report_json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Deeper nesting than this is not something we write; refuse it rather than
 * risk the stack on hostile input. */
#define XP__JSON_MAX_DEPTH 64

/* The tree's memory: chunks freed together by xp_json_free, so that a
 * rule line's ~60 strings and arrays cost no malloc and free each (the
 * reports load 21,454 rules on every writing rank). */
typedef struct xp__chunk {
    struct xp__chunk *next;
    size_t used, cap;
    max_align_t data[];
} xp__chunk;

typedef struct xp__jp {
    const char *s;
    size_t len, pos;
    const char *where;
    xp_err *e;
    xp__chunk *arena;
} xp__jp;

static void *xp__jalloc(xp__jp *p, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    xp__chunk *c = p->arena;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = c ? 2 * c->cap : (size_t)8 << 10;
        if (cap > ((size_t)1 << 20))
            cap = (size_t)1 << 20;
        if (cap < n)
            cap = n;
        xp__chunk *nc = malloc(sizeof *nc + cap);
        if (nc == NULL)
            return NULL;
        nc->next = c;
        nc->used = 0;
        nc->cap = cap;
        p->arena = c = nc;
    }
    void *r = (char *)c->data + c->used;
    c->used += n;
    return r;
}

static xp_status xp__jvalue(xp__jp *p, xp_jval *out, int depth);

static xp_status xp__jfail(xp__jp *p, const char *what)
{
    if (p->pos >= p->len)
        return xp_err_set(p->e, XP_FORMAT, "%s: byte %zu: %s, found end of input", p->where,
                          p->pos, what);
    return xp_err_set(p->e, XP_FORMAT, "%s: byte %zu: %s, found '%c'", p->where, p->pos,
                      what, p->s[p->pos]);
}

static void xp__jws(xp__jp *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
}

static int xp__jpeek(const xp__jp *p) { return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1; }

static xp_status xp__jlit(xp__jp *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return xp__jfail(p, "expected a JSON value");
    p->pos += n;
    return XP_OK;
}

/* Append code point cp as UTF-8 to b (room for 4 bytes is guaranteed). */
static size_t xp__utf8(char *b, uint32_t cp)
{
    if (cp < 0x80) {
        b[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (char)(0xF0 | (cp >> 18));
    b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int xp__hex4(const xp__jp *p, size_t at, uint32_t *cp)
{
    uint32_t v = 0;
    if (p->len - at < 4)
        return -1;
    for (size_t i = 0; i < 4; i++) {
        int c = (unsigned char)p->s[at + i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + (uint32_t)d;
    }
    *cp = v;
    return 0;
}

/* \uXXXX at p->pos (after the backslash-u), with surrogate pairs. */
static xp_status xp__juescape(xp__jp *p, uint32_t *cp)
{
    if (xp__hex4(p, p->pos, cp) != 0)
        return xp__jfail(p, "expected 4 hex digits after \\u");
    p->pos += 4;
    if (*cp >= 0xD800 && *cp < 0xDC00) {
        uint32_t lo;
        if (p->len - p->pos < 6 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' ||
            xp__hex4(p, p->pos + 2, &lo) != 0 || lo < 0xDC00 || lo >= 0xE000)
            return xp__jfail(p, "expected a low surrogate \\uDC00-\\uDFFF");
        p->pos += 6;
        *cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
    } else if (*cp >= 0xDC00 && *cp < 0xE000) {
        return xp__jfail(p, "unpaired low surrogate");
    }
    return XP_OK;
}

static xp_status xp__jescape(xp__jp *p, char *b, size_t *k)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    p->pos++; /* the backslash */
    int c = xp__jpeek(p);
    const char *hit = c > 0 ? strchr(from, c) : NULL;
    p->pos++;
    if (hit != NULL) {
        b[(*k)++] = to[hit - from];
        return XP_OK;
    }
    if (c != 'u') {
        p->pos--;
        return xp__jfail(p, "expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)");
    }
    uint32_t cp;
    XP_CALL(xp__juescape(p, &cp));
    *k += xp__utf8(b + *k, cp);
    return XP_OK;
}

/* A string at p->pos (on the opening quote) into the arena. Decoded text
 * is never longer than its source, so one buffer of the source size works. */
static xp_status xp__jstring(xp__jp *p, char **out)
{
    size_t start = ++p->pos, k = 0;
    size_t end = start;
    while (end < p->len && p->s[end] != '"' && p->s[end] != '\\' &&
           (unsigned char)p->s[end] >= 0x20)
        end++;
    if (end < p->len && p->s[end] == '"') { /* plain text: nearly every string */
        char *b = xp__jalloc(p, end - start + 1);
        XP_ALLOC_CHECK(p->e, b, "a JSON string");
        memcpy(b, p->s + start, end - start);
        b[end - start] = '\0';
        p->pos = end + 1;
        *out = b;
        return XP_OK;
    }
    while (end < p->len && p->s[end] != '"')
        end += p->s[end] == '\\' ? 2 : 1;
    char *b = xp__jalloc(p, end - start + 4);
    XP_ALLOC_CHECK(p->e, b, "a JSON string");
    for (;;) {
        /* A run of plain characters is copied at once. */
        size_t run = p->pos;
        while (run < p->len && p->s[run] != '"' && p->s[run] != '\\' &&
               (unsigned char)p->s[run] >= 0x20)
            run++;
        memcpy(b + k, p->s + p->pos, run - p->pos);
        k += run - p->pos;
        p->pos = run;
        int c = xp__jpeek(p);
        xp_status s = XP_OK;
        if (c == '"')
            break;
        if (c < 0x20)
            s = xp__jfail(p, c < 0 ? "unterminated string" : "control character in string");
        else if (c == '\\')
            s = xp__jescape(p, b, &k);
        else
            b[k++] = p->s[p->pos++];
        if (s != XP_OK)
            return s;
    }
    p->pos++;
    b[k] = '\0';
    *out = b;
    return XP_OK;
}

/*
 * Clinger's fast path: a number of at most 15 significant digits m and a
 * decimal exponent |k| <= 22 is m * 10^k or m / 10^-k of two exact doubles,
 * which IEEE arithmetic rounds correctly: the value strtod would give. Ours
 * are written with %.10g (rules.jsonl, clusters.json), so nearly all take
 * it; returns 0 for the others (then strtod). s[0..n) is a valid number.
 */
static int xp__jnum_fast(const char *s, size_t n, double *out)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t i = 0;
    int neg = s[0] == '-', digits = 0, k = 0;
    uint64_t m = 0;
    i += (size_t)neg;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        if (m != 0 || s[i] != '0')
            digits++;
        m = m * 10 + (uint64_t)(s[i] - '0');
        if (digits > 15)
            return 0;
    }
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (m != 0 || s[i] != '0')
                digits++;
            m = m * 10 + (uint64_t)(s[i] - '0');
            k--;
            if (digits > 15)
                return 0;
        }
    if (i < n) { /* 'e' or 'E' */
        int sign = 1, x = 0;
        i++;
        if (s[i] == '+' || s[i] == '-')
            sign = s[i++] == '-' ? -1 : 1;
        for (; i < n; i++) {
            x = x * 10 + (s[i] - '0');
            if (x > 400)
                return 0;
        }
        k += sign * x;
    }
    if (k < -22 || k > 22)
        return 0;
    double v = (double)m; /* exact: m < 10^15 < 2^53 */
    v = k < 0 ? v / p10[-k] : v * p10[k];
    *out = neg ? -v : v;
    return 1;
}

static xp_status xp__jnumber(xp__jp *p, xp_jval *out)
{
    size_t st = p->pos, i = st;
    const char *s = p->s;
    if (i < p->len && s[i] == '-')
        i++;
    if (i >= p->len || s[i] < '0' || s[i] > '9')
        return xp__jfail(p, "expected a JSON value");
    if (s[i] == '0')
        i++;
    else
        while (i < p->len && s[i] >= '0' && s[i] <= '9')
            i++;
    if (i < p->len && s[i] == '.') {
        size_t d = ++i;
        while (i < p->len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d) {
            p->pos = i;
            return xp__jfail(p, "expected a digit after '.'");
        }
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < p->len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < p->len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d) {
            p->pos = i;
            return xp__jfail(p, "expected a digit in the exponent");
        }
    }
    out->type = XP_JNUM;
    if (xp__jnum_fast(s + st, i - st, &out->num)) {
        p->pos = i;
        return XP_OK;
    }
    char tmp[64];
    if (i - st >= sizeof tmp)
        return xp__jfail(p, "number longer than 63 characters");
    memcpy(tmp, s + st, i - st);
    tmp[i - st] = '\0';
    out->type = XP_JNUM;
    out->num = strtod(tmp, NULL);
    p->pos = i;
    return XP_OK;
}

/* Grow the element (and key) arrays of an array/object by one slot. */
static xp_status xp__jgrow(xp__jp *p, xp_jval *a, size_t *cap, int with_keys)
{
    if (a->n < *cap)
        return XP_OK;
    size_t nc = *cap ? *cap * 2 : with_keys ? 32 : 4; /* a rule has 25 members */
    xp_jval *v = xp__jalloc(p, nc * sizeof *v);
    XP_ALLOC_CHECK(p->e, v, "a JSON array");
    if (a->n)
        memcpy(v, a->v, a->n * sizeof *v);
    a->v = v;
    if (with_keys) {
        char **k = xp__jalloc(p, nc * sizeof *k);
        XP_ALLOC_CHECK(p->e, k, "a JSON object");
        if (a->n)
            memcpy(k, a->keys, a->n * sizeof *k);
        a->keys = k;
    }
    *cap = nc;
    return XP_OK;
}

/* Elements or members of an array/object; p->pos is just past '[' or '{'. */
static xp_status xp__jitems(xp__jp *p, xp_jval *out, int obj, int depth)
{
    size_t cap = 0;
    const char close = obj ? '}' : ']';
    xp__jws(p);
    if (xp__jpeek(p) == close) {
        p->pos++;
        return XP_OK;
    }
    for (;;) {
        XP_CALL(xp__jgrow(p, out, &cap, obj));
        xp__jws(p);
        if (obj) {
            if (xp__jpeek(p) != '"')
                return xp__jfail(p, "expected a string key");
            XP_CALL(xp__jstring(p, &out->keys[out->n]));
            xp__jws(p);
            if (xp__jpeek(p) != ':')
                return xp__jfail(p, "expected ':' after the key");
            p->pos++;
        }
        XP_CALL(xp__jvalue(p, &out->v[out->n], depth + 1)); /* the arena holds it */
        out->n++;
        xp__jws(p);
        int c = xp__jpeek(p);
        p->pos++;
        if (c == close)
            return XP_OK;
        if (c != ',') {
            p->pos--;
            return xp__jfail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
        }
    }
}

static xp_status xp__jvalue(xp__jp *p, xp_jval *out, int depth)
{
    memset(out, 0, sizeof *out);
    if (depth > XP__JSON_MAX_DEPTH)
        return xp__jfail(p, "nesting deeper than 64 levels");
    xp__jws(p);
    switch (xp__jpeek(p)) {
    case '{':
    case '[':
        out->type = xp__jpeek(p) == '{' ? XP_JOBJ : XP_JARR;
        p->pos++;
        return xp__jitems(p, out, out->type == XP_JOBJ, depth);
    case '"':
        out->type = XP_JSTR;
        return xp__jstring(p, &out->str);
    case 't':
        out->type = XP_JBOOL;
        out->b = 1;
        return xp__jlit(p, "true");
    case 'f':
        out->type = XP_JBOOL;
        return xp__jlit(p, "false");
    case 'n':
        return xp__jlit(p, "null");
    default:
        return xp__jnumber(p, out);
    }
}

xp_status xp_json_parse(const char *buf, size_t len, const char *where, xp_jval *out,
                        xp_err *e)
{
    xp__jp p = {buf, len, 0, where, e, NULL};
    xp_status s = xp__jvalue(&p, out, 0);
    if (s == XP_OK) {
        xp__jws(&p);
        if (p.pos < p.len)
            s = xp__jfail(&p, "expected the end of the value");
    }
    out->arena = p.arena;
    if (s != XP_OK)
        xp_json_free(out);
    return s;
}

void xp_json_free(xp_jval *v)
{
    if (v == NULL)
        return;
    for (xp__chunk *c = v->arena, *next; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    memset(v, 0, sizeof *v);
}

const xp_jval *xp_json_get(const xp_jval *o, const char *key)
{
    if (o == NULL || o->type != XP_JOBJ)
        return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (o->keys[i][0] == key[0] && strcmp(o->keys[i], key) == 0)
            return &o->v[i];
    return NULL;
}

xp_status xp_json_num(const xp_jval *o, const char *key, double dflt, double *out,
                      const char *where, xp_err *e)
{
    const xp_jval *v = xp_json_get(o, key);
    *out = dflt;
    if (v == NULL || v->type == XP_JNULL)
        return XP_OK;
    if (v->type != XP_JNUM)
        return xp_err_set(e, XP_FORMAT, "%s: \"%s\" should be a number", where, key);
    *out = v->num;
    return XP_OK;
}

xp_status xp_json_int(const xp_jval *o, const char *key, int64_t dflt, int64_t *out,
                      const char *where, xp_err *e)
{
    double d;
    XP_CALL(xp_json_num(o, key, NAN, &d, where, e));
    *out = dflt;
    if (isnan(d))
        return XP_OK;
    if (d != floor(d) || fabs(d) > 9.0e15)
        return xp_err_set(e, XP_FORMAT, "%s: \"%s\" should be an integer, found %.17g", where,
                          key, d);
    *out = (int64_t)d;
    return XP_OK;
}

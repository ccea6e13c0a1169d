/* xp_zeek.c - Zeek conn.log (TSV and JSON lines) to records. */
#define _GNU_SOURCE /* fseeko */
#include "xp_zeek.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "xp_mem.h"
#include "xp_ports.h"

enum { C_TS, C_OH, C_OP, C_RH, C_RP, C_PROTO, C_DUR };

static const char *const xp__colnames[XP_ZEEK_NCOL] = {
    "ts", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "duration",
};

/* A field of a line: bytes [s, s + n). */
typedef struct xp__fld {
    const char *s;
    size_t n;
} xp__fld;

void xp_zeek_init(xp_zeek_parser *p, const char *name, xp_sink *k)
{
    memset(p, 0, sizeof *p);
    p->k = k;
    p->name = name;
    p->sep = '\t';
    for (int i = 0; i < XP_ZEEK_NCOL; i++)
        p->col[i] = -1;
    memset(p->want, -1, sizeof p->want);
    memcpy(p->unset, "-", 2);
    p->unset_len = 1;
    memcpy(p->empty, "(empty)", 8);
    p->empty_len = 7;
}

/* ---- numbers */

static const double xp__pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
                                   1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

/* Fallback for forms the fast path does not take (exponents, long digits). */
static int xp__slow_double(const char *s, size_t n, double *out)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (end != buf + n || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Parse a finite decimal number; 0 or -1. */
static int xp__double(const char *s, size_t n, double *out)
{
    size_t i = 0;
    int neg = 0;
    if (n && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    uint64_t ip = 0, fp = 0;
    size_t id = 0, fd = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9' && id < 18; i++, id++)
        ip = ip * 10 + (uint64_t)(s[i] - '0');
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9' && fd < 18; i++, fd++)
            fp = fp * 10 + (uint64_t)(s[i] - '0');
    if (i != n || id + fd == 0)
        return xp__slow_double(s, n, out);
    double v = (double)ip + (double)fp / xp__pow10[fd];
    *out = neg ? -v : v;
    return 0;
}

/* A port 0..65535, or the unset mark (0). */
static int xp__port(const xp_zeek_parser *p, xp__fld f, uint16_t *out)
{
    if (f.n == p->unset_len && memcmp(f.s, p->unset, f.n) == 0) {
        *out = 0;
        return 0;
    }
    if (f.n == 0 || f.n > 5)
        return -1;
    uint32_t v = 0;
    for (size_t i = 0; i < f.n; i++) {
        if (f.s[i] < '0' || f.s[i] > '9')
            return -1;
        v = v * 10 + (uint32_t)(f.s[i] - '0');
    }
    if (v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

/* ---- ISO-8601 */

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t xp__days(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int xp__digits(const char *s, size_t n, size_t at, size_t k, int64_t *out)
{
    if (at + k > n)
        return -1;
    int64_t v = 0;
    for (size_t i = at; i < at + k; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int xp_zeek_iso8601(const char *s, size_t n, double *out)
{
    int64_t y, mo, d, h, mi, se;
    if (xp__digits(s, n, 0, 4, &y) || n < 19 || s[4] != '-' || xp__digits(s, n, 5, 2, &mo) ||
        s[7] != '-' || xp__digits(s, n, 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
        xp__digits(s, n, 11, 2, &h) || s[13] != ':' || xp__digits(s, n, 14, 2, &mi) ||
        s[16] != ':' || xp__digits(s, n, 17, 2, &se))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    size_t i = 19;
    double frac = 0, scale = 0.1;
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
            frac += (s[i] - '0') * scale;
    }
    int64_t tz = 0;
    if (i < n && s[i] == 'Z') {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int64_t th, tm;
        if (xp__digits(s, n, i + 1, 2, &th) || i + 6 != n || s[i + 3] != ':' ||
            xp__digits(s, n, i + 4, 2, &tm))
            return -1;
        tz = (s[i] == '+' ? 1 : -1) * (th * 3600 + tm * 60);
        i += 6;
    }
    if (i != n)
        return -1;
    *out = (double)(xp__days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - tz) + frac;
    return 0;
}

/* ---- one record from its seven fields (TSV and JSON share this) */

typedef struct xp__line {
    int64_t no;   /* 1-based line number */
    int64_t off;  /* byte offset of the line */
    int cut;      /* the last line, without a newline */
} xp__line;

static xp_status xp__bad(xp_zeek_parser *p, const xp__line *ln, xp_err *e, const char *what,
                         xp__fld f)
{
    int n = f.n > 40 ? 40 : (int)f.n;
    return xp_sink_bad(p->k, ln->cut, XP_FORMAT, e, "%s: line %lld (byte %lld): %s '%.*s'",
                       p->name, (long long)ln->no, (long long)ln->off, what, n, f.s ? f.s : "");
}

static int xp__is_unset(const xp_zeek_parser *p, xp__fld f)
{
    return f.n == 0 || (f.n == p->unset_len && memcmp(f.s, p->unset, f.n) == 0) ||
           (f.n == p->empty_len && memcmp(f.s, p->empty, f.n) == 0);
}

/* iso: the ts may be an ISO-8601 string (JSON). */
static xp_status xp__record(xp_zeek_parser *p, const xp__fld *f, const xp__line *ln, int iso,
                            xp_err *e)
{
    xp_rec r;
    memset(&r, 0, sizeof r);
    r.flags = XP_REC_START;
    if (xp__double(f[C_TS].s, f[C_TS].n, &r.ts) != 0 &&
        !(iso && xp_zeek_iso8601(f[C_TS].s, f[C_TS].n, &r.ts) == 0))
        return xp__bad(p, ln, e, "ts is not a finite number:", f[C_TS]);
    if (xp_addr_parse(&r.src, f[C_OH].s, f[C_OH].n) != 0)
        return xp__bad(p, ln, e, "id.orig_h is not an address:", f[C_OH]);
    if (xp_addr_parse(&r.dst, f[C_RH].s, f[C_RH].n) != 0)
        return xp__bad(p, ln, e, "id.resp_h is not an address:", f[C_RH]);
    if (xp__port(p, f[C_OP], &r.sport) != 0)
        return xp__bad(p, ln, e, "id.orig_p is not a port:", f[C_OP]);
    if (xp__port(p, f[C_RP], &r.dport) != 0)
        return xp__bad(p, ln, e, "id.resp_p is not a port:", f[C_RP]);
    int proto = xp_proto_parse(f[C_PROTO].s, f[C_PROTO].n);
    if (proto < 0)
        return xp__bad(p, ln, e, "proto is not a protocol:", f[C_PROTO]);
    /* Zeek writes "icmp" for ICMPv6 too. */
    r.proto = (uint8_t)(proto == 1 && !xp_addr_is_v4(&r.src) ? 58 : proto);
    if (!xp__is_unset(p, f[C_DUR]) &&
        (xp__double(f[C_DUR].s, f[C_DUR].n, &r.dur) != 0 || r.dur < 0))
        return xp__bad(p, ln, e, "duration is not a number >= 0:", f[C_DUR]);
    p->k->stats->used++;
    if (xp_recvec_push(p->k->out, &r) != 0)
        return xp_err_set(e, XP_NOMEM, "%s: out of memory at line %lld", p->name, (long long)ln->no);
    return XP_OK;
}

/* ---- TSV */

/* Decode a '#separator' value: "\x09" or a literal character. */
static int xp__sepval(const char *s, size_t n, char *out)
{
    if (n == 4 && s[0] == '\\' && s[1] == 'x') {
        char hex[3] = {s[2], s[3], 0};
        char *end;
        long v = strtol(hex, &end, 16);
        if (*end != '\0' || v <= 0)
            return -1;
        *out = (char)v;
        return 0;
    }
    if (n == 1 && s[0] != '\n') {
        *out = s[0];
        return 0;
    }
    return -1;
}

/* Split a header line's value list on sep; calls back per item index. */
static xp_status xp__fields_line(xp_zeek_parser *p, const char *s, size_t n, const xp__line *ln,
                                 xp_err *e)
{
    for (int i = 0; i < XP_ZEEK_NCOL; i++)
        p->col[i] = -1;
    int idx = 0;
    size_t at = 0;
    while (at <= n) {
        const char *t = memchr(s + at, p->sep, n - at);
        size_t end = t ? (size_t)(t - s) : n;
        for (int c = 0; c < XP_ZEEK_NCOL; c++)
            if (p->col[c] < 0 && strlen(xp__colnames[c]) == end - at &&
                memcmp(xp__colnames[c], s + at, end - at) == 0)
                p->col[c] = idx;
        idx++;
        at = end + 1;
    }
    p->maxcol = 0;
    memset(p->want, -1, sizeof p->want);
    for (int c = 0; c < XP_ZEEK_NCOL; c++) {
        if (p->col[c] < 0 && c != C_DUR)
            return xp_err_set(e, XP_FORMAT, "%s: line %lld: #fields has no '%s' column",
                              p->name, (long long)ln->no, xp__colnames[c]);
        if (p->col[c] > p->maxcol)
            p->maxcol = p->col[c];
        if (p->col[c] >= 0 && p->col[c] < XP_ZEEK_WANT)
            p->want[p->col[c]] = (signed char)c;
    }
    p->have_fields = 1;
    return XP_OK;
}

/* Copy a header value (after the separator) into dst. */
static void xp__setval(char *dst, size_t cap, size_t *len, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    *len = n;
}

static int xp__starts(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);
    return n > w && memcmp(s, word, w) == 0;
}

static xp_status xp__header(xp_zeek_parser *p, const char *s, size_t n, const xp__line *ln,
                            xp_err *e)
{
    if (xp__starts(s, n, "#separator ")) {
        p->state_lines++;
        if (xp__sepval(s + 11, n - 11, &p->sep) != 0)
            return xp_err_set(e, XP_FORMAT, "%s: line %lld: bad #separator '%.*s'", p->name,
                              (long long)ln->no, (int)(n > 40 ? 40 : n), s);
        return XP_OK;
    }
    if (xp__starts(s, n, "#fields") && s[7] == p->sep) {
        p->state_lines++;
        return xp__fields_line(p, s + 8, n - 8, ln, e);
    }
    if (xp__starts(s, n, "#unset_field") && s[12] == p->sep) {
        p->state_lines++;
        xp__setval(p->unset, sizeof p->unset, &p->unset_len, s + 13, n - 13);
    } else if (xp__starts(s, n, "#empty_field") && s[12] == p->sep) {
        p->state_lines++;
        xp__setval(p->empty, sizeof p->empty, &p->empty_len, s + 13, n - 13);
    }
    return XP_OK; /* #path, #open, #close, #types, comments: nothing to do */
}

/*
 * The first sep in [s, end), or NULL. Not memchr: a conn.log field is a few
 * bytes long, and a call per field cost more than the search (one 16-byte
 * compare finds most separators).
 */
static const char *xp__find_sep(const char *s, const char *end, char sep)
{
#ifdef __SSE2__
    const __m128i v = _mm_set1_epi8(sep);
    for (; end - s >= 16; s += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, v));
        if (m != 0)
            return s + __builtin_ctz(m);
    }
#endif
    for (; s < end; s++)
        if (*s == sep)
            return s;
    return NULL;
}

static xp_status xp__tsv(xp_zeek_parser *p, const char *s, size_t n, const xp__line *ln,
                         xp_err *e)
{
    if (!p->have_fields)
        return xp_sink_bad(p->k, ln->cut, XP_FORMAT, e,
                           "%s: line %lld (byte %lld): a record before any #fields header "
                           "(not a Zeek conn.log?)", p->name, (long long)ln->no, (long long)ln->off);
    xp__fld f[XP_ZEEK_NCOL];
    memset(f, 0, sizeof f);
    const char *end = s + n;
    int idx = 0;
    while (idx <= p->maxcol) {
        const char *t = xp__find_sep(s, end, p->sep);
        const char *fe = t ? t : end;
        if (idx < XP_ZEEK_WANT) {
            if (p->want[idx] >= 0)
                f[p->want[idx]] = (xp__fld){s, (size_t)(fe - s)};
        } else
            for (int c = 0; c < XP_ZEEK_NCOL; c++)
                if (p->col[c] == idx)
                    f[c] = (xp__fld){s, (size_t)(fe - s)};
        idx++;
        if (!t)
            break;
        s = t + 1;
    }
    if (idx <= p->maxcol) {
        char what[64];
        snprintf(what, sizeof what, "%d fields, %d expected; line starts", idx, p->maxcol + 1);
        return xp__bad(p, ln, e, what, (xp__fld){end - n, n});
    }
    return xp__record(p, f, ln, 0, e);
}

/* ---- JSON lines: a flat scan of one object's top-level members */

typedef struct xp__js {
    const char *s, *end;
} xp__js;

static void xp__ws(xp__js *j)
{
    while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' || *j->s == '\r'))
        j->s++;
}

/* A string at j->s (past its quotes into *f, escapes left in place). */
static int xp__jstring(xp__js *j, xp__fld *f)
{
    if (j->s >= j->end || *j->s != '"')
        return -1;
    const char *b = ++j->s;
    while (j->s < j->end && *j->s != '"')
        j->s += (*j->s == '\\') ? 2 : 1;
    if (j->s >= j->end)
        return -1;
    *f = (xp__fld){b, (size_t)(j->s - b)};
    j->s++;
    return 0;
}

/* Skip any value; scalars are returned in *f (strings without quotes). */
static int xp__jvalue(xp__js *j, xp__fld *f, int *is_str)
{
    xp__ws(j);
    *is_str = 0;
    if (j->s >= j->end)
        return -1;
    if (*j->s == '"') {
        *is_str = 1;
        return xp__jstring(j, f);
    }
    if (*j->s == '{' || *j->s == '[') {
        int depth = 0;
        const char *b = j->s;
        while (j->s < j->end) {
            char c = *j->s;
            if (c == '"') {
                xp__fld t;
                if (xp__jstring(j, &t) != 0)
                    return -1;
                continue;
            }
            depth += (c == '{' || c == '[') - (c == '}' || c == ']');
            j->s++;
            if (depth == 0) {
                *f = (xp__fld){b, (size_t)(j->s - b)};
                return 0;
            }
        }
        return -1;
    }
    const char *b = j->s;
    while (j->s < j->end && *j->s != ',' && *j->s != '}' && *j->s != ' ')
        j->s++;
    *f = (xp__fld){b, (size_t)(j->s - b)};
    return f->n ? 0 : -1;
}

/* Fill f[] from the members named like the TSV columns; -1 on bad JSON. */
static int xp__jobject(const char *s, size_t n, xp__fld *f, int *ts_str)
{
    xp__js j = {s, s + n};
    xp__ws(&j);
    if (j.s >= j.end || *j.s++ != '{')
        return -1;
    for (;;) {
        xp__fld key, val;
        int is_str;
        xp__ws(&j);
        if (j.s < j.end && *j.s == '}')
            break;
        if (xp__jstring(&j, &key) != 0)
            return -1;
        xp__ws(&j);
        if (j.s >= j.end || *j.s++ != ':' || xp__jvalue(&j, &val, &is_str) != 0)
            return -1;
        for (int c = 0; c < XP_ZEEK_NCOL; c++)
            if (strlen(xp__colnames[c]) == key.n && memcmp(xp__colnames[c], key.s, key.n) == 0) {
                f[c] = val;
                if (c == C_TS)
                    *ts_str = is_str;
            }
        xp__ws(&j);
        if (j.s < j.end && *j.s == ',') {
            j.s++;
            continue;
        }
        if (j.s < j.end && *j.s == '}')
            break;
        return -1;
    }
    j.s++;
    xp__ws(&j);
    return j.s == j.end ? 0 : -1;
}

static xp_status xp__json(xp_zeek_parser *p, const char *s, size_t n, const xp__line *ln,
                          xp_err *e)
{
    xp__fld f[XP_ZEEK_NCOL];
    memset(f, 0, sizeof f);
    int ts_str = 0;
    if (xp__jobject(s, n, f, &ts_str) != 0)
        return xp__bad(p, ln, e, "not a JSON object:", (xp__fld){s, n});
    for (int c = 0; c < XP_ZEEK_NCOL; c++)
        if (f[c].s == NULL && c != C_DUR) {
            char what[64];
            snprintf(what, sizeof what, "no \"%s\" member in", xp__colnames[c]);
            return xp__bad(p, ln, e, what, (xp__fld){s, n});
        }
    if (f[C_DUR].n == 4 && memcmp(f[C_DUR].s, "null", 4) == 0)
        f[C_DUR].n = 0;
    (void)ts_str;
    return xp__record(p, f, ln, 1, e);
}

/* ---- lines */

static xp_status xp__line_dispatch(xp_zeek_parser *p, const char *s, size_t n, int cut,
                                   xp_err *e)
{
    xp__line ln = {p->line + 1, p->off, cut};
    if (n && s[n - 1] == '\r')
        n--;
    if (n == 0)
        return XP_OK; /* blank lines carry nothing */
    p->k->stats->records += s[0] != '#';
    if (s[0] == '#')
        return xp__header(p, s, n, &ln, e);
    if (s[0] == '{')
        return xp__json(p, s, n, &ln, e);
    return xp__tsv(p, s, n, &ln, e);
}

xp_status xp_zeek_feed(xp_zeek_parser *p, const char *buf, size_t len, int final, size_t *used,
                       xp_err *e)
{
    size_t at = 0;
    *used = 0;
    while (at < len) {
        const char *nl = memchr(buf + at, '\n', len - at);
        if (nl == NULL && !final)
            break;
        size_t end = nl ? (size_t)(nl - buf) : len;
        XP_CALL(xp__line_dispatch(p, buf + at, end - at, nl == NULL, e));
        size_t next = nl ? end + 1 : len;
        p->line++;
        p->off += (int64_t)(next - at);
        at = next;
        *used = at;
    }
    return XP_OK;
}

xp_status xp_zeek_parse(const char *name, const char *buf, size_t len, xp_sink *k, xp_err *e)
{
    xp_zeek_parser p;
    xp_zeek_init(&p, name, k);
    size_t used;
    return xp_zeek_feed(&p, buf, len, 1, &used, e);
}

/* XP__MIN_LINE: bytes per record assumed when reserving for a log (Zeek's
 * conn.log lines are 100-250 bytes; shorter ones only make the array grow). */
enum { XP__CHUNK = 4 << 20, XP__MAXLINE = 256 << 20, XP__MIN_LINE = 64 };

/* Grow the buffer when one line does not fit in it. */
static xp_status xp__grow_line(xp_zeek_parser *p, char **buf, size_t *cap, xp_err *e)
{
    if (*cap >= XP__MAXLINE)
        return xp_err_set(e, XP_FORMAT, "%s: line %lld is longer than %d bytes", p->name,
                          (long long)p->line + 1, XP__MAXLINE);
    char *nb = realloc(*buf, *cap * 2);
    XP_ALLOC_CHECK(e, nb, "a line buffer");
    *buf = nb;
    *cap *= 2;
    return XP_OK;
}

static xp_status xp__stream(xp_bytesrc *src, xp_zeek_parser *p, char **buf, size_t *cap,
                            xp_err *e)
{
    size_t have = 0, got = 1;
    int64_t next_progress = 1 << 24;
    while (got > 0) {
        if (have == *cap)
            XP_CALL(xp__grow_line(p, buf, cap, e));
        XP_CALL(xp_bytesrc_read(src, *buf + have, *cap - have, &got, e));
        have += got;
        size_t used;
        XP_CALL(xp_zeek_feed(p, *buf, have, got == 0, &used, e));
        memmove(*buf, *buf + used, have - used);
        have -= used;
        if (xp_bytesrc_raw_offset(src) >= next_progress) {
            xp_sink_progress(p->k, xp_bytesrc_raw_offset(src));
            next_progress += 1 << 24;
        }
    }
    return XP_OK;
}

xp_status xp_zeek_read(xp_bytesrc *src, xp_sink *k, xp_err *e)
{
    xp_zeek_parser p;
    xp_zeek_init(&p, xp_bytesrc_name(src), k);
    xp_sink_presize(k, k->bytes_total - k->bytes_base, XP__MIN_LINE);
    size_t cap = XP__CHUNK;
    char *buf = xp_mem_malloc(cap);
    XP_ALLOC_CHECK(e, buf, "a conn.log buffer");
    xp_status st = xp__stream(src, &p, &buf, &cap, e);
    free(buf);
    xp_sink_progress(k, xp_bytesrc_raw_offset(src));
    return st;
}

/* ---- one piece of a big plain log (parallel ingest) */

/* Read up to n bytes at offset at; *got < n only at the end of the file. */
static xp_status xp__pread(FILE *f, const char *path, int64_t at, char *buf, size_t n,
                           size_t *got, xp_err *e)
{
    if (fseeko(f, (off_t)at, SEEK_SET) != 0)
        return xp_err_set(e, XP_IO, "%s: byte %lld: cannot seek: %s", path, (long long)at,
                          strerror(errno));
    *got = fread(buf, 1, n, f);
    if (*got < n && ferror(f))
        return xp_err_set(e, XP_IO, "%s: byte %lld: read error: %s", path, (long long)at,
                          strerror(errno));
    return XP_OK;
}

/* Reads that look for a line end or the top header read this much first:
 * lines and headers are short, the pieces are megabytes. */
enum { XP__PROBE = 64 << 10 };

/* The top header block (lines starting with '#') fed to p; *hdr_end: the
 * byte after it. *irregular when it does not fit the buffer. */
static xp_status xp__range_header(FILE *f, const char *path, xp_zeek_parser *p, char *buf,
                                  size_t cap, int64_t *hdr_end, int *irregular, xp_err *e)
{
    size_t got, at = 0;
    for (size_t want = XP__PROBE < cap ? XP__PROBE : cap;; want = cap) {
        XP_CALL(xp__pread(f, path, 0, buf, want, &got, e));
        at = 0;
        while (at < got && buf[at] == '#') {
            const char *nl = memchr(buf + at, '\n', got - at);
            if (nl == NULL)
                break;
            at = (size_t)(nl - buf) + 1;
        }
        if (at < got && buf[at] != '#')
            break; /* the block ends in buf, records follow */
        if (got < want && at == got)
            break; /* the file is all header */
        if (got < want || want == cap) {
            *irregular = 1; /* a header line without an end, or a block longer than cap */
            return XP_OK;
        }
    }
    *hdr_end = (int64_t)at;
    size_t used;
    return at ? xp_zeek_feed(p, buf, at, 0, &used, e) : XP_OK;
}

/* The first line start at or after off (>= hdr_end); size when none. */
static xp_status xp__line_start(FILE *f, const char *path, int64_t off, int64_t hdr_end,
                                char *buf, size_t cap, int64_t *out, xp_err *e)
{
    if (off <= hdr_end) {
        *out = hdr_end;
        return XP_OK;
    }
    int64_t at = off - 1; /* a line starts at off when byte off-1 ends one */
    size_t want = XP__PROBE < cap ? XP__PROBE : cap;
    for (;;) {
        size_t got;
        XP_CALL(xp__pread(f, path, at, buf, want, &got, e));
        const char *nl = memchr(buf, '\n', got);
        if (nl != NULL) {
            *out = at + (nl - buf) + 1;
            return XP_OK;
        }
        if (got < want) {
            *out = at + (int64_t)got;
            return XP_OK;
        }
        at += (int64_t)got;
    }
}

xp_status xp_zeek_read_range(const char *path, int64_t off, int64_t end, xp_sink *k,
                             int *irregular, xp_err *e)
{
    xp_zeek_parser p;
    xp_zeek_init(&p, path, k);
    *irregular = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return xp_err_set(e, XP_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = XP__CHUNK;
    char *buf = xp_mem_malloc(cap);
    int64_t hdr_end = 0, a = 0, b = 0;
    xp_status st = buf ? XP_OK : xp_err_set(e, XP_NOMEM, "out of memory for a conn.log buffer");
    if (st == XP_OK)
        st = xp__range_header(f, path, &p, buf, cap, &hdr_end, irregular, e);
    int64_t state0 = p.state_lines;
    if (st == XP_OK && !*irregular)
        st = xp__line_start(f, path, off, hdr_end, buf, cap, &a, e);
    if (st == XP_OK && !*irregular)
        st = xp__line_start(f, path, end, hdr_end, buf, cap, &b, e);
    /* Lines of [a, b): the next piece starts at b. */
    if (st == XP_OK && !*irregular)
        xp_sink_presize(k, b - a, XP__MIN_LINE);
    size_t have = 0;
    for (int64_t at = a; st == XP_OK && !*irregular && at < b;) {
        if (have == cap && (st = xp__grow_line(&p, &buf, &cap, e)) != XP_OK)
            break;
        size_t want = cap - have, got, used;
        if ((int64_t)want > b - at)
            want = (size_t)(b - at);
        st = xp__pread(f, path, at, buf + have, want, &got, e);
        if (st != XP_OK)
            break;
        at += (int64_t)got;
        have += got;
        int last = got < want || at >= b;
        st = xp_zeek_feed(&p, buf, have, last, &used, e);
        memmove(buf, buf + used, have - used);
        have -= used;
        xp_sink_progress(k, at - a);
        if (last)
            break;
    }
    if (p.state_lines != state0)
        *irregular = 1;
    k->stats->bytes += b - (off <= 0 ? 0 : a);
    k->stats->files += off <= 0;
    free(buf);
    fclose(f);
    return st;
}

/* xp_planted.c - planted.tsv and the rule matcher (see xp_planted.h). */
#include "xp_planted.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xp_rec.h"

/* One side; -1 (or has_* == 0) is the wildcard '*'. */
typedef struct xp__side {
    int has_src, has_dst;
    xp_addr src, dst;
    int sport, dport, proto;
} xp__side;

typedef struct xp__pline {
    int group, cover;
    xp__side a, b;
} xp__pline;

struct xp_planted {
    xp__pline *v;
    int64_t n;
};

/* ------------------------------------------------------------ sides */

static int xp__is_star(const char *s, size_t n)
{
    return n == 1 && s[0] == '*';
}

static int xp__port(const char *s, size_t n, int *out)
{
    int v = 0;
    if (xp__is_star(s, n)) {
        *out = -1;
        return 0;
    }
    if (n == 0 || n > 5)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v > 65535)
        return -1;
    *out = v;
    return 0;
}

static int xp__proto(const char *s, size_t n, int *out)
{
    static const struct {
        const char *name;
        int num;
    } names[] = {{"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"icmp6", 58}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n && strncmp(s, names[i].name, n) == 0) {
            *out = names[i].num;
            return 0;
        }
    if (xp__port(s, n, out) != 0 || *out > 255)
        return -1;
    return 0;
}

/* "ADDR:PORT" (the last ':' separates them) into an address and a port. */
static int xp__end(const char *s, size_t n, int *has, xp_addr *a, int *port)
{
    const char *colon = NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ':')
            colon = s + i;
    if (colon == NULL)
        return -1;
    size_t an = (size_t)(colon - s);
    if (xp__port(colon + 1, n - an - 1, port) != 0)
        return -1;
    *has = !xp__is_star(s, an);
    return *has ? xp_addr_parse(a, s, an) : 0;
}

/* Parse "SRC:SPORT>DST:DPORT/PROTO" (n bytes). */
static int xp__side_parse(xp__side *x, const char *s, size_t n)
{
    const char *gt = memchr(s, '>', n);
    const char *slash = NULL;
    memset(x, 0, sizeof *x);
    for (size_t i = 0; i < n; i++)
        if (s[i] == '/')
            slash = s + i;
    if (gt == NULL || slash == NULL || slash < gt)
        return -1;
    if (xp__end(s, (size_t)(gt - s), &x->has_src, &x->src, &x->sport) != 0 ||
        xp__end(gt + 1, (size_t)(slash - gt - 1), &x->has_dst, &x->dst, &x->dport) != 0)
        return -1;
    return xp__proto(slash + 1, n - (size_t)(slash + 1 - s), &x->proto);
}

/* A rule side r matches pattern side p (see the header). */
static int xp__side_match(const xp__side *p, const xp__side *r)
{
    if (p->has_src && (!r->has_src || memcmp(&p->src, &r->src, sizeof p->src)))
        return 0;
    if (p->has_dst && (!r->has_dst || memcmp(&p->dst, &r->dst, sizeof p->dst)))
        return 0;
    if (p->sport >= 0 && p->sport != r->sport)
        return 0;
    if (p->dport >= 0 && p->dport != r->dport)
        return 0;
    return p->proto < 0 || p->proto == r->proto;
}

/* ------------------------------------------------------------ the file */

/* Split line [s, s+n) at tabs into at most 5 fields; returns their count. */
static int xp__fields(const char *s, size_t n, const char *f[5], size_t fl[5])
{
    int k = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n && k < 5; i++) {
        if (i == n || s[i] == '\t') {
            f[k] = s + start, fl[k] = i - start, k++;
            start = i + 1;
        }
    }
    return k;
}

static xp_status xp__parse_line(xp__pline *l, const char *s, size_t n, const char *name,
                                int64_t lineno, xp_err *e)
{
    const char *f[5];
    size_t fl[5];
    int k = xp__fields(s, n, f, fl);
    if (k < 4)
        return xp_err_set(e, XP_FORMAT,
                          "%s: line %lld: expected 5 tab-separated "
                          "fields, found %d",
                          name, (long long)lineno, k);
    char *end;
    long g = strtol(f[0], &end, 10);
    if (end != f[0] + fl[0] || g <= 0 || g > 1000000)
        return xp_err_set(e, XP_FORMAT,
                          "%s: line %lld: group: expected a positive "
                          "integer, found '%.*s'",
                          name, (long long)lineno, (int)fl[0], f[0]);
    l->group = (int)g;
    l->cover = k == 5 && fl[4] >= 6 && strncmp(f[4], "cover:", 6) == 0;
    for (int i = 0; i < 2; i++)
        if (xp__side_parse(i ? &l->b : &l->a, f[2 + i], fl[2 + i]) != 0)
            return xp_err_set(e, XP_FORMAT,
                              "%s: line %lld: side %c: expected "
                              "SRC:SPORT>DST:DPORT/PROTO, found '%.*s'",
                              name, (long long)lineno, i ? 'b' : 'a', (int)fl[2 + i], f[2 + i]);
    return XP_OK;
}

static xp_status xp__push(xp_planted *p, int64_t *cap, const xp__pline *l, xp_err *e)
{
    if (p->n == *cap) {
        int64_t c = *cap ? 2 * *cap : 64;
        xp__pline *v = realloc(p->v, (size_t)c * sizeof *v);
        XP_ALLOC_CHECK(e, v, "planted lines");
        p->v = v, *cap = c;
    }
    p->v[p->n++] = *l;
    return XP_OK;
}

static xp_status xp__parse_all(xp_planted *p, const char *text, size_t len, const char *name,
                               xp_err *e)
{
    int64_t cap = 0, lineno = 0;
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - text) - i : len - i;
        const char *s = text + i;
        i += n + 1;
        lineno++;
        if (n > 0 && s[n - 1] == '\r')
            n--;
        if (n == 0 || s[0] == '#')
            continue;
        if (lineno == 1) {
            if (n < 6 || strncmp(s, "group\t", 6) != 0)
                return xp_err_set(e, XP_FORMAT,
                                  "%s: line 1: expected the header "
                                  "'group<TAB>kind<TAB>a<TAB>b<TAB>note'",
                                  name);
            continue;
        }
        xp__pline l;
        XP_CALL(xp__parse_line(&l, s, n, name, lineno, e));
        XP_CALL(xp__push(p, &cap, &l, e));
    }
    if (lineno == 0)
        return xp_err_set(e, XP_FORMAT, "%s: empty, expected a header line", name);
    return XP_OK;
}

xp_status xp_planted_parse(xp_planted **out, const char *text, size_t len, const char *name,
                           xp_err *e)
{
    xp_planted *p = calloc(1, sizeof *p);
    XP_ALLOC_CHECK(e, p, "the planted list");
    xp_status st = xp__parse_all(p, text, len, name, e);
    if (st != XP_OK) {
        xp_planted_free(&p);
        return st;
    }
    *out = p;
    return XP_OK;
}

xp_status xp_planted_load(xp_planted **out, const char *path, xp_err *e)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return xp_err_set(e, XP_IO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n == cap) {
            char *b = realloc(buf, cap = cap ? 2 * cap : 16384);
            if (b == NULL) {
                free(buf);
                fclose(f);
                return xp_err_set(e, XP_NOMEM, "%s: out of memory reading", path);
            }
            buf = b;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    int bad = ferror(f);
    fclose(f);
    xp_status st = bad ? xp_err_set(e, XP_IO, "%s: read failed", path)
                       : xp_planted_parse(out, buf, n, path, e);
    free(buf);
    return st;
}

void xp_planted_free(xp_planted **p)
{
    if (*p == NULL)
        return;
    free((*p)->v);
    free(*p);
    *p = NULL;
}

int64_t xp_planted_count(const xp_planted *p)
{
    return p->n;
}

int xp_planted_group(const xp_planted *p, int64_t i)
{
    return i >= 0 && i < p->n ? p->v[i].group : 0;
}

int xp_planted_is_cover(const xp_planted *p, int64_t i)
{
    return i >= 0 && i < p->n && p->v[i].cover;
}

int64_t xp_planted_match_line(const xp_planted *p, const char *side_a_text, const char *side_b_text,
                              int64_t from)
{
    xp__side x, y;
    if (xp__side_parse(&x, side_a_text, strlen(side_a_text)) != 0 ||
        xp__side_parse(&y, side_b_text, strlen(side_b_text)) != 0)
        return XP_FORMAT;
    for (int64_t i = from < 0 ? 0 : from; i < p->n; i++) {
        const xp__pline *l = &p->v[i];
        if ((xp__side_match(&l->a, &x) && xp__side_match(&l->b, &y)) ||
            (xp__side_match(&l->b, &x) && xp__side_match(&l->a, &y)))
            return i;
    }
    return -1;
}

int xp_planted_match(const xp_planted *p, const char *side_a_text, const char *side_b_text)
{
    int64_t i = xp_planted_match_line(p, side_a_text, side_b_text, 0);
    return i >= 0 ? p->v[i].group : i == -1 ? 0 : (int)i;
}

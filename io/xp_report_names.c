/* xp_report_names.c - the --names file (see xp_report_names.h). */
#include "xp_report_names.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "xp_report_int.h"

/* One named address, keyed by its canonical text (inet_ntop's). */
typedef struct xp__name {
    char addr[INET6_ADDRSTRLEN];
    char *name;
    size_t line; /* tie-break: the first line naming an address wins */
} xp__name;

struct xp_names {
    xp__name *v;
    size_t n, cap;
};

/* Canonical form of address text (brackets allowed), or -1 when s is not an
 * IPv4 or IPv6 address. */
static int xp__canon(const char *s, size_t len, char out[INET6_ADDRSTRLEN])
{
    char tmp[INET6_ADDRSTRLEN + 2];
    unsigned char bin[16];
    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
        s++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof tmp)
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    int af = strchr(tmp, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(af, tmp, bin) != 1 || inet_ntop(af, bin, out, INET6_ADDRSTRLEN) == NULL)
        return -1;
    return 0;
}

static int xp__cmp_name(const void *a, const void *b)
{
    const xp__name *x = a, *y = b;
    int c = strcmp(x->addr, y->addr);
    return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/* Split line[0..len) (comment already removed) into first two fields. */
static size_t xp__field(const char *s, size_t len, size_t *at, size_t *flen)
{
    size_t i = *at;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    size_t st = i;
    while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
        i++;
    *at = i;
    *flen = i - st;
    return st;
}

static xp_status xp__names_add(xp_names *t, const char *addr, const char *name, size_t nlen,
                               xp_err *e)
{
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 16;
        xp__name *v = realloc(t->v, nc * sizeof *v);
        XP_ALLOC_CHECK(e, v, "the names table");
        t->v = v;
        t->cap = nc;
    }
    xp__name *x = &t->v[t->n];
    memcpy(x->addr, addr, sizeof x->addr);
    x->line = t->n;
    /* Not strndup: the name may end the buffer, with no NUL after it. */
    x->name = malloc(nlen + 1);
    XP_ALLOC_CHECK(e, x->name, "a host name");
    memcpy(x->name, name, nlen);
    x->name[nlen] = '\0';
    t->n++;
    return XP_OK;
}

static xp_status xp__names_line(xp_names *t, const char *s, size_t len, const char *where,
                                size_t lineno, xp_err *e)
{
    /* A NUL would end the address or name early when they are copied as C
     * strings (found by fuzz_names): a hosts file is text. */
    const char *nul = memchr(s, '\0', len);
    if (nul)
        return xp_err_set(e, XP_FORMAT, "%s: line %zu: NUL byte at column %zu (not a text file?)",
                          where, lineno, (size_t)(nul - s) + 1);
    const char *hash = memchr(s, '#', len);
    if (hash)
        len = (size_t)(hash - s);
    size_t at = 0, alen, nlen;
    size_t a = xp__field(s, len, &at, &alen);
    if (alen == 0)
        return XP_OK;
    size_t nm = xp__field(s, len, &at, &nlen);
    char canon[INET6_ADDRSTRLEN];
    if (xp__canon(s + a, alen, canon) != 0)
        return xp_err_set(e, XP_FORMAT, "%s: line %zu: '%.*s' is not an IPv4 or IPv6 address",
                          where, lineno, (int)(alen > 64 ? 64 : alen), s + a);
    if (nlen == 0)
        return xp_err_set(e, XP_FORMAT, "%s: line %zu: address %.*s has no name after it",
                          where, lineno, (int)alen, s + a);
    return xp__names_add(t, canon, s + nm, nlen, e);
}

/* Sort by address, stable on line order, then keep the first of each. */
static void xp__names_dedup(xp_names *t)
{
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (k > 0 && strcmp(t->v[k - 1].addr, t->v[i].addr) == 0) {
            free(t->v[i].name);
            continue;
        }
        t->v[k++] = t->v[i];
    }
    t->n = k;
}

xp_status xp_names_parse(const char *buf, size_t len, const char *where, xp_names **out,
                         xp_err *e)
{
    xp_names *t = calloc(1, sizeof *t);
    XP_ALLOC_CHECK(e, t, "the names table");
    size_t lineno = 0, pos = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        xp_status s = xp__names_line(t, buf + pos, end - pos, where, ++lineno, e);
        if (s != XP_OK) {
            xp_names_free(t);
            return s;
        }
        pos = end + 1;
    }
    if (t->n > 1) /* qsort of a NULL array is undefined, even when empty */
        qsort(t->v, t->n, sizeof *t->v, xp__cmp_name);
    xp__names_dedup(t);
    *out = t;
    return XP_OK;
}

xp_status xp_names_load(const char *path, xp_names **out, xp_err *e)
{
    char *buf;
    size_t len;
    XP_CALL(xp__report_read_file(path, &buf, &len, e));
    xp_status s = xp_names_parse(buf, len, path, out, e);
    free(buf);
    return s;
}

const char *xp_names_lookup(const xp_names *names, const char *addr)
{
    xp__name key;
    if (names == NULL || names->n == 0 || xp__canon(addr, strlen(addr), key.addr) != 0)
        return NULL;
    size_t lo = 0, hi = names->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(names->v[mid].addr, key.addr);
        if (c == 0)
            return names->v[mid].name;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t xp_names_count(const xp_names *names) { return names ? names->n : 0; }

void xp_names_free(xp_names *names)
{
    if (names == NULL)
        return;
    for (size_t i = 0; i < names->n; i++)
        free(names->v[i].name);
    free(names->v);
    free(names);
}

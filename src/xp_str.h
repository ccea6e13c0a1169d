/*
 * xp_str.h - building short strings (ids, addresses, labels) into a fixed
 * buffer without printf: truncating like snprintf, always terminated.
 *
 * Why: ScaLAPACK pulls in libgfortran and with it libquadmath, whose
 * constructor registers printf handlers for __float128; from then on glibc
 * takes its slow positional path for every printf call in the process. The
 * ids and labels of every rule were built with snprintf: 18 % of a whole
 * run (perf, 1000 clients x 7 h, 21,454 rules) went to printf. The
 * reports and rules.jsonl write their numbers with these too.
 */
#ifndef XP_STR_H
#define XP_STR_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct xp_sb {
    char *p;     /* the terminating NUL */
    size_t left; /* bytes left after it */
} xp_sb;

/* Start at buf (size >= 1): buf becomes "". */
static inline void xp_sb_init(xp_sb *b, char *buf, size_t size)
{
    b->p = buf;
    b->left = size - 1;
    buf[0] = '\0';
}

static inline void xp_sb_mem(xp_sb *b, const char *s, size_t n)
{
    if (n > b->left)
        n = b->left;
    memcpy(b->p, s, n);
    b->p += n;
    b->left -= n;
    *b->p = '\0';
}

static inline void xp_sb_str(xp_sb *b, const char *s)
{
    xp_sb_mem(b, s, strlen(s));
}

/* The strings v[0..n) one after the other. */
static inline void xp_sb_strv(xp_sb *b, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        xp_sb_str(b, v[i]);
}

/* Decimal, as printf's %lld. */
static inline void xp_sb_int(xp_sb *b, long long v)
{
    char t[24], *q = t + sizeof t;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--q = '-';
    xp_sb_mem(b, q, (size_t)(t + sizeof t - q));
}

/* x as printf would write it with fmt, one conversion of a double with an
 * optional precision: "%g", "%.10g", "%.1f" (strfromd, the same digits as
 * printf; xp_str.c). */
void xp_sb_dbl(xp_sb *b, const char *fmt, double x);

/* fputs of many pieces: a string, an integer, a double as xp_sb_dbl. */
static inline void xp_fput_int(FILE *f, long long v)
{
    char t[24];
    xp_sb b;
    xp_sb_init(&b, t, sizeof t);
    xp_sb_int(&b, v);
    fwrite(t, 1, (size_t)(b.p - t), f);
}

static inline void xp_fput_dbl(FILE *f, const char *fmt, double x)
{
    char t[64];
    xp_sb b;
    xp_sb_init(&b, t, sizeof t);
    xp_sb_dbl(&b, fmt, x);
    fwrite(t, 1, (size_t)(b.p - t), f);
}

/* "host:port" as rule side ids write it: an IPv6 host (it has a ':')
 * bracketed, a negative port (any) as '*'. */
static inline void xp_sb_hostport(xp_sb *b, const char *host, long long port)
{
    int v6 = strchr(host, ':') != NULL;
    xp_sb_str(b, v6 ? "[" : "");
    xp_sb_str(b, host);
    xp_sb_str(b, v6 ? "]:" : ":");
    if (port < 0)
        xp_sb_str(b, "*");
    else
        xp_sb_int(b, port);
}

/* A rule side's node id, `SRC:SPORT>DST:DPORT/PROTO ACT`, as rules.jsonl
 * (lhs_id, rhs_id), clusters.json and the reports write it: hosts as
 * xp_sb_hostport, PROTO "tcp", "udp", "icmp" (xp_side_proto; rules.jsonl's
 * "proto" names the same three) or the number, ACT "new" or "present". One
 * writer for both io/xp_out.c and io/xp_report_side.c. */
static inline const char *xp_side_proto(int proto)
{
    return proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 1 ? "icmp" : NULL;
}

static inline void xp_sb_side_id(xp_sb *b, const char *src, long long sport, const char *dst,
                                 long long dport, int proto, int isnew)
{
    const char *n = xp_side_proto(proto);
    xp_sb_hostport(b, src, sport);
    xp_sb_str(b, ">");
    xp_sb_hostport(b, dst, dport);
    xp_sb_str(b, "/");
    if (n)
        xp_sb_str(b, n);
    else
        xp_sb_int(b, proto);
    xp_sb_str(b, isnew ? " new" : " present");
}

#endif

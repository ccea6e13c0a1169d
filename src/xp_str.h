/*
 * xp_str.h - building short strings (ids, addresses, labels) into a fixed
 * buffer without printf: truncating like snprintf, always terminated.
 *
 * Why: ScaLAPACK pulls in libgfortran and with it libquadmath, whose
 * constructor registers printf handlers for __float128; from then on glibc
 * takes its slow positional path for every printf call in the process. The
 * ids and labels of every rule were built with snprintf: 18 % of a whole
 * run (perf, 1000 clients x 7 h, 21,454 rules) went to printf.
 */
#ifndef XP_STR_H
#define XP_STR_H

#include <stddef.h>
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

#endif

/* xp_str.c - doubles for xp_str.h without printf. */
#define _GNU_SOURCE /* strfromd (ISO/IEC TS 18661-1) */
#include "xp_str.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* 10^k in long double: exact for |k| <= 27 (5^27 < 2^64), else within a
 * few tens of units in the last place (the squarings' roundings). */
static long double xp__pow10l(int k)
{
    long double r = 1, p = 10;
    for (unsigned n = (unsigned)(k < 0 ? -k : k); n; n >>= 1, p *= p)
        if (n & 1)
            r *= p;
    return k < 0 ? 1 / r : r;
}

/*
 * m = the integer nearest to v = a * 10^s, when that is certain: v is
 * computed in long double (64-bit significand) with a relative error of at
 * most ~2^-59, so unless its fraction is within 2^-54 (relative) of one
 * half, the rounding is the one glibc's exact conversion makes. Returns 0
 * when it is not certain (a tie or nearly), or m would not fit 2^62.
 */
static int xp__round(long double v, uint64_t *m)
{
    if (!(v < 0x1p62L))
        return 0;
    long double fl = floorl(v), frac = v - fl;
    if (fabsl(frac - 0.5L) <= v * 0x1p-54L + 0x1p-60L)
        return 0;
    *m = (uint64_t)fl + (frac > 0.5L);
    return 1;
}

static void xp__digits(char *t, uint64_t m, int n)
{
    for (int i = n - 1; i >= 0; i--, m /= 10)
        t[i] = (char)('0' + m % 10);
}

/* %.{p}g of finite a > 0 (p 1-15); 0 when not certain. */
static int xp__fast_g(xp_sb *b, double a, int p)
{
    static const uint64_t p10[] = {1,
                                   10,
                                   100,
                                   1000,
                                   10000,
                                   100000,
                                   1000000,
                                   10000000,
                                   100000000,
                                   1000000000,
                                   10000000000,
                                   100000000000,
                                   1000000000000,
                                   10000000000000,
                                   100000000000000,
                                   1000000000000000};
    int x = (int)floor(log10(a)); /* may be one off: checked below */
    long double v = (long double)a * xp__pow10l(p - 1 - x);
    if (v < (long double)p10[p - 1]) { /* x one too high (log10 rounded up) */
        x--;
        v = (long double)a * xp__pow10l(p - 1 - x);
    } else if (v >= (long double)p10[p]) {
        x++;
        v = (long double)a * xp__pow10l(p - 1 - x);
    }
    uint64_t m;
    if (!xp__round(v, &m))
        return 0;
    if (m == p10[p]) { /* rounded up to the next power of ten */
        m = p10[p - 1];
        x++;
    }
    if (m < p10[p - 1] || m >= p10[p])
        return 0;
    char d[16], t[48];
    xp__digits(d, m, p);
    int nd = p;
    while (nd > 1 && d[nd - 1] == '0') /* %g drops trailing zeros */
        nd--;
    size_t k = 0;
    if (x < p && x >= -4) { /* fixed */
        if (x < 0) {
            t[k++] = '0';
            t[k++] = '.';
            for (int i = 0; i < -x - 1; i++)
                t[k++] = '0';
            for (int i = 0; i < nd; i++)
                t[k++] = d[i];
        } else {
            for (int i = 0; i <= x; i++)
                t[k++] = d[i];
            if (nd > x + 1) {
                t[k++] = '.';
                for (int i = x + 1; i < nd; i++)
                    t[k++] = d[i];
            }
        }
    } else { /* exponent */
        t[k++] = d[0];
        if (nd > 1) {
            t[k++] = '.';
            for (int i = 1; i < nd; i++)
                t[k++] = d[i];
        }
        t[k++] = 'e';
        t[k++] = x < 0 ? '-' : '+';
        int ax = x < 0 ? -x : x, ne = ax >= 100 ? 3 : 2;
        xp__digits(t + k, (uint64_t)ax, ne);
        k += (size_t)ne;
    }
    xp_sb_mem(b, t, k);
    return 1;
}

/* %.{p}f of finite a >= 0 (p 0-6, a < 1e12); 0 when not certain. */
static int xp__fast_f(xp_sb *b, double a, int p)
{
    uint64_t m, q = 1;
    if (!(a < 1e12) || !xp__round((long double)a * xp__pow10l(p), &m))
        return 0;
    for (int i = 0; i < p; i++)
        q *= 10;
    char t[40];
    xp_sb s;
    xp_sb_init(&s, t, sizeof t);
    xp_sb_int(&s, (long long)(m / q));
    if (p > 0) {
        char f[8];
        xp__digits(f, m % q, p);
        xp_sb_str(&s, ".");
        xp_sb_mem(&s, f, (size_t)p);
    }
    xp_sb_mem(b, t, (size_t)(s.p - t));
    return 1;
}

/* The precision and conversion of "%g", "%.Ng", "%.Nf"; 0 for others. */
static int xp__simple_fmt(const char *fmt, int *prec, char *conv)
{
    if (fmt[0] != '%')
        return 0;
    const char *c = fmt + 1;
    *prec = 6;
    if (*c == '.') {
        c++;
        if (*c < '0' || *c > '9')
            return 0;
        *prec = 0;
        while (*c >= '0' && *c <= '9' && *prec < 100)
            *prec = *prec * 10 + (*c++ - '0');
    }
    *conv = *c;
    return (*c == 'g' || *c == 'f') && c[1] == '\0';
}

void xp_sb_dbl(xp_sb *b, const char *fmt, double x)
{
    int prec;
    char conv;
    if (isfinite(x) && x != 0 && xp__simple_fmt(fmt, &prec, &conv)) {
        /* Fast paths, digit for digit what printf writes (tests/core/
         * test_keys.c compares them on ten million values): glibc's exact
         * conversion costs ~1 us a number, and the reports and rules.jsonl
         * write about 16 per rule. */
        xp_sb t = *b;
        if (x < 0)
            xp_sb_str(&t, "-");
        double a = fabs(x);
        int ok = conv == 'g' ? prec <= 15 && xp__fast_g(&t, a, prec ? prec : 1)
                             : prec <= 6 && xp__fast_f(&t, a, prec);
        if (ok) {
            *b = t;
            return;
        }
        *b->p = '\0'; /* undo the sign */
    }
    /* strfromd formats through glibc's __printf_fp directly, not through
     * vfprintf, so registered printf handlers do not slow it down. */
    char t[352]; /* %f of DBL_MAX is 309 digits and a point */
    int n = strfromd(t, sizeof t, fmt, x);
    if (n > 0)
        xp_sb_mem(b, t, (size_t)n < sizeof t ? (size_t)n : sizeof t - 1);
}

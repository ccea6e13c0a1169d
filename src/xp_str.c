/* xp_str.c - doubles for xp_str.h without printf. */
#define _GNU_SOURCE /* strfromd (ISO/IEC TS 18661-1) */
#include "xp_str.h"

#include <stdlib.h>

void xp_sb_dbl(xp_sb *b, const char *fmt, double x)
{
    /* strfromd formats through glibc's __printf_fp directly, not through
     * vfprintf, so registered printf handlers do not slow it down. */
    char t[352]; /* %f of DBL_MAX is 309 digits and a point */
    int n = strfromd(t, sizeof t, fmt, x);
    if (n > 0)
        xp_sb_mem(b, t, (size_t)n < sizeof t ? (size_t)n : sizeof t - 1);
}

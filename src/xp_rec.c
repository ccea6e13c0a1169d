/* xp_rec.c - addresses and record arrays. */
#include "xp_rec.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "xp_mem.h"
#include "xp_str.h"

static const uint8_t xp__v4prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void xp_addr_from_v4(xp_addr *a, uint32_t v4)
{
    memcpy(a->b, xp__v4prefix, 12);
    a->b[12] = (uint8_t)(v4 >> 24);
    a->b[13] = (uint8_t)(v4 >> 16);
    a->b[14] = (uint8_t)(v4 >> 8);
    a->b[15] = (uint8_t)v4;
}

int xp_addr_is_v4(const xp_addr *a) { return memcmp(a->b, xp__v4prefix, 12) == 0; }

/* Fast path for dotted quads; the common case in conn.log. */
static int xp__parse_v4(xp_addr *a, const char *s, size_t len)
{
    uint32_t v = 0;
    unsigned part = 0, digits = 0, dots = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            part = part * 10 + (unsigned)(c - '0');
            if (++digits > 3 || part > 255)
                return -1;
        } else if (c == '.' && digits > 0 && dots < 3) {
            v = (v << 8) | part;
            part = digits = 0;
            dots++;
        } else {
            return -1;
        }
    }
    if (dots != 3 || digits == 0)
        return -1;
    xp_addr_from_v4(a, (v << 8) | part);
    return 0;
}

int xp_addr_parse(xp_addr *a, const char *text, size_t len)
{
    if (xp__parse_v4(a, text, len) == 0)
        return 0;
    char buf[64];
    size_t n = len;
    const char *pct = memchr(text, '%', len);
    if (pct)
        n = (size_t)(pct - text);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    return inet_pton(AF_INET6, buf, a->b) == 1 ? 0 : -1;
}

char *xp_addr_format(const xp_addr *a, char *buf, size_t size)
{
    if (xp_addr_is_v4(a)) { /* inet_ntop's own sprintf was the slow path (xp_str.h) */
        xp_sb b;
        xp_sb_init(&b, buf, size);
        for (int i = 12; i < 16; i++) {
            xp_sb_int(&b, a->b[i]);
            if (i < 15)
                xp_sb_str(&b, ".");
        }
    } else {
        inet_ntop(AF_INET6, a->b, buf, (socklen_t)size);
    }
    return buf;
}

int xp_recvec_reserve(xp_recvec *rv, int64_t more)
{
    if (rv->n + more <= rv->cap)
        return 0;
    int64_t cap = rv->cap ? rv->cap : 1024;
    while (cap < rv->n + more)
        cap *= 2;
    xp_rec *v = xp_mem_realloc(rv->v, (size_t)rv->n * sizeof *v, (size_t)cap * sizeof *v);
    if (v == NULL)
        return -1;
    rv->v = v;
    rv->cap = cap;
    return 0;
}

int xp_recvec_push(xp_recvec *rv, const xp_rec *r)
{
    if (rv->n == rv->cap && xp_recvec_reserve(rv, 1) != 0)
        return -1;
    rv->v[rv->n++] = *r;
    return 0;
}

void xp_recvec_free(xp_recvec *rv)
{
    free(rv->v);
    rv->v = NULL;
    rv->n = rv->cap = 0;
}

/* xp_gzip.c - plain or gzip byte sources over files and memory. */
#include "xp_gzip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

enum { XP__INBUF = 1 << 18 };

struct xp_bytesrc {
    char *name;
    int fd;              /* -1 for a memory source */
    const uint8_t *mem;  /* memory source, or the file's input buffer */
    size_t memlen, mempos;
    uint8_t *inbuf;      /* file sources only */
    int gzip, zinit, zend, eof;
    z_stream z;
    int64_t raw_off, raw_size, out_off;
};

/* Refill the raw window [mem + mempos, mem + memlen) from the file. */
static xp_status xp__fill(xp_bytesrc *s, xp_err *e)
{
    if (s->fd < 0 || s->eof) {
        s->eof = 1;
        return XP_OK;
    }
    ssize_t n;
    do {
        n = read(s->fd, s->inbuf, XP__INBUF);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return xp_err_set(e, XP_IO, "%s: read failed at byte %lld: %s", s->name,
                          (long long)s->raw_off, strerror(errno));
    s->mem = s->inbuf;
    s->memlen = (size_t)n;
    s->mempos = 0;
    if (n == 0)
        s->eof = 1;
    return XP_OK;
}

/* Peek at the first bytes to decide gzip or plain, and set up zlib. */
static xp_status xp__start(xp_bytesrc *s, xp_err *e)
{
    if (s->fd >= 0)
        XP_CALL(xp__fill(s, e));
    if (s->memlen - s->mempos >= 2 && s->mem[s->mempos] == 0x1f && s->mem[s->mempos + 1] == 0x8b) {
        s->gzip = 1;
        if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
            return xp_err_set(e, XP_NOMEM, "%s: cannot start zlib", s->name);
        s->zinit = 1;
    }
    return XP_OK;
}

static xp_status xp__new(const char *name, xp_bytesrc **out, xp_err *e)
{
    xp_bytesrc *s = calloc(1, sizeof *s);
    XP_ALLOC_CHECK(e, s, "a byte source");
    s->name = strdup(name);
    s->fd = -1;
    s->raw_size = -1;
    if (s->name == NULL) {
        free(s);
        return xp_err_set(e, XP_NOMEM, "out of memory opening %s", name);
    }
    *out = s;
    return XP_OK;
}

xp_status xp_bytesrc_open(const char *path, xp_bytesrc **out, xp_err *e)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return xp_err_set(e, XP_IO, "%s: cannot open: %s", path, strerror(errno));
    xp_bytesrc *s;
    xp_status st = xp__new(path, &s, e);
    if (st != XP_OK) {
        close(fd);
        return st;
    }
    s->fd = fd;
    struct stat sb;
    if (fstat(fd, &sb) == 0)
        s->raw_size = (int64_t)sb.st_size;
    s->inbuf = malloc(XP__INBUF);
    if (s->inbuf == NULL) {
        xp_bytesrc_close(&s);
        return xp_err_set(e, XP_NOMEM, "out of memory reading %s", path);
    }
    st = xp__start(s, e);
    if (st != XP_OK) {
        xp_bytesrc_close(&s);
        return st;
    }
    *out = s;
    return XP_OK;
}

xp_status xp_bytesrc_open_mem(const char *name, const void *buf, size_t len,
                              xp_bytesrc **out, xp_err *e)
{
    *out = NULL;
    xp_bytesrc *s;
    XP_CALL(xp__new(name, &s, e));
    s->mem = buf;
    s->memlen = len;
    s->raw_size = (int64_t)len;
    xp_status st = xp__start(s, e);
    if (st != XP_OK) {
        xp_bytesrc_close(&s);
        return st;
    }
    *out = s;
    return XP_OK;
}

/* Plain data: copy straight from the raw window. */
static xp_status xp__read_plain(xp_bytesrc *s, uint8_t *buf, size_t cap, size_t *got, xp_err *e)
{
    if (s->mempos == s->memlen)
        XP_CALL(xp__fill(s, e));
    size_t n = s->memlen - s->mempos;
    if (n > cap)
        n = cap;
    if (n)
        memcpy(buf, s->mem + s->mempos, n);
    s->mempos += n;
    s->raw_off += (int64_t)n;
    *got = n;
    return XP_OK;
}

/* After one gzip member ends: another member may follow; zero padding is
 * accepted; anything else is garbage after the stream. */
static xp_status xp__member_end(xp_bytesrc *s, xp_err *e)
{
    for (;;) {
        while (s->mempos < s->memlen && s->mem[s->mempos] == 0) {
            s->mempos++;
            s->raw_off++;
        }
        if (s->mempos < s->memlen)
            break;
        XP_CALL(xp__fill(s, e));
        if (s->mempos == s->memlen) {
            s->zend = 1;
            return XP_OK;
        }
    }
    if (s->mem[s->mempos] != 0x1f)
        return xp_err_set(e, XP_FORMAT, "%s: byte %lld: garbage after the end of the gzip stream",
                          s->name, (long long)s->raw_off);
    inflateReset(&s->z);
    return XP_OK;
}

static xp_status xp__read_gzip(xp_bytesrc *s, uint8_t *buf, size_t cap, size_t *got, xp_err *e)
{
    *got = 0;
    while (*got == 0 && !s->zend) {
        if (s->mempos == s->memlen) {
            XP_CALL(xp__fill(s, e));
            if (s->memlen == s->mempos)
                return xp_err_set(e, XP_TRUNCATED,
                                  "%s: gzip stream ends early at compressed byte %lld "
                                  "(after %lld uncompressed bytes)",
                                  s->name, (long long)s->raw_off, (long long)s->out_off);
        }
        s->z.next_in = (Bytef *)(uintptr_t)(s->mem + s->mempos);
        s->z.avail_in = (uInt)(s->memlen - s->mempos);
        s->z.next_out = buf;
        s->z.avail_out = (uInt)(cap > (1u << 30) ? (1u << 30) : cap);
        uInt in0 = s->z.avail_in, out0 = s->z.avail_out;
        int rc = inflate(&s->z, Z_NO_FLUSH);
        size_t used = in0 - s->z.avail_in;
        s->mempos += used;
        s->raw_off += (int64_t)used;
        *got = out0 - s->z.avail_out;
        s->out_off += (int64_t)*got;
        if (rc == Z_STREAM_END)
            XP_CALL(xp__member_end(s, e));
        else if (rc != Z_OK && rc != Z_BUF_ERROR)
            return xp_err_set(e, XP_FORMAT, "%s: gzip data error at compressed byte %lld: %s",
                              s->name, (long long)s->raw_off,
                              s->z.msg ? s->z.msg : "corrupt stream");
    }
    return XP_OK;
}

xp_status xp_bytesrc_read(xp_bytesrc *s, void *buf, size_t cap, size_t *got, xp_err *e)
{
    *got = 0;
    if (cap == 0)
        return XP_OK;
    if (s->gzip)
        return xp__read_gzip(s, buf, cap, got, e);
    return xp__read_plain(s, buf, cap, got, e);
}

int xp_bytesrc_is_gzip(const xp_bytesrc *s) { return s->gzip; }
int xp_bytesrc_is_mem(const xp_bytesrc *s) { return s->fd < 0; }
int64_t xp_bytesrc_raw_offset(const xp_bytesrc *s) { return s->raw_off; }
int64_t xp_bytesrc_raw_size(const xp_bytesrc *s) { return s->raw_size; }
const char *xp_bytesrc_name(const xp_bytesrc *s) { return s->name; }

void xp_bytesrc_close(xp_bytesrc **sp)
{
    xp_bytesrc *s = sp ? *sp : NULL;
    if (s == NULL)
        return;
    if (s->zinit)
        inflateEnd(&s->z);
    if (s->fd >= 0)
        close(s->fd);
    free(s->inbuf);
    free(s->name);
    free(s);
    *sp = NULL;
}

/* Grow *buf to hold at least need bytes, doubling, within max. */
static xp_status xp__grow(const char *name, uint8_t **buf, size_t *cap, size_t need,
                          size_t max, xp_err *e)
{
    if (need <= *cap)
        return XP_OK;
    if (need > max)
        return xp_err_set(e, XP_BUDGET, "%s: more than %zu bytes after inflating", name, max);
    size_t c = *cap ? *cap : 65536;
    while (c < need)
        c *= 2;
    if (c > max)
        c = max;
    uint8_t *p = realloc(*buf, c);
    XP_ALLOC_CHECK(e, p, "an inflated buffer");
    *buf = p;
    *cap = c;
    return XP_OK;
}

xp_status xp_gzip_inflate_all(const char *name, const void *in, size_t len, size_t max_out,
                              uint8_t **out, size_t *outlen, xp_err *e)
{
    *out = NULL;
    *outlen = 0;
    xp_bytesrc *s;
    XP_CALL(xp_bytesrc_open_mem(name, in, len, &s, e));
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0, got = 1;
    xp_status st = XP_OK;
    while (st == XP_OK && got > 0) {
        st = xp__grow(name, &buf, &cap, n + 1, max_out + 1, e);
        if (st == XP_OK)
            st = xp_bytesrc_read(s, buf + n, cap - n, &got, e);
        n += got;
        if (st == XP_OK && n > max_out)
            st = xp_err_set(e, XP_BUDGET, "%s: more than %zu bytes after inflating", name, max_out);
    }
    xp_bytesrc_close(&s);
    if (st != XP_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *outlen = n;
    return XP_OK;
}

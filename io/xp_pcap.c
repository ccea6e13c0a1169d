/* xp_pcap.c - reading whole captures: classic pcap by our own loop,
 * pcapng through libpcap. */
#include "xp_pcap.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xp_mem.h"

enum {
    XP__MAXSNAP = 262144,           /* libpcap's largest snapshot length */
    XP__BUFSZ = (1 << 20) + XP__MAXSNAP + 16,
    XP__BATCH = 4096,               /* records reserved at a time */
    XP__MIN_PACKET = 64,            /* bytes per packet assumed when reserving */
};

/* A buffered window over a byte source. */
typedef struct xp__rd {
    xp_bytesrc *src;
    uint8_t *buf;
    size_t pos, len;
    int64_t off; /* stream offset of buf[pos] */
    int eof;
} xp__rd;

/* Make at least n bytes available at buf[pos] unless the data ends first. */
static xp_status xp__need(xp__rd *r, size_t n, xp_err *e)
{
    if (r->len - r->pos >= n || r->eof)
        return XP_OK;
    memmove(r->buf, r->buf + r->pos, r->len - r->pos);
    r->len -= r->pos;
    r->pos = 0;
    while (r->len < n && !r->eof) {
        size_t got;
        XP_CALL(xp_bytesrc_read(r->src, r->buf + r->len, XP__BUFSZ - r->len, &got, e));
        r->len += got;
        if (got == 0)
            r->eof = 1;
    }
    return XP_OK;
}

/* The classic file header, decoded. */
typedef struct xp__hdr {
    int swap, nsec, linktype;
    uint32_t snaplen, limit;
} xp__hdr;

static uint32_t xp__u32(const uint8_t *p, int swap)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

/* 1 for classic pcap magic (setting swap/nsec), 0 otherwise. */
static int xp__classic_magic(const uint8_t *p, xp__hdr *h)
{
    uint32_t m;
    memcpy(&m, p, 4);
    const uint32_t us = 0xa1b2c3d4u, ns = 0xa1b23c4du;
    h->swap = (m == __builtin_bswap32(us) || m == __builtin_bswap32(ns));
    h->nsec = (m == ns || m == __builtin_bswap32(ns));
    return m == us || m == ns || h->swap;
}

static xp_status xp__classic_header(xp__rd *r, xp__hdr *h, const char *name, xp_err *e)
{
    XP_CALL(xp__need(r, 24, e));
    if (r->len - r->pos < 24)
        return xp_err_set(e, XP_TRUNCATED, "%s: pcap file header cut short: %zu of 24 bytes",
                          name, r->len - r->pos);
    const uint8_t *p = r->buf + r->pos;
    h->snaplen = xp__u32(p + 16, h->swap);
    h->linktype = (int)(xp__u32(p + 20, h->swap) & 0x0fffffff);
    h->limit = (h->snaplen == 0 || h->snaplen > XP__MAXSNAP) ? XP__MAXSNAP : h->snaplen;
    r->pos += 24;
    r->off += 24;
    if (!xp_pcap_linktype_ok(h->linktype))
        return xp_err_set(e, XP_UNSUPPORTED,
                          "%s: link type %d is not decoded (Ethernet, Linux SLL/SLL2, raw IP "
                          "and BSD loopback are)", name, h->linktype);
    return XP_OK;
}

static void xp__count(xp_input_stats *s, xp_pcap_kind k)
{
    switch (k) {
    case XP_PKT_USED: s->used++; break;
    case XP_PKT_NONIP: s->skipped_nonip++; break;
    case XP_PKT_FRAGMENT: s->skipped_fragment++; break;
    case XP_PKT_TRUNCATED: s->skipped_truncated++; break;
    }
}

/* Decode one packet and append it when used. */
static xp_status xp__one(xp_sink *k, int lt, const uint8_t *pkt, uint32_t caplen, double ts,
                         xp_pcap_state *ps, xp_err *e)
{
    xp_recvec *v = k->out;
    if (v->n == v->cap && xp_recvec_reserve(v, XP__BATCH) != 0)
        return xp_err_set(e, XP_NOMEM, "out of memory: %lld records", (long long)v->n);
    k->stats->records++;
    xp_pcap_kind kind = xp_pcap_decode(lt, pkt, caplen, ts, ps, &v->v[v->n]);
    if (kind == XP_PKT_USED)
        v->n++;
    xp__count(k->stats, kind);
    return XP_OK;
}

/* One classic record at r->pos; *done is set at a clean end of file. */
static xp_status xp__classic_record(xp__rd *r, const xp__hdr *h, xp_sink *k, xp_pcap_state *ps,
                                    int *done, xp_err *e)
{
    const char *name = xp_bytesrc_name(r->src);
    long long recno = (long long)k->stats->records + 1;
    XP_CALL(xp__need(r, 16, e));
    size_t have = r->len - r->pos;
    if (have == 0) {
        *done = 1;
        return XP_OK;
    }
    if (have < 16)
        return xp_err_set(e, XP_TRUNCATED, "%s: record %lld at offset %lld: record header cut "
                          "short: %zu of 16 bytes", name, recno, (long long)r->off, have);
    const uint8_t *p = r->buf + r->pos;
    uint32_t sec = xp__u32(p, h->swap), frac = xp__u32(p + 4, h->swap);
    uint32_t caplen = xp__u32(p + 8, h->swap);
    if (caplen > h->limit)
        return xp_err_set(e, XP_FORMAT, "%s: record %lld at offset %lld: caplen %u exceeds "
                          "snaplen %u", name, recno, (long long)r->off, caplen, h->limit);
    XP_CALL(xp__need(r, 16 + (size_t)caplen, e));
    have = r->len - r->pos;
    if (have < 16 + (size_t)caplen)
        return xp_err_set(e, XP_TRUNCATED, "%s: record %lld at offset %lld: record cut short: "
                          "%u captured bytes announced, %zu present", name, recno,
                          (long long)r->off, caplen, have - 16);
    double ts = (double)sec + (double)frac * (h->nsec ? 1e-9 : 1e-6);
    XP_CALL(xp__one(k, h->linktype, r->buf + r->pos + 16, caplen, ts, ps, e));
    r->pos += 16 + (size_t)caplen;
    r->off += 16 + (int64_t)caplen;
    return XP_OK;
}

static xp_status xp__classic_loop(xp__rd *r, const xp__hdr *h, xp_sink *k, xp_pcap_state *ps,
                                  xp_err *e)
{
    int done = 0;
    int64_t next_progress = 1 << 24;
    while (!done) {
        XP_CALL(xp__classic_record(r, h, k, ps, &done, e));
        if (xp_bytesrc_raw_offset(r->src) >= next_progress) {
            xp_sink_progress(k, xp_bytesrc_raw_offset(r->src));
            next_progress += 1 << 24;
        }
    }
    return XP_OK;
}

/* ---- pcapng and anything else libpcap reads */

static xp_status xp__pcap_loop(pcap_t *pc, const char *name, xp_sink *k, xp_pcap_state *ps,
                               xp_err *e)
{
    int lt = pcap_datalink(pc);
    if (!xp_pcap_linktype_ok(lt))
        return xp_err_set(e, XP_UNSUPPORTED, "%s: link type %d (%s) is not decoded", name, lt,
                          pcap_datalink_val_to_name(lt) ? pcap_datalink_val_to_name(lt) : "?");
    struct pcap_pkthdr *hdr;
    const u_char *data;
    for (;;) {
        int rc = pcap_next_ex(pc, &hdr, &data);
        if (rc == PCAP_ERROR_BREAK)
            return XP_OK;
        if (rc != 1) {
            FILE *f = pcap_file(pc);
            const char *why = pcap_geterr(pc);
            return xp_err_set(e, strstr(why, "truncated") ? XP_TRUNCATED : XP_FORMAT, "%s: record %lld (read up to byte offset %ld): "
                              "libpcap: %s", name, (long long)k->stats->records + 1,
                              f ? ftell(f) : -1L, why);
        }
        double ts = (double)hdr->ts.tv_sec + (double)hdr->ts.tv_usec * 1e-9;
        XP_CALL(xp__one(k, lt, data, hdr->caplen, ts, ps, e));
    }
}

/* Everything left in r (the header bytes included) as one memory block. */
static xp_status xp__slurp(xp__rd *r, uint8_t **out, size_t *outlen, xp_err *e)
{
    size_t cap = 1 << 20, n = r->len - r->pos;
    if (cap < n)
        cap = n;
    uint8_t *b = malloc(cap);
    XP_ALLOC_CHECK(e, b, "a capture buffer");
    memcpy(b, r->buf + r->pos, n);
    for (;;) {
        if (n == cap) {
            uint8_t *nb = realloc(b, cap * 2);
            if (nb == NULL) {
                free(b);
                return xp_err_set(e, XP_NOMEM, "out of memory reading %s", xp_bytesrc_name(r->src));
            }
            b = nb;
            cap *= 2;
        }
        size_t got;
        xp_status st = xp_bytesrc_read(r->src, b + n, cap - n, &got, e);
        if (st != XP_OK) {
            free(b);
            return st;
        }
        if (got == 0)
            break;
        n += got;
    }
    *out = b;
    *outlen = n;
    return XP_OK;
}

static xp_status xp__libpcap(xp__rd *r, xp_sink *k, xp_pcap_state *ps, xp_err *e)
{
    const char *name = xp_bytesrc_name(r->src);
    uint8_t *mem = NULL;
    size_t len = 0;
    FILE *f;
    if (!xp_bytesrc_is_mem(r->src) && !xp_bytesrc_is_gzip(r->src)) {
        f = fopen(name, "rb");
    } else {
        XP_CALL(xp__slurp(r, &mem, &len, e));
        f = fmemopen(mem, len, "rb");
    }
    if (f == NULL) {
        free(mem);
        return xp_err_set(e, XP_IO, "%s: cannot open for libpcap", name);
    }
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    xp_status st;
    if (pc == NULL) {
        fclose(f);
        st = xp_err_set(e, XP_UNSUPPORTED, "%s: libpcap cannot read this capture: %s", name, errbuf);
    } else {
        st = xp__pcap_loop(pc, name, k, ps, e);
        pcap_close(pc); /* closes f */
    }
    free(mem);
    return st;
}

xp_status xp_pcap_read(xp_bytesrc *src, xp_sink *k, xp_err *e)
{
    xp__rd r = {.src = src};
    r.buf = xp_mem_malloc(XP__BUFSZ);
    XP_ALLOC_CHECK(e, r.buf, "a pcap read buffer");
    xp_pcap_state *ps = NULL;
    xp_sink_presize(k, k->bytes_total - k->bytes_base, XP__MIN_PACKET);
    xp_status st = xp_pcap_state_new(&ps, e);
    if (st == XP_OK)
        st = xp__need(&r, 4, e);
    if (st == XP_OK && r.len < 4)
        st = xp_err_set(e, XP_TRUNCATED, "%s: capture file header cut short: %zu of 24 bytes",
                        xp_bytesrc_name(src), r.len);
    xp__hdr h = {0, 0, 0, 0, 0};
    if (st == XP_OK && xp__classic_magic(r.buf, &h)) {
        st = xp__classic_header(&r, &h, xp_bytesrc_name(src), e);
        if (st == XP_OK)
            st = xp__classic_loop(&r, &h, k, ps, e);
    } else if (st == XP_OK) {
        st = xp__libpcap(&r, k, ps, e);
    }
    xp_sink_progress(k, xp_bytesrc_raw_offset(src));
    xp_pcap_state_free(&ps);
    free(r.buf);
    return st;
}

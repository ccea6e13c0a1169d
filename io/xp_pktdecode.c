/* xp_pktdecode.c - one packet's bytes to one oriented record (pure). */
#include <stdlib.h>
#include <string.h>

#include "xp_pcap.h"
#include "xp_ports.h"

/* One remembered TCP connection: endpoints in canonical order (a < b). */
typedef struct xp__conn {
    xp_addr a, b;
    uint16_t pa, pb;
    uint8_t used;
    uint8_t orig_is_a;
} xp__conn;

struct xp_pcap_state {
    xp__conn *t;
    size_t cap, n; /* cap is a power of two */
};

enum { XP__CONN_MIN = 1 << 12, XP__CONN_MAX = 1 << 22 };

xp_status xp_pcap_state_new(xp_pcap_state **out, xp_err *e)
{
    xp_pcap_state *st = calloc(1, sizeof *st);
    XP_ALLOC_CHECK(e, st, "the pcap connection table");
    st->t = calloc(XP__CONN_MIN, sizeof *st->t);
    if (st->t == NULL) {
        free(st);
        return xp_err_set(e, XP_NOMEM, "out of memory allocating the pcap connection table");
    }
    st->cap = XP__CONN_MIN;
    *out = st;
    return XP_OK;
}

void xp_pcap_state_free(xp_pcap_state **sp)
{
    if (sp && *sp) {
        free((*sp)->t);
        free(*sp);
        *sp = NULL;
    }
}

int xp_pcap_linktype_ok(int lt)
{
    switch (lt) {
    case XP_LT_NULL: case XP_LT_EN10MB: case XP_LT_RAW_DLT: case XP_LT_RAW_BSD:
    case XP_LT_RAW: case XP_LT_LOOP: case XP_LT_SLL: case XP_LT_IPV4:
    case XP_LT_IPV6: case XP_LT_SLL2:
        return 1;
    default:
        return 0;
    }
}

static uint16_t xp__be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* A decoded packet before orientation. */
typedef struct xp__pkt {
    xp_addr s, d;
    uint16_t sp, dp;
    uint8_t proto, tcpflags;
} xp__pkt;

/* ---- link layer: find the IP header. Returns 4, 6, 0 (not IP) or -1 (cut). */

static int xp__ether(const uint8_t *p, uint32_t len, uint32_t *off)
{
    if (len < 14)
        return -1;
    uint16_t et = xp__be16(p + 12);
    uint32_t o = 14;
    /* 802.1Q, 802.1ad and the old QinQ tag, stacked up to 8 deep. */
    for (int i = 0; i < 8 && (et == 0x8100 || et == 0x88a8 || et == 0x9100); i++) {
        if (len < o + 4)
            return -1;
        et = xp__be16(p + o + 2);
        o += 4;
    }
    *off = o;
    return et == 0x0800 ? 4 : et == 0x86dd ? 6 : 0;
}

static int xp__ethertype_ver(uint16_t et) { return et == 0x0800 ? 4 : et == 0x86dd ? 6 : 0; }

/* BSD loopback: a 4-byte address family, in either byte order. */
static int xp__loop_family(const uint8_t *p, uint32_t len)
{
    if (len < 4)
        return -1;
    uint32_t le = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    uint32_t be = (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
    if (le == 2 || be == 2)
        return 4;
    /* AF_INET6 is 10 on Linux, 24 NetBSD/OpenBSD, 28 FreeBSD, 30 Darwin. */
    const uint32_t v6[] = {10, 24, 28, 30};
    for (int i = 0; i < 4; i++)
        if (le == v6[i] || be == v6[i])
            return 6;
    return 0;
}

static int xp__raw_ver(const uint8_t *p, uint32_t len)
{
    if (len < 1)
        return -1;
    int v = p[0] >> 4;
    return (v == 4 || v == 6) ? v : 0;
}

static int xp__link(int lt, const uint8_t *p, uint32_t len, uint32_t *off)
{
    *off = 0;
    switch (lt) {
    case XP_LT_EN10MB:
        return xp__ether(p, len, off);
    case XP_LT_SLL:
        *off = 16;
        return len < 16 ? -1 : xp__ethertype_ver(xp__be16(p + 14));
    case XP_LT_SLL2:
        *off = 20;
        return len < 20 ? -1 : xp__ethertype_ver(xp__be16(p));
    case XP_LT_RAW_DLT: case XP_LT_RAW_BSD: case XP_LT_RAW:
        return xp__raw_ver(p, len);
    case XP_LT_IPV4:
        return len < 1 ? -1 : 4;
    case XP_LT_IPV6:
        return len < 1 ? -1 : 6;
    case XP_LT_NULL: case XP_LT_LOOP:
        *off = 4;
        return xp__loop_family(p, len);
    default:
        return 0;
    }
}

/* ---- network layer: returns XP_PKT_USED with *toff at the transport header. */

static xp_pcap_kind xp__ipv4(const uint8_t *p, uint32_t len, uint32_t off, xp__pkt *k,
                             uint32_t *toff)
{
    if (len < off + 20)
        return XP_PKT_TRUNCATED;
    const uint8_t *ip = p + off;
    uint32_t ihl = (uint32_t)(ip[0] & 15) * 4;
    if ((ip[0] >> 4) != 4 || ihl < 20)
        return XP_PKT_NONIP;
    if ((xp__be16(ip + 6) & 0x1fff) != 0)
        return XP_PKT_FRAGMENT;
    k->proto = ip[9];
    xp_addr_from_v4(&k->s, (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 | (uint32_t)ip[14] << 8 | ip[15]);
    xp_addr_from_v4(&k->d, (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 | (uint32_t)ip[18] << 8 | ip[19]);
    *toff = off + ihl;
    return XP_PKT_USED;
}

/* Walk the IPv6 extension headers to the upper-layer protocol. */
static xp_pcap_kind xp__ipv6_ext(const uint8_t *p, uint32_t len, uint8_t *nh, uint32_t *off)
{
    for (int i = 0; i < 16; i++) {
        uint32_t o = *off;
        switch (*nh) {
        case 0: case 43: case 60: /* hop-by-hop, routing, destination options */
            if (len < o + 2)
                return XP_PKT_TRUNCATED;
            *nh = p[o];
            *off = o + ((uint32_t)p[o + 1] + 1) * 8;
            break;
        case 44: /* fragment */
            if (len < o + 8)
                return XP_PKT_TRUNCATED;
            if ((xp__be16(p + o + 2) & 0xfff8) != 0)
                return XP_PKT_FRAGMENT;
            *nh = p[o];
            *off = o + 8;
            break;
        case 51: /* authentication header */
            if (len < o + 2)
                return XP_PKT_TRUNCATED;
            *nh = p[o];
            *off = o + ((uint32_t)p[o + 1] + 2) * 4;
            break;
        default: /* ESP (50), no next header (59), or an upper layer */
            return XP_PKT_USED;
        }
    }
    return XP_PKT_NONIP;
}

static xp_pcap_kind xp__ipv6(const uint8_t *p, uint32_t len, uint32_t off, xp__pkt *k,
                             uint32_t *toff)
{
    if (len < off + 40)
        return XP_PKT_TRUNCATED;
    const uint8_t *ip = p + off;
    if ((ip[0] >> 4) != 6)
        return XP_PKT_NONIP;
    memcpy(k->s.b, ip + 8, 16);
    memcpy(k->d.b, ip + 24, 16);
    uint8_t nh = ip[6];
    *toff = off + 40;
    xp_pcap_kind r = xp__ipv6_ext(p, len, &nh, toff);
    k->proto = nh;
    return r;
}

/* ---- transport layer: ports (ICMP: type and the reply's type, or code). */

static int xp__icmp_reply_of(uint8_t proto, uint8_t type)
{
    if (proto == 1)
        return type == 8 ? 0 : type == 13 ? 14 : type == 15 ? 16 : type == 17 ? 18 : -1;
    return type == 128 ? 129 : -1;
}

static int xp__icmp_request_of(uint8_t proto, uint8_t type)
{
    if (proto == 1)
        return type == 0 ? 8 : type == 14 ? 13 : type == 16 ? 15 : type == 18 ? 17 : -1;
    return type == 129 ? 128 : -1;
}

static xp_pcap_kind xp__transport(const uint8_t *p, uint32_t len, uint32_t off, xp__pkt *k)
{
    const uint8_t *t = p + off;
    switch (k->proto) {
    case 6:
    case 17:
        if (off > len || len - off < 4)
            return XP_PKT_TRUNCATED;
        k->sp = xp__be16(t);
        k->dp = xp__be16(t + 2);
        if (k->proto == 6 && len - off >= 14)
            k->tcpflags = t[13];
        return XP_PKT_USED;
    case 1:
    case 58:
        if (off > len || len - off < 2)
            return XP_PKT_TRUNCATED;
        k->sp = t[0];
        k->dp = t[1];
        return XP_PKT_USED;
    default:
        return XP_PKT_USED;
    }
}

/* ---- orientation */

static int xp__ep_cmp(const xp_addr *a, uint16_t pa, const xp_addr *b, uint16_t pb)
{
    int c = memcmp(a->b, b->b, 16);
    if (c)
        return c;
    return (pa > pb) - (pa < pb);
}

static size_t xp__conn_hash(const xp__conn *c)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)c->pa << 16 | c->pb);
    for (int i = 0; i < 16; i += 8) {
        uint64_t x, y;
        memcpy(&x, c->a.b + i, 8);
        memcpy(&y, c->b.b + i, 8);
        h = (h ^ x) * 0xff51afd7ed558ccdull;
        h = (h ^ y) * 0xc4ceb9fe1a85ec53ull;
    }
    return (size_t)(h ^ (h >> 29));
}

/* Canonical key of a TCP packet's connection; *sender_is_a says which side sent. */
static void xp__conn_key(const xp__pkt *k, xp__conn *c, int *sender_is_a)
{
    memset(c, 0, sizeof *c);
    *sender_is_a = xp__ep_cmp(&k->s, k->sp, &k->d, k->dp) <= 0;
    c->a = *sender_is_a ? k->s : k->d;
    c->b = *sender_is_a ? k->d : k->s;
    c->pa = *sender_is_a ? k->sp : k->dp;
    c->pb = *sender_is_a ? k->dp : k->sp;
}

static xp__conn *xp__conn_slot(xp_pcap_state *st, const xp__conn *c)
{
    size_t m = st->cap - 1;
    for (size_t i = xp__conn_hash(c) & m;; i = (i + 1) & m) {
        xp__conn *s = &st->t[i];
        if (!s->used || (s->pa == c->pa && s->pb == c->pb && memcmp(&s->a, &c->a, 16) == 0 &&
                         memcmp(&s->b, &c->b, 16) == 0))
            return s;
    }
}

/* Keep the load under one half; past the maximum size, start afresh
 * (old connections then fall back to the port rule). */
static void xp__conn_grow(xp_pcap_state *st)
{
    if (2 * (st->n + 1) <= st->cap)
        return;
    size_t ncap = st->cap < XP__CONN_MAX ? st->cap * 2 : st->cap;
    xp__conn *nt = calloc(ncap, sizeof *nt);
    xp__conn *old = st->t;
    size_t ocap = st->cap;
    if (nt == NULL || ncap == st->cap) {
        memset(st->t, 0, st->cap * sizeof *st->t);
        st->n = 0;
        free(nt);
        return;
    }
    st->t = nt;
    st->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].used)
            *xp__conn_slot(st, &old[i]) = old[i];
    free(old);
}

static void xp__conn_remember(xp_pcap_state *st, const xp__conn *c, int orig_is_a)
{
    xp__conn_grow(st);
    xp__conn *s = xp__conn_slot(st, c);
    if (!s->used)
        st->n++;
    *s = *c;
    s->used = 1;
    s->orig_is_a = (uint8_t)orig_is_a;
}

static int xp__wellknown(uint8_t proto, uint16_t port)
{
    return xp_port_builtin(proto, port) || port < 1024;
}

/* The port rule: 1 when the sender is the originator. */
static int xp__sender_originates(const xp__pkt *k)
{
    int ws = xp__wellknown(k->proto, k->sp), wd = xp__wellknown(k->proto, k->dp);
    if (ws != wd)
        return wd;
    if (k->sp != k->dp)
        return k->dp < k->sp;
    return memcmp(k->d.b, k->s.b, 16) < 0;
}

/* 1 when the sender is the originator; may remember a TCP connection. */
static int xp__orient_tcp(const xp__pkt *k, xp_pcap_state *st)
{
    int syn = (k->tcpflags & 0x02) != 0, ack = (k->tcpflags & 0x10) != 0;
    if (st == NULL)
        return syn ? !ack : xp__sender_originates(k);
    xp__conn c;
    int sender_is_a;
    xp__conn_key(k, &c, &sender_is_a);
    if (syn) {
        xp__conn_remember(st, &c, ack ? !sender_is_a : sender_is_a);
        return !ack;
    }
    const xp__conn *s = xp__conn_slot(st, &c);
    if (s->used)
        return s->orig_is_a == sender_is_a;
    return xp__sender_originates(k);
}

static void xp__emit(const xp__pkt *k, int sender_orig, double ts, xp_rec *out)
{
    memset(out, 0, sizeof *out);
    out->ts = ts;
    out->src = sender_orig ? k->s : k->d;
    out->dst = sender_orig ? k->d : k->s;
    out->sport = sender_orig ? k->sp : k->dp;
    out->dport = sender_orig ? k->dp : k->sp;
    out->proto = k->proto;
    out->flags = XP_REC_PACKET;
    if (k->proto == 6 && (k->tcpflags & 0x12) == 0x02)
        out->flags |= XP_REC_START;
}

xp_pcap_kind xp_pcap_decode(int linktype, const uint8_t *pkt, uint32_t caplen, double ts,
                            xp_pcap_state *st, xp_rec *out)
{
    uint32_t off, toff = 0;
    int ver = xp__link(linktype, pkt, caplen, &off);
    if (ver < 0)
        return XP_PKT_TRUNCATED;
    if (ver == 0)
        return XP_PKT_NONIP;
    xp__pkt k;
    memset(&k, 0, sizeof k);
    xp_pcap_kind r = ver == 4 ? xp__ipv4(pkt, caplen, off, &k, &toff)
                              : xp__ipv6(pkt, caplen, off, &k, &toff);
    if (r == XP_PKT_USED)
        r = xp__transport(pkt, caplen, toff, &k);
    if (r != XP_PKT_USED)
        return r;
    int sender_orig;
    if (k.proto == 1 || k.proto == 58) {
        int req = xp__icmp_request_of(k.proto, (uint8_t)k.sp);
        int rep = xp__icmp_reply_of(k.proto, (uint8_t)k.sp);
        sender_orig = req < 0;
        if (req >= 0) { /* a reply: the requester originated the exchange */
            k.dp = k.sp;
            k.sp = (uint16_t)req;
        } else if (rep >= 0) {
            k.dp = (uint16_t)rep;
        }
        /* xp__emit swaps ports with addresses; undo for ICMP's type/code. */
        xp__emit(&k, sender_orig, ts, out);
        out->sport = k.sp;
        out->dport = k.dp;
        return XP_PKT_USED;
    }
    sender_orig = k.proto == 6 ? xp__orient_tcp(&k, st) : xp__sender_originates(&k);
    xp__emit(&k, sender_orig, ts, out);
    return XP_PKT_USED;
}

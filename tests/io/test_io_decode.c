/* test_io_decode.c - xp_pcap_decode on synthetic packets: every link type,
 * VLAN/QinQ, IPv6 extension headers, fragments, truncation at every byte,
 * and the orientation rules; the well-known port table. */
#include <stdlib.h>
#include <string.h>

#include "xp_pcap.h"
#include "xp_ports.h"
#include "xp_test.h"

typedef struct pkt {
    uint8_t b[512];
    uint32_t n;
} pkt;

static void put(pkt *p, const void *d, uint32_t n)
{
    memcpy(p->b + p->n, d, n);
    p->n += n;
}
static void put16(pkt *p, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(p, b, 2);
}
static void put8(pkt *p, uint8_t v) { put(p, &v, 1); }

static void ether(pkt *p, uint16_t et)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    put(p, macs, 12);
    put16(p, et);
}

/* IPv4 header: src 10.0.0.s, dst 10.0.0.d. */
static void ip4(pkt *p, uint8_t proto, uint8_t s, uint8_t d, uint16_t frag)
{
    uint8_t h[20] = {0x45, 0, 0, 40, 0, 1, (uint8_t)(frag >> 8), (uint8_t)frag, 64, proto, 0, 0,
                     10, 0, 0, s, 10, 0, 0, d};
    put(p, h, 20);
}

/* IPv6 header: src fe80::s, dst fe80::d. */
static void ip6(pkt *p, uint8_t nh, uint8_t s, uint8_t d)
{
    uint8_t h[40] = {0x60, 0, 0, 0, 0, 8, nh, 64};
    h[8] = 0xfe, h[9] = 0x80, h[23] = s;
    h[24] = 0xfe, h[25] = 0x80, h[39] = d;
    put(p, h, 40);
}

static void tcp(pkt *p, uint16_t sp, uint16_t dp, uint8_t flags)
{
    put16(p, sp);
    put16(p, dp);
    uint8_t rest[16] = {0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff};
    put(p, rest, 16);
}

static void udp(pkt *p, uint16_t sp, uint16_t dp)
{
    put16(p, sp);
    put16(p, dp);
    put16(p, 8);
    put16(p, 0);
}

static xp_rec r;

static int dec(int lt, const pkt *p, xp_pcap_state *st)
{
    memset(&r, 0xee, sizeof r);
    return xp_pcap_decode(lt, p->b, p->n, 12.5, st, &r);
}

/* Last byte of an address (IPv4-mapped or fe80::x). */
static int last(const xp_addr *a) { return a->b[15]; }

static void test_ether_tcp(void)
{
    xp_err e;
    xp_pcap_state *st;
    XP_CHECK_INT(xp_pcap_state_new(&st, &e), XP_OK);
    pkt p = {.n = 0};
    ether(&p, 0x0800);
    ip4(&p, 6, 1, 2, 0);
    tcp(&p, 40000, 80, 0x02);
    XP_CHECK_INT(dec(1, &p, st), XP_PKT_USED);
    XP_CHECK_INT(last(&r.src), 1);
    XP_CHECK_INT(last(&r.dst), 2);
    XP_CHECK_INT(r.sport, 40000);
    XP_CHECK_INT(r.dport, 80);
    XP_CHECK_INT(r.proto, 6);
    XP_CHECK_INT(r.flags, XP_REC_START | XP_REC_PACKET);
    XP_CHECK_NEAR(r.ts, 12.5, 0);
    XP_CHECK_NEAR(r.dur, 0, 0);
    XP_CHECK(xp_addr_is_v4(&r.src));
    /* The SYN-ACK back: same orientation, not a start. */
    p.n = 0;
    ether(&p, 0x0800);
    ip4(&p, 6, 2, 1, 0);
    tcp(&p, 80, 40000, 0x12);
    XP_CHECK_INT(dec(1, &p, st), XP_PKT_USED);
    XP_CHECK_INT(last(&r.src), 1);
    XP_CHECK_INT(r.sport, 40000);
    XP_CHECK_INT(r.flags, XP_REC_PACKET);
    /* A client on port 80 talking to a server on 5000: the SYN decides,
     * and later packets of that connection follow it, against the port rule. */
    p.n = 0;
    ether(&p, 0x0800);
    ip4(&p, 6, 3, 4, 0);
    tcp(&p, 80, 5000, 0x02);
    XP_CHECK_INT(dec(1, &p, st), XP_PKT_USED);
    XP_CHECK_INT(last(&r.src), 3);
    p.n = 0;
    ether(&p, 0x0800);
    ip4(&p, 6, 4, 3, 0);
    tcp(&p, 5000, 80, 0x10);
    XP_CHECK_INT(dec(1, &p, st), XP_PKT_USED);
    XP_CHECK_INT(last(&r.src), 3);
    XP_CHECK_INT(r.sport, 80);
    XP_CHECK_INT(r.dport, 5000);
    /* Without connection memory the port rule applies. */
    XP_CHECK_INT(dec(1, &p, NULL), XP_PKT_USED);
    XP_CHECK_INT(last(&r.src), 4);
    XP_CHECK_INT(r.dport, 80);
    xp_pcap_state_free(&st);
    XP_CHECK(st == NULL);
}

/* The state grows past its first size and keeps every orientation. */
static void test_state_growth(void)
{
    xp_err e;
    xp_pcap_state *st;
    XP_CHECK_INT(xp_pcap_state_new(&st, &e), XP_OK);
    int wrong = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < 20000; i++) {
            pkt p = {.n = 0};
            ether(&p, 0x0800);
            /* SYN from the high port to port 80 + i%200 (often < 1024). */
            uint16_t cport = (uint16_t)(80 + i % 200), hport = (uint16_t)(1024 + i);
            if (pass == 0) {
                ip4(&p, 6, 1, 2, 0);
                tcp(&p, cport, hport, 0x02); /* originator uses the low port */
            } else {
                ip4(&p, 6, 2, 1, 0);
                tcp(&p, hport, cport, 0x10);
            }
            wrong += dec(1, &p, st) != XP_PKT_USED || last(&r.src) != 1 || r.sport != cport;
        }
    XP_CHECK_INT(wrong, 0);
    xp_pcap_state_free(&st);
}

static void test_udp_rule(void)
{
    pkt p = {.n = 0};
    ether(&p, 0x0800);
    ip4(&p, 17, 5, 9, 0);
    udp(&p, 53, 33333);
    XP_CHECK_INT(dec(1, &p, NULL), XP_PKT_USED);
    XP_CHECK_INT(last(&r.src), 9); /* 53 is the responder */
    XP_CHECK_INT(r.sport, 33333);
    XP_CHECK_INT(r.dport, 53);
    XP_CHECK_INT(r.flags, XP_REC_PACKET);
    p.n = 0;
    ether(&p, 0x0800);
    ip4(&p, 17, 5, 9, 0);
    udp(&p, 50000, 40000); /* neither well known: the lower port responds */
    dec(1, &p, NULL);
    XP_CHECK_INT(last(&r.src), 5);
    XP_CHECK_INT(r.dport, 40000);
    p.n = 0;
    ether(&p, 0x0800);
    ip4(&p, 17, 5, 9, 0);
    udp(&p, 7000, 7000); /* equal ports: the lower address responds */
    dec(1, &p, NULL);
    XP_CHECK_INT(last(&r.src), 9);
    XP_CHECK_INT(last(&r.dst), 5);
    p.n = 0;
    ether(&p, 0x0800);
    ip4(&p, 17, 5, 9, 0);
    udp(&p, 600, 7003); /* both well known (600 < 1024, 7003 in the table) */
    dec(1, &p, NULL);
    XP_CHECK_INT(r.dport, 600);
}

static void test_icmp(void)
{
    pkt p = {.n = 0};
    ether(&p, 0x0800);
    ip4(&p, 1, 7, 8, 0);
    put8(&p, 8), put8(&p, 0), put16(&p, 0);
    XP_CHECK_INT(dec(1, &p, NULL), XP_PKT_USED);
    XP_CHECK_INT(last(&r.src), 7);
    XP_CHECK_INT(r.sport, 8);
    XP_CHECK_INT(r.dport, 0);
    p.n = 0; /* the echo reply maps to the same exchange */
    ether(&p, 0x0800);
    ip4(&p, 1, 8, 7, 0);
    put8(&p, 0), put8(&p, 0), put16(&p, 0);
    XP_CHECK_INT(dec(1, &p, NULL), XP_PKT_USED);
    XP_CHECK_INT(last(&r.src), 7);
    XP_CHECK_INT(r.sport, 8);
    XP_CHECK_INT(r.dport, 0);
    p.n = 0; /* unreachable: sender originates, ports are type and code */
    ether(&p, 0x0800);
    ip4(&p, 1, 8, 7, 0);
    put8(&p, 3), put8(&p, 3), put16(&p, 0);
    dec(1, &p, NULL);
    XP_CHECK_INT(last(&r.src), 8);
    XP_CHECK_INT(r.sport, 3);
    XP_CHECK_INT(r.dport, 3);
    p.n = 0; /* ICMPv6 echo reply */
    ip6(&p, 58, 2, 1);
    put8(&p, 129), put8(&p, 0), put16(&p, 0);
    XP_CHECK_INT(dec(229, &p, NULL), XP_PKT_USED);
    XP_CHECK_INT(r.proto, 58);
    XP_CHECK_INT(last(&r.src), 1);
    XP_CHECK_INT(r.sport, 128);
    XP_CHECK_INT(r.dport, 129);
}

static void test_vlan(void)
{
    pkt p = {.n = 0};
    ether(&p, 0x8100);
    put16(&p, 100), put16(&p, 0x0800);
    ip4(&p, 17, 1, 2, 0);
    udp(&p, 40000, 53);
    XP_CHECK_INT(dec(1, &p, NULL), XP_PKT_USED);
    XP_CHECK_INT(r.dport, 53);
    XP_CHECK_INT(last(&r.src), 1);
    p.n = 0; /* QinQ: 802.1ad outer, 802.1Q inner, IPv6 inside */
    ether(&p, 0x88a8);
    put16(&p, 10), put16(&p, 0x8100), put16(&p, 20), put16(&p, 0x86dd);
    ip6(&p, 17, 1, 2);
    udp(&p, 40000, 123);
    XP_CHECK_INT(dec(1, &p, NULL), XP_PKT_USED);
    XP_CHECK_INT(r.dport, 123);
    XP_CHECK(!xp_addr_is_v4(&r.src));
    XP_CHECK_INT(r.src.b[0], 0xfe);
    p.n = 16; /* cut inside the second tag */
    XP_CHECK_INT(dec(1, &p, NULL), XP_PKT_TRUNCATED);
    p.n = 0; /* ARP */
    ether(&p, 0x0806);
    put16(&p, 1);
    XP_CHECK_INT(dec(1, &p, NULL), XP_PKT_NONIP);
}

/* One UDP/IPv4 datagram behind each link header. */
static void test_linktypes(void)
{
    struct {
        int lt;
        uint8_t hdr[24];
        uint32_t hlen;
        int v6;
    } cases[] = {
        {113, {0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00}, 16, 0},   /* SLL */
        {276, {0x86, 0xdd, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0}, 20, 1}, /* SLL2 */
        {12, {0}, 0, 0},                  /* DLT_RAW */
        {101, {0}, 0, 1},                 /* LINKTYPE_RAW, IPv6 */
        {228, {0}, 0, 0},                 /* LINKTYPE_IPV4 */
        {229, {0}, 0, 1},                 /* LINKTYPE_IPV6 */
        {0, {2, 0, 0, 0}, 4, 0},          /* DLT_NULL, little-endian AF_INET */
        {0, {0, 0, 0, 2}, 4, 0},          /* DLT_NULL, big-endian AF_INET */
        {0, {30, 0, 0, 0}, 4, 1},         /* DLT_NULL, Darwin AF_INET6 */
        {108, {0, 0, 0, 2}, 4, 0},        /* DLT_LOOP (network order) */
        {108, {0, 0, 0, 24}, 4, 1},       /* DLT_LOOP, OpenBSD AF_INET6 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pkt p = {.n = 0};
        put(&p, cases[i].hdr, cases[i].hlen);
        if (cases[i].v6)
            ip6(&p, 17, 1, 2);
        else
            ip4(&p, 17, 1, 2, 0);
        udp(&p, 40000, 161);
        int k = dec(cases[i].lt, &p, NULL);
        XP_CHECK_INT(k, XP_PKT_USED);
        XP_CHECK_INT(r.dport, 161);
        XP_CHECK_INT(xp_addr_is_v4(&r.src), !cases[i].v6);
        XP_CHECK(xp_pcap_linktype_ok(cases[i].lt));
        /* Cut anywhere before the ports end: truncated, never a read past. */
        int bad = 0;
        for (uint32_t cut = 0; cut < p.n - 4; cut++)
            bad += xp_pcap_decode(cases[i].lt, p.b, cut, 0, NULL, &r) != XP_PKT_TRUNCATED;
        XP_CHECK_INT(bad, 0);
    }
    pkt p = {.n = 0};
    put(&p, (uint8_t[]){0, 0, 0, 99}, 4); /* an unknown family */
    ip4(&p, 17, 1, 2, 0);
    XP_CHECK_INT(dec(0, &p, NULL), XP_PKT_NONIP);
    XP_CHECK_INT(dec(9999, &p, NULL), XP_PKT_NONIP);
    XP_CHECK(!xp_pcap_linktype_ok(9999));
}

static void test_fragments(void)
{
    pkt p = {.n = 0};
    ether(&p, 0x0800);
    ip4(&p, 17, 1, 2, 0x2000); /* MF, offset 0: the first fragment has ports */
    udp(&p, 40000, 7003);
    XP_CHECK_INT(dec(1, &p, NULL), XP_PKT_USED);
    XP_CHECK_INT(r.dport, 7003);
    p.n = 0;
    ether(&p, 0x0800);
    ip4(&p, 17, 1, 2, 0x00b9); /* offset 185*8, last fragment */
    udp(&p, 1, 2);
    XP_CHECK_INT(dec(1, &p, NULL), XP_PKT_FRAGMENT);
    p.n = 0; /* IPv6: hop-by-hop, routing, destination options, first fragment, AH */
    ip6(&p, 0, 1, 2);
    put(&p, (uint8_t[]){43, 0, 1, 4, 0, 0, 0, 0}, 8);
    put(&p, (uint8_t[]){60, 0, 0, 0, 0, 0, 0, 0}, 8);
    put(&p, (uint8_t[]){44, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 16);
    put(&p, (uint8_t[]){51, 0, 0, 1, 0, 0, 0, 7}, 8);
    uint32_t ah = p.n;
    put(&p, (uint8_t[]){17, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 12); /* AH: (1+2)*4 bytes */
    udp(&p, 40000, 53);
    XP_CHECK_INT(dec(101, &p, NULL), XP_PKT_USED);
    XP_CHECK_INT(r.proto, 17);
    XP_CHECK_INT(r.dport, 53);
    int bad = 0;
    for (uint32_t cut = 0; cut < p.n - 4; cut++)
        bad += xp_pcap_decode(101, p.b, cut, 0, NULL, &r) != XP_PKT_TRUNCATED;
    XP_CHECK_INT(bad, 0);
    p.b[ah - 6] = 0x01; /* the fragment header's offset becomes non-zero */
    XP_CHECK_INT(dec(101, &p, NULL), XP_PKT_FRAGMENT);
    p.n = 0; /* ESP: stop, no ports */
    ip6(&p, 50, 1, 2);
    put(&p, (uint8_t[]){0, 0, 1, 0, 0, 0, 0, 1}, 8);
    XP_CHECK_INT(dec(229, &p, NULL), XP_PKT_USED);
    XP_CHECK_INT(r.proto, 50);
    XP_CHECK_INT(r.sport, 0);
    XP_CHECK_INT(r.dport, 0);
    p.n = 0; /* GRE over IPv4: ports 0, the lower address responds */
    ip4(&p, 47, 9, 3, 0);
    put16(&p, 0), put16(&p, 0x0800);
    XP_CHECK_INT(dec(228, &p, NULL), XP_PKT_USED);
    XP_CHECK_INT(r.proto, 47);
    XP_CHECK_INT(r.dport, 0);
    XP_CHECK_INT(last(&r.dst), 3);
    p.b[0] = 0x44; /* IHL 16 bytes: not a valid IPv4 header */
    XP_CHECK_INT(dec(228, &p, NULL), XP_PKT_NONIP);
}

static void test_ports(void)
{
    XP_CHECK_STR(xp_port_service(6, 22), "ssh");
    XP_CHECK_STR(xp_port_service(17, 53), "dns");
    XP_CHECK_STR(xp_port_service(6, 53), "dns");
    XP_CHECK_STR(xp_port_service(17, 514), "syslog");
    XP_CHECK_STR(xp_port_service(6, 514), "shell");
    XP_CHECK_STR(xp_port_service(17, 7003), "afs3-vlserver");
    XP_CHECK_STR(xp_port_service(6, 3389), "ms-rdp");
    XP_CHECK_STR(xp_port_service(6, 27017), "mongodb");
    XP_CHECK_STR(xp_port_service(1, 8), "echo");
    XP_CHECK_STR(xp_port_service(58, 135), "neighbor-solicit");
    XP_CHECK(xp_port_service(6, 7003) == NULL);
    XP_CHECK(xp_port_service(17, 40000) == NULL);
    XP_CHECK(xp_port_service(47, 80) == NULL);
    XP_CHECK(xp_port_service(6, -1) == NULL);
    XP_CHECK(xp_port_service(6, 70000) == NULL);
    XP_CHECK(xp_port_builtin(6, 443));
    XP_CHECK(!xp_port_builtin(6, 444 + 1000));
    XP_CHECK_STR(xp_proto_name(58), "icmp6");
    XP_CHECK(xp_proto_name(47) == NULL);
    XP_CHECK_INT(xp_proto_parse("TCP", 3), 6);
    XP_CHECK_INT(xp_proto_parse("udpx", 3), 17);
    XP_CHECK_INT(xp_proto_parse("icmp", 4), 1);
    XP_CHECK_INT(xp_proto_parse("47", 2), 47);
    XP_CHECK_INT(xp_proto_parse("256", 3), -1);
    XP_CHECK_INT(xp_proto_parse("sctp", 4), -1);
    XP_CHECK_INT(xp_proto_parse("", 0), -1);
    size_t n = xp_port_table_size(), unsorted = 0;
    XP_CHECK(n >= 80);
    for (size_t i = 1; i < n; i++) {
        uint8_t m0, m1;
        int32_t p0, p1;
        const char *s0, *s1;
        xp_port_table_entry(i - 1, &m0, &p0, &s0);
        xp_port_table_entry(i, &m1, &p1, &s1);
        unsorted += p0 > p1 || (p0 == p1 && (m0 >= m1 || (m0 & m1)));
    }
    XP_CHECK_INT(unsorted, 0);
    /* xp_port_builtin_mark marks exactly the ports xp_port_builtin knows. */
    static const uint8_t protos[] = {6, 17, 1, 58, 47};
    static uint8_t mark[65536];
    for (size_t k = 0; k < sizeof protos; k++) {
        memset(mark, 0, sizeof mark);
        xp_port_builtin_mark(protos[k], mark);
        int64_t wrong = 0, marked = 0;
        for (int32_t port = 0; port < 65536; port++) {
            wrong += mark[port] != (xp_port_builtin(protos[k], port) != 0);
            marked += mark[port];
        }
        XP_CHECK_INT(wrong, 0);
        XP_CHECK(protos[k] == 47 ? marked == 0 : marked > 0);
    }
}

int main(void)
{
    test_ether_tcp();
    test_state_growth();
    test_udp_rule();
    test_icmp();
    test_vlan();
    test_linktypes();
    test_fragments();
    test_ports();
    XP_TEST_END();
}

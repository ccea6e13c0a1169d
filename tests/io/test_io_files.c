/* test_io_files.c - whole files: classic pcap (both byte orders, us and ns),
 * pcapng through libpcap, gzip, Zeek TSV and JSON from memory, the
 * malformed-line policy, and the bad-input table (temporary files). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "xp_gzip.h"
#include "xp_pcap.h"
#include "xp_test.h"
#include "xp_zeek.h"

typedef struct buf {
    uint8_t *b;
    size_t n, cap;
} buf;

static void bput(buf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->b = realloc(b->b, b->cap);
    }
    memcpy(b->b + b->n, d, n);
    b->n += n;
}
static void bput32(buf *b, uint32_t v, int be)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
    bput(b, x, 4);
}
static void bput16(buf *b, uint16_t v, int be)
{
    uint8_t x[2] = {(uint8_t)(be ? v >> 8 : v), (uint8_t)(be ? v : v >> 8)};
    bput(b, x, 2);
}

/* An Ethernet/IPv4/UDP packet 10.0.0.s:sp -> 10.0.0.d:dp (42 bytes). */
static void udp_packet(uint8_t *p, uint8_t s, uint8_t d, uint16_t sp, uint16_t dp)
{
    static const uint8_t head[34] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0, 0x45, 0, 0, 28,
                                     0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0};
    memcpy(p, head, 34);
    p[29] = s, p[33] = d;
    p[34] = (uint8_t)(sp >> 8), p[35] = (uint8_t)sp, p[36] = (uint8_t)(dp >> 8), p[37] = (uint8_t)dp;
    p[38] = 0, p[39] = 8, p[40] = 0, p[41] = 0;
}

static void pcap_header(buf *b, int be, int ns, uint32_t snaplen)
{
    bput32(b, ns ? 0xa1b23c4d : 0xa1b2c3d4, be);
    bput16(b, 2, be), bput16(b, 4, be);
    bput32(b, 0, be), bput32(b, 0, be), bput32(b, snaplen, be), bput32(b, 1, be);
}

static void pcap_record(buf *b, int be, uint32_t sec, uint32_t frac, const uint8_t *p, uint32_t n)
{
    bput32(b, sec, be), bput32(b, frac, be), bput32(b, n, be), bput32(b, n, be);
    bput(b, p, n);
}

/* Read a capture held in memory through the real reader. */
static xp_status read_mem(const buf *b, xp_recvec *v, xp_input_stats *st, xp_err *e)
{
    xp_bytesrc *s;
    memset(v, 0, sizeof *v);
    memset(st, 0, sizeof *st);
    xp_err_clear(e);
    XP_CALL(xp_bytesrc_open_mem("mem.pcap", b->b, b->n, &s, e));
    xp_sink k = {v, st, NULL, 0, 0};
    xp_status r = xp_pcap_read(s, &k, e);
    xp_bytesrc_close(&s);
    return r;
}

static void test_classic(void)
{
    for (int be = 0; be < 2; be++)
        for (int ns = 0; ns < 2; ns++) {
            buf b = {0};
            uint8_t p[42];
            pcap_header(&b, be, ns, 65535);
            udp_packet(p, 1, 2, 40000, 53);
            pcap_record(&b, be, 1000, ns ? 500000000 : 500000, p, 42);
            udp_packet(p, 2, 1, 53, 40000);
            pcap_record(&b, be, 999, 0, p, 42); /* out of order is fine */
            xp_recvec v;
            xp_input_stats st;
            xp_err e;
            XP_CHECK_INT(read_mem(&b, &v, &st, &e), XP_OK);
            XP_CHECK_INT(v.n, 2);
            XP_CHECK_INT(st.records, 2);
            if (v.n == 2) {
                XP_CHECK_NEAR(v.v[0].ts, 1000.5, 1e-9);
                XP_CHECK_NEAR(v.v[1].ts, 999, 0);
                XP_CHECK_INT(v.v[1].dport, 53);
                XP_CHECK_INT(v.v[1].src.b[15], 1);
            }
            xp_recvec_free(&v);
            free(b.b);
        }
}

/* A pcapng: section header, one Ethernet interface, n enhanced packets. */
static void pcapng(buf *b, int n)
{
    bput32(b, 0x0a0d0d0a, 0), bput32(b, 28, 0), bput32(b, 0x1a2b3c4d, 0);
    bput16(b, 1, 0), bput16(b, 0, 0), bput32(b, 0xffffffff, 0), bput32(b, 0xffffffff, 0);
    bput32(b, 28, 0);
    bput32(b, 1, 0), bput32(b, 20, 0), bput16(b, 1, 0), bput16(b, 0, 0), bput32(b, 65535, 0);
    bput32(b, 20, 0);
    for (int i = 0; i < n; i++) {
        uint8_t p[44] = {0};
        udp_packet(p, 3, 4, 33000, (uint16_t)(123 + i));
        uint64_t us = 1700000000ull * 1000000 + (uint64_t)i * 250000;
        bput32(b, 6, 0), bput32(b, 32 + 44, 0), bput32(b, 0, 0);
        bput32(b, (uint32_t)(us >> 32), 0), bput32(b, (uint32_t)us, 0);
        bput32(b, 42, 0), bput32(b, 42, 0);
        bput(b, p, 44);
        bput32(b, 32 + 44, 0);
    }
}

static void test_pcapng(void)
{
    buf b = {0};
    pcapng(&b, 3);
    xp_recvec v;
    xp_input_stats st;
    xp_err e;
    XP_CHECK_INT(read_mem(&b, &v, &st, &e), XP_OK);
    XP_CHECK_INT(v.n, 3);
    if (v.n == 3) {
        XP_CHECK_NEAR(v.v[2].ts, 1700000000.5, 1e-6);
        XP_CHECK_INT(v.v[2].dport, 125);
        XP_CHECK_INT(v.v[0].src.b[15], 3);
    }
    xp_recvec_free(&v);
    b.n -= 30; /* cut the last block: libpcap's error, with the record number */
    XP_CHECK(read_mem(&b, &v, &st, &e) != XP_OK);
    XP_CHECK(strstr(e.msg, "mem.pcap: record 3") != NULL);
    XP_CHECK(strstr(e.msg, "libpcap") != NULL);
    printf("cut pcapng: %s\n", e.msg);
    xp_recvec_free(&v);
    free(b.b);
}

/* gzip-compress in[0..n) (one member). */
static buf gz(const void *in, size_t n)
{
    buf o = {0};
    o.cap = compressBound(n) + 64;
    o.b = malloc(o.cap);
    z_stream z = {0};
    deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = o.b;
    z.avail_out = (uInt)o.cap;
    deflate(&z, Z_FINISH);
    o.n = o.cap - z.avail_out;
    deflateEnd(&z);
    return o;
}

static void test_gzip(void)
{
    buf b = {0};
    pcapng(&b, 2);
    buf g = gz(b.b, b.n);
    xp_recvec v;
    xp_input_stats st;
    xp_err e;
    XP_CHECK_INT(read_mem(&g, &v, &st, &e), XP_OK); /* gzip pcapng: inflate + fmemopen */
    XP_CHECK_INT(v.n, 2);
    xp_recvec_free(&v);
    /* Two members read as one stream. */
    buf two = {0};
    bput(&two, g.b, g.n);
    bput(&two, g.b, g.n);
    uint8_t *out;
    size_t outn;
    XP_CHECK_INT(xp_gzip_inflate_all("two.gz", two.b, two.n, 1 << 20, &out, &outn, &e), XP_OK);
    XP_CHECK_INT(outn, 2 * b.n);
    free(out);
    XP_CHECK_INT(xp_gzip_inflate_all("two.gz", two.b, two.n, 100, &out, &outn, &e), XP_BUDGET);
    xp_err_clear(&e);
    XP_CHECK_INT(xp_gzip_inflate_all("cut.gz", g.b, g.n / 2, 1 << 20, &out, &outn, &e),
                 XP_TRUNCATED);
    XP_CHECK(strstr(e.msg, "cut.gz: gzip stream ends early at compressed byte") != NULL);
    free(two.b);
    free(g.b);
    free(b.b);
}

static const char *TSV_HEAD =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
    "#fields\t_node_name\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\t"
    "duration\tlabel\n#types\tstring\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\t"
    "interval\tstring\n";

typedef struct zres {
    xp_status st;
    xp_recvec v;
    xp_input_stats stats;
    int warns;
    char msg[1024], warn[1024];
} zres;

static void zwarn(void *ctx, const char *msg)
{
    zres *z = ctx;
    z->warns++;
    snprintf(z->warn, sizeof z->warn, "%s", msg);
}

static void zparse(const char *text, int64_t skip_bad, zres *z)
{
    memset(z, 0, sizeof *z);
    xp_input_opts o = {0};
    o.skip_bad = skip_bad;
    o.warn = zwarn;
    o.warn_ctx = z;
    xp_sink k = {&z->v, &z->stats, &o, 0, 0};
    xp_err e;
    xp_err_clear(&e);
    z->st = xp_zeek_parse("t.log", text, strlen(text), &k, &e);
    snprintf(z->msg, sizeof z->msg, "%s", e.msg);
}

static void test_zeek(void)
{
    char text[4096];
    zres z;
    /* Two header blocks in one file; the second moves the columns. */
    snprintf(text, sizeof text,
             "%sw1\t100.5\tC1\t10.0.0.1\t5353\tff02::fb\t5353\tudp\tdns\t-\tx\n"
             "w1\t101.25\tC2\tfe80::1\t0\tfe80::2\t0\ticmp\t-\t0.5\t(empty)\n"
             "#close\t2024\n#separator \\x09\n"
             "#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n"
             "99\t1.2.3.4\t1\t5.6.7.8\t22\ttcp\r\n\n",
             TSV_HEAD);
    zparse(text, 0, &z);
    XP_CHECK_INT(z.st, XP_OK);
    XP_CHECK_INT(z.v.n, 3);
    if (z.v.n == 3) {
        XP_CHECK_NEAR(z.v.v[0].ts, 100.5, 0);
        XP_CHECK_NEAR(z.v.v[0].dur, 0, 0);
        XP_CHECK_INT(z.v.v[0].flags, XP_REC_START);
        XP_CHECK_INT(z.v.v[0].sport, 5353);
        XP_CHECK_INT(z.v.v[1].proto, 58); /* "icmp" with IPv6 addresses */
        XP_CHECK_NEAR(z.v.v[1].dur, 0.5, 0);
        XP_CHECK_INT(z.v.v[2].dport, 22);
        XP_CHECK_INT(z.v.v[2].proto, 6);
        XP_CHECK_NEAR(z.v.v[2].ts, 99, 0);
    }
    xp_recvec_free(&z.v);
    /* 70 filler columns first (the wanted ones past the reader's column
     * table, XP_ZEEK_WANT), fields of 0 to 40 bytes around the 16-byte
     * separator search, a comma separator, and a line shorter than 16. */
    {
        char *big = malloc(1 << 16);
        XP_CHECK(big != NULL);
        if (big != NULL) {
            int at = snprintf(big, 1 << 16, "#separator ,\n#fields");
            for (int i = 0; i < 70; i++)
                at += snprintf(big + at, (size_t)(1 << 16) - (size_t)at, ",f%d", i);
            at += snprintf(big + at, (size_t)(1 << 16) - (size_t)at,
                           ",ts,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,duration\n");
            for (int r = 0; r < 3; r++) {
                for (int i = 0; i < 70; i++) /* field i of row r: (i * 7 + r) % 41 bytes */
                    at += snprintf(big + at, (size_t)(1 << 16) - (size_t)at, "%.*s,",
                                   (i * 7 + r) % 41, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
                at += snprintf(big + at, (size_t)(1 << 16) - (size_t)at,
                               "%d.5,10.100.200.%d,%d,10.0.1.1,80,tcp,0.25\n", 1000 + r, r + 101,
                               40000 + r); /* a 14-byte address */
            }
            snprintf(big + at, (size_t)(1 << 16) - (size_t)at, "1\n");
            zparse(big, 1, &z); /* the short last line: one bad record */
            XP_CHECK_INT(z.st, XP_OK);
            XP_CHECK_INT(z.v.n, 3);
            XP_CHECK_INT(z.warns, 1);
            for (int r = 0; r < 3 && r < z.v.n; r++) {
                XP_CHECK_NEAR(z.v.v[r].ts, 1000 + r + 0.5, 0);
                XP_CHECK_INT(z.v.v[r].sport, 40000 + r);
                XP_CHECK_INT(z.v.v[r].dport, 80);
                XP_CHECK_NEAR(z.v.v[r].dur, 0.25, 0);
                XP_CHECK_INT(z.v.v[r].src.b[13], 100);
                XP_CHECK_INT(z.v.v[r].src.b[15], r + 101);
            }
            xp_recvec_free(&z.v);
            free(big);
        }
    }
    /* JSON lines: numeric and ISO-8601 ts, nested values skipped. */
    zparse("{\"ts\":1713484800.25,\"uid\":\"C\",\"id.orig_h\":\"10.1.1.1\",\"id.orig_p\":40000,"
           "\"id.resp_h\":\"10.1.1.2\",\"id.resp_p\":443,\"proto\":\"tcp\",\"duration\":1.5,"
           "\"tunnel_parents\":[\"a\",{\"b\":\"}\"}],\"conn_state\":\"SF\"}\n"
           "{\"ts\":\"2024-04-19T00:00:00.123456Z\",\"id.orig_h\":\"::1\",\"id.orig_p\":1,"
           " \"id.resp_h\":\"::2\",\"id.resp_p\":53,\"proto\":\"udp\"}",
           0, &z);
    XP_CHECK_INT(z.st, XP_OK);
    XP_CHECK_INT(z.v.n, 2);
    if (z.v.n == 2) {
        XP_CHECK_NEAR(z.v.v[0].ts, 1713484800.25, 0);
        XP_CHECK_NEAR(z.v.v[0].dur, 1.5, 0);
        XP_CHECK_INT(z.v.v[0].dport, 443);
        XP_CHECK_NEAR(z.v.v[1].ts, 1713484800.123456, 1e-6);
        XP_CHECK_NEAR(z.v.v[1].dur, 0, 0);
    }
    xp_recvec_free(&z.v);
    double t;
    XP_CHECK_INT(xp_zeek_iso8601("1970-01-02T00:00:01+01:00", 25, &t), 0);
    XP_CHECK_NEAR(t, 86400 + 1 - 3600, 0);
    XP_CHECK_INT(xp_zeek_iso8601("2024-13-01T00:00:00Z", 20, &t), -1);
}

static void test_policy(void)
{
    char text[4096];
    zres z;
    /* A cut last line (no newline): skipped with a warning, counted. */
    snprintf(text, sizeof text, "%sw\t1.0\tC\t1.1.1.1\t1\t2.2.2.2\t2\ttcp\t-\t-\t-\nw\t2.0\tC\t1.1",
             TSV_HEAD);
    zparse(text, 0, &z);
    XP_CHECK_INT(z.st, XP_OK);
    XP_CHECK_INT(z.v.n, 1);
    XP_CHECK_INT(z.stats.skipped_cut, 1);
    XP_CHECK_INT(z.warns, 1);
    XP_CHECK(strstr(z.warn, "t.log: line 9") != NULL);
    xp_recvec_free(&z.v);
    /* The same line with a newline is an error, naming line and byte. */
    strcat(text, "\n");
    zparse(text, 0, &z);
    XP_CHECK_INT(z.st, XP_FORMAT);
    XP_CHECK(strstr(z.msg, "t.log: line 9 (byte ") != NULL);
    XP_CHECK(strstr(z.msg, "fields") != NULL);
    xp_recvec_free(&z.v);
    /* --skip-bad 1 tolerates one (warned), not two. */
    snprintf(text, sizeof text, "%sgarbage\nw\t1.0\tC\t1.1.1.1\t1\t2.2.2.2\t2\ttcp\t-\t-\t-\n",
             TSV_HEAD);
    zparse(text, 1, &z);
    XP_CHECK_INT(z.st, XP_OK);
    XP_CHECK_INT(z.v.n, 1);
    XP_CHECK_INT(z.stats.skipped_bad, 1);
    XP_CHECK_INT(z.warns, 1);
    xp_recvec_free(&z.v);
    strcat(text, "more garbage\n");
    zparse(text, 1, &z);
    XP_CHECK_INT(z.st, XP_FORMAT);
    XP_CHECK(strstr(z.msg, "line 10") != NULL);
    XP_CHECK(strstr(z.msg, "--skip-bad") != NULL);
    xp_recvec_free(&z.v);
}

/* ---- the bad-input table: each a file under a fresh temporary directory */

typedef struct bad_case {
    const char *name;    /* file (or directory) name */
    int kind;            /* 0 file, 1 directory with a README, 2 absent, 3 unreadable */
    buf data;
    xp_status want;
    const char *place;   /* must appear in the message, after the path */
} bad_case;

static xp_status run_path(const char *path, char *msg, size_t cap)
{
    xp_err e;
    xp_err_clear(&e);
    xp_input_list l;
    const char *paths[1] = {path};
    xp_recvec v = {0};
    xp_input_stats st = {0};
    xp_status s = xp_input_list_make(paths, 1, &l, NULL, &e);
    if (s == XP_OK) {
        s = xp_input_read_all(&l, NULL, &v, &st, &e);
        xp_input_list_free(&l);
    }
    xp_recvec_free(&v);
    snprintf(msg, cap, "%s", e.msg);
    return s;
}

static buf text_buf(const char *s)
{
    buf b = {0};
    bput(&b, s, strlen(s));
    return b;
}

static void test_bad_inputs(void)
{
    char tmpl[] = "/tmp/xp_io_bad_XXXXXX";
    const char *dir = mkdtemp(tmpl);
    XP_CHECK(dir != NULL);
    if (dir == NULL)
        return;
    uint8_t p[42];
    udp_packet(p, 1, 2, 3, 4);
    buf hdr_cut = {0}, rec_cut = {0}, caplen = {0}, rhdr_cut = {0}, ng_cut = {0}, ng_bom = {0};
    pcap_header(&hdr_cut, 0, 0, 65535);
    hdr_cut.n = 10;
    pcap_header(&rec_cut, 0, 0, 65535);
    pcap_record(&rec_cut, 0, 1, 0, p, 42);
    rec_cut.n -= 20;
    pcap_header(&caplen, 1, 0, 40);
    pcap_record(&caplen, 1, 1, 0, p, 42);
    pcap_header(&rhdr_cut, 0, 1, 65535);
    pcap_record(&rhdr_cut, 0, 1, 0, p, 42);
    bput(&rhdr_cut, p, 7);
    pcapng(&ng_cut, 2);
    ng_cut.n -= 10;
    pcapng(&ng_bom, 1);
    ng_bom.b[8] = 0x55; /* byte-order magic destroyed */
    char conn[8192];
    snprintf(conn, sizeof conn, "%s", TSV_HEAD);
    for (int i = 0; i < 60; i++)
        snprintf(conn + strlen(conn), sizeof conn - strlen(conn),
                 "w\t%d.5\tC\t10.0.0.1\t%d\t10.0.0.2\t80\ttcp\t-\t0.1\t-\n", 1000 + i, 30000 + i);
    buf conn_gz = gz(conn, strlen(conn));
    conn_gz.n = conn_gz.n * 2 / 3;
    char garbage[4096], badts[4096], nants[4096], badport[4096];
    snprintf(garbage, sizeof garbage, "%shello world\n", TSV_HEAD);
    snprintf(badts, sizeof badts, "%sw\tabc\tC\t1.1.1.1\t1\t2.2.2.2\t2\ttcp\t-\t-\t-\n", TSV_HEAD);
    snprintf(nants, sizeof nants, "%sw\tnan\tC\t1.1.1.1\t1\t2.2.2.2\t2\ttcp\t-\t-\t-\n", TSV_HEAD);
    snprintf(badport, sizeof badport, "%sw\t1\tC\t1.1.1.1\t70000\t2.2.2.2\t2\ttcp\t-\t-\t-\n",
             TSV_HEAD);
    bad_case cases[] = {
        {"empty.pcap", 0, {0}, XP_FORMAT, "empty file (byte 0)"},
        {"magic.bin", 0, text_buf("\x01\x02\x03\x04 not a trace"), XP_UNSUPPORTED, "byte 0: not a trace"},
        {"hdrcut.pcap", 0, hdr_cut, XP_TRUNCATED, "file header cut short: 10 of 24 bytes"},
        {"reccut.pcap", 0, rec_cut, XP_TRUNCATED, "record 1 at offset 24: record cut short"},
        {"caplen.pcap", 0, caplen, XP_FORMAT, "record 1 at offset 24: caplen 42 exceeds snaplen 40"},
        {"rhdrcut.pcap", 0, rhdr_cut, XP_TRUNCATED, "record 2 at offset 82: record header cut short"},
        {"cut.pcapng", 0, ng_cut, XP_TRUNCATED, "record 2 (read up to byte offset"},
        {"bom.pcapng", 0, ng_bom, XP_UNSUPPORTED, "libpcap cannot read this capture"},
        {"conn.log.gz", 0, conn_gz, XP_TRUNCATED, "gzip stream ends early at compressed byte"},
        {"nofields.log", 0, text_buf("#separator \\x09\n#path\tconn\n1.0\ta\tb\n"), XP_FORMAT,
         "line 3 (byte 27): a record before any #fields header"},
        {"nocol.log", 0, text_buf("#separator \\x09\n#fields\tts\tid.orig_h\n"), XP_FORMAT,
         "line 2: #fields has no 'id.orig_p' column"},
        {"garbage.log", 0, text_buf(garbage), XP_FORMAT, "line 8 (byte 249): 1 fields, 10 expected"},
        {"badts.log", 0, text_buf(badts), XP_FORMAT, "line 8 (byte 249): ts is not a finite number: 'abc'"},
        {"nants.log", 0, text_buf(nants), XP_FORMAT, "ts is not a finite number: 'nan'"},
        {"badport.log", 0, text_buf(badport), XP_FORMAT, "id.orig_p is not a port: '70000'"},
        {"badjson.log", 0, text_buf("{\"ts\":1,\"id.orig_h\":\"1.1.1.1\",\"conn_state\":\"S0\"}\n"),
         XP_FORMAT, "line 1 (byte 0): no \"id.orig_p\" member"},
        {"absent.pcap", 2, {0}, XP_IO, "cannot open: No such file"},
        {"unreadable.pcap", 3, {0}, XP_IO, "read failed at byte 0"},
        {"notraces", 1, {0}, XP_NOINPUT, "directory holds no trace (1 files skipped)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bad_case *c = &cases[i];
        char path[512], msg[1024];
        snprintf(path, sizeof path, "%s/%s", dir, c->name);
        if (c->kind == 0 || c->kind == 3) {
            FILE *f = fopen(path, "wb");
            if (c->data.n)
                fwrite(c->data.b, 1, c->data.n, f);
            fclose(f);
        }
        if (c->kind == 1) {
            char readme[600];
            mkdir(path, 0700);
            snprintf(readme, sizeof readme, "%s/README", path);
            FILE *f = fopen(readme, "w");
            fputs("no traces here\n", f);
            fclose(f);
        }
        if (c->kind == 3) {
            chmod(path, 0);
            int fd = open(path, O_RDONLY);
            if (fd >= 0) { /* root reads anything: use a file whose read fails */
                close(fd);
                snprintf(path, sizeof path, "/proc/self/mem");
            }
        }
        xp_status s = run_path(path, msg, sizeof msg);
        XP_CHECK_INT(s, c->want);
        int named = strncmp(msg, path, strlen(path)) == 0 && strchr(msg, '\n') == NULL;
        int placed = strstr(msg, c->place) != NULL;
        if (!named || !placed || s != c->want)
            fprintf(stderr, "case %s: got %s: '%s'\n", c->name, xp_status_name(s), msg);
        XP_CHECK(named);
        XP_CHECK(placed);
        printf("%-16s %-11s %s\n", c->name, xp_status_name(s), msg);
        if (c->kind == 1) {
            char readme[600];
            snprintf(readme, sizeof readme, "%s/README", path);
            unlink(readme);
            rmdir(path);
        } else if (c->kind != 2) {
            snprintf(path, sizeof path, "%s/%s", dir, c->name);
            unlink(path);
        }
        free(c->data.b);
    }
    rmdir(dir);
}

int main(void)
{
    test_classic();
    test_pcapng();
    test_gzip();
    test_zeek();
    test_policy();
    test_bad_inputs();
    XP_TEST_END();
}

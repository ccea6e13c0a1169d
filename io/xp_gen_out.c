/*
 * xp_gen_out.c - the generator's two writers: Zeek conn.log (plain, gzip,
 * rotated hourly) and pcap (Ethernet + IPv4 headers, snaplen 128), and the
 * packet model they share, so that a record's orig_pkts/orig_ip_bytes agree
 * with the packets of the same connection in trace.pcap.
 *
 * Packets of a TCP connection that completes (SF): SYN, SYN-ACK, then one
 * data packet each way per whole second of duration (at least one), then a
 * FIN from each side; of a refused one (REJ): SYN, RST. A UDP connection is
 * a request and a reply. Packet j of n lies at ts + dur * j / (n - 1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "xp_gen_int.h"

/* ------------------------------------------------------------ packet model */

int64_t xp__gconn_rounds(const xp__gconn *c)
{
    int64_t d = c->dur_us / XP__US;
    return d < 1 ? 1 : d;
}

int64_t xp__gconn_npkts(const xp__gconn *c)
{
    if (c->proto == 6 && c->state == XP__GS_SF)
        return 2 * xp__gconn_rounds(c) + 4;
    return 2;
}

int64_t xp__gconn_pkt_time(const xp__gconn *c, int64_t j)
{
    return c->ts_us + c->dur_us * j / (xp__gconn_npkts(c) - 1);
}

/* Payload bytes of data packet k of d carrying `total` in all. */
static uint32_t xp__share(uint32_t total, int64_t d, int64_t k)
{
    return (uint32_t)(total / d + ((int64_t)(total % d) > k ? 1 : 0));
}

/* Bytes before data packet k (the sequence-number offset). */
static uint32_t xp__before(uint32_t total, int64_t d, int64_t k)
{
    int64_t r = (int64_t)(total % d);
    return (uint32_t)(k * (total / d) + (k < r ? k : r));
}

/* ------------------------------------------------------------ byte helpers */

static uint8_t *xp__be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

static uint8_t *xp__be32(uint8_t *p, uint32_t v)
{
    xp__be16(p, v >> 16);
    return xp__be16(p + 2, v & 0xffff);
}

static uint8_t *xp__le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return p + 4;
}

/* ------------------------------------------------------------ one packet */

/* The fields of packet j that vary: direction, flags, seq/ack, payload. */
typedef struct xp__pkt {
    int from_orig;
    uint8_t flags; /* TCP flags */
    uint32_t seq, ack, payload;
} xp__pkt;

enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16 };

static void xp__tcp_pkt(const xp__gconn *c, int64_t j, xp__pkt *p)
{
    int64_t d = xp__gconn_rounds(c);
    uint32_t io = (uint32_t)xp__mix64(c->serial * 2 + 1);
    uint32_t ir = (uint32_t)xp__mix64(c->serial * 2 + 2);
    memset(p, 0, sizeof *p);
    if (c->state == XP__GS_REJ) {
        *p = j == 0 ? (xp__pkt){1, F_SYN, io, 0, 0} : (xp__pkt){0, F_RST | F_ACK, 0, io + 1, 0};
    } else if (j == 0) {
        *p = (xp__pkt){1, F_SYN, io, 0, 0};
    } else if (j == 1) {
        *p = (xp__pkt){0, F_SYN | F_ACK, ir, io + 1, 0};
    } else if (j < 2 * d + 2) {
        int64_t k = (j - 2) / 2;
        if (j % 2 == 0)
            *p = (xp__pkt){1, F_ACK | F_PSH, io + 1 + xp__before(c->obytes, d, k),
                           ir + 1 + xp__before(c->rbytes, d, k), xp__share(c->obytes, d, k)};
        else
            *p = (xp__pkt){0, F_ACK | F_PSH, ir + 1 + xp__before(c->rbytes, d, k),
                           io + 1 + xp__before(c->obytes, d, k + 1), xp__share(c->rbytes, d, k)};
    } else if (j == 2 * d + 2) {
        *p = (xp__pkt){1, F_FIN | F_ACK, io + 1 + c->obytes, ir + 1 + c->rbytes, 0};
    } else {
        *p = (xp__pkt){0, F_FIN | F_ACK, ir + 1 + c->rbytes, io + 2 + c->obytes, 0};
    }
}

static uint16_t xp__ip_checksum(const uint8_t *h)
{
    uint32_t s = 0;
    for (int i = 0; i < 20; i += 2)
        s += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static uint8_t *xp__eth_ip(uint8_t *b, const xp__gconn *c, const xp__pkt *p, uint32_t l4len,
                           int64_t j)
{
    uint32_t s = p->from_orig ? c->src : c->dst, d = p->from_orig ? c->dst : c->src;
    uint8_t *h;
    b[0] = 0x02, b[1] = 0;
    xp__be32(b + 2, d);
    b[6] = 0x02, b[7] = 0;
    xp__be32(b + 8, s);
    xp__be16(b + 12, 0x0800);
    h = b + 14;
    h[0] = 0x45, h[1] = 0;
    xp__be16(h + 2, 20 + l4len + p->payload);
    xp__be16(h + 4, (uint32_t)((c->serial * 7 + (uint64_t)j) & 0xffff));
    xp__be16(h + 6, 0x4000); /* don't fragment */
    h[8] = 64, h[9] = c->proto;
    xp__be16(h + 10, 0);
    xp__be32(h + 12, s);
    xp__be32(h + 16, d);
    xp__be16(h + 10, xp__ip_checksum(h));
    return h + 20;
}

/* Write packet j of c into b (at least 64 bytes); returns the captured
 * length; *wire gets the length on the wire. */
static uint32_t xp__pkt_bytes(const xp__gconn *c, int64_t j, uint8_t *b, uint32_t *wire)
{
    xp__pkt p;
    if (c->proto == 6) {
        xp__tcp_pkt(c, j, &p);
    } else {
        p = (xp__pkt){j == 0, 0, 0, 0, j == 0 ? c->obytes : c->rbytes};
    }
    uint32_t l4 = c->proto == 6 ? 20 : 8;
    uint8_t *q = xp__eth_ip(b, c, &p, l4, j);
    uint16_t sp = p.from_orig ? c->sport : c->dport, dp = p.from_orig ? c->dport : c->sport;
    xp__be16(q, sp);
    xp__be16(q + 2, dp);
    if (c->proto == 6) {
        xp__be32(q + 4, p.seq);
        xp__be32(q + 8, p.ack);
        q[12] = 5 << 4, q[13] = p.flags;
        xp__be16(q + 14, 65535);
        xp__be32(q + 16, 0); /* checksum (not computed) and urgent */
    } else {
        xp__be16(q + 4, 8 + p.payload);
        xp__be16(q + 6, 0);
    }
    *wire = 14 + 20 + l4 + p.payload;
    return 14 + 20 + l4;
}

/* ------------------------------------------------------------ buffered out */

typedef struct xp__sink {
    FILE *f;
    gzFile gz;
    char path[4096];
    char *buf;
    size_t n, cap;
} xp__sink;

static xp_status xp__sink_open(xp__sink *s, const char *path, int gz, xp_err *e)
{
    snprintf(s->path, sizeof s->path, "%s", path);
    s->n = 0;
    if (s->buf == NULL) {
        s->cap = 1 << 20;
        s->buf = malloc(s->cap);
        XP_ALLOC_CHECK(e, s->buf, "an output buffer");
    }
    if (gz)
        s->gz = gzopen(path, "wb6");
    else
        s->f = fopen(path, "wb");
    if (s->f == NULL && s->gz == NULL)
        return xp_err_set(e, XP_IO, "%s: cannot create: %s", path, strerror(errno));
    return XP_OK;
}

static xp_status xp__sink_flush(xp__sink *s, xp_err *e)
{
    int ok = s->gz ? gzwrite(s->gz, s->buf, (unsigned)s->n) == (int)s->n || s->n == 0
                   : fwrite(s->buf, 1, s->n, s->f) == s->n;
    s->n = 0;
    if (!ok)
        return xp_err_set(e, XP_IO, "%s: write failed: %s", s->path, strerror(errno));
    return XP_OK;
}

/* Room for `need` more bytes in the buffer. */
static xp_status xp__sink_room(xp__sink *s, size_t need, xp_err *e)
{
    return s->n + need > s->cap ? xp__sink_flush(s, e) : XP_OK;
}

static xp_status xp__sink_close(xp__sink *s, int free_buf, xp_err *e)
{
    xp_status st = (s->f || s->gz) ? xp__sink_flush(s, e) : XP_OK;
    int bad = 0;
    if (s->gz)
        bad = gzclose(s->gz) != Z_OK;
    else if (s->f)
        bad = fclose(s->f) != 0;
    s->f = NULL, s->gz = NULL;
    if (free_buf) {
        free(s->buf);
        s->buf = NULL;
    }
    if (bad && st == XP_OK)
        st = xp_err_set(e, XP_IO, "%s: close failed: %s", s->path, strerror(errno));
    return st;
}

/* ------------------------------------------------------------ text fields */

static char *xp__put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

static char *xp__put_ip(char *p, uint32_t ip)
{
    for (int i = 3; i >= 0; i--) {
        p = xp__put_u64(p, (ip >> (8 * i)) & 255);
        *p++ = i ? '.' : '\t';
    }
    return p;
}

/* Seconds with six decimals, as Zeek writes times and intervals. */
static char *xp__put_time(char *p, int64_t us)
{
    p = xp__put_u64(p, (uint64_t)(us / XP__US));
    *p++ = '.';
    int64_t f = us % XP__US;
    for (int64_t d = 100000; d > 0; d /= 10)
        *p++ = (char)('0' + (f / d) % 10);
    return p;
}

static char *xp__put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

/* Zeek's uid: 'C' and 17 base-62 characters, from the seed and serial. */
static char *xp__put_uid(char *p, uint64_t seed, uint64_t serial)
{
    static const char al[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint64_t h = xp__mix64(seed * 0x9e3779b97f4a7c15ULL ^ serial);
    *p++ = 'C';
    for (int i = 0; i < 17; i++) {
        if (i == 9)
            h = xp__mix64(h + serial);
        *p++ = al[h % 62];
        h /= 62;
    }
    return p;
}

/* One conn.log line (at most ~300 bytes). */
static char *xp__conn_line(char *p, const xp__gconn *c, uint64_t seed)
{
    int tcp = c->proto == 6, rej = c->state == XP__GS_REJ;
    int64_t half = xp__gconn_npkts(c) / 2;
    uint64_t hdr = tcp ? 40 : 28;
    p = xp__put_time(p, c->ts_us), *p++ = '\t';
    p = xp__put_uid(p, seed, c->serial), *p++ = '\t';
    p = xp__put_ip(p, c->src);
    p = xp__put_u64(p, c->sport), *p++ = '\t';
    p = xp__put_ip(p, c->dst);
    p = xp__put_u64(p, c->dport), *p++ = '\t';
    p = xp__put_str(p, tcp ? "tcp\t" : "udp\t");
    p = xp__put_str(p, rej ? "-" : xp__gen_kind_service(c->kind)), *p++ = '\t';
    p = xp__put_time(p, c->dur_us), *p++ = '\t';
    p = xp__put_u64(p, c->obytes), *p++ = '\t';
    p = xp__put_u64(p, c->rbytes), *p++ = '\t';
    p = xp__put_str(p, rej ? "REJ\t" : "SF\t");
    p = xp__put_str(p, (c->src >> 24) == 10 ? "T\t" : "F\t");
    p = xp__put_str(p, (c->dst >> 24) == 10 ? "T\t0\t" : "F\t0\t");
    p = xp__put_str(p, rej ? "Sr\t" : tcp ? "ShADadFf\t" : "Dd\t");
    p = xp__put_u64(p, (uint64_t)half), *p++ = '\t';
    p = xp__put_u64(p, (uint64_t)half * hdr + c->obytes), *p++ = '\t';
    p = xp__put_u64(p, (uint64_t)half), *p++ = '\t';
    p = xp__put_u64(p, (uint64_t)half * hdr + c->rbytes);
    return xp__put_str(p, "\t-\n");
}

/* ------------------------------------------------------------ conn.log */

struct xp__connw {
    xp__sink s;
    char dir[4096];
    uint64_t seed;
    int gz, rotate;
    int64_t hour;    /* the open file's hour (epoch hours), -1 none */
    int64_t last_us; /* the latest ts written to the open file */
    int64_t end_us;  /* the trace's end */
    int64_t files;
};

static void xp__fmt_date(char *buf, size_t n, int64_t sec, const char *fmt)
{
    time_t t = (time_t)sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, fmt, &tm);
}

static xp_status xp__conn_header(xp__connw *w, int64_t open_s, xp_err *e)
{
    char date[64];
    xp__fmt_date(date, sizeof date, open_s, "%Y-%m-%d-%H-%M-%S");
    XP_CALL(xp__sink_room(&w->s, 1024, e));
    w->s.n +=
        (size_t)snprintf(w->s.buf + w->s.n, 1024,
                         "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
                         "#unset_field\t-\n#path\tconn\n#open\t%s\n"
                         "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\t"
                         "service\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\t"
                         "local_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\t"
                         "resp_pkts\tresp_ip_bytes\ttunnel_parents\n"
                         "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\t"
                         "count\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\t"
                         "count\tset[string]\n",
                         date);
    return XP_OK;
}

static xp_status xp__conn_end_file(xp__connw *w, int64_t close_s, xp_err *e)
{
    char date[64];
    xp__fmt_date(date, sizeof date, close_s, "%Y-%m-%d-%H-%M-%S");
    XP_CALL(xp__sink_room(&w->s, 64, e));
    w->s.n += (size_t)snprintf(w->s.buf + w->s.n, 64, "#close\t%s\n", date);
    w->files++;
    return xp__sink_close(&w->s, 0, e);
}

/* Open the file of the hour `hour` (rotate) or the one conn.log. */
static xp_status xp__conn_open_file(xp__connw *w, int64_t hour, xp_err *e)
{
    char path[8192], day[32], h0[16], h1[16];
    const char *gz = w->gz ? ".gz" : "";
    if (!w->rotate) {
        snprintf(path, sizeof path, "%s/conn.log%s", w->dir, gz);
        return xp__sink_open(&w->s, path, w->gz, e);
    }
    xp__fmt_date(day, sizeof day, hour * 3600, "%Y-%m-%d");
    xp__fmt_date(h0, sizeof h0, hour * 3600, "%H_%M_%S");
    xp__fmt_date(h1, sizeof h1, hour * 3600 + 3600, "%H_%M_%S");
    snprintf(path, sizeof path, "%s/%s", w->dir, day);
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return xp_err_set(e, XP_IO, "%s: cannot create: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/%s/conn.%s-%s.log%s", w->dir, day, h0, h1, gz);
    return xp__sink_open(&w->s, path, w->gz, e);
}

xp_status xp__connw_open(xp__connw **out, const xp_gen_opts *o, xp_err *e)
{
    xp__connw *w = calloc(1, sizeof *w);
    XP_ALLOC_CHECK(e, w, "the conn.log writer");
    snprintf(w->dir, sizeof w->dir, "%s", o->outdir);
    w->seed = o->seed, w->gz = o->gzip, w->rotate = o->rotate;
    w->hour = -1;
    w->end_us = (o->start + (int64_t)(o->duration_s + 0.5)) * XP__US;
    *out = w;
    if (w->rotate)
        return XP_OK;
    w->hour = 0;
    XP_CALL(xp__conn_open_file(w, 0, e));
    return xp__conn_header(w, o->start, e);
}

/* With rotation, switch files when record c belongs to another hour. */
static xp_status xp__conn_rotate(xp__connw *w, int64_t ts_us, xp_err *e)
{
    int64_t hour = ts_us / XP__US / 3600;
    if (!w->rotate || hour == w->hour)
        return XP_OK;
    if (w->hour >= 0)
        XP_CALL(xp__conn_end_file(w, (w->hour + 1) * 3600, e));
    w->hour = hour;
    XP_CALL(xp__conn_open_file(w, hour, e));
    return xp__conn_header(w, hour * 3600, e);
}

xp_status xp__connw_write(xp__connw *w, const xp__gconn *c, int64_t n, xp_err *e)
{
    for (int64_t i = 0; i < n; i++) {
        XP_CALL(xp__conn_rotate(w, c[i].ts_us, e));
        XP_CALL(xp__sink_room(&w->s, 512, e));
        char *end = xp__conn_line(w->s.buf + w->s.n, &c[i], w->seed);
        w->s.n = (size_t)(end - w->s.buf);
        if (c[i].ts_us > w->last_us)
            w->last_us = c[i].ts_us;
    }
    return XP_OK;
}

xp_status xp__connw_close(xp__connw **wp, int64_t *files, xp_err *e)
{
    xp__connw *w = *wp;
    xp_status st = XP_OK;
    if (w == NULL)
        return XP_OK;
    if (w->hour >= 0 && (w->s.f || w->s.gz)) {
        int64_t close_s = w->rotate ? (w->hour + 1) * 3600 : w->end_us / XP__US;
        st = xp__conn_end_file(w, close_s, e);
    }
    xp__sink_close(&w->s, 1, e);
    if (files)
        *files = w->files;
    free(w);
    *wp = NULL;
    return st;
}

/* ------------------------------------------------------------ pcap */

/* A connection whose next packet is due: the merge heap's entry. */
typedef struct xp__due {
    int64_t t, j, n;
    xp__gconn c;
} xp__due;

struct xp__pcapw {
    xp__sink s;
    xp__due *heap;
    int64_t n, cap;
    int64_t packets;
};

static int xp__due_before(const xp__due *a, const xp__due *b)
{
    return a->t != b->t ? a->t < b->t : a->c.serial < b->c.serial;
}

static void xp__heap_down(xp__due *h, int64_t n, int64_t i)
{
    for (;;) {
        int64_t l = 2 * i + 1, m = i;
        if (l < n && xp__due_before(&h[l], &h[m]))
            m = l;
        if (l + 1 < n && xp__due_before(&h[l + 1], &h[m]))
            m = l + 1;
        if (m == i)
            return;
        xp__due t = h[i];
        h[i] = h[m], h[m] = t;
        i = m;
    }
}

static xp_status xp__heap_push(xp__pcapw *w, const xp__gconn *c, xp_err *e)
{
    if (w->n == w->cap) {
        int64_t cap = w->cap ? 2 * w->cap : 4096;
        xp__due *h = realloc(w->heap, (size_t)cap * sizeof *h);
        XP_ALLOC_CHECK(e, h, "the pcap merge heap");
        w->heap = h, w->cap = cap;
    }
    int64_t i = w->n++;
    w->heap[i] = (xp__due){c->ts_us, 0, xp__gconn_npkts(c), *c};
    while (i > 0 && xp__due_before(&w->heap[i], &w->heap[(i - 1) / 2])) {
        xp__due t = w->heap[i];
        w->heap[i] = w->heap[(i - 1) / 2], w->heap[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
    return XP_OK;
}

/* Write the heap's first packet and advance its connection. */
static xp_status xp__pcap_pop(xp__pcapw *w, xp_err *e)
{
    xp__due *d = &w->heap[0];
    uint32_t wire;
    XP_CALL(xp__sink_room(&w->s, 16 + 128, e));
    uint8_t *rec = (uint8_t *)w->s.buf + w->s.n;
    uint32_t cap = xp__pkt_bytes(&d->c, d->j, rec + 16, &wire);
    xp__le32(rec, (uint32_t)(d->t / XP__US));
    xp__le32(rec + 4, (uint32_t)(d->t % XP__US));
    xp__le32(rec + 8, cap);
    xp__le32(rec + 12, wire);
    w->s.n += 16 + cap;
    w->packets++;
    if (++d->j < d->n) {
        d->t = xp__gconn_pkt_time(&d->c, d->j);
    } else {
        w->heap[0] = w->heap[--w->n];
    }
    xp__heap_down(w->heap, w->n, 0);
    return XP_OK;
}

xp_status xp__pcapw_open(xp__pcapw **out, const char *path, xp_err *e)
{
    xp__pcapw *w = calloc(1, sizeof *w);
    XP_ALLOC_CHECK(e, w, "the pcap writer");
    *out = w;
    XP_CALL(xp__sink_open(&w->s, path, 0, e));
    uint8_t *h = (uint8_t *)w->s.buf;
    xp__le32(h, 0xa1b2c3d4);
    h[4] = 2, h[5] = 0, h[6] = 4, h[7] = 0; /* version 2.4 */
    xp__le32(h + 8, 0);                     /* thiszone */
    xp__le32(h + 12, 0);                    /* sigfigs */
    xp__le32(h + 16, 128);                  /* snaplen */
    xp__le32(h + 20, 1);                    /* LINKTYPE_ETHERNET */
    w->s.n = 24;
    return XP_OK;
}

xp_status xp__pcapw_feed(xp__pcapw *w, const xp__gconn *c, int64_t n, int64_t until_us, xp_err *e)
{
    for (int64_t i = 0; i < n; i++) {
        xp__due next = {c[i].ts_us, 0, 0, c[i]};
        while (w->n > 0 && xp__due_before(&w->heap[0], &next))
            XP_CALL(xp__pcap_pop(w, e));
        XP_CALL(xp__heap_push(w, &c[i], e));
    }
    while (w->n > 0 && w->heap[0].t < until_us)
        XP_CALL(xp__pcap_pop(w, e));
    return XP_OK;
}

xp_status xp__pcapw_close(xp__pcapw **wp, int64_t *packets, xp_err *e)
{
    xp__pcapw *w = *wp;
    xp_status st = XP_OK;
    if (w == NULL)
        return XP_OK;
    while (st == XP_OK && w->n > 0)
        st = xp__pcap_pop(w, e);
    xp_status cs = xp__sink_close(&w->s, 1, e);
    if (packets)
        *packets = w->packets;
    free(w->heap);
    free(w);
    *wp = NULL;
    return st != XP_OK ? st : cs;
}

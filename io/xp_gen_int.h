/*
 * xp_gen_int.h - private to the generator (xp_gen.c, xp_gen_model.c,
 * xp_gen_out.c) and its tests: the connection record, the PRNG, the traffic
 * model and the two writers.
 */
#ifndef XP_GEN_INT_H
#define XP_GEN_INT_H

#include <stdint.h>
#include <stdio.h>

#include "xp_error.h"
#include "xp_gen.h"

#define XP__US 1000000LL /* microseconds per second */

/* Traffic kinds, for counts and for the record's service name. */
#define XP__GEN_KINDS(X)                                                                           \
    X(DNS, "dns", "dns")                                                                           \
    X(WEB, "web", "http")                                                                          \
    X(WEBS, "web-tls", "ssl")                                                                      \
    X(FRONT, "frontend", "http")                                                                   \
    X(DB, "database", "mysql")                                                                     \
    X(PROXY, "proxy", "http")                                                                      \
    X(KRB, "kerberos", "krb_tcp")                                                                  \
    X(EPM, "epmap", "dce_rpc")                                                                     \
    X(MAIL, "mail", "-")                                                                           \
    X(AFSVL, "afs-vl", "-")                                                                        \
    X(AFSFS, "afs-fs", "-")                                                                        \
    X(CRON, "cron", "-")                                                                           \
    X(SCAN, "scan", "-")                                                                           \
    X(NOISE, "noise", "-")                                                                         \
    X(SSH, "ssh", "ssh")                                                                           \
    X(RDP, "rdp", "rdp")                                                                           \
    X(MON, "monitor", "snmp")                                                                      \
    X(NTP, "ntp", "ntp")

enum {
#define XP__K(id, name, svc) XP__K_##id,
    XP__GEN_KINDS(XP__K)
#undef XP__K
        XP__K_COUNT
};

/* Zeek service field of kind k. */
const char *xp__gen_kind_service(int k);

enum { XP__GS_SF = 0, XP__GS_REJ = 1 }; /* conn_state */

/* One generated connection; times in integer microseconds (exact). */
typedef struct xp__gconn {
    int64_t ts_us, dur_us;
    uint64_t serial;         /* generation order: sort tie-break, uid */
    uint32_t src, dst;       /* IPv4, host order */
    uint32_t obytes, rbytes; /* payload bytes each way */
    uint16_t sport, dport;
    uint8_t proto; /* 6 tcp, 17 udp */
    uint8_t state; /* XP__GS_* */
    uint8_t kind;  /* XP__K_* */
    uint8_t pad_;
} xp__gconn;

/* A growable array of connections. */
typedef struct xp__gvec {
    xp__gconn *v;
    int64_t n, cap;
} xp__gvec;

int xp__gvec_push(xp__gvec *v, const xp__gconn *c); /* 0 or -1 (no memory) */
void xp__gvec_free(xp__gvec *v);

/* xoshiro256** seeded by splitmix64. */
typedef struct xp__rng {
    uint64_t s[4];
} xp__rng;

void xp__rng_seed(xp__rng *r, uint64_t seed, uint64_t stream);
uint64_t xp__rng_next(xp__rng *r);
double xp__rng_unit(xp__rng *r);                           /* [0, 1) */
int64_t xp__rng_range(xp__rng *r, int64_t lo, int64_t hi); /* [lo, hi] */
int64_t xp__rng_exp_us(xp__rng *r, double mean_s);         /* >= 1 us */
uint64_t xp__mix64(uint64_t x);                            /* splitmix64 finaliser */

/* The traffic model (xp_gen_model.c): opaque to the driver. */
typedef struct xp__model xp__model;

xp_status xp__model_create(xp__model **m, const xp_gen_opts *o, xp_err *e);
/*
 * Append to *out every connection caused by an event whose trigger time is
 * in [t0_us, t1_us); calls must come in time order without gaps. A
 * connection may start up to 1 s after its trigger.
 */
xp_status xp__model_chunk(xp__model *m, int64_t t0_us, int64_t t1_us, xp__gvec *out, xp_err *e);
void xp__model_free(xp__model **m);
/*
 * Write planted.tsv's text (header and one line per pattern pair) to f;
 * *lines gets the number of pairs. Returns XP_IO when f has an error.
 */
xp_status xp__model_write_planted(FILE *f, int64_t *lines);

/* Packets of one connection (the pcap and the conn.log counts agree). */
int64_t xp__gconn_npkts(const xp__gconn *c);
/* Data rounds of a TCP connection: one data packet each way per second. */
int64_t xp__gconn_rounds(const xp__gconn *c);
/* Time of packet j (0 <= j < npkts): evenly spread over [ts, ts + dur]. */
int64_t xp__gconn_pkt_time(const xp__gconn *c, int64_t j);

/* The writers (xp_gen_out.c). */
typedef struct xp__connw xp__connw;
typedef struct xp__pcapw xp__pcapw;

/* A conn.log writer: one file, or one file per UTC hour with rotate. */
xp_status xp__connw_open(xp__connw **w, const xp_gen_opts *o, xp_err *e);
/* Write n records (already in ts order except deliberate swaps). */
xp_status xp__connw_write(xp__connw *w, const xp__gconn *c, int64_t n, xp_err *e);
xp_status xp__connw_close(xp__connw **w, int64_t *files, xp_err *e);

xp_status xp__pcapw_open(xp__pcapw **w, const char *path, xp_err *e);
/* Feed connections sorted by (ts, serial); packets up to `until_us` out. */
xp_status xp__pcapw_feed(xp__pcapw *w, const xp__gconn *c, int64_t n, int64_t until_us, xp_err *e);
/* Write every pending packet and close; *packets gets the total. */
xp_status xp__pcapw_close(xp__pcapw **w, int64_t *packets, xp_err *e);

#endif

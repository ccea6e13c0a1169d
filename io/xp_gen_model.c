/*
 * xp_gen_model.c - the simulated network of expose-gen (docs/generator.md):
 * clients that browse, read mail and use AFS in on/off sessions, servers
 * with the dependencies of the paper's §4 planted in them, and distractors.
 *
 * Every process (each client, each long-session slot, each fixed machine)
 * draws from its own xoshiro stream seeded from (seed, process id), so a
 * client's behaviour depends only on the seed and its number, and the output
 * depends only on the options.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xp_gen_int.h"

#define IP(a, b, c, d)                                                                             \
    (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* Servers: the addresses docs/generator.md and planted.tsv name. */
#define DNS_IP IP(10, 0, 0, 53)
#define NTP_IP IP(10, 0, 0, 123)
#define FRONT_IP IP(10, 0, 2, 10)
#define DB_IP IP(10, 0, 2, 20)
#define KRB_IP IP(10, 0, 4, 88)
#define MAIL_IP IP(10, 0, 4, 25)
#define MAIL_PORT 6004
#define BACKUP_IP IP(10, 0, 5, 100)
#define MON_SRC IP(10, 0, 6, 1)
#define MON_DST IP(10, 0, 6, 2)
#define AFS_VL IP(10, 0, 7, 1)
#define SCAN_SRC IP(10, 9, 9, 9)
#define SSH_IP IP(10, 0, 9, 22)
#define RDP_IP IP(10, 0, 9, 33)

enum { NPROXY = 3, NCRON = 6, NSCAN = 40, NAFSFS = 2, NSSH = 4, NRDP = 3 };
enum { CRON_PERIOD = 300, CRON_PHASE = 42, SCAN_PERIOD = 600, SCAN_PHASE = 137 };

/* Web servers 10.0.1.x with their share of the page views (Zipf-like). */
static const struct {
    uint8_t host;
    uint16_t port;
    double weight;
} xp__web[] = {
    {1, 443, 40}, {1, 80, 10}, {2, 443, 10}, {2, 80, 5}, {3, 443, 5}, {3, 80, 5},
    {4, 443, 5},  {4, 80, 4},  {5, 443, 5},  {5, 80, 4}, {6, 443, 4}, {6, 80, 3},
};
enum { NWEB = sizeof xp__web / sizeof xp__web[0] };

/* Rates, tuned so that 1000 clients x 7 h give about a million records. */
#define ACTIVE_MEAN_S 1200.0 /* an active session lasts 20 min on average */
#define IDLE_MEAN_S 1200.0   /* and so does the pause between sessions */
#define P_DNS 0.6            /* a page needs a DNS lookup (cache miss) */
#define P_DB 0.95            /* a front-end request calls the database */
#define P_KRB 0.8            /* a mail check renews a Kerberos ticket */
#define P_AFS_USER 0.3       /* share of clients that use AFS */
#define MAIL_PERIOD_S 300    /* mail checks: every 240..360 s */
#define NTP_PERIOD_S 1024
#define P_MON 0.98 /* the monitor polls in 98 % of the seconds */

/* Activities of an active client, per hour of activity. */
enum { ACT_PAGE, ACT_FRONT, ACT_PROXY, ACT_AFS, ACT_NOISE, ACT_N };
static const double xp__act_rate[ACT_N] = {40, 12, 8, 10, 30};

typedef struct xp__client {
    xp__rng rng;
    uint32_t addr;
    uint16_t port; /* next ephemeral port */
    uint8_t active, afs;
    double rate;                                      /* activities per second while active */
    int64_t state_end, next_act, next_mail, next_ntp; /* us */
} xp__client;

/* A long-lived session slot (ssh, rdp): one session after another. */
typedef struct xp__slot {
    xp__rng rng;
    uint32_t server;
    uint16_t dport;
    uint8_t kind;
    int64_t next;
} xp__slot;

struct xp__model {
    int64_t nclients;
    int64_t end_us;
    uint64_t serial;
    int nomem;
    xp__client *cl;
    xp__slot slot[NSSH + NRDP];
    xp__rng infra; /* monitor, cron, scanner */
    uint16_t infra_port;
    int64_t next_mon, next_cron, next_scan; /* us */
    xp__gvec *out;
};

/* ------------------------------------------------------------ emitting */

static void xp__add(xp__model *m, xp__gconn c)
{
    if (c.ts_us >= m->end_us)
        return; /* a dependent connection past the trace's end */
    if (c.ts_us + c.dur_us > m->end_us)
        c.dur_us = m->end_us - c.ts_us; /* Zeek logs what it saw */
    if (c.dur_us < 1)
        c.dur_us = 1;
    /* A data packet carries at most 60000 bytes: IPv4's length is 16 bits. */
    int64_t cap = 60000 * xp__gconn_rounds(&c);
    if (c.proto == 6 && c.state == XP__GS_SF && c.obytes > cap)
        c.obytes = (uint32_t)cap;
    if (c.proto == 6 && c.state == XP__GS_SF && c.rbytes > cap)
        c.rbytes = (uint32_t)cap;
    c.serial = m->serial++;
    if (xp__gvec_push(m->out, &c) != 0)
        m->nomem = 1;
}

static uint16_t xp__eport(uint16_t *p)
{
    uint16_t v = *p;
    *p = v >= 60999 ? 32768 : (uint16_t)(v + 1);
    return v;
}

/* A short connection from client c; returns its end time. */
static int64_t xp__short(xp__model *m, xp__client *c, int64_t t, uint32_t dst, uint16_t dport,
                         int kind, int64_t dur)
{
    int udp = kind == XP__K_DNS || kind == XP__K_AFSVL || kind == XP__K_AFSFS;
    uint32_t ob = (uint32_t)xp__rng_range(&c->rng, 40, udp ? 120 : 900);
    uint32_t rb = (uint32_t)xp__rng_range(&c->rng, 60, udp ? 400 : 30000);
    xp__add(m, (xp__gconn){.ts_us = t,
                           .dur_us = dur,
                           .src = c->addr,
                           .dst = dst,
                           .sport = xp__eport(&c->port),
                           .dport = dport,
                           .proto = udp ? 17 : 6,
                           .obytes = ob,
                           .rbytes = rb,
                           .kind = (uint8_t)kind});
    return t + dur;
}

/* Where an event of trigger time t starts: the same second, early in it,
 * so that the dependent connections it causes fall in the same 1 s window. */
static int64_t xp__event_start(int64_t t)
{
    int64_t sec = t - t % XP__US;
    return sec + (t - sec) * 55 / 100;
}

/* ------------------------------------------------------------ clients */

static int64_t xp__dns(xp__model *m, xp__client *c, int64_t t)
{
    if (xp__rng_unit(&c->rng) >= P_DNS)
        return t;
    int64_t end = xp__short(m, c, t, DNS_IP, 53, XP__K_DNS, xp__rng_range(&c->rng, 500, 30000));
    return end + xp__rng_range(&c->rng, 100, 3000);
}

static int xp__pick_web(xp__rng *r)
{
    double total = 0, x;
    for (int i = 0; i < NWEB; i++)
        total += xp__web[i].weight;
    x = xp__rng_unit(r) * total;
    for (int i = 0; i < NWEB; i++) {
        if (x < xp__web[i].weight)
            return i;
        x -= xp__web[i].weight;
    }
    return NWEB - 1;
}

/* §4.6 "name lookup before web": a page is DNS (on a cache miss), then 1-3
 * connections to one web server, all in the same second. */
static void xp__page(xp__model *m, xp__client *c, int64_t t)
{
    int w = xp__pick_web(&c->rng);
    uint32_t dst = IP(10, 0, 1, xp__web[w].host);
    int kind = xp__web[w].port == 443 ? XP__K_WEBS : XP__K_WEB;
    int64_t k = xp__rng_range(&c->rng, 1, 3);
    t = xp__dns(m, c, t);
    for (int64_t i = 0; i < k; i++)
        xp__short(m, c, t + i * xp__rng_range(&c->rng, 1000, 40000), dst, xp__web[w].port, kind,
                  xp__rng_range(&c->rng, 20000, 400000));
}

/* §2.3 eq. (3): a request to the front end makes it call its database. */
static void xp__front(xp__model *m, xp__client *c, int64_t t)
{
    t = xp__dns(m, c, t);
    int64_t dur = xp__rng_range(&c->rng, 30000, 200000);
    xp__short(m, c, t, FRONT_IP, 80, XP__K_FRONT, dur);
    if (xp__rng_unit(&c->rng) >= P_DB)
        return;
    int64_t at = t + xp__rng_range(&c->rng, 2000, 10000);
    xp__add(m, (xp__gconn){.ts_us = at,
                           .dur_us = dur / 2,
                           .src = FRONT_IP,
                           .dst = DB_IP,
                           .sport = xp__eport(&m->infra_port),
                           .dport = 3306,
                           .proto = 6,
                           .obytes = (uint32_t)xp__rng_range(&c->rng, 80, 600),
                           .rbytes = (uint32_t)xp__rng_range(&c->rng, 100, 20000),
                           .kind = XP__K_DB});
}

/* §4.6 load balancing: a burst of 3-6 requests spread over the proxies. */
static void xp__proxy(xp__model *m, xp__client *c, int64_t t)
{
    int64_t k = xp__rng_range(&c->rng, 3, 6);
    int64_t first = xp__rng_range(&c->rng, 0, NPROXY - 1);
    for (int64_t i = 0; i < k; i++)
        xp__short(m, c, t + i * 80000, IP(10, 0, 3, 1 + (first + i) % NPROXY), 8080, XP__K_PROXY,
                  xp__rng_range(&c->rng, 20000, 300000));
}

/* §4.7 AFS: ask the volume-location server, then talk to a file server. */
static void xp__afs(xp__model *m, xp__client *c, int64_t t)
{
    uint32_t fs = IP(10, 0, 7, 2 + xp__rng_range(&c->rng, 0, NAFSFS - 1));
    t = xp__short(m, c, t, AFS_VL, 7003, XP__K_AFSVL, xp__rng_range(&c->rng, 500, 5000));
    xp__short(m, c, t + xp__rng_range(&c->rng, 1000, 20000), fs, 7000, XP__K_AFSFS,
              xp__rng_range(&c->rng, 1000, 100000));
}

/* Independent noise: a connection to a random outside host. */
static void xp__noise(xp__model *m, xp__client *c, int64_t t)
{
    uint32_t net = xp__rng_unit(&c->rng) < 0.5 ? IP(198, 51, 100, 0) : IP(203, 0, 113, 0);
    uint32_t dst = net | (uint32_t)xp__rng_range(&c->rng, 1, 254);
    double x = xp__rng_unit(&c->rng);
    uint16_t port = x < 0.4 ? 80 : x < 0.8 ? 443 : (uint16_t)xp__rng_range(&c->rng, 1024, 65535);
    xp__short(m, c, t, dst, port, XP__K_NOISE, xp__rng_range(&c->rng, 10000, 2000000));
}

/* §4.6 e-mail: Kerberos ticket, end-point mapper, then the mail port. */
static void xp__mail(xp__model *m, xp__client *c, int64_t t)
{
    if (xp__rng_unit(&c->rng) < P_KRB)
        t = xp__short(m, c, t, KRB_IP, 88, XP__K_KRB, xp__rng_range(&c->rng, 2000, 20000));
    t = xp__short(m, c, t + 1000, MAIL_IP, 135, XP__K_EPM, xp__rng_range(&c->rng, 2000, 20000));
    xp__short(m, c, t + 1000, MAIL_IP, MAIL_PORT, XP__K_MAIL,
              xp__rng_range(&c->rng, 20000, 400000));
}

static void xp__ntp(xp__model *m, xp__client *c, int64_t t)
{
    xp__add(m, (xp__gconn){.ts_us = t,
                           .dur_us = xp__rng_range(&c->rng, 300, 3000),
                           .src = c->addr,
                           .dst = NTP_IP,
                           .sport = 123,
                           .dport = 123,
                           .proto = 17,
                           .obytes = 48,
                           .rbytes = 48,
                           .kind = XP__K_NTP});
}

static void xp__activity(xp__model *m, xp__client *c, int64_t t)
{
    double x = xp__rng_unit(&c->rng) * c->rate * 3600.0;
    int a = 0;
    for (; a < ACT_N - 1; a++) {
        double r = (a == ACT_AFS && !c->afs) ? 0 : xp__act_rate[a];
        if (x < r)
            break;
        x -= r;
    }
    t = xp__event_start(t);
    if (a == ACT_PAGE)
        xp__page(m, c, t);
    else if (a == ACT_FRONT)
        xp__front(m, c, t);
    else if (a == ACT_PROXY)
        xp__proxy(m, c, t);
    else if (a == ACT_AFS)
        xp__afs(m, c, t);
    else
        xp__noise(m, c, t);
}

static int64_t xp__min4(int64_t a, int64_t b, int64_t c, int64_t d)
{
    int64_t x = a < b ? a : b, y = c < d ? c : d;
    return x < y ? x : y;
}

/* Run client c up to t1: its on/off sessions, activities, mail and NTP. */
static void xp__client_run(xp__model *m, xp__client *c, int64_t t1)
{
    for (;;) {
        int64_t act = c->active ? c->next_act : INT64_MAX;
        int64_t t = xp__min4(c->state_end, act, c->next_mail, c->next_ntp);
        if (t >= t1)
            return;
        if (t == c->state_end) {
            c->active = !c->active;
            c->state_end = t + xp__rng_exp_us(&c->rng, c->active ? ACTIVE_MEAN_S : IDLE_MEAN_S);
            c->next_act = t + xp__rng_exp_us(&c->rng, 1.0 / c->rate);
        } else if (t == act) {
            xp__activity(m, c, t);
            c->next_act = t + xp__rng_exp_us(&c->rng, 1.0 / c->rate);
        } else if (t == c->next_mail) {
            xp__mail(m, c, xp__event_start(t));
            c->next_mail = t + xp__rng_range(&c->rng, (MAIL_PERIOD_S - 60) * XP__US,
                                             (MAIL_PERIOD_S + 60) * XP__US);
        } else {
            xp__ntp(m, c, t);
            c->next_ntp = t + NTP_PERIOD_S * XP__US;
        }
    }
}

static void xp__client_init(xp__client *c, int64_t i, uint64_t seed, int64_t t0)
{
    memset(c, 0, sizeof *c);
    xp__rng_seed(&c->rng, seed, 1000 + (uint64_t)i);
    c->addr = IP(10, 1, i / 250, 1 + i % 250);
    c->port = (uint16_t)xp__rng_range(&c->rng, 32768, 60999);
    c->afs = xp__rng_unit(&c->rng) < P_AFS_USER;
    c->rate = 0;
    for (int a = 0; a < ACT_N; a++)
        c->rate += (a == ACT_AFS && !c->afs) ? 0 : xp__act_rate[a];
    c->rate /= 3600.0;
    c->active = xp__rng_unit(&c->rng) < ACTIVE_MEAN_S / (ACTIVE_MEAN_S + IDLE_MEAN_S);
    c->state_end = t0 + xp__rng_exp_us(&c->rng, c->active ? ACTIVE_MEAN_S : IDLE_MEAN_S);
    c->next_act = t0 + xp__rng_exp_us(&c->rng, 1.0 / c->rate);
    c->next_mail = t0 + xp__rng_range(&c->rng, 0, MAIL_PERIOD_S * XP__US);
    c->next_ntp = t0 + xp__rng_range(&c->rng, 0, NTP_PERIOD_S * XP__US);
}

/* ------------------------------------------------------------ long sessions */

/* Sessions of 30 min to 4 h, one after another with pauses of ~10 min. */
static void xp__slot_run(xp__model *m, xp__slot *s, int64_t t1)
{
    while (s->next < t1) {
        int64_t dur = xp__rng_range(&s->rng, 1800 * XP__US, 4 * 3600 * XP__US);
        int64_t who = xp__rng_range(&s->rng, 0, m->nclients - 1);
        xp__add(m, (xp__gconn){.ts_us = s->next,
                               .dur_us = dur,
                               .src = m->cl[who].addr,
                               .dst = s->server,
                               .sport = (uint16_t)xp__rng_range(&s->rng, 32768, 60999),
                               .dport = s->dport,
                               .proto = 6,
                               .obytes = (uint32_t)(dur / XP__US * 20),
                               .rbytes = (uint32_t)(dur / XP__US * 200),
                               .kind = s->kind});
        s->next += dur + xp__rng_exp_us(&s->rng, 600.0);
    }
}

/* ------------------------------------------------------------ fixed machines */

/* A flow in almost every window: SNMP polling 10.0.6.2 each second. */
static void xp__monitor_run(xp__model *m, int64_t t1)
{
    for (; m->next_mon < t1; m->next_mon += XP__US) {
        if (xp__rng_unit(&m->infra) >= P_MON)
            continue;
        xp__add(m, (xp__gconn){.ts_us = m->next_mon + 500000,
                               .dur_us = 1500,
                               .src = MON_SRC,
                               .dst = MON_DST,
                               .sport = 40161,
                               .dport = 161,
                               .proto = 17,
                               .obytes = 60,
                               .rbytes = 120,
                               .kind = XP__K_MON});
    }
}

/* Synchronous cron: six hosts back up to 10.0.5.100:873 in the same second. */
static void xp__cron_run(xp__model *m, int64_t t1)
{
    for (; m->next_cron < t1; m->next_cron += CRON_PERIOD * XP__US) {
        for (int h = 0; h < NCRON; h++) {
            int64_t dur = xp__rng_range(&m->infra, 2 * XP__US, 40 * XP__US);
            xp__add(m, (xp__gconn){.ts_us = m->next_cron + xp__rng_range(&m->infra, 0, 300000),
                                   .dur_us = dur,
                                   .src = IP(10, 0, 5, 1 + h),
                                   .dst = BACKUP_IP,
                                   .sport = xp__eport(&m->infra_port),
                                   .dport = 873,
                                   .proto = 6,
                                   .obytes = (uint32_t)(dur / XP__US * 40000),
                                   .rbytes = 2000,
                                   .kind = XP__K_CRON});
        }
    }
}

/* A scanner probes the same 40 hosts on tcp 445 within one second; every
 * probe is refused (REJ). */
static void xp__scan_run(xp__model *m, int64_t t1)
{
    for (; m->next_scan < t1; m->next_scan += SCAN_PERIOD * XP__US) {
        for (int h = 0; h < NSCAN; h++)
            xp__add(m, (xp__gconn){.ts_us = m->next_scan + 50000 + h * 10000,
                                   .dur_us = xp__rng_range(&m->infra, 80, 400),
                                   .src = SCAN_SRC,
                                   .dst = IP(10, 0, 8, 1 + h),
                                   .sport = xp__eport(&m->infra_port),
                                   .dport = 445,
                                   .proto = 6,
                                   .state = XP__GS_REJ,
                                   .kind = XP__K_SCAN});
    }
}

/* The first multiple of `period` s at or after t0, shifted by `phase` s. */
static int64_t xp__first_tick(int64_t t0, int64_t period, int64_t phase)
{
    int64_t p = period * XP__US, t = (t0 / p) * p + phase * XP__US;
    return t < t0 ? t + p : t;
}

/* ------------------------------------------------------------ the model */

xp_status xp__model_create(xp__model **out, const xp_gen_opts *o, xp_err *e)
{
    xp__model *m = calloc(1, sizeof *m);
    XP_ALLOC_CHECK(e, m, "the generator's model");
    int64_t t0 = o->start * XP__US;
    m->nclients = o->clients;
    m->end_us = t0 + (int64_t)llround(o->duration_s * XP__US);
    m->cl = calloc((size_t)o->clients, sizeof *m->cl);
    if (m->cl == NULL) {
        free(m);
        return xp_err_set(e, XP_NOMEM, "out of memory allocating %lld clients",
                          (long long)o->clients);
    }
    for (int64_t i = 0; i < o->clients; i++)
        xp__client_init(&m->cl[i], i, o->seed, t0);
    for (int i = 0; i < NSSH + NRDP; i++) {
        xp__slot *s = &m->slot[i];
        xp__rng_seed(&s->rng, o->seed, 100 + (uint64_t)i);
        s->server = i < NSSH ? SSH_IP : RDP_IP;
        s->dport = i < NSSH ? 22 : 3389;
        s->kind = i < NSSH ? XP__K_SSH : XP__K_RDP;
        s->next = t0 + xp__rng_range(&s->rng, 0, 1800 * XP__US);
    }
    xp__rng_seed(&m->infra, o->seed, 1);
    m->infra_port = 40000;
    m->next_mon = t0;
    m->next_cron = xp__first_tick(t0, CRON_PERIOD, CRON_PHASE);
    m->next_scan = xp__first_tick(t0, SCAN_PERIOD, SCAN_PHASE);
    *out = m;
    return XP_OK;
}

xp_status xp__model_chunk(xp__model *m, int64_t t0_us, int64_t t1_us, xp__gvec *out, xp_err *e)
{
    (void)t0_us;
    m->out = out;
    xp__monitor_run(m, t1_us);
    xp__cron_run(m, t1_us);
    xp__scan_run(m, t1_us);
    for (int i = 0; i < NSSH + NRDP; i++)
        xp__slot_run(m, &m->slot[i], t1_us);
    for (int64_t i = 0; i < m->nclients; i++)
        xp__client_run(m, &m->cl[i], t1_us);
    m->out = NULL;
    if (m->nomem)
        return xp_err_set(e, XP_NOMEM, "out of memory holding %lld connections", (long long)out->n);
    return XP_OK;
}

void xp__model_free(xp__model **m)
{
    if (*m == NULL)
        return;
    free((*m)->cl);
    free(*m);
    *m = NULL;
}

/* ------------------------------------------------------------ planted.tsv */

static char *xp__pat(char *buf, size_t n, const char *src, uint32_t dst, unsigned dport,
                     const char *proto)
{
    if (dst == 0)
        snprintf(buf, n, "%s:*>*:%u/%s", src, dport, proto);
    else
        snprintf(buf, n, "%s:*>%u.%u.%u.%u:%u/%s", src, dst >> 24, (dst >> 16) & 255,
                 (dst >> 8) & 255, dst & 255, dport, proto);
    return buf;
}

static void xp__line(FILE *f, int64_t *n, int group, const char *kind, const char *a, const char *b,
                     const char *note)
{
    fprintf(f, "%d\t%s\t%s\t%s\t%s\n", group, kind, a, b, note);
    (*n)++;
}

static void xp__planted_web(FILE *f, int64_t *n)
{
    char a[96], b[96], c[96];
    xp__pat(a, sizeof a, "*", DNS_IP, 53, "udp");
    for (int i = 0; i < NWEB; i++)
        xp__line(f, n, 1, "dns-web", a,
                 xp__pat(b, sizeof b, "*", IP(10, 0, 1, xp__web[i].host), xp__web[i].port, "tcp"),
                 "a page needs a DNS lookup on a cache miss (p=0.6)");
    xp__line(f, n, 1, "dns-web", a, xp__pat(b, sizeof b, "*", FRONT_IP, 80, "tcp"),
             "the front end is looked up like any web server");
    xp__line(f, n, 1, "dns-web", a, xp__pat(b, sizeof b, "*", DB_IP, 3306, "tcp"),
             "cover: DNS, front end and its database in one second");
    xp__line(f, n, 2, "frontend-db", xp__pat(b, sizeof b, "*", FRONT_IP, 80, "tcp"),
             xp__pat(c, sizeof c, "*", DB_IP, 3306, "tcp"),
             "the front end calls its database for 95% of the requests");
    for (int i = 0; i < NPROXY; i++)
        for (int j = i + 1; j < NPROXY; j++)
            xp__line(f, n, 3, "lb-proxies",
                     xp__pat(b, sizeof b, "*", IP(10, 0, 3, 1 + i), 8080, "tcp"),
                     xp__pat(c, sizeof c, "*", IP(10, 0, 3, 1 + j), 8080, "tcp"),
                     "a browsing burst is spread over the proxies");
}

static void xp__planted_infra(FILE *f, int64_t *n)
{
    char a[96], b[96], ha[32], hb[32];
    for (int i = 0; i < NCRON; i++)
        for (int j = i + 1; j < NCRON; j++) {
            snprintf(ha, sizeof ha, "10.0.5.%d", 1 + i);
            snprintf(hb, sizeof hb, "10.0.5.%d", 1 + j);
            xp__line(f, n, 4, "cron", xp__pat(a, sizeof a, ha, BACKUP_IP, 873, "tcp"),
                     xp__pat(b, sizeof b, hb, BACKUP_IP, 873, "tcp"),
                     "backups start in the same second every 300 s");
        }
    xp__pat(a, sizeof a, "*", BACKUP_IP, 873, "tcp");
    xp__line(f, n, 4, "cron", a, a, "cover: any two sides that are backups");
    xp__pat(a, sizeof a, "10.9.9.9", 0, 445, "tcp");
    xp__line(f, n, 5, "scanner", a, a, "40 probes of tcp 445 in one second every 600 s");
    xp__pat(a, sizeof a, "*", 0, 445, "tcp");
    xp__line(f, n, 5, "scanner", a, a, "cover: only the scanner uses tcp 445");
}

static void xp__planted_mail(FILE *f, int64_t *n)
{
    char k[96], p[96], m[96];
    xp__pat(k, sizeof k, "*", KRB_IP, 88, "tcp");
    xp__pat(p, sizeof p, "*", MAIL_IP, 135, "tcp");
    xp__pat(m, sizeof m, "*", MAIL_IP, MAIL_PORT, "tcp");
    xp__line(f, n, 6, "mail", k, p, "Kerberos ticket (p=0.8) before the end-point mapper");
    xp__line(f, n, 6, "mail", k, m, "Kerberos ticket (p=0.8) before mail");
    xp__line(f, n, 6, "mail", p, m, "the end-point mapper names the mail port 6004");
    xp__pat(k, sizeof k, "*", AFS_VL, 7003, "udp");
    for (int i = 0; i < NAFSFS; i++)
        xp__line(f, n, 7, "afs", k, xp__pat(p, sizeof p, "*", IP(10, 0, 7, 2 + i), 7000, "udp"),
                 "volume location, then the file server");
}

xp_status xp__model_write_planted(FILE *f, int64_t *lines)
{
    *lines = 0;
    fprintf(f, "group\tkind\ta\tb\tnote\n");
    xp__planted_web(f, lines);
    xp__planted_infra(f, lines);
    xp__planted_mail(f, lines);
    return ferror(f) ? XP_IO : XP_OK;
}

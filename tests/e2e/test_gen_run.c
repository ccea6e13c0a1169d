/*
 * test_gen_run.c - expose-gen end to end: determinism, the conn.log header
 * and records, the pcap (read back with libpcap) against the conn.log, the
 * planted patterns actually present in the traffic, rotation + gzip, and the
 * command line. argv[1], when given, is the expose-gen executable.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "xp_gen.h"
#include "xp_planted.h"
#include "xp_test.h"

static char root[64] = "/tmp/xp_gen_test.XXXXXX";

/* ------------------------------------------------------------ helpers */

static char *slurp(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb"); /* reads plain files too */
    size_t n = 0, cap = 1 << 20;
    char *b = malloc(cap + 1);
    int got;
    if (f == NULL || b == NULL) {
        free(b);
        if (f)
            gzclose(f);
        return NULL;
    }
    while ((got = gzread(f, b + n, (unsigned)(cap - n))) > 0) {
        n += (size_t)got;
        if (n == cap) {
            char *nb = realloc(b, 2 * cap + 1);
            if (nb == NULL)
                break;
            b = nb, cap *= 2;
        }
    }
    gzclose(f);
    b[n] = '\0';
    if (len)
        *len = n;
    return b;
}

static long long json_int(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = json ? strstr(json, pat) : NULL;
    return p ? atoll(p + strlen(pat)) : -1;
}

static int same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    int same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

static xp_status gen(const char *sub, int64_t clients, double hours, uint64_t seed, int flags,
                     xp_gen_counts *n)
{
    static char dir[256];
    xp_gen_opts o;
    xp_err e;
    xp_err_clear(&e);
    xp_gen_opts_default(&o);
    snprintf(dir, sizeof dir, "%s/%s", root, sub);
    o.outdir = dir, o.clients = clients, o.duration_s = hours * 3600, o.seed = seed;
    o.pcap = flags & 1, o.gzip = (flags & 2) != 0, o.rotate = (flags & 4) != 0;
    xp_status st = xp_gen_run(&o, n, &e);
    if (st != XP_OK)
        fprintf(stderr, "xp_gen_run: %s\n", e.msg);
    return st;
}

static const char *path(const char *sub, const char *file)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s/%s", root, sub, file);
    return buf[k];
}

/* ------------------------------------------------------------ conn.log */

static const char *header[] = {
    "#separator \\x09",
    "#set_separator\t,",
    "#empty_field\t(empty)",
    "#unset_field\t-",
    "#path\tconn",
    "#open\t",
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\t"
    "duration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\t"
    "missed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\t"
    "tunnel_parents",
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\t"
    "count\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]"};

/* One parsed record: what the checks below need. */
typedef struct rec {
    double ts, dur;
    char src[16], dst[16], proto[4];
    int dport;
    long long opkts, oip, ob, rpkts, rip, rb;
} rec;

typedef struct conn {
    rec *v;
    long long n, descents, bad_lines, pkts, syns;
} conn;

static int parse_rec(char *line, rec *r)
{
    char *f[22];
    int k = 0;
    for (char *s = line; k < 22; k++) {
        f[k] = s;
        char *t = strchr(s, '\t');
        if (t == NULL) {
            k++;
            break;
        }
        *t = '\0', s = t + 1;
    }
    if (k != 21 || strlen(f[1]) != 18 || f[1][0] != 'C')
        return -1;
    r->ts = atof(f[0]), r->dur = atof(f[8]);
    snprintf(r->src, sizeof r->src, "%s", f[2]);
    snprintf(r->dst, sizeof r->dst, "%s", f[4]);
    snprintf(r->proto, sizeof r->proto, "%s", f[6]);
    r->dport = atoi(f[5]);
    r->ob = atoll(f[9]), r->rb = atoll(f[10]);
    r->opkts = atoll(f[16]), r->oip = atoll(f[17]);
    r->rpkts = atoll(f[18]), r->rip = atoll(f[19]);
    return 0;
}

/* Parse the data lines of text (header lines checked when check_header). */
static void read_conn(char *text, conn *c, int check_header)
{
    int h = 0;
    long long cap = 1 << 16;
    memset(c, 0, sizeof *c);
    c->v = malloc((size_t)cap * sizeof *c->v);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#') {
            if (check_header && h < 8)
                XP_CHECK(strncmp(line, header[h], strlen(header[h])) == 0);
            h += h < 8 && strncmp(line, "#close", 6) != 0;
            continue;
        }
        if (c->n == cap)
            c->v = realloc(c->v, (size_t)(cap *= 2) * sizeof *c->v);
        rec *r = &c->v[c->n];
        if (parse_rec(line, r) != 0) {
            c->bad_lines++;
            continue;
        }
        c->descents += c->n > 0 && r->ts < c->v[c->n - 1].ts;
        c->pkts += r->opkts + r->rpkts;
        c->syns += strcmp(r->proto, "tcp") == 0;
        c->n++;
    }
    if (check_header)
        XP_CHECK_INT(h, 8);
}

/* orig_ip_bytes = packets x header + payload, as in the pcap. */
static void check_records(const conn *c)
{
    long long bad = 0;
    for (long long i = 0; i < c->n; i++) {
        const rec *r = &c->v[i];
        long long hdr = strcmp(r->proto, "tcp") == 0 ? 40 : 28;
        bad += r->oip != r->opkts * hdr + r->ob || r->rip != r->rpkts * hdr + r->rb || r->dur < 0 ||
               r->opkts < 1;
    }
    XP_CHECK_INT(bad, 0);
}

/* ------------------------------------------------------------ planted */

static long long same_second(const conn *c, long long i, const char *dst, int dport)
{
    long long s = (long long)c->v[i].ts, hits = 0;
    for (long long j = i - 200 < 0 ? 0 : i - 200; j < c->n && j < i + 200; j++)
        hits += (long long)c->v[j].ts == s && c->v[j].dport == dport &&
                strcmp(c->v[j].dst, dst) == 0 && j != i;
    return hits;
}

/* The planted dependencies are really in the traffic, within one second. */
static void check_planted_traffic(const conn *c)
{
    long long fe = 0, fe_db = 0, web = 0, web_dns = 0, cron = 0, cron6 = 0, scan = 0, scan40 = 0;
    for (long long i = 0; i < c->n; i++) {
        const rec *r = &c->v[i];
        if (strcmp(r->dst, "10.0.2.10") == 0)
            fe++, fe_db += same_second(c, i, "10.0.2.20", 3306) > 0;
        if (strcmp(r->dst, "10.0.1.1") == 0 && r->dport == 443)
            web++, web_dns += same_second(c, i, "10.0.0.53", 53) > 0;
        if (strcmp(r->src, "10.0.5.1") == 0)
            cron++, cron6 += same_second(c, i, "10.0.5.100", 873) == 5;
        if (strcmp(r->dst, "10.0.8.1") == 0)
            scan++, scan40 += same_second(c, i, "10.0.8.40", 445) == 1;
    }
    XP_CHECK(fe > 100 && fe_db >= 0.9 * fe);
    XP_CHECK(web > 100 && web_dns >= 0.5 * web && web_dns <= 0.95 * web);
    XP_CHECK(cron >= 10 && cron6 == cron);
    XP_CHECK(scan >= 5 && scan40 == scan);
    printf("frontend %lld (db %lld), web %lld (dns %lld), cron %lld, scans %lld\n", fe, fe_db, web,
           web_dns, cron, scan);
}

static void check_planted_file(const char *sub, long long want)
{
    xp_planted *p = NULL;
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_planted_load(&p, path(sub, "planted.tsv"), &e), XP_OK);
    if (p == NULL)
        return;
    XP_CHECK_INT(xp_planted_count(p), want);
    int seen[8] = {0};
    for (int64_t i = 0; i < xp_planted_count(p); i++)
        if (xp_planted_group(p, i) < 8)
            seen[xp_planted_group(p, i)] = 1;
    for (int g = 1; g <= 7; g++)
        XP_CHECK(seen[g]);
    /* Planted: generic and flow forms. Distractors: not covered. */
    XP_CHECK_INT(xp_planted_match(p, "*:*>10.0.0.53:53/udp", "*:*>10.0.1.1:443/tcp"), 1);
    XP_CHECK_INT(xp_planted_match(p, "10.0.2.10:*>10.0.2.20:3306/tcp", "*:*>10.0.2.10:80/tcp"), 2);
    XP_CHECK_INT(xp_planted_match(p, "*:*>10.0.3.3:8080/tcp", "*:*>10.0.3.1:8080/tcp"), 3);
    XP_CHECK_INT(
        xp_planted_match(p, "10.0.5.6:*>10.0.5.100:873/tcp", "10.0.5.3:*>10.0.5.100:873/tcp"), 4);
    XP_CHECK_INT(xp_planted_match(p, "10.9.9.9:*>10.0.8.7:445/tcp", "10.9.9.9:*>10.0.8.9:445/tcp"),
                 5);
    XP_CHECK_INT(xp_planted_match(p, "10.1.0.9:*>10.0.4.25:135/tcp", "*:*>10.0.4.25:6004/tcp"), 6);
    XP_CHECK_INT(xp_planted_match(p, "*:*>10.0.7.1:7003/udp", "*:*>10.0.7.3:7000/udp"), 7);
    const char *distract[] = {"10.0.6.1:*>10.0.6.2:161/udp",    "10.1.0.3:*>10.0.9.22:22/tcp",
                              "*:*>10.0.9.33:3389/tcp",         "*:123>10.0.0.123:123/udp",
                              "10.1.0.3:*>198.51.100.7:80/tcp", "*:*>203.0.113.9:443/tcp"};
    const char *planted[] = {"*:*>10.0.0.53:53/udp", "*:*>10.0.1.1:443/tcp",
                             "*:*>10.0.4.25:135/tcp", "*:*>10.0.3.1:8080/tcp"};
    long long covered = 0;
    for (int i = 0; i < 6; i++) {
        for (int j = 0; j < 6; j++)
            covered += xp_planted_match(p, distract[i], distract[j]) != 0;
        for (int j = 0; j < 4; j++)
            covered += xp_planted_match(p, distract[i], planted[j]) != 0;
    }
    XP_CHECK_INT(covered, 0);
    /* Web servers are not planted with each other, nor proxies with DNS. */
    XP_CHECK_INT(xp_planted_match(p, "*:*>10.0.1.1:443/tcp", "*:*>10.0.1.2:443/tcp"), 0);
    XP_CHECK_INT(xp_planted_match(p, "*:*>10.0.0.53:53/udp", "*:*>10.0.3.1:8080/tcp"), 0);
    xp_planted_free(&p);
}

/* ------------------------------------------------------------ pcap */

static void check_pcap(const char *file, long long want_pkts, const conn *c)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(file, err);
    XP_CHECK(pc != NULL);
    if (pc == NULL) {
        fprintf(stderr, "pcap_open_offline: %s\n", err);
        return;
    }
    XP_CHECK_INT(pcap_datalink(pc), DLT_EN10MB);
    XP_CHECK_INT(pcap_snapshot(pc), 128);
    struct pcap_pkthdr *h;
    const u_char *d;
    long long n = 0, back = 0, syn = 0, badlen = 0;
    double last = 0;
    while (pcap_next_ex(pc, &h, &d) == 1) {
        double t = (double)h->ts.tv_sec + h->ts.tv_usec * 1e-6;
        back += t < last;
        last = t;
        unsigned iplen = (unsigned)(d[16] << 8 | d[17]);
        badlen += h->caplen > 128 || h->len != 14 + iplen || d[12] != 8 || d[13] != 0;
        syn += d[23] == 6 && (d[47] & 0x12) == 0x02; /* SYN without ACK */
        n++;
    }
    pcap_close(pc);
    XP_CHECK_INT(n, want_pkts);
    XP_CHECK_INT(n, c->pkts);   /* conn.log's orig_pkts + resp_pkts */
    XP_CHECK_INT(syn, c->syns); /* one SYN per TCP connection */
    XP_CHECK_INT(back, 0);
    XP_CHECK_INT(badlen, 0);
}

/* ------------------------------------------------------------ the tests */

static void test_main_trace(void)
{
    xp_gen_counts n;
    XP_CHECK_INT(gen("a", 60, 2.0, 7, 1, &n), XP_OK);
    char *json = slurp(path("a", "gen.json"), NULL);
    char *text = slurp(path("a", "conn.log"), NULL);
    conn c;
    XP_CHECK(json && text);
    if (!json || !text)
        return;
    read_conn(text, &c, 1);
    XP_CHECK_INT(c.bad_lines, 0);
    XP_CHECK_INT(json_int(json, "records"), c.n);
    XP_CHECK_INT(n.records, c.n);
    XP_CHECK_INT(json_int(json, "packets"), n.packets);
    XP_CHECK_INT(json_int(json, "planted_pairs"), n.planted);
    XP_CHECK(n.out_of_order > 0 && c.descents > 0 && c.descents <= 2 * n.out_of_order);
    check_records(&c);
    check_planted_traffic(&c);
    check_planted_file("a", n.planted);
    check_pcap(path("a", "trace.pcap"), n.packets, &c);
    free(c.v);
    free(text);
    free(json);
}

static void test_determinism(void)
{
    xp_gen_counts n;
    XP_CHECK_INT(gen("b", 60, 2.0, 7, 1, &n), XP_OK);
    XP_CHECK_INT(gen("c", 60, 2.0, 8, 1, &n), XP_OK);
    const char *files[] = {"conn.log", "trace.pcap", "planted.tsv", "gen.json"};
    for (int i = 0; i < 4; i++)
        XP_CHECK(same_file(path("a", files[i]), path("b", files[i])));
    XP_CHECK(!same_file(path("a", "conn.log"), path("c", "conn.log")));
    XP_CHECK(!same_file(path("a", "trace.pcap"), path("c", "trace.pcap")));
    XP_CHECK(same_file(path("a", "planted.tsv"), path("c", "planted.tsv")));
}

/* Rotated gzip files hold exactly the records of the one plain conn.log. */
static void test_rotate(void)
{
    xp_gen_counts n;
    const char *hours[] = {"2023-11-14/conn.22_00_00-23_00_00.log.gz",
                           "2023-11-14/conn.23_00_00-00_00_00.log.gz",
                           "2023-11-15/conn.00_00_00-01_00_00.log.gz"};
    XP_CHECK_INT(gen("r", 60, 2.0, 7, 2 | 4, &n), XP_OK);
    XP_CHECK_INT(n.files, 3);
    long long total = 0;
    size_t plain_len;
    char *plain = slurp(path("a", "conn.log"), &plain_len);
    for (int i = 0; i < 3; i++) {
        char *t = slurp(path("r", hours[i]), NULL);
        XP_CHECK(t != NULL);
        if (t == NULL)
            continue;
        XP_CHECK(strstr(t, "#close\t") != NULL);
        conn c;
        read_conn(t, &c, 1);
        XP_CHECK_INT(c.bad_lines, 0);
        XP_CHECK(c.n > 0);
        total += c.n;
        free(c.v);
        free(t);
    }
    XP_CHECK_INT(total, n.records);
    XP_CHECK(plain != NULL);
    free(plain);
}

static int run_cli(const char *exe, const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s >/dev/null 2>&1", exe, args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli(const char *exe)
{
    char args[512];
    XP_CHECK_INT(run_cli(exe, "--help"), 0);
    XP_CHECK_INT(run_cli(exe, "--clients 5"), 2);
    XP_CHECK_INT(run_cli(exe, "-o /tmp/x --clients 0"), 2);
    XP_CHECK_INT(run_cli(exe, "-o /tmp/x --hours abc"), 2);
    XP_CHECK_INT(run_cli(exe, "-o /tmp/x --bogus"), 2);
    snprintf(args, sizeof args, "-o %s/cli --clients 60 --hours 2 --seed 7 --pcap", root);
    XP_CHECK_INT(run_cli(exe, args), 0);
    XP_CHECK(same_file(path("a", "conn.log"), path("cli", "conn.log")));
    XP_CHECK(same_file(path("a", "trace.pcap"), path("cli", "trace.pcap")));
}

static int rm_one(const char *p, const struct stat *s, int flag, struct FTW *f)
{
    (void)s, (void)flag, (void)f;
    return remove(p);
}

int main(int argc, char **argv)
{
    if (mkdtemp(root) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_main_trace();
    test_determinism();
    test_rotate();
    if (argc > 1)
        test_cli(argv[1]);
    nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    XP_TEST_END();
}

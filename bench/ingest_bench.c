/*
 * ingest_bench.c - reader throughput against the floor each could reach.
 *
 *   ingest_bench PCAP CONNLOG [REPEATS]
 *
 * pcap: our reader (xp_input_read_file: decode + orientation + records)
 * against a bare libpcap pcap_next_ex loop over the same file. conn.log: our
 * reader against plain read() of the same bytes. Best of REPEATS (default 3)
 * runs each, after one warm-up read that fills the page cache. One core.
 */
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "xp_input.h"
#include "xp_recsort.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Bare libpcap: packets counted, bytes touched (one byte per packet). */
static double bare_pcap(const char *path, long *npkt)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    double t0 = now();
    pcap_t *p = pcap_open_offline(path, errbuf);
    if (p == NULL) {
        fprintf(stderr, "%s: %s\n", path, errbuf);
        return -1;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    long n = 0;
    unsigned sink = 0;
    while (pcap_next_ex(p, &h, &d) == 1) {
        n++;
        sink += h->caplen ? d[0] : 0;
    }
    pcap_close(p);
    *npkt = n + (sink == 0xffffffffu);
    return now() - t0;
}

/* Plain read() of the whole file in 4 MiB chunks. */
static double bare_read(const char *path, long long *bytes)
{
    double t0 = now();
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t cap = 4 << 20;
    char *b = malloc(cap);
    ssize_t got;
    long long n = 0;
    while ((got = read(fd, b, cap)) > 0)
        n += got;
    close(fd);
    free(b);
    *bytes = n;
    return now() - t0;
}

/* Our reader over one file (no sort: read_file keeps file order). */
static double ours(const char *path, long long *recs, long long *bytes)
{
    double t0 = now();
    xp_err e;
    xp_err_clear(&e);
    xp_input_list l;
    const char *paths[1] = {path};
    if (xp_input_list_make(paths, 1, &l, NULL, &e) != XP_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return -1;
    }
    xp_recvec v = {0};
    xp_input_stats st = {0};
    xp_input_opts o = {0};
    xp_status s = xp_input_read_file(&l.v[0], &o, &v, &st, &e);
    double t = now() - t0;
    if (s != XP_OK) {
        fprintf(stderr, "%s\n", e.msg);
        t = -1;
    }
    *recs = st.records;
    *bytes = st.bytes;
    xp_recvec_free(&v);
    xp_input_list_free(&l);
    return t;
}

/* Stable time sort of n records with shuffled ts (the read_all step). */
static double sort_time(int64_t n)
{
    xp_recvec v = {0};
    if (xp_recvec_reserve(&v, n) != 0)
        return -1;
    uint64_t x = 88172645463325252ull;
    for (int64_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        xp_rec r = {0};
        r.ts = 1.7e9 + (double)(x % 86400000000ull) * 1e-6;
        v.v[v.n++] = r;
    }
    xp_err e;
    int64_t dis;
    double t0 = now();
    xp_status s = xp_recs_sort_ts(&v, &dis, &e);
    double t = now() - t0;
    for (int64_t i = 1; i < v.n; i++)
        if (v.v[i].ts < v.v[i - 1].ts)
            s = XP_INTERNAL;
    xp_recvec_free(&v);
    return s == XP_OK ? t : -1;
}

static double best(double a, double b) { return (a < 0 || (b >= 0 && b < a)) ? b : a; }

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s PCAP CONNLOG [REPEATS]\n", argv[0]);
        return 2;
    }
    int reps = argc > 3 ? atoi(argv[3]) : 3;
    long npkt = 0;
    long long bytes = 0, recs = 0, pbytes = 0, crecs = 0, cbytes = 0;
    double tb = -1, to = -1, tr = -1, tc = -1;
    bare_read(argv[1], &bytes); /* warm the page cache */
    bare_read(argv[2], &bytes);
    for (int i = 0; i < reps; i++) {
        tb = best(tb, bare_pcap(argv[1], &npkt));
        to = best(to, ours(argv[1], &recs, &pbytes));
        tr = best(tr, bare_read(argv[2], &bytes));
        tc = best(tc, ours(argv[2], &crecs, &cbytes));
    }
    if (tb <= 0 || to <= 0 || tr <= 0 || tc <= 0)
        return 1;
    double mb = (double)pbytes / 1e6, cmb = (double)cbytes / 1e6;
    printf("pcap     %s: %.1f MB, %lld packets\n", argv[1], mb, recs);
    printf("  libpcap pcap_next_ex loop : %8.3f s  %10.0f pkt/s  %7.1f MB/s\n", tb, npkt / tb, mb / tb);
    printf("  expose-mpi reader         : %8.3f s  %10.0f rec/s  %7.1f MB/s\n", to, recs / to, mb / to);
    printf("  ratio ours/libpcap        : %.2fx\n", tb / to);
    printf("conn.log %s: %.1f MB, %lld records\n", argv[2], cmb, crecs);
    printf("  read() of the bytes       : %8.3f s  %7.1f MB/s\n", tr, (double)bytes / 1e6 / tr);
    printf("  expose-mpi reader         : %8.3f s  %10.0f rec/s  %7.1f MB/s\n", tc, crecs / tc, cmb / tc);
    printf("  ratio ours/read()         : %.2fx\n", tr / tc);
    double ts = sort_time(4000000);
    printf("sort by ts of 4M shuffled records: %.3f s (%.1f M rec/s)\n", ts, 4.0 / ts);
    return 0;
}

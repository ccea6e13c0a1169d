/*
 * xp_gen.h - the synthetic trace generator behind `expose-gen`.
 *
 * It writes one simulated edge network's traffic as a Zeek conn.log (plain,
 * gzip, or rotated hourly like Zeek), optionally as a pcap of the same
 * connections, together with planted.tsv (the dependencies it planted, see
 * xp_planted.h) and gen.json (parameters and counts). The network model is
 * described in docs/generator.md. Output depends only on the options: the
 * same options and seed give the same bytes. Not collective: plain C, no MPI.
 */
#ifndef XP_GEN_H
#define XP_GEN_H

#include <stdint.h>
#include <stdio.h>

#include "xp_error.h"

/* What to generate; xp_gen_opts_default() fills the defaults. */
typedef struct xp_gen_opts {
    const char *outdir; /* -o: the output directory, created if missing */
    int64_t clients;    /* --clients (default 200), 1 .. 64000 */
    double duration_s;  /* --hours/--days, seconds (default 2 h) */
    uint64_t seed;      /* --seed (default 1) */
    int64_t start;      /* --start: first second, epoch (1700000000) */
    int pcap;           /* --pcap: also write trace.pcap */
    int conn;           /* 0 with --no-conn: no conn.log */
    int gzip;           /* --gzip: conn.log.gz / rotated *.log.gz */
    int rotate;         /* --rotate-hourly: DIR/YYYY-MM-DD/conn.HH_...log */
} xp_gen_opts;

/* What was generated (also written to gen.json). */
typedef struct xp_gen_counts {
    int64_t records;      /* connection records in conn.log */
    int64_t packets;      /* packets in trace.pcap (0 without --pcap) */
    int64_t out_of_order; /* records written deliberately out of ts order */
    int64_t files;        /* conn.log files written */
    int64_t planted;      /* lines of planted.tsv (pattern pairs) */
    int64_t by_kind[32];  /* records per traffic kind (xp_gen_kind_name) */
} xp_gen_counts;

/* Fill *o with the defaults above (outdir NULL). */
void xp_gen_opts_default(xp_gen_opts *o);

/*
 * Parse the command line (argv[0] is the program) into *o, starting from the
 * defaults. Returns XP_OK, 1 when --help was asked (usage printed to `out`),
 * or XP_ARG with a message in *e naming the option and the value found.
 */
xp_status xp_gen_opts_parse(xp_gen_opts *o, int argc, char **argv, FILE *out, xp_err *e);

/* Print the usage text (every option with its default) to out. */
void xp_gen_usage(FILE *out);

/*
 * Generate the trace described by *o into o->outdir. Fills *counts (may be
 * NULL). Returns XP_OK, XP_ARG for bad options, XP_IO when a file cannot be
 * written (the message names it), XP_NOMEM. On failure the files already
 * written are left behind, but gen.json, written last, is not.
 */
xp_status xp_gen_run(const xp_gen_opts *o, xp_gen_counts *counts, xp_err *e);

/* Name of traffic kind k ("dns", "web", ...); NULL past the last kind. */
const char *xp_gen_kind_name(int k);

#endif

/*
 * xp_opts.h - every command-line option in one declarative table (name,
 * type, default, bounds, help), as nDPI does. --help, the parser, the
 * summary's "params" object and docs/options.md all come from this table.
 */
#ifndef XP_OPTS_H
#define XP_OPTS_H

#include <stdint.h>
#include <stdio.h>

#include "xp_error.h"

/* X(field, long name, short, type, default, min, max, help)
 * type: D double, I int64, F flag (0/1), S string. */
#define XP_OPTS_TABLE(X)                                                       \
    X(out, "out", 'o', S, "expose-out", 0, 0,                                  \
      "output directory")                                                      \
    X(window, "window", 0, D, "1", 1e-6, 86400,                                \
      "window width in seconds (paper §2.1)")                                  \
    X(top_k, "top-k", 0, I, "5000", 1, 100000000,                              \
      "number of most active flows and generics mined (§2.2 c)")               \
    X(alpha, "alpha", 0, D, "0.01", 0, 1e9,                                    \
      "score threshold in nats, eq. (2) (§2.2 d)")                             \
    X(beta, "beta", 0, I, "3", 0, 1000000000,                                  \
      "a rule with a generic needs support > beta clients (§2.3.2)")           \
    X(max_presence, "max-presence", 0, D, "0.9", 0, 1,                         \
      "drop flows present in more than this fraction of windows (§2.2 b)")     \
    X(ratio, "ratio", 0, D, "3", 1, 1e9,                                       \
      "present=>present rules need 1/R <= P(X)/P(Y) <= R (§2.2 b)")            \
    X(paper, "paper", 0, F, "0", 0, 1,                                         \
      "the paper's statistics exactly as published (docs/statistics.md)")      \
    X(q_max, "q-max", 0, D, "0.001", 0, 1,                                     \
      "default mode: keep rules whose FDR q-value is at most this")            \
    X(port_min_flows, "port-min-flows", 0, I, "20", 1, 1000000000,             \
      "a port >= 1024 is well known when this many connections use it")       \
    X(idle_gap, "idle-gap", 0, D, "60", 0, 1e9,                                \
      "a flow is new again after this many idle seconds (pcap, §2.1)")         \
    X(shards, "shards", 0, I, "64", 1, 1000000,                                \
      "number of HDF5 window shards (balanced by counting work)")              \
    X(mem_per_rank, "mem-per-rank", 0, I, "4096", 1, 1000000000,               \
      "memory budget per rank in MiB for the pair counts")                     \
    X(tight, "tight", 0, D, "0.5", 0, 1e9,                                     \
      "a part is tightly connected when its normalised algebraic "             \
      "connectivity is at least this (§3.1)")                                  \
    X(sign_split, "sign-split", 0, F, "0", 0, 1,                               \
      "Procedure 2 to the letter: split by the sign of L's Fiedler vector "    \
      "(default: the least-conductance sweep cut of the normalised "           \
      "Laplacian's; also with --paper; docs/clustering.md)")                   \
    X(max_cut, "max-cut", 0, D, "0.25", 0, 1e9,                                \
      "split a part only along a cut of conductance below this (not with "    \
      "--sign-split)")                                                         \
    X(min_split, "min-split", 0, I, "4", 2, 1000000000,                        \
      "parts smaller than this are not split (§3.1, Procedure 2)")             \
    X(sparse_min, "sparse-min", 0, I, "100", 2, 1000000000,                    \
      "parts with at least this many nodes use the sparse eigen-solver")      \
    X(scalapack_min, "scalapack-min", 0, I, "2000", 2, 1000000000,             \
      "parts this large that need a dense eigen-solve use ScaLAPACK")         \
    X(skip_bad, "skip-bad", 0, I, "0", 0, 1000000000000,                       \
      "tolerate up to this many malformed records (each reported)")            \
    X(names, "names", 0, S, "", 0, 0,                                          \
      "host names for the reports: 'ip name' per line (/etc/hosts format)")    \
    X(no_reports, "no-reports", 0, F, "0", 0, 1,                               \
      "write no reports (report.*, graph.*): `expose-report OUT` makes them "  \
      "later from rules.jsonl and clusters.json")                              \
    X(time_limit, "time-limit", 0, D, "0", 0, 1e9,                             \
      "stop cleanly after this many seconds (0: none); shards stay usable")    \
    X(rebuild, "rebuild", 0, F, "0", 0, 1,                                     \
      "ignore shards left by an earlier run and read the trace again")         \
    X(quiet, "quiet", 'q', F, "0", 0, 1,                                       \
      "only errors on stderr: no progress, log lines or warnings")

typedef struct xp_opts {
#define XP__OPT_FIELD_D double
#define XP__OPT_FIELD_I int64_t
#define XP__OPT_FIELD_F int
#define XP__OPT_FIELD_S const char *
#define XP__OPT_FIELD(f, l, s, t, d, lo, hi, h) XP__OPT_FIELD_##t f;
    XP_OPTS_TABLE(XP__OPT_FIELD)
#undef XP__OPT_FIELD
    /* Positional arguments: the inputs (point into argv). */
    const char **inputs;
    int ninputs;
    int help, version;
} xp_opts;

/* Fill *o with every default. */
void xp_opts_defaults(xp_opts *o);

/*
 * Parse argv into *o (which the caller has filled with defaults). On a bad
 * option or value returns XP_ARG with a message naming the option and the
 * bound it broke. o->inputs points into argv (owned by the caller; free it
 * with xp_opts_release).
 */
xp_status xp_opts_parse(xp_opts *o, int argc, char *const *argv, xp_err *e);
void xp_opts_release(xp_opts *o);

/* Print --help (every option, its default and bounds) to f. */
void xp_opts_help(FILE *f, const char *prog);

/* Write the parameters as the members of a JSON object (no braces). */
void xp_opts_json(FILE *f, const xp_opts *o);

#endif

/*
 * xp_report.h - reports people can read (paper §4.6-4.9, Fig. 6), made from
 * an output directory's rules.jsonl and clusters.json alone, so they can be
 * regenerated (for instance with new host names) without mining again.
 *
 * One process calls it (expose-report), or, with xp_report_opts.gather,
 * every rank of the miner, each parsing part of rules.jsonl. Outputs, all
 * in the same directory (docs/outputs.md):
 *   report.txt     the rules cluster by cluster in the paper's notation, with
 *                  a plain-words explanation of each rule
 *   report.html    one self-contained page drawing the rule graph (Fig. 6)
 *   graph.dot      Graphviz, one `subgraph cluster_N` per cluster
 *   graph.graphml  GraphML with score, cluster, template, support per edge
 *   graph.svg      `dot -Tsvg graph.dot`, only when `dot` is on PATH
 */
#ifndef XP_REPORT_H
#define XP_REPORT_H

#include <stdint.h>

#include "xp_error.h"

/* graph.svg is drawn only up to this many rules: Graphviz `dot` grows
 * much faster than linearly (measured on generated rule graphs: 300 rules
 * 0.2 s, 1,000 rules 8 s, 3,000 rules 90 s of CPU), and graph.dot is
 * always written, so a user can still run dot (or sfdp) on a big graph. */
#define XP_REPORT_SVG_MAX_RULES 1000

/* Options of xp_report_write. All zero: addresses only, the default SVG
 * limit, warnings on stderr. */
typedef struct xp_report_opts {
    const char *names_path; /* host names file ('ip name' per line), NULL: none */
    int64_t svg_max_rules;  /* 0: XP_REPORT_SVG_MAX_RULES; < 0: never draw graph.svg */
    /* Warnings (graph.svg not drawn, and why); NULL: to stderr. */
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
    /* rules.jsonl parsed by several processes at once (the miner's ranks):
     * this one parses part `part` of `parts` (equal byte ranges cut at line
     * starts), and gather, called by every one of them, returns all parts'
     * items in part order (*all malloc'd; items of `size` bytes, n of them
     * here) with the status agreed among them (s: this one's). NULL or
     * parts < 2: all parsed here. */
    int part, parts;
    xp_status (*gather)(void *ctx, xp_status s, const void *mine, size_t n, size_t size, void **all,
                        size_t *nall, xp_err *e);
    void *gather_ctx;
} xp_report_opts;

/*
 * Read dir/rules.jsonl and dir/clusters.json (and, when present,
 * dir/summary.json for the window width), name hosts from names_path (NULL:
 * addresses only; format of xp_names_parse), and write every report file.
 * Each file is written as NAME.tmp and renamed only once all are complete,
 * so a failure never leaves a report that looks complete (the .tmp files are
 * removed). Errors name the file and the line: XP_IO (cannot read or
 * write), XP_FORMAT (bad JSON or a bad names line), XP_NOMEM.
 */
xp_status xp_report_write_all(const char *dir, const char *names_path, xp_err *e);

/*
 * The same with options (o may be NULL: all defaults). graph.svg is
 * optional: when dot is not installed, the graph has more rules than the
 * SVG limit, or dot fails, there is no graph.svg (a warning says why; an
 * older graph.svg is removed so it cannot be taken for this one) and the
 * call still succeeds.
 */
xp_status xp_report_write(const char *dir, const xp_report_opts *o, xp_err *e);

/* The report files, as bits of `which` (the order of xp_report_write_tmp's
 * table): several processes can each write some of them. */
enum {
    XP_REPORT_TXT = 1u << 0,
    XP_REPORT_HTML = 1u << 1,
    XP_REPORT_DOT = 1u << 2, /* with graph.svg, as above */
    XP_REPORT_GRAPHML = 1u << 3,
    XP_REPORT_ALL = (1u << 4) - 1
};

/*
 * xp_report_write in parts: write_tmp reads the results and writes the
 * files of `which` as NAME.tmp only; once every part is written, commit
 * renames all of them into place (graph.svg when graph.svg.tmp was drawn,
 * else an older graph.svg is removed), or abort removes every .tmp.
 * Errors as xp_report_write's; a failed write_tmp may leave .tmp files
 * for abort to remove.
 */
xp_status xp_report_write_tmp(const char *dir, const xp_report_opts *o, unsigned which, xp_err *e);
xp_status xp_report_commit(const char *dir, xp_err *e);
void xp_report_abort(const char *dir);

/* Remove every report file (and leftover .tmp) from dir; absent files are
 * not an error. For a run that starts over, so that a failed run leaves no
 * report of an earlier result behind. */
void xp_report_remove(const char *dir);

#endif

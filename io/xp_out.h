/*
 * xp_out.h - the result files of CONTRACT.md: rules.jsonl, clusters.json,
 * summary.json. Not collective (rank 0 writes). Every file is written to
 * PATH.tmp; xp_out_commit renames them all at the very end, so a failed run
 * never leaves a file that looks complete.
 */
#ifndef XP_OUT_H
#define XP_OUT_H

#include <stdio.h>

#include "xp_error.h"
#include "xp_score.h"
#include "xp_trace.h"

/* Canonical node id of a column activity: `SRC:SPORT>DST:DPORT/PROTO ACT`,
 * '*' for wildcards, IPv6 addresses in brackets. Returns buf, which
 * XP_SIDE_ID_MAX bytes always hold. */
#define XP_SIDE_ID_MAX 160
char *xp_side_id(const xp_meta *m, uint32_t col, int act, char *buf, size_t size);

/* Cluster assignment of the rules, parallel to xp_rules (NULL: none yet). */
typedef struct xp_rule_clusters {
    const int64_t *cluster; /* per rule */
    const uint8_t *cut;     /* per rule */
} xp_rule_clusters;

/*
 * Sort r by score (highest first), ties by the rule's text, in place, so
 * that rule i is line i of rules.jsonl. Returns XP_NOMEM on failure.
 */
xp_status xp_out_sort_rules(const xp_meta *m, xp_rules *r, xp_err *e);

/* Write rules.jsonl.tmp in dir (r sorted by xp_out_sort_rules). */
xp_status xp_out_rules(const char *dir, const xp_meta *m, const xp_rules *r,
                       const xp_rule_clusters *cl, int paper, xp_err *e);
/* Lines lo..hi-1 of rules.jsonl to f (rule i is line i): the ranks of the
 * miner each write a slice of the file (mpi/xp_driver.c). */
void xp_out_rule_lines(FILE *f, const xp_meta *m, const xp_rules *r, int64_t lo, int64_t hi,
                       const xp_rule_clusters *cl, int paper);
/* A stream into memory, without stdio's per-call lock (as xp_out_fopen):
 * after fclose, m->p holds m->n bytes (free it with free(); fclose fails
 * when memory ran out). reserve: the first block's size (a guess of the
 * total). m->p already holding at least reserve bytes (a stream before,
 * closed) is written again from its start: the pages are not fresh. Not
 * open_memstream: its buffer grows by realloc into fresh 4 KiB pages, one
 * page fault each (src/xp_mem.h). NULL: out of memory (m->p freed). */
typedef struct xp_out_mem {
    char *p;
    size_t n, cap;
} xp_out_mem;
FILE *xp_out_memfile(xp_out_mem *m, size_t reserve);

/* fopen(path, "w") for an output file that one thread writes: stdio's
 * per-call lock is turned off (in an MPI process it is taken for each of
 * a rule's ~100 small writes: 17 % of writing rules.jsonl, perf). */
FILE *xp_out_fopen(const char *path);

/* Open dir/name.tmp for writing; the caller closes it with xp_out_close. */
xp_status xp_out_open(const char *dir, const char *name, FILE **f, xp_err *e);
/* Close f, reporting a write error (disk full) against dir/name. */
xp_status xp_out_close(FILE *f, const char *dir, const char *name, xp_err *e);

/* Rename dir/name.tmp to dir/name for each of the n names. */
xp_status xp_out_commit(const char *dir, const char *const *names, int n, xp_err *e);

/* Write s as a JSON string (quoted, escaped). */
void xp_out_json_string(FILE *f, const char *s);
/* The same; html 1 also escapes '<', '>' and '&' as \u00XX (no "</script>"
 * inside a page's data) and writes a newline as \n (report.html). */
void xp_out_json_escaped(FILE *f, const char *s, int html);
/* A JSON number as %.10g, null unless finite (a q-value below 1e-308 is 0);
 * a count, null when negative (absent). Without printf: src/xp_str.h. */
void xp_out_json_num(FILE *f, double x);
void xp_out_json_count(FILE *f, int64_t v);

/* The control characters 0x01-0x1f, for strcspn: the escapers copy the
 * runs between characters they must escape with one fwrite. */
#define XP_OUT_CTL                                                              \
    "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"              \
    "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"

#endif

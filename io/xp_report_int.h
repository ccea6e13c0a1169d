/*
 * xp_report_int.h - private to the report writers (io/xp_report_*.c): the
 * report model read from rules.jsonl + clusters.json, and the writers.
 * Tests may include it.
 */
#ifndef XP_REPORT_INT_H
#define XP_REPORT_INT_H

#include <stdint.h>
#include <stdio.h>

#include "xp_error.h"
#include "xp_report.h"
#include "xp_report_names.h"
#include "xp_report_side.h"

/* One line of rules.jsonl. Absent or null numbers are NAN or -1. */
typedef struct xp_report_rule {
    xp_report_side lhs, rhs;
    int64_t nl, nr; /* node indices of the two sides */
    double score, p_lhs, p_rhs, p_both, q_value, lift;
    int64_t support; /* distinct clients, -1: null (flow-flow) */
    int64_t cluster; /* the rule's "cluster" key, -1: null */
    int cut;         /* cut by spectral partitioning */
    char tpl[24];    /* "flow-flow", "flow-generic", "generic-generic" */
    int64_t n_lhs, n_rhs, n_both, windows; /* window counts, -1: absent */
    int64_t group;   /* index in xp_report.clusters of the cluster listing it, -1 */
} xp_report_rule;

typedef struct xp_report_node {
    char *id; /* canonical side id (xp_report_side_id) */
    xp_report_side side;
    int64_t group; /* index in xp_report.clusters of its first cluster, -1 */
} xp_report_node;

/* A clique shown as one line: members (node indices), and how many rules
 * among them it stands for. */
typedef struct xp_report_clique {
    int64_t *nodes;
    size_t n;
    size_t nrules;
    double min_score, max_score, mean_conf;
} xp_report_clique;

typedef struct xp_report_cluster {
    int64_t id;
    double score;    /* the "score" of clusters.json */
    double total;    /* sum of its rules' scores: the display order */
    int spectral;
    int64_t *nodes;  /* node indices */
    size_t nnodes;
    int64_t *rules;  /* rule indices, ascending (so highest score first) */
    size_t nrules;
    uint8_t *in_clique; /* parallel to rules: shown inside a clique line */
    xp_report_clique *cliques;
    size_t ncliques;
} xp_report_cluster;

typedef struct xp_report {
    xp_report_rule *rules;
    size_t nrules;
    xp_report_node *nodes; /* sorted by id */
    size_t nnodes;
    xp_report_cluster *clusters; /* sorted by total score, highest first, then id */
    size_t nclusters;
    int64_t *cut; /* rule indices cut by partitioning (cut_rules and "cut": true) */
    size_t ncut;
    int64_t *loose; /* rule indices in no cluster and not cut */
    size_t nloose;
    int have_clusters_file;
    double window; /* seconds, from summary.json; 0 when unknown */
    int64_t windows; /* total windows (the rules' "windows"), -1 unknown */
    const xp_names *names; /* borrowed */
    char names_label[256]; /* base name of the names file, "" without */
} xp_report;

/* Read a whole file into a malloc'd, NUL-terminated buffer. */
xp_status xp__report_read_file(const char *path, char **buf, size_t *len, xp_err *e);

/* Build the model from dir (see xp_report_write_all). names is borrowed and
 * must outlive rep. Release with xp__report_free. */
xp_status xp__report_load(const char *dir, const xp_names *names, const char *names_path,
                          const xp_report_opts *o, xp_report *rep, xp_err *e);
/* The same from memory buffers (clusters/summary may be NULL: absent); o
 * (may be NULL) says whether rules.jsonl is parsed in parts
 * (xp_report_opts.gather). */
xp_status xp__report_load_mem(const char *rules, size_t rules_len, const char *clusters,
                              size_t clusters_len, const char *summary, size_t summary_len,
                              const char *dir, const xp_report_opts *o, xp_report *rep, xp_err *e);
void xp__report_free(xp_report *rep);
/* When rules.jsonl is parsed in parts (o->gather), a process that fails
 * before its part (s: why) still takes part in the gather, so that no
 * other waits for it; returns the agreed status (s when not in parts). */
xp_status xp__report_gather_failed(const xp_report_opts *o, xp_status s, xp_err *e);

/* Nodes, clusters, cut and loose rules and cliques, once rep->rules are
 * read; cl is clusters.json's tree (NULL: absent, clusters then come from
 * the rules' "cluster" keys); w names clusters.json in messages. */
struct xp_jval;
xp_status xp__report_graph(xp_report *rep, const struct xp_jval *cl, const char *w,
                           xp_err *e);

/* Find cliques in every cluster (fills cliques and in_clique). */
xp_status xp__report_cliques(xp_report *rep, xp_err *e);

/* Node index of id, or -1. */
int64_t xp__report_node_find(const xp_report *rep, const char *id);

/* Rule in the paper's notation: `LHS ⇒ RHS`, with (new)/(present). */
char *xp__report_rule_text(const xp_report *rep, const xp_report_rule *r, char *buf,
                           size_t size);
/* One-sentence plain-words explanation of a rule from its counts. */
char *xp__report_explain(const xp_report *rep, const xp_report_rule *r, char *buf,
                         size_t size);
/* Number with thousands separators ("25,200"). */
char *xp__report_count(int64_t n, char *buf, size_t size);
/* Percentage of a/b for prose ("94%", "0.4%"). */
char *xp__report_pct(double a, double b, char *buf, size_t size);

/* The writers. Each writes to f; write errors are found by the caller's
 * ferror/fclose. They return XP_NOMEM on allocation failure. */
xp_status xp__report_txt(FILE *f, const xp_report *rep, xp_err *e);
xp_status xp__report_html(FILE *f, const xp_report *rep, xp_err *e);
xp_status xp__report_dot(FILE *f, const xp_report *rep, xp_err *e);
xp_status xp__report_graphml(FILE *f, const xp_report *rep, xp_err *e);

/* The data blob of report.html (JSON, '<' '>' '&' escaped as \u00XX). */
xp_status xp__report_json_blob(FILE *f, const xp_report *rep, xp_err *e);

/* Write s as a JSON string safe inside an HTML <script> element. */
void xp__report_json_str(FILE *f, const char *s);

#endif

/*
 * xp_report.h - reports people can read (paper §4.6-4.9, Fig. 6), made from
 * an output directory's rules.jsonl and clusters.json alone, so they can be
 * regenerated (for instance with new host names) without mining again.
 *
 * Not collective: one process (rank 0 of the miner, or expose-report) calls
 * it. Outputs, all in the same directory (docs/outputs.md):
 *   report.txt     the rules cluster by cluster in the paper's notation, with
 *                  a plain-words explanation of each rule
 *   report.html    one self-contained page drawing the rule graph (Fig. 6)
 *   graph.dot      Graphviz, one `subgraph cluster_N` per cluster
 *   graph.graphml  GraphML with score, cluster, template, support per edge
 *   graph.svg      `dot -Tsvg graph.dot`, only when `dot` is on PATH
 */
#ifndef XP_REPORT_H
#define XP_REPORT_H

#include "xp_error.h"

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

#endif

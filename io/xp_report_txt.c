/* xp_report_txt.c - report.txt: the rules cluster by cluster in the paper's
 * notation (§4.6-4.9), cliques on one line, each rule explained. */
#include <math.h>
#include <string.h>

#include "xp_report_int.h"
#include "xp_str.h"

static void xp__txt_header(FILE *f, const xp_report *rep)
{
    size_t tpl[3] = {0, 0, 0};
    static const char *const names[3] = {"flow-flow", "flow-generic", "generic-generic"};
    /* Every count with thousands separators (xp__report_count), as the
     * explanations write them; rule and cluster numbers without. */
    char c1[32], c2[32];
    for (size_t i = 0; i < rep->nrules; i++)
        for (int t = 0; t < 3; t++)
            tpl[t] += strcmp(rep->rules[i].tpl, names[t]) == 0;
    fprintf(f, "eXpose report\n=============\n\n");
    fprintf(f, "%s rules (%s flow-flow, ", xp__report_count((int64_t)rep->nrules, c1, sizeof c1),
            xp__report_count((int64_t)tpl[0], c2, sizeof c2));
    fprintf(f, "%s flow-generic, %s generic-generic) ",
            xp__report_count((int64_t)tpl[1], c1, sizeof c1),
            xp__report_count((int64_t)tpl[2], c2, sizeof c2));
    fprintf(f, "between %s activities, in %s clusters; ",
            xp__report_count((int64_t)rep->nnodes, c1, sizeof c1),
            xp__report_count((int64_t)rep->nclusters, c2, sizeof c2));
    fprintf(f, "%s cut by spectral partitioning; %s in no cluster.\n",
            xp__report_count((int64_t)rep->ncut, c1, sizeof c1),
            xp__report_count((int64_t)rep->nloose, c2, sizeof c2));
    if (rep->windows > 0 && rep->window > 0)
        fprintf(f, "%s windows of %g second%s.\n", xp__report_count(rep->windows, c1, sizeof c1),
                rep->window, rep->window == 1 ? "" : "s");
    else if (rep->windows > 0)
        fprintf(f, "%s windows (their width is unknown: no summary.json).\n",
                xp__report_count(rep->windows, c1, sizeof c1));
    if (rep->names_label[0])
        fprintf(f, "Hosts named from %s (%s names).\n", rep->names_label,
                xp__report_count((int64_t)xp_names_count(rep->names), c1, sizeof c1));
    else
        fprintf(f, "Hosts are shown by address (no --names file).\n");
    if (!rep->have_clusters_file)
        fprintf(f, "No clusters.json: clusters come from the rules' \"cluster\" keys.\n");
    fprintf(f, "\nNotation (paper §4.6): SRC.SPORT : DST.DPORT, originator first; * is any host "
               "or any port.\n"
               "(new): a connection starts in the window; (present): one is in progress.\n"
               "A \u21d2 B: when A happens in a window, B tends to happen in the same window.\n"
               "[score] is eq. (2) in nats; #N is the rule's 0-based line in rules.jsonl.\n");
}

static void xp__txt_rule(FILE *f, const xp_report *rep, int64_t i)
{
    char text[1200], expl[2600];
    const xp_report_rule *r = &rep->rules[i];
    /* Not fprintf, for every rule: src/xp_str.h says why. */
    fputs("  #", f);
    xp_fput_int(f, i);
    fputs(" [", f);
    xp_fput_dbl(f, "%.4g", r->score);
    fputs("] ", f);
    fputs(xp__report_rule_text(rep, r, text, sizeof text), f);
    fputs("\n      ", f);
    fputs(r->tpl[0] ? r->tpl : "template unknown", f);
    if (r->support >= 0) {
        fputs("; support ", f);
        xp_fput_int(f, r->support);
        fputs(" clients", f);
    }
    if (!isnan(r->q_value)) {
        fputs("; q-value ", f);
        xp_fput_dbl(f, "%.3g", r->q_value);
    }
    if (!isnan(r->lift)) {
        fputs("; lift ", f);
        xp_fput_dbl(f, "%.3g", r->lift);
    }
    fputs("\n      ", f);
    fputs(xp__report_explain(rep, r, expl, sizeof expl), f);
    fputc('\n', f);
}

static void xp__txt_clique(FILE *f, const xp_report *rep, const xp_report_clique *c)
{
    char side[300];
    char c1[32], c2[32];
    fprintf(f, "  Clique of %s activities (%s rules, scores %.4g to %.4g):",
            xp__report_count((int64_t)c->n, c1, sizeof c1),
            xp__report_count((int64_t)c->nrules, c2, sizeof c2), c->min_score, c->max_score);
    for (size_t k = 0; k < c->n; k++) {
        const xp_report_side *s = &rep->nodes[c->nodes[k]].side;
        fprintf(f, "%s%s (%s)", k ? " \u21d4 " : " ", xp_report_side_text(s, rep->names, side,
                sizeof side), s->isnew ? "new" : "present");
    }
    char pct[16];
    fprintf(f, "\n      Each of these goes with every other one: on average, in %s of the "
               "windows with one of them, another given one happened too.\n",
            xp__report_pct(c->mean_conf, 1.0, pct, sizeof pct));
}

static void xp__txt_heading(FILE *f, const char *text)
{
    fprintf(f, "\n%s\n", text);
    for (const char *p = text; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80) /* one dash per UTF-8 character */
            fputc('-', f);
    fputc('\n', f);
}

static void xp__txt_cluster(FILE *f, const xp_report *rep, const xp_report_cluster *c)
{
    char head[300], c1[32], c2[32];
    snprintf(head, sizeof head, "Cluster %lld: %s rules, %s activities, total score %.4g%s",
             (long long)c->id, xp__report_count((int64_t)c->nrules, c1, sizeof c1),
             xp__report_count((int64_t)c->nnodes, c2, sizeof c2), c->total,
             c->spectral ? " (split by spectral partitioning)" : "");
    xp__txt_heading(f, head);
    for (size_t k = 0; k < c->ncliques; k++)
        xp__txt_clique(f, rep, &c->cliques[k]);
    for (size_t i = 0; i < c->nrules; i++)
        if (!c->in_clique[i])
            xp__txt_rule(f, rep, c->rules[i]);
}

xp_status xp__report_txt(FILE *f, const xp_report *rep, xp_err *e)
{
    char head[200], c1[32];
    xp__txt_header(f, rep);
    for (size_t c = 0; c < rep->nclusters; c++)
        xp__txt_cluster(f, rep, &rep->clusters[c]);
    if (rep->nloose) {
        snprintf(head, sizeof head, "Rules in no cluster: %s",
                 xp__report_count((int64_t)rep->nloose, c1, sizeof c1));
        xp__txt_heading(f, head);
        for (size_t i = 0; i < rep->nloose; i++)
            xp__txt_rule(f, rep, rep->loose[i]);
    }
    if (rep->ncut) {
        snprintf(head, sizeof head,
                 "Rules cut by spectral partitioning (weak links between clusters, §3.1): %s",
                 xp__report_count((int64_t)rep->ncut, c1, sizeof c1));
        xp__txt_heading(f, head);
        for (size_t i = 0; i < rep->ncut; i++)
            xp__txt_rule(f, rep, rep->cut[i]);
    }
    if (rep->nrules == 0)
        fprintf(f, "\nNo significant rules were found.\n");
    return XP_OK;
}

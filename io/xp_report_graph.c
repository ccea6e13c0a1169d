/* xp_report_graph.c - graph.dot (Graphviz) and graph.graphml (GraphML) of
 * the rule graph: nodes are activities, edges are rules (paper Fig. 6). Node
 * ids are the canonical side ids, so they are stable across runs. */
#include <math.h>
#include <string.h>

#include "xp_out.h"
#include "xp_report_int.h"
#include "xp_str.h"

/* A DOT double-quoted string: escape '"' and '\'; newlines become \n. */
static void xp__dot_str(FILE *f, const char *s)
{
    fputc('"', f);
    while (*s) {
        size_t n = strcspn(s, "\"\\\n"); /* a run to copy as is */
        fwrite(s, 1, n, f);
        s += n;
        if (*s == 0)
            break;
        char c = *s++;
        if (c == '\n')
            fputs("\\n", f);
        else
            fprintf(f, "\\%c", c);
    }
    fputc('"', f);
}

static void xp__dot_node(FILE *f, const xp_report *rep, int64_t n, const char *indent)
{
    char label[300], lab2[340];
    const xp_report_side *s = &rep->nodes[n].side;
    xp_report_side_text(s, rep->names, label, sizeof label);
    xp_sb b;
    xp_sb_init(&b, lab2, sizeof lab2);
    xp_sb_str(&b, label);
    xp_sb_str(&b, s->isnew ? "\n(new)" : "\n(present)");
    fprintf(f, "%s", indent);
    xp__dot_str(f, rep->nodes[n].id);
    fprintf(f, " [label=");
    xp__dot_str(f, lab2);
    fprintf(f, "];\n");
}

static void xp__dot_cluster(FILE *f, const xp_report *rep, size_t c)
{
    const xp_report_cluster *cl = &rep->clusters[c];
    /* Colours cycle through a small qualitative palette (ColorBrewer Set2). */
    static const char *const pal[8] = {"#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3",
                                       "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3"};
    fprintf(f, "  subgraph cluster_%lld {\n", (long long)cl->id);
    fprintf(f, "    label=\"cluster %lld: %zu rules, total score %.4g\";\n", (long long)cl->id,
            cl->nrules, cl->total);
    fprintf(f, "    style=\"rounded,filled\"; fillcolor=\"%s40\"; color=\"%s\";\n", pal[c % 8],
            pal[c % 8]);
    for (size_t i = 0; i < cl->nnodes; i++)
        if (rep->nodes[cl->nodes[i]].group == (int64_t)c) /* a node is drawn once */
            xp__dot_node(f, rep, cl->nodes[i], "    ");
    fprintf(f, "  }\n");
}

xp_status xp__report_dot(FILE *f, const xp_report *rep, xp_err *e)
{
    fprintf(f, "// eXpose rule graph: nodes are activities, edges are rules (score in nats).\n"
               "// Node ids are canonical side ids SRC:SPORT>DST:DPORT/PROTO ACT.\n");
    /* newrank=true: without it Graphviz 2.43's dot fails ("trouble in
     * init_rank") on some graphs of clusters with rules between them (the
     * AFS capture's, with the sweep-cut clusters). */
    fprintf(f, "digraph expose {\n  graph [rankdir=LR, newrank=true, fontname=\"Helvetica\", "
               "fontsize=10];\n"
               "  node [shape=box, style=\"rounded,filled\", fillcolor=white, "
               "fontname=\"Helvetica\", fontsize=9];\n"
               "  edge [fontname=\"Helvetica\", fontsize=8, arrowsize=0.6];\n");
    for (size_t c = 0; c < rep->nclusters; c++)
        xp__dot_cluster(f, rep, c);
    for (size_t n = 0; n < rep->nnodes; n++)
        if (rep->nodes[n].group < 0)
            xp__dot_node(f, rep, (int64_t)n, "  ");
    for (size_t i = 0; i < rep->nrules; i++) {
        const xp_report_rule *r = &rep->rules[i];
        fprintf(f, "  ");
        xp__dot_str(f, rep->nodes[r->nl].id);
        fprintf(f, " -> ");
        xp__dot_str(f, rep->nodes[r->nr].id);
        fputs(" [id=\"r", f);
        xp_fput_int(f, (long long)i);
        fputs("\", label=\"", f);
        xp_fput_dbl(f, "%.3g", r->score);
        fputs(r->cut ? "\", style=dashed, color=gray50];\n" : "\"];\n", f);
    }
    fprintf(f, "}\n");
    return XP_OK;
}

/* Text escaped for XML content and attribute values. */
static void xp__xml_str(FILE *f, const char *s)
{
    for (; *s; s++) {
        size_t n = strcspn(s, "&<>\"'" XP_OUT_CTL); /* a run to copy as is */
        fwrite(s, 1, n, f);
        s += n;
        if (*s == 0)
            break;
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            /* Control characters other than tab/newline are not XML 1.0. */
            if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
                fputc(*s, f);
        }
    }
}

static void xp__gml_keys(FILE *f)
{
    static const char *const keys[][4] = {
        {"label", "node", "label", "string"},     {"act", "node", "act", "string"},
        {"ncluster", "node", "cluster", "long"},  {"score", "edge", "score", "double"},
        {"cluster", "edge", "cluster", "long"},   {"template", "edge", "template", "string"},
        {"support", "edge", "support", "long"},   {"cut", "edge", "cut", "boolean"},
        {"p_lhs", "edge", "p_lhs", "double"},     {"p_rhs", "edge", "p_rhs", "double"},
        {"p_both", "edge", "p_both", "double"},   {"n_lhs", "edge", "n_lhs", "long"},
        {"n_rhs", "edge", "n_rhs", "long"},       {"n_both", "edge", "n_both", "long"},
        {"windows", "edge", "windows", "long"},   {"elabel", "edge", "label", "string"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        fprintf(f, "  <key id=\"%s\" for=\"%s\" attr.name=\"%s\" attr.type=\"%s\"/>\n",
                keys[i][0], keys[i][1], keys[i][2], keys[i][3]);
}

static void xp__gml_node(FILE *f, const xp_report *rep, size_t n)
{
    char label[300];
    const xp_report_node *nd = &rep->nodes[n];
    fprintf(f, "    <node id=\"");
    xp__xml_str(f, nd->id);
    fprintf(f, "\"><data key=\"label\">");
    xp__xml_str(f, xp_report_side_text(&nd->side, rep->names, label, sizeof label));
    fputs(nd->side.isnew ? "</data><data key=\"act\">new</data>"
                         : "</data><data key=\"act\">present</data>",
          f);
    if (nd->group >= 0) {
        fputs("<data key=\"ncluster\">", f);
        xp_fput_int(f, rep->clusters[nd->group].id);
        fputs("</data>", f);
    }
    fprintf(f, "</node>\n");
}

static void xp__gml_num(FILE *f, const char *key, double x)
{
    if (!isnan(x)) { /* not fprintf: src/xp_str.h says why */
        fputs("<data key=\"", f);
        fputs(key, f);
        fputs("\">", f);
        xp_fput_dbl(f, "%.10g", x);
        fputs("</data>", f);
    }
}

static void xp__gml_int(FILE *f, const char *key, int64_t x)
{
    if (x >= 0) {
        fputs("<data key=\"", f);
        fputs(key, f);
        fputs("\">", f);
        xp_fput_int(f, x);
        fputs("</data>", f);
    }
}

static void xp__gml_edge(FILE *f, const xp_report *rep, size_t i)
{
    char text[1200];
    const xp_report_rule *r = &rep->rules[i];
    fputs("    <edge id=\"r", f);
    xp_fput_int(f, (long long)i);
    fputs("\" source=\"", f);
    xp__xml_str(f, rep->nodes[r->nl].id);
    fprintf(f, "\" target=\"");
    xp__xml_str(f, rep->nodes[r->nr].id);
    fprintf(f, "\">");
    xp__gml_num(f, "score", r->score);
    xp__gml_int(f, "cluster", r->group >= 0 ? rep->clusters[r->group].id : r->cluster);
    fprintf(f, "<data key=\"template\">");
    xp__xml_str(f, r->tpl);
    fprintf(f, "</data>");
    xp__gml_int(f, "support", r->support);
    fputs(r->cut ? "<data key=\"cut\">true</data>" : "<data key=\"cut\">false</data>", f);
    xp__gml_num(f, "p_lhs", r->p_lhs);
    xp__gml_num(f, "p_rhs", r->p_rhs);
    xp__gml_num(f, "p_both", r->p_both);
    xp__gml_int(f, "n_lhs", r->n_lhs);
    xp__gml_int(f, "n_rhs", r->n_rhs);
    xp__gml_int(f, "n_both", r->n_both);
    xp__gml_int(f, "windows", r->windows);
    fprintf(f, "<data key=\"elabel\">");
    xp__xml_str(f, xp__report_rule_text(rep, r, text, sizeof text));
    fprintf(f, "</data></edge>\n");
}

xp_status xp__report_graphml(FILE *f, const xp_report *rep, xp_err *e)
{
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
               "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
               "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
               "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n");
    xp__gml_keys(f);
    fprintf(f, "  <graph id=\"expose\" edgedefault=\"directed\">\n");
    for (size_t n = 0; n < rep->nnodes; n++)
        xp__gml_node(f, rep, n);
    for (size_t i = 0; i < rep->nrules; i++)
        xp__gml_edge(f, rep, i);
    fprintf(f, "  </graph>\n</graphml>\n");
    return XP_OK;
}

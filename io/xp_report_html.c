/* xp_report_html.c - report.html: one self-contained page (no network
 * fetch: scripts, styles and data inlined, and a Content-Security-Policy
 * that forbids loading anything) drawing the rule graph (paper Fig. 6). */
#define _GNU_SOURCE
#include <math.h>
#include <string.h>
#include <strings.h>

#include "xp_out.h"
#include "xp_report_assets.h"
#include "xp_report_int.h"
#include "xp_str.h"

void xp__report_json_str(FILE *f, const char *s)
{
    xp_out_json_escaped(f, s, 1);
}

static void xp__blob_meta(FILE *f, const xp_report *rep)
{
    fprintf(f, "\"meta\":{\"rules\":%zu,\"nodes\":%zu,\"clusters\":%zu,\"cut\":%zu,\"loose\":%zu,"
               "\"windows\":",
            rep->nrules, rep->nnodes, rep->nclusters, rep->ncut, rep->nloose);
    xp_out_json_count(f, rep->windows);
    fprintf(f, ",\"window\":");
    xp_out_json_num(f, rep->window > 0 ? rep->window : NAN);
    fprintf(f, ",\"names\":");
    xp__report_json_str(f, rep->names_label);
    fprintf(f, ",\"lib\":");
    xp__report_json_str(f, xp__report_lib_name);
    fprintf(f, "}");
}

static void xp__blob_nodes(FILE *f, const xp_report *rep)
{
    char label[300];
    fprintf(f, ",\"nodes\":[");
    for (size_t n = 0; n < rep->nnodes; n++) {
        const xp_report_node *nd = &rep->nodes[n];
        fputs(n ? ",\n{\"id\":" : "\n{\"id\":", f);
        xp__report_json_str(f, nd->id);
        fputs(",\"label\":", f);
        xp__report_json_str(f, xp_report_side_text(&nd->side, rep->names, label, sizeof label));
        fputs(nd->side.isnew ? ",\"act\":\"new\",\"g\":" : ",\"act\":\"present\",\"g\":", f);
        xp_fput_int(f, nd->group);
        fputc('}', f);
    }
    fprintf(f, "]");
}

static void xp__blob_list(FILE *f, const int64_t *v, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        xp_fput_int(f, v[i]);
    }
    fputc(']', f);
}

static void xp__blob_clusters(FILE *f, const xp_report *rep)
{
    fprintf(f, ",\"clusters\":[");
    for (size_t c = 0; c < rep->nclusters; c++) {
        const xp_report_cluster *cl = &rep->clusters[c];
        fputs(c ? ",\n{\"id\":" : "\n{\"id\":", f);
        xp_fput_int(f, cl->id);
        fputs(",\"score\":", f);
        xp_out_json_num(f, cl->score);
        fprintf(f, ",\"total\":");
        xp_out_json_num(f, cl->total);
        fprintf(f, ",\"spectral\":%s,\"nodes\":", cl->spectral ? "true" : "false");
        xp__blob_list(f, cl->nodes, cl->nnodes);
        fprintf(f, ",\"rules\":");
        xp__blob_list(f, cl->rules, cl->nrules);
        fprintf(f, ",\"cliques\":[");
        for (size_t k = 0; k < cl->ncliques; k++) {
            const xp_report_clique *q = &cl->cliques[k];
            fprintf(f, "%s{\"nodes\":", k ? "," : "");
            xp__blob_list(f, q->nodes, q->n);
            fputs(",\"nrules\":", f);
            xp_fput_int(f, (long long)q->nrules);
            fputs(",\"min\":", f);
            xp_out_json_num(f, q->min_score);
            fprintf(f, ",\"max\":");
            xp_out_json_num(f, q->max_score);
            fprintf(f, "}");
        }
        fprintf(f, "]}");
    }
    fprintf(f, "]");
}

static void xp__blob_rule(FILE *f, const xp_report *rep, size_t i)
{
    char text[1200], expl[2600];
    const xp_report_rule *r = &rep->rules[i];
    fputs(i ? ",\n{\"l\":" : "\n{\"l\":", f);
    xp_fput_int(f, r->nl);
    fputs(",\"r\":", f);
    xp_fput_int(f, r->nr);
    fputs(",\"s\":", f);
    xp_out_json_num(f, r->score);
    fprintf(f, ",\"t\":");
    xp__report_json_str(f, r->tpl);
    fputs(",\"g\":", f);
    xp_fput_int(f, r->group);
    fputs(",\"cut\":", f);
    xp_fput_int(f, r->cut);
    fputs(",\"sup\":", f);
    xp_out_json_count(f, r->support);
    fprintf(f, ",\"n\":[");
    xp_out_json_count(f, r->n_lhs);
    fputc(',', f);
    xp_out_json_count(f, r->n_rhs);
    fputc(',', f);
    xp_out_json_count(f, r->n_both);
    fputc(',', f);
    xp_out_json_count(f, r->windows);
    fprintf(f, "],\"p\":[");
    xp_out_json_num(f, r->p_lhs);
    fputc(',', f);
    xp_out_json_num(f, r->p_rhs);
    fputc(',', f);
    xp_out_json_num(f, r->p_both);
    fprintf(f, "],\"q\":");
    xp_out_json_num(f, r->q_value);
    fprintf(f, ",\"lift\":");
    xp_out_json_num(f, r->lift);
    fprintf(f, ",\"text\":");
    xp__report_json_str(f, xp__report_rule_text(rep, r, text, sizeof text));
    fprintf(f, ",\"x\":");
    xp__report_json_str(f, xp__report_explain(rep, r, expl, sizeof expl));
    fprintf(f, "}");
}

xp_status xp__report_json_blob(FILE *f, const xp_report *rep, xp_err *e)
{
    fputc('{', f);
    xp__blob_meta(f, rep);
    xp__blob_nodes(f, rep);
    xp__blob_clusters(f, rep);
    fprintf(f, ",\"rules\":[");
    for (size_t i = 0; i < rep->nrules; i++)
        xp__blob_rule(f, rep, i);
    fprintf(f, "]}");
    return XP_OK;
}

/* The bundled library, with any "</script" (none in cytoscape 3.34) split so
 * it cannot close the element early; inside JS strings "<\/" means "</". */
static void xp__write_lib(FILE *f)
{
    const char *s = xp__report_lib_js, *end = s + xp__report_lib_js_len, *p = s;
    while (p < end) {
        const char *hit = memmem(p, (size_t)(end - p), "</", 2);
        if (hit == NULL)
            break;
        p = hit + 2;
        if ((size_t)(end - p) >= 6 && strncasecmp(p, "script", 6) == 0) {
            fwrite(s, 1, (size_t)(hit - s), f);
            fputs("<\\/", f);
            s = p;
        }
    }
    fwrite(s, 1, (size_t)(end - s), f);
}

static const char xp__html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>eXpose report</title>\n<style>\n";

static const char xp__html_body[] =
    "</style>\n</head>\n<body>\n<header><h1>eXpose rules</h1><span id=\"summary\"></span>\n"
    "<label>search <input id=\"fsearch\" type=\"search\" placeholder=\"host, port or service\" "
    "size=\"22\"></label>\n"
    "<label>min score <input id=\"fscore\" type=\"number\" step=\"any\" min=\"0\" value=\"0\" "
    "style=\"width:6em\"></label>\n"
    "<label>cluster <select id=\"fcluster\"><option value=\"-2\">all</option></select></label>\n"
    "<label><input id=\"fcollapse\" type=\"checkbox\" checked> collapse cliques</label>\n"
    "</header>\n<div id=\"main\"><div id=\"graph\"></div>\n<aside id=\"side\">\n"
    "<h2>Clusters (highest total score first)</h2>\n"
    "<table id=\"clusters\"><thead><tr><th>cluster</th><th class=\"num\">rules</th>"
    "<th class=\"num\">activities</th><th class=\"num\">cliques</th>"
    "<th class=\"num\">total score</th></tr></thead><tbody></tbody></table>\n"
    "<div id=\"panel\"></div>\n<pre id=\"selftest\" hidden></pre>\n</aside></div>\n"
    "<script type=\"application/json\" id=\"xp-data\">";

xp_status xp__report_html(FILE *f, const xp_report *rep, xp_err *e)
{
    fputs(xp__html_head, f);
    fwrite(xp__report_page_css, 1, xp__report_page_css_len, f);
    fputs(xp__html_body, f);
    XP_CALL(xp__report_json_blob(f, rep, e));
    fputs("</script>\n", f);
    if (xp__report_lib_js_len > 0) {
        fprintf(f, "<script>/* %s, bundled from node_modules at build time */\n",
                xp__report_lib_name);
        xp__write_lib(f);
        fputs("\n</script>\n", f);
    }
    fputs("<script>\n", f);
    fwrite(xp__report_page_js, 1, xp__report_page_js_len, f);
    fputs("</script>\n</body>\n</html>\n", f);
    return XP_OK;
}

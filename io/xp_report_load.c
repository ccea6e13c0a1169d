/* xp_report_load.c - the report model from rules.jsonl, clusters.json and
 * summary.json (see xp_report_int.h). */
#define _GNU_SOURCE
#include "xp_report_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xp_mem.h"
#include "xp_ports.h"
#include "xp_report_json.h"
#include "xp_str.h"

xp_status xp__report_read_file(const char *path, char **buf, size_t *len, xp_err *e)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return xp_err_set(e, XP_IO, "%s: cannot open: %s", path, strerror(errno));
    /* Sized from the file (a regular file: one read into one buffer), and
     * grown if it was appended to meanwhile or is not a regular file. */
    struct stat st;
    size_t cap = fstat(fileno(f), &st) == 0 && st.st_size > 0 ? (size_t)st.st_size + 2 : 1 << 16;
    size_t n = 0;
    char *b = xp_mem_malloc(cap);
    while (b != NULL) {
        n += fread(b + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        char *nb = xp_mem_realloc(b, n, cap * 2);
        if (nb == NULL)
            free(b);
        b = nb;
        cap *= 2;
    }
    int bad = b != NULL && ferror(f);
    fclose(f);
    XP_ALLOC_CHECK(e, b, path);
    if (bad) {
        free(b);
        return xp_err_set(e, XP_IO, "%s: read failed", path);
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return XP_OK;
}

/* "src"/"dst": "*" or an address (brackets removed). */
static xp_status xp__side_host(const xp_jval *o, const char *key, char *out, size_t size,
                               const char *where, xp_err *e)
{
    const xp_jval *v = xp_json_get(o, key);
    if (v == NULL || v->type != XP_JSTR)
        return xp_err_set(e, XP_FORMAT, "%s: \"%s\" should be a string (an address or \"*\")",
                          where, key);
    const char *s = v->str;
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    if (n == 0 || n >= size)
        return xp_err_set(e, XP_FORMAT, "%s: \"%s\" '%.60s' is not an address or \"*\"", where,
                          key, v->str);
    memcpy(out, s, n);
    out[n] = '\0';
    return XP_OK;
}

static xp_status xp__side_port(const xp_jval *o, const char *key, int32_t *out,
                               const char *where, xp_err *e)
{
    const xp_jval *v = xp_json_get(o, key);
    if (v && v->type == XP_JSTR && strcmp(v->str, "*") == 0) {
        *out = XP_REPORT_ANY;
        return XP_OK;
    }
    if (v == NULL || v->type != XP_JNUM || v->num != floor(v->num) || v->num < 0 ||
        v->num > 65535)
        return xp_err_set(e, XP_FORMAT, "%s: \"%s\" should be a port 0..65535 or \"*\"", where,
                          key);
    *out = (int32_t)v->num;
    return XP_OK;
}

static xp_status xp__side_proto(const xp_jval *o, int *out, const char *where, xp_err *e)
{
    const xp_jval *v = xp_json_get(o, "proto");
    *out = -1;
    if (v && v->type == XP_JSTR)
        *out = xp_proto_parse(v->str, strlen(v->str));
    else if (v && v->type == XP_JNUM && v->num == floor(v->num) && v->num >= 0 && v->num <= 255)
        *out = (int)v->num;
    if (*out < 0)
        return xp_err_set(e, XP_FORMAT,
                          "%s: \"proto\" should be \"tcp\", \"udp\", \"icmp\" or 0..255", where);
    return XP_OK;
}

static xp_status xp__side(const xp_jval *rule, const char *key, xp_report_side *s,
                          const char *where, xp_err *e)
{
    char w[600];
    const xp_jval *o = xp_json_get(rule, key);
    snprintf(w, sizeof w, "%s: \"%s\"", where, key);
    if (o == NULL || o->type != XP_JOBJ)
        return xp_err_set(e, XP_FORMAT, "%s: \"%s\" should be an object", where, key);
    XP_CALL(xp__side_host(o, "src", s->src, sizeof s->src, w, e));
    XP_CALL(xp__side_host(o, "dst", s->dst, sizeof s->dst, w, e));
    XP_CALL(xp__side_port(o, "sport", &s->sport, w, e));
    XP_CALL(xp__side_port(o, "dport", &s->dport, w, e));
    XP_CALL(xp__side_proto(o, &s->proto, w, e));
    const xp_jval *a = xp_json_get(o, "act");
    if (a == NULL || a->type != XP_JSTR || (strcmp(a->str, "new") && strcmp(a->str, "present")))
        return xp_err_set(e, XP_FORMAT, "%s: \"act\" should be \"new\" or \"present\"", w);
    s->isnew = strcmp(a->str, "new") == 0;
    return XP_OK;
}

static xp_status xp__rule_nums(const xp_jval *o, xp_report_rule *r, const char *w, xp_err *e)
{
    XP_CALL(xp_json_num(o, "score", NAN, &r->score, w, e));
    if (isnan(r->score))
        return xp_err_set(e, XP_FORMAT, "%s: \"score\" is missing", w);
    XP_CALL(xp_json_num(o, "p_lhs", NAN, &r->p_lhs, w, e));
    XP_CALL(xp_json_num(o, "p_rhs", NAN, &r->p_rhs, w, e));
    XP_CALL(xp_json_num(o, "p_both", NAN, &r->p_both, w, e));
    XP_CALL(xp_json_num(o, "q_value", NAN, &r->q_value, w, e));
    XP_CALL(xp_json_num(o, "lift", NAN, &r->lift, w, e));
    XP_CALL(xp_json_int(o, "support", -1, &r->support, w, e));
    XP_CALL(xp_json_int(o, "cluster", -1, &r->cluster, w, e));
    XP_CALL(xp_json_int(o, "n_lhs", -1, &r->n_lhs, w, e));
    XP_CALL(xp_json_int(o, "n_rhs", -1, &r->n_rhs, w, e));
    XP_CALL(xp_json_int(o, "n_both", -1, &r->n_both, w, e));
    XP_CALL(xp_json_int(o, "windows", -1, &r->windows, w, e));
    return XP_OK;
}

static xp_status xp__rule(const xp_jval *o, xp_report_rule *r, const char *w, xp_err *e)
{
    memset(r, 0, sizeof *r);
    r->group = -1;
    if (o->type != XP_JOBJ)
        return xp_err_set(e, XP_FORMAT, "%s: expected a JSON object", w);
    XP_CALL(xp__side(o, "lhs", &r->lhs, w, e));
    XP_CALL(xp__side(o, "rhs", &r->rhs, w, e));
    XP_CALL(xp__rule_nums(o, r, w, e));
    const xp_jval *t = xp_json_get(o, "template");
    xp_sb sb;
    xp_sb_init(&sb, r->tpl, sizeof r->tpl);
    xp_sb_str(&sb, t && t->type == XP_JSTR ? t->str : "");
    const xp_jval *c = xp_json_get(o, "cut");
    r->cut = c && c->type == XP_JBOOL && c->b;
    return XP_OK;
}

/* Every non-blank line of rules.jsonl is one rule; buf[0..len) starts at
 * line lineno + 1 of it. */
static xp_status xp__load_rules(xp_report *rep, const char *buf, size_t len, size_t lineno,
                                const char *dir, xp_err *e)
{
    size_t cap = 0, pos = 0;
    /* Room for every line at once: growing the array copies it. */
    for (const char *q = buf; len > 0 && (q = memchr(q, '\n', len - (size_t)(q - buf))) != NULL;
         q++)
        cap++;
    cap++;
    rep->rules = xp_mem_malloc(cap * sizeof *rep->rules);
    XP_ALLOC_CHECK(e, rep->rules, "the rules");
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len, st = pos;
        pos = end + 1;
        lineno++;
        while (st < end && (buf[st] == ' ' || buf[st] == '\t' || buf[st] == '\r'))
            st++;
        if (st == end)
            continue;
        char w[600];
        xp_jval o;
        xp_sb sb; /* no printf per rule: see src/xp_str.h */
        xp_sb_init(&sb, w, sizeof w);
        xp_sb_str(&sb, dir);
        xp_sb_str(&sb, "/rules.jsonl: line ");
        xp_sb_int(&sb, (long long)lineno);
        XP_CALL(xp_json_parse(buf + st, end - st, w, &o, e));
        xp_status s = xp__rule(&o, &rep->rules[rep->nrules], w, e);
        xp_json_free(&o);
        XP_CALL(s);
        rep->nrules++;
    }
    return XP_OK;
}

static xp_status xp__load_summary(xp_report *rep, const char *buf, size_t len, const char *dir,
                                  xp_err *e)
{
    char w[600];
    xp_jval o;
    snprintf(w, sizeof w, "%s/summary.json", dir);
    XP_CALL(xp_json_parse(buf, len, w, &o, e));
    const xp_jval *params = xp_json_get(&o, "params");
    const xp_jval *src = xp_json_get(params, "window") ? params : &o;
    xp_status s = xp_json_num(src, "window", 0, &rep->window, w, e);
    if (s == XP_OK && !(rep->window > 0))
        rep->window = 0;
    xp_json_free(&o);
    return s;
}

/* The first line start at or after byte x of buf[0..len). */
static size_t xp__line_start(const char *buf, size_t len, size_t x)
{
    if (x == 0 || x >= len)
        return x < len ? x : len;
    const char *nl = memchr(buf + x - 1, '\n', len - (x - 1));
    return nl ? (size_t)(nl - buf) + 1 : len;
}

/* This process's part of rules.jsonl's lines (o->part of o->parts), then
 * every part's rules through o->gather: each process parses about
 * 1/parts of the file (the parse is most of the load: 57 of its 74 ms on
 * 21,454 rules). The gather is reached even when the parse failed, so that
 * no process waits for one that stopped. */
static xp_status xp__load_rules_part(xp_report *rep, const char *buf, size_t len, const char *dir,
                                     const xp_report_opts *o, xp_err *e)
{
    size_t b0 = xp__line_start(buf, len, len / (size_t)o->parts * (size_t)o->part);
    size_t b1 = o->part + 1 == o->parts
                    ? len
                    : xp__line_start(buf, len, len / (size_t)o->parts * (size_t)(o->part + 1));
    size_t lineno = 0;
    for (const char *q = buf; (q = memchr(q, '\n', b0 - (size_t)(q - buf))) != NULL; q++)
        lineno++;
    xp_status s = xp__load_rules(rep, buf + b0, b1 - b0, lineno, dir, e);
    void *all = NULL;
    size_t nall = 0;
    s = o->gather(o->gather_ctx, s, rep->rules, s == XP_OK ? rep->nrules : 0, sizeof *rep->rules,
                  &all, &nall, e);
    free(rep->rules);
    rep->rules = all;
    rep->nrules = s == XP_OK ? nall : 0;
    return s;
}

xp_status xp__report_gather_failed(const xp_report_opts *o, xp_status s, xp_err *e)
{
    if (o == NULL || o->gather == NULL || o->parts < 2)
        return s;
    void *all = NULL;
    size_t n = 0;
    xp_status g = o->gather(o->gather_ctx, s, NULL, 0, sizeof(xp_report_rule), &all, &n, e);
    free(all);
    return g != XP_OK ? g : s;
}

xp_status xp__report_load_mem(const char *rules, size_t rules_len, const char *clusters,
                              size_t clusters_len, const char *summary, size_t summary_len,
                              const char *dir, const xp_report_opts *o, xp_report *rep, xp_err *e)
{
    char w[600];
    xp_jval cl;
    memset(rep, 0, sizeof *rep);
    rep->windows = -1;
    if (o != NULL && o->gather != NULL && o->parts > 1)
        XP_CALL(xp__load_rules_part(rep, rules, rules_len, dir, o, e));
    else
        XP_CALL(xp__load_rules(rep, rules, rules_len, 0, dir, e));
    if (summary)
        XP_CALL(xp__load_summary(rep, summary, summary_len, dir, e));
    snprintf(w, sizeof w, "%s/clusters.json", dir);
    if (clusters)
        XP_CALL(xp_json_parse(clusters, clusters_len, w, &cl, e));
    rep->have_clusters_file = clusters != NULL;
    xp_status s = xp__report_graph(rep, clusters ? &cl : NULL, w, e);
    if (clusters)
        xp_json_free(&cl);
    return s;
}

/* Read dir/name when it exists; *buf stays NULL when it does not. */
static xp_status xp__read_optional(const char *dir, const char *name, char **buf, size_t *len,
                                   xp_err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL && errno == ENOENT)
        return XP_OK;
    if (f)
        fclose(f);
    return xp__report_read_file(path, buf, len, e);
}

static const char *xp__basename(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

xp_status xp__report_load(const char *dir, const xp_names *names, const char *names_path,
                          const xp_report_opts *o, xp_report *rep, xp_err *e)
{
    char path[4096], *rules = NULL, *cl = NULL, *sum = NULL;
    size_t nrules = 0, ncl = 0, nsum = 0;
    snprintf(path, sizeof path, "%s/rules.jsonl", dir);
    memset(rep, 0, sizeof *rep);
    xp_status s = xp__report_read_file(path, &rules, &nrules, e);
    if (s == XP_OK)
        s = xp__read_optional(dir, "clusters.json", &cl, &ncl, e);
    if (s == XP_OK)
        s = xp__read_optional(dir, "summary.json", &sum, &nsum, e);
    if (s == XP_OK)
        s = xp__report_load_mem(rules, nrules, cl, ncl, sum, nsum, dir, o, rep, e);
    else
        s = xp__report_gather_failed(o, s, e);
    free(rules);
    free(cl);
    free(sum);
    rep->names = names;
    if (names_path)
        snprintf(rep->names_label, sizeof rep->names_label, "%s", xp__basename(names_path));
    return s;
}

void xp__report_free(xp_report *rep)
{
    for (size_t i = 0; i < rep->nnodes; i++)
        free(rep->nodes[i].id);
    for (size_t c = 0; c < rep->nclusters; c++) {
        xp_report_cluster *cl = &rep->clusters[c];
        for (size_t k = 0; k < cl->ncliques; k++)
            free(cl->cliques[k].nodes);
        free(cl->cliques);
        free(cl->nodes);
        free(cl->rules);
        free(cl->in_clique);
    }
    free(rep->clusters);
    free(rep->nodes);
    free(rep->rules);
    free(rep->cut);
    free(rep->loose);
    memset(rep, 0, sizeof *rep);
}

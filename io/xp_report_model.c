/* xp_report_model.c - nodes, clusters, cut and loose rules of the report
 * model (see xp_report_int.h). */
#define _GNU_SOURCE
#include "xp_report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xp_hash.h"
#include "xp_report_json.h"

static int xp__cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int xp__cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t xp__report_node_find(const xp_report *rep, const char *id)
{
    size_t lo = 0, hi = rep->nnodes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(rep->nodes[mid].id, id);
        if (c == 0)
            return (int64_t)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The node ids named in clusters.json, checked to be strings. */
static xp_status xp__cluster_ids(const xp_jval *cl, char ***ids, size_t *n, size_t *cap,
                                 const char *w, xp_err *e)
{
    for (size_t c = 0; cl && c < cl->n; c++) {
        const xp_jval *nodes = xp_json_get(&cl->v[c], "nodes");
        for (size_t i = 0; nodes && i < nodes->n; i++) {
            if (nodes->v[i].type != XP_JSTR)
                return xp_err_set(e, XP_FORMAT, "%s: clusters[%zu].nodes[%zu] should be a string",
                                  w, c, i);
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 64;
                char **v = realloc(*ids, *cap * sizeof *v);
                XP_ALLOC_CHECK(e, v, "the node ids");
                *ids = v;
            }
            (*ids)[(*n)++] = nodes->v[i].str;
        }
    }
    return XP_OK;
}

/* FNV-1a over the string, then a finaliser: a key for xp_imap (never
 * UINT64_MAX). */
static uint64_t xp__str_key(const char *str)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)str; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    return xp_hash64(h) >> 1;
}

/* The node ids of the rules' sides, each once: a rule graph has far fewer
 * nodes than sides (4,048 for 42,908 on the 1000-client trace), and
 * sorting every side's id took 20 ms of each report-writing rank. A hash
 * of the id finds repeats; on the rare hash collision of two different
 * ids both are kept, and the caller's sort and merge of equal ids keeps
 * the result exact. */
static xp_status xp__side_ids(xp_report *rep, char **ids, size_t *n, xp_err *e)
{
    xp_imap seen;
    size_t *at = malloc((2 * rep->nrules + 1) * sizeof *at); /* map index -> ids index */
    if (at == NULL || xp_imap_init(&seen, (int64_t)rep->nrules / 4 + 16) != 0) {
        free(at);
        return xp_err_set(e, XP_NOMEM, "out of memory allocating the node ids");
    }
    xp_status s = XP_OK;
    for (size_t i = 0; i < 2 * rep->nrules && s == XP_OK; i++) {
        char buf[200];
        const xp_report_rule *r = &rep->rules[i / 2];
        const char *id = xp_report_side_id(i % 2 ? &r->rhs : &r->lhs, buf, sizeof buf);
        int64_t before = seen.n, k = xp_imap_put(&seen, xp__str_key(id));
        if (k >= 0 && k < before && strcmp(ids[at[k]], id) == 0)
            continue; /* seen */
        if (k == before)
            at[k] = *n;
        if (k < 0 || (ids[*n] = strdup(id)) == NULL)
            s = xp_err_set(e, XP_NOMEM, "out of memory allocating the node ids");
        else
            (*n)++;
    }
    xp_imap_free(&seen);
    free(at);
    return s;
}

/* Sorted, unique node ids of every rule side and every cluster node. */
static xp_status xp__build_nodes(xp_report *rep, const xp_jval *cl, const char *w, xp_err *e)
{
    size_t n = 0, cap = 2 * rep->nrules + 1;
    char **ids = calloc(cap, sizeof *ids);
    XP_ALLOC_CHECK(e, ids, "the node ids");
    xp_status s = xp__side_ids(rep, ids, &n, e);
    size_t nr = n;
    if (s == XP_OK)
        s = xp__cluster_ids(cl, &ids, &n, &cap, w, e);
    if (s == XP_OK) {
        /* Cluster ids are borrowed from the JSON tree: copy them first. */
        for (size_t i = nr; i < n && s == XP_OK; i++)
            if ((ids[i] = strdup(ids[i])) == NULL)
                s = xp_err_set(e, XP_NOMEM, "out of memory allocating the node ids");
    }
    if (s == XP_OK) {
        qsort(ids, n, sizeof *ids, xp__cmp_str);
        rep->nodes = calloc(n + 1, sizeof *rep->nodes);
        if (rep->nodes == NULL)
            s = xp_err_set(e, XP_NOMEM, "out of memory allocating the nodes");
    }
    for (size_t i = 0; i < n; i++) {
        if (s != XP_OK || (rep->nnodes > 0 && strcmp(rep->nodes[rep->nnodes - 1].id, ids[i]) == 0)) {
            free(ids[i]);
            continue;
        }
        xp_report_node *nd = &rep->nodes[rep->nnodes++];
        nd->id = ids[i];
        nd->group = -1;
        s = xp_report_side_parse(nd->id, &nd->side, w, e);
    }
    free(ids);
    return s;
}

static xp_status xp__cluster_rules(xp_report *rep, xp_report_cluster *c, const xp_jval *rules,
                                   size_t ci, const char *w, xp_err *e)
{
    c->nrules = rules ? rules->n : 0;
    c->rules = calloc(c->nrules + 1, sizeof *c->rules);
    c->in_clique = calloc(c->nrules + 1, 1);
    XP_ALLOC_CHECK(e, c->rules, "a cluster");
    XP_ALLOC_CHECK(e, c->in_clique, "a cluster");
    for (size_t i = 0; i < c->nrules; i++) {
        const xp_jval *v = &rules->v[i];
        if (v->type != XP_JNUM || v->num != floor(v->num) || v->num < 0 ||
            v->num >= (double)rep->nrules)
            return xp_err_set(e, XP_FORMAT,
                              "%s: clusters[%zu].rules[%zu] should be a rule index 0..%zu", w, ci,
                              i, rep->nrules ? rep->nrules - 1 : 0);
        c->rules[i] = (int64_t)v->num;
    }
    qsort(c->rules, c->nrules, sizeof *c->rules, xp__cmp_i64);
    return XP_OK;
}

static xp_status xp__cluster(xp_report *rep, xp_report_cluster *c, const xp_jval *o, size_t ci,
                             const char *w, xp_err *e)
{
    char wc[700];
    snprintf(wc, sizeof wc, "%s: clusters[%zu]", w, ci);
    if (o->type != XP_JOBJ)
        return xp_err_set(e, XP_FORMAT, "%s should be an object", wc);
    XP_CALL(xp_json_int(o, "id", (int64_t)ci, &c->id, wc, e));
    XP_CALL(xp_json_num(o, "score", NAN, &c->score, wc, e));
    const xp_jval *sp = xp_json_get(o, "spectral");
    c->spectral = sp && sp->type == XP_JBOOL && sp->b;
    const xp_jval *nodes = xp_json_get(o, "nodes");
    c->nnodes = nodes && nodes->type == XP_JARR ? nodes->n : 0;
    c->nodes = calloc(c->nnodes + 1, sizeof *c->nodes);
    XP_ALLOC_CHECK(e, c->nodes, "a cluster");
    for (size_t i = 0; i < c->nnodes; i++)
        c->nodes[i] = xp__report_node_find(rep, nodes->v[i].str);
    const xp_jval *rules = xp_json_get(o, "rules");
    if (rules && rules->type != XP_JARR)
        return xp_err_set(e, XP_FORMAT, "%s: \"rules\" should be an array", wc);
    return xp__cluster_rules(rep, c, rules, ci, w, e);
}

/* Nodes of a cluster that clusters.json gave without "nodes": its rules'. */
static xp_status xp__cluster_nodes_from_rules(const xp_report *rep, xp_report_cluster *c,
                                              xp_err *e)
{
    int64_t *v = calloc(2 * c->nrules + 1, sizeof *v);
    XP_ALLOC_CHECK(e, v, "a cluster");
    size_t n = 0;
    for (size_t i = 0; i < c->nrules; i++) {
        v[n++] = rep->rules[c->rules[i]].nl;
        v[n++] = rep->rules[c->rules[i]].nr;
    }
    qsort(v, n, sizeof *v, xp__cmp_i64);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || v[k - 1] != v[i])
            v[k++] = v[i];
    free(c->nodes);
    c->nodes = v;
    c->nnodes = k;
    return XP_OK;
}

static xp_status xp__clusters_from_json(xp_report *rep, const xp_jval *arr, const char *w,
                                        xp_err *e)
{
    rep->clusters = calloc(arr->n + 1, sizeof *rep->clusters);
    XP_ALLOC_CHECK(e, rep->clusters, "the clusters");
    for (size_t i = 0; i < arr->n; i++) {
        rep->nclusters++;
        XP_CALL(xp__cluster(rep, &rep->clusters[i], &arr->v[i], i, w, e));
        if (rep->clusters[i].nnodes == 0)
            XP_CALL(xp__cluster_nodes_from_rules(rep, &rep->clusters[i], e));
    }
    return XP_OK;
}

/* Without clusters.json: one cluster per distinct "cluster" key of the rules. */
static xp_status xp__clusters_from_rules(xp_report *rep, xp_err *e)
{
    int64_t *ids = calloc(rep->nrules + 1, sizeof *ids);
    XP_ALLOC_CHECK(e, ids, "the clusters");
    size_t n = 0;
    for (size_t i = 0; i < rep->nrules; i++)
        if (rep->rules[i].cluster >= 0)
            ids[n++] = rep->rules[i].cluster;
    qsort(ids, n, sizeof *ids, xp__cmp_i64);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || ids[k - 1] != ids[i])
            ids[k++] = ids[i];
    rep->clusters = calloc(k + 1, sizeof *rep->clusters);
    xp_status s = rep->clusters ? XP_OK : xp_err_set(e, XP_NOMEM, "out of memory: clusters");
    for (size_t c = 0; c < k && s == XP_OK; c++) {
        xp_report_cluster *cl = &rep->clusters[rep->nclusters++];
        cl->id = ids[c];
        cl->score = NAN;
        cl->rules = calloc(rep->nrules + 1, sizeof *cl->rules);
        cl->in_clique = calloc(rep->nrules + 1, 1);
        if (!cl->rules || !cl->in_clique) {
            s = xp_err_set(e, XP_NOMEM, "out of memory allocating a cluster");
            break;
        }
        for (size_t i = 0; i < rep->nrules; i++)
            if (rep->rules[i].cluster == ids[c] && !rep->rules[i].cut)
                cl->rules[cl->nrules++] = (int64_t)i;
        s = xp__cluster_nodes_from_rules(rep, cl, e);
    }
    free(ids);
    return s;
}

static int xp__cmp_cluster(const void *a, const void *b)
{
    const xp_report_cluster *x = a, *y = b;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Order clusters by total score and point rules and nodes at them. */
static void xp__assign_groups(xp_report *rep)
{
    for (size_t c = 0; c < rep->nclusters; c++) {
        xp_report_cluster *cl = &rep->clusters[c];
        cl->total = 0;
        for (size_t i = 0; i < cl->nrules; i++)
            cl->total += rep->rules[cl->rules[i]].score;
    }
    qsort(rep->clusters, rep->nclusters, sizeof *rep->clusters, xp__cmp_cluster);
    for (size_t c = 0; c < rep->nclusters; c++) {
        const xp_report_cluster *cl = &rep->clusters[c];
        for (size_t i = 0; i < cl->nrules; i++)
            if (rep->rules[cl->rules[i]].group < 0)
                rep->rules[cl->rules[i]].group = (int64_t)c;
        for (size_t i = 0; i < cl->nnodes; i++)
            if (cl->nodes[i] >= 0 && rep->nodes[cl->nodes[i]].group < 0)
                rep->nodes[cl->nodes[i]].group = (int64_t)c;
    }
}

/* Cut rules: "cut_rules" of clusters.json and rules with "cut": true. */
static xp_status xp__cut_and_loose(xp_report *rep, const xp_jval *cut, const char *w,
                                   xp_err *e)
{
    rep->cut = calloc(rep->nrules + 1, sizeof *rep->cut);
    rep->loose = calloc(rep->nrules + 1, sizeof *rep->loose);
    XP_ALLOC_CHECK(e, rep->cut, "the cut rules");
    XP_ALLOC_CHECK(e, rep->loose, "the rules in no cluster");
    for (size_t i = 0; cut && i < cut->n; i++) {
        const xp_jval *v = &cut->v[i];
        if (v->type != XP_JNUM || v->num != floor(v->num) || v->num < 0 ||
            v->num >= (double)rep->nrules)
            return xp_err_set(e, XP_FORMAT, "%s: cut_rules[%zu] should be a rule index 0..%zu",
                              w, i, rep->nrules ? rep->nrules - 1 : 0);
        rep->rules[(size_t)v->num].cut = 1;
    }
    for (size_t i = 0; i < rep->nrules; i++) {
        if (rep->rules[i].cut)
            rep->cut[rep->ncut++] = (int64_t)i;
        else if (rep->rules[i].group < 0)
            rep->loose[rep->nloose++] = (int64_t)i;
    }
    return XP_OK;
}

static void xp__resolve_rules(xp_report *rep)
{
    for (size_t i = 0; i < rep->nrules; i++) {
        char a[200];
        xp_report_rule *r = &rep->rules[i];
        r->nl = xp__report_node_find(rep, xp_report_side_id(&r->lhs, a, sizeof a));
        r->nr = xp__report_node_find(rep, xp_report_side_id(&r->rhs, a, sizeof a));
        if (rep->windows < 0 && r->windows > 0)
            rep->windows = r->windows;
    }
}

xp_status xp__report_graph(xp_report *rep, const xp_jval *cl, const char *w, xp_err *e)
{
    const xp_jval *arr = xp_json_get(cl, "clusters"), *cut = xp_json_get(cl, "cut_rules");
    if (cl && (cl->type != XP_JOBJ || arr == NULL || arr->type != XP_JARR))
        return xp_err_set(e, XP_FORMAT, "%s: expected an object with a \"clusters\" array", w);
    if (cut && cut->type != XP_JARR)
        return xp_err_set(e, XP_FORMAT, "%s: \"cut_rules\" should be an array", w);
    XP_CALL(xp__build_nodes(rep, arr, w, e));
    xp__resolve_rules(rep);
    XP_CALL(cl ? xp__clusters_from_json(rep, arr, w, e) : xp__clusters_from_rules(rep, e));
    /* Groups first: the loose rules are those no cluster lists. */
    xp__assign_groups(rep);
    XP_CALL(xp__cut_and_loose(rep, cut, w, e));
    return xp__report_cliques(rep, e);
}

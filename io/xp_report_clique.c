/* xp_report_clique.c - cliques inside clusters, shown as one line instead of
 * n(n-1) rules (paper §4.6: "This rule-cluster was a clique"). A clique here
 * is a set of at least 3 nodes where every ordered pair is a rule of the
 * cluster. Finding maximum cliques is NP-hard; a greedy pass (seeds by
 * mutual degree, ties by node id) is deterministic and finds the large
 * cliques eXpose produces (load balancers, audiences, syslog clients). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xp_report_int.h"

typedef struct xp__arc {
    int64_t a, b, rule;
} xp__arc;

typedef struct xp__cq {
    const xp_report *rep;
    xp_report_cluster *cl;
    xp__arc *arcs; /* sorted by (a, b) */
    size_t narcs;
    int64_t *deg;    /* mutual degree, per node of the report (scratch) */
    uint8_t *used;   /* per node of the report: already in a clique (scratch) */
} xp__cq;

/* A seed candidate: sorted by degree (highest first), then node index. */
typedef struct xp__seed {
    int64_t deg, node;
} xp__seed;

static int xp__cmp_arc(const void *x, const void *y)
{
    const xp__arc *p = x, *q = y;
    if (p->a != q->a)
        return (p->a > q->a) - (p->a < q->a);
    return (p->b > q->b) - (p->b < q->b);
}

/* Rule index of arc a -> b, or -1. */
static int64_t xp__arc_find(const xp__cq *q, int64_t a, int64_t b)
{
    xp__arc key = {a, b, 0};
    const xp__arc *hit = bsearch(&key, q->arcs, q->narcs, sizeof key, xp__cmp_arc);
    return hit ? hit->rule : -1;
}

static int xp__mutual(const xp__cq *q, int64_t a, int64_t b)
{
    return xp__arc_find(q, a, b) >= 0 && xp__arc_find(q, b, a) >= 0;
}

static int xp__cmp_seed(const void *x, const void *y)
{
    const xp__seed *p = x, *q = y;
    if (p->deg != q->deg)
        return p->deg > q->deg ? -1 : 1;
    return (p->node > q->node) - (p->node < q->node);
}

/* Arcs of the cluster's rules, and the mutual degree of each node. */
static xp_status xp__cq_arcs(xp__cq *q, xp_err *e)
{
    const xp_report_cluster *cl = q->cl;
    q->narcs = 0;
    for (size_t i = 0; i < cl->nrules; i++) {
        const xp_report_rule *r = &q->rep->rules[cl->rules[i]];
        q->arcs[q->narcs++] = (xp__arc){r->nl, r->nr, cl->rules[i]};
    }
    qsort(q->arcs, q->narcs, sizeof *q->arcs, xp__cmp_arc);
    for (size_t i = 0; i < q->narcs; i++) {
        const xp__arc *a = &q->arcs[i];
        if (a->a < a->b && xp__arc_find(q, a->b, a->a) >= 0) {
            q->deg[a->a]++;
            q->deg[a->b]++;
        }
    }
    return XP_OK;
}

/* Grow a clique from seed: add mutual neighbours (by degree) that are
 * mutual with every member. members has room for every cluster node. */
static size_t xp__cq_grow(xp__cq *q, int64_t seed, xp__seed *cand, int64_t *members)
{
    size_t nc = 0, n = 0;
    xp__arc key = {seed, -1, 0};
    size_t lo = 0, hi = q->narcs;
    while (lo < hi) { /* first arc leaving seed */
        size_t mid = lo + (hi - lo) / 2;
        if (xp__cmp_arc(&q->arcs[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < q->narcs && q->arcs[i].a == seed; i++) {
        int64_t b = q->arcs[i].b;
        if (!q->used[b] && b != seed && xp__arc_find(q, b, seed) >= 0)
            cand[nc++] = (xp__seed){q->deg[b], b};
    }
    qsort(cand, nc, sizeof *cand, xp__cmp_seed);
    members[n++] = seed;
    for (size_t i = 0; i < nc; i++) {
        size_t k = 0;
        while (k < n && xp__mutual(q, cand[i].node, members[k]))
            k++;
        if (k == n)
            members[n++] = cand[i].node;
    }
    return n;
}

static int xp__cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Record the clique members[0..n) and mark the rules it stands for. */
static xp_status xp__cq_add(xp__cq *q, const int64_t *members, size_t n, xp_err *e)
{
    xp_report_cluster *cl = q->cl;
    xp_report_clique *v = realloc(cl->cliques, (cl->ncliques + 1) * sizeof *v);
    XP_ALLOC_CHECK(e, v, "a clique");
    cl->cliques = v;
    xp_report_clique *c = &v[cl->ncliques];
    memset(c, 0, sizeof *c);
    c->nodes = malloc(n * sizeof *c->nodes);
    XP_ALLOC_CHECK(e, c->nodes, "a clique");
    cl->ncliques++;
    memcpy(c->nodes, members, n * sizeof *c->nodes);
    qsort(c->nodes, n, sizeof *c->nodes, xp__cmp_i64);
    c->n = n;
    c->min_score = INFINITY;
    c->max_score = -INFINITY;
    for (size_t i = 0; i < n; i++)
        q->used[members[i]] = 1;
    for (size_t i = 0; i < cl->nrules; i++) {
        const xp_report_rule *r = &q->rep->rules[cl->rules[i]];
        if (!q->used[r->nl] || !q->used[r->nr] || cl->in_clique[i] ||
            !bsearch(&r->nl, c->nodes, n, sizeof *c->nodes, xp__cmp_i64) ||
            !bsearch(&r->nr, c->nodes, n, sizeof *c->nodes, xp__cmp_i64))
            continue;
        cl->in_clique[i] = 1;
        c->nrules++;
        c->min_score = fmin(c->min_score, r->score);
        c->max_score = fmax(c->max_score, r->score);
        c->mean_conf += r->n_lhs > 0 ? (double)r->n_both / (double)r->n_lhs : r->p_both / r->p_lhs;
    }
    c->mean_conf /= (double)(c->nrules ? c->nrules : 1);
    return XP_OK;
}

static xp_status xp__cq_cluster(xp__cq *q, xp__seed *seeds, xp__seed *cand, int64_t *members,
                                xp_err *e)
{
    const xp_report_cluster *cl = q->cl;
    xp_status s = xp__cq_arcs(q, e);
    size_t ns = 0;
    for (size_t i = 0; i < cl->nnodes; i++)
        if (q->deg[cl->nodes[i]] >= 2)
            seeds[ns++] = (xp__seed){q->deg[cl->nodes[i]], cl->nodes[i]};
    qsort(seeds, ns, sizeof *seeds, xp__cmp_seed);
    for (size_t i = 0; i < ns && s == XP_OK; i++) {
        if (q->used[seeds[i].node])
            continue;
        size_t n = xp__cq_grow(q, seeds[i].node, cand, members);
        if (n >= 3)
            s = xp__cq_add(q, members, n, e);
    }
    for (size_t i = 0; i < cl->nnodes; i++) { /* reset the scratch */
        q->deg[cl->nodes[i]] = 0;
        q->used[cl->nodes[i]] = 0;
    }
    for (size_t i = 0; i < q->narcs; i++)
        q->deg[q->arcs[i].a] = q->deg[q->arcs[i].b] = 0;
    return s;
}

xp_status xp__report_cliques(xp_report *rep, xp_err *e)
{
    size_t n = rep->nnodes + 1;
    xp__cq q = {rep, NULL, NULL, 0, NULL, NULL};
    q.arcs = calloc(rep->nrules + 1, sizeof *q.arcs);
    q.deg = calloc(n, sizeof *q.deg);
    q.used = calloc(n, 1);
    xp__seed *seeds = calloc(n, sizeof *seeds), *cand = calloc(n, sizeof *cand);
    int64_t *members = calloc(n, sizeof *members);
    xp_status s = XP_OK;
    if (!q.arcs || !q.deg || !q.used || !seeds || !cand || !members)
        s = xp_err_set(e, XP_NOMEM, "out of memory allocating the clique search");
    for (size_t c = 0; c < rep->nclusters && s == XP_OK; c++) {
        q.cl = &rep->clusters[c];
        s = xp__cq_cluster(&q, seeds, cand, members, e);
    }
    free(q.arcs);
    free(q.deg);
    free(q.used);
    free(seeds);
    free(cand);
    free(members);
    return s;
}

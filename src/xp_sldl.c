/*
 * xp_sldl.c - sparse LDL^T of L - sigma I for the sparse eigen-solver of
 * Procedure 2 (paper §3.1). The method is in xp_sldl.h.
 */
#include "xp_sldl.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Switch to a dense tail when the next pivot is joined to at least this
 * fraction of the nodes left. */
#define XP__DENSE_FRAC 0.3
/* ||E|| <= XP__BETA * n * eps * growth, a common a-posteriori form of the
 * LDL^T backward error bound with a generous constant. */
#define XP__BETA 64.0

/* The Schur complement being eliminated. */
typedef struct xp__elim {
    int64_t n;
    xp_sldl_ent **row;
    int64_t *len, *cap; /* entries held, room */
    int64_t *live;      /* entries of nodes not yet eliminated (the others
                           are dropped lazily, at the row's next merge) */
    double *diag;
    uint8_t *gone;
    xp_sldl_ent *scratch;            /* n */
    int64_t *hkey, *hnode, hn, hcap; /* min-heap of (degree, node) */
} xp__elim;

void xp_sldl_free(xp_sldl *F)
{
    free(F->order);
    free(F->d);
    free(F->cptr);
    free(F->ent);
    free(F->tail);
    free(F->z);
    memset(F, 0, sizeof *F);
}

int64_t xp_sldl_fill(const xp_sldl *F)
{
    return F->nent + F->r * (F->r - 1) / 2;
}

double xp_sldl_beta(const xp_sldl *F)
{
    if (F->bad)
        return INFINITY;
    return XP__BETA * (double)F->n * DBL_EPSILON * F->growth;
}

static void elim_free(xp__elim *E)
{
    for (int64_t i = 0; E->row && i < E->n; i++)
        free(E->row[i]);
    free(E->row);
    free(E->len);
    free(E->live);
    free(E->cap);
    free(E->diag);
    free(E->gone);
    free(E->scratch);
    free(E->hkey);
    free(E->hnode);
    memset(E, 0, sizeof *E);
}

static int heap_less(const xp__elim *E, int64_t a, int64_t b)
{
    if (E->hkey[a] != E->hkey[b])
        return E->hkey[a] < E->hkey[b];
    return E->hnode[a] < E->hnode[b];
}

static void heap_swap(xp__elim *E, int64_t a, int64_t b)
{
    int64_t k = E->hkey[a], v = E->hnode[a];
    E->hkey[a] = E->hkey[b];
    E->hnode[a] = E->hnode[b];
    E->hkey[b] = k;
    E->hnode[b] = v;
}

static int heap_push(xp__elim *E, int64_t key, int64_t node)
{
    if (E->hn == E->hcap) {
        int64_t cap = E->hcap ? 2 * E->hcap : 1024;
        int64_t *k = realloc(E->hkey, (size_t)cap * sizeof *k);
        if (k == NULL)
            return -1;
        E->hkey = k;
        int64_t *v = realloc(E->hnode, (size_t)cap * sizeof *v);
        if (v == NULL)
            return -1;
        E->hnode = v;
        E->hcap = cap;
    }
    int64_t i = E->hn++;
    E->hkey[i] = key;
    E->hnode[i] = node;
    while (i > 0 && heap_less(E, i, (i - 1) / 2)) {
        heap_swap(E, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    return 0;
}

static int64_t heap_pop(xp__elim *E)
{
    int64_t top = E->hnode[0];
    heap_swap(E, 0, --E->hn);
    for (int64_t i = 0;;) {
        int64_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < E->hn && heap_less(E, l, m))
            m = l;
        if (r < E->hn && heap_less(E, r, m))
            m = r;
        if (m == i)
            break;
        heap_swap(E, i, m);
        i = m;
    }
    return top;
}

/* The node of least degree not yet eliminated (stale heap entries are
 * skipped), -1 if none. */
static int64_t heap_next(xp__elim *E)
{
    while (E->hn > 0) {
        int64_t key = E->hkey[0], c = heap_pop(E);
        if (!E->gone[c] && key == E->live[c]) {
            heap_push(E, key, c); /* stays until eliminated */
            return c;
        }
    }
    return -1;
}

static xp_status elim_init(xp__elim *E, const xp_lapgraph *g, double sigma,
                           xp_err *e)
{
    int64_t n = g->n;
    memset(E, 0, sizeof *E);
    E->n = n;
    E->row = calloc((size_t)n + 1, sizeof *E->row);
    E->len = calloc((size_t)n + 1, sizeof *E->len);
    E->live = calloc((size_t)n + 1, sizeof *E->live);
    E->cap = calloc((size_t)n + 1, sizeof *E->cap);
    E->diag = malloc(((size_t)n + 1) * sizeof *E->diag);
    E->gone = calloc((size_t)n + 1, 1);
    E->scratch = malloc(((size_t)n + 1) * sizeof *E->scratch);
    if (!E->row || !E->len || !E->live || !E->cap || !E->diag || !E->gone ||
        !E->scratch)
        return xp_err_set(e, XP_NOMEM, "out of memory for a %lld-node "
                          "sparse factorisation", (long long)n);
    for (int64_t i = 0; i < n; i++) {
        double deg = 0;
        int64_t b = g->rowptr[i], m = g->rowptr[i + 1] - b;
        E->row[i] = malloc(((size_t)m + 1) * sizeof **E->row);
        if (E->row[i] == NULL)
            return xp_err_set(e, XP_NOMEM, "out of memory for a %lld-node "
                              "sparse factorisation", (long long)n);
        for (int64_t k = 0; k < m; k++) {
            deg += g->val[b + k];
            E->row[i][k] = (xp_sldl_ent){g->col[b + k], -g->val[b + k]};
        }
        E->len[i] = E->live[i] = m;
        E->cap[i] = m + 1;
        E->diag[i] = (g->diag ? g->diag[i] : deg) - sigma;
    }
    return XP_OK;
}

/* Drop the entries of eliminated nodes from row v. */
static void compact_row(xp__elim *E, int64_t v)
{
    int64_t o = 0;
    for (int64_t i = 0; i < E->len[v]; i++)
        if (!E->gone[E->row[v][i].j])
            E->row[v][o++] = E->row[v][i];
    E->len[v] = E->live[v] = o;
}

/* Row u := row u without eliminated nodes, plus s * (row v without u);
 * row v is compact and v eliminated. */
static int merge_row(xp__elim *E, int64_t u, int64_t v, double s)
{
    const xp_sldl_ent *a = E->row[u], *b = E->row[v];
    int64_t na = E->len[u], nb = E->len[v], i = 0, j = 0, o = 0;
    xp_sldl_ent *out = E->scratch;
    while (i < na || j < nb) {
        int64_t ca = i < na ? a[i].j : INT64_MAX;
        int64_t cb = j < nb ? b[j].j : INT64_MAX;
        if (ca != INT64_MAX && E->gone[ca]) {
            i++;
            continue;
        }
        if (cb == u) {
            j++;
            continue;
        }
        if (ca < cb)
            out[o++] = a[i++];
        else if (cb < ca)
            out[o++] = (xp_sldl_ent){cb, s * b[j++].v};
        else
            out[o++] = (xp_sldl_ent){ca, a[i++].v + s * b[j++].v};
    }
    if (o > E->cap[u]) {
        int64_t cap = o + o / 2 + 4;
        xp_sldl_ent *r = realloc(E->row[u], (size_t)cap * sizeof *r);
        if (r == NULL)
            return -1;
        E->row[u] = r;
        E->cap[u] = cap;
    }
    memcpy(E->row[u], out, (size_t)o * sizeof *out);
    E->len[u] = E->live[u] = o;
    return 0;
}

static xp_status reserve(xp_sldl *F, int64_t more, int64_t max_fill,
                         xp_err *e)
{
    if (F->nent + more > max_fill)
        return xp_err_set(e, XP_BUDGET, "sparse factor: more than %lld "
                          "entries", (long long)max_fill);
    if (F->nent + more <= F->capent)
        return XP_OK;
    int64_t cap = 2 * (F->nent + more) + 64;
    if (cap > max_fill)
        cap = max_fill;
    xp_sldl_ent *p = realloc(F->ent, (size_t)cap * sizeof *p);
    XP_ALLOC_CHECK(e, p, "the sparse factor");
    F->ent = p;
    F->capent = cap;
    return XP_OK;
}

/* Record pivot t = d; 0 if it is zero or not finite. */
static int set_pivot(xp_sldl *F, int64_t t, double d)
{
    F->d[t] = d;
    F->neg += d < 0;
    if (fabs(d) > F->growth)
        F->growth = fabs(d);
    if (!(fabs(d) > 0) || !isfinite(d)) {
        F->bad = 1;
        return 0;
    }
    return 1;
}

/* Eliminate node v sparsely: pivot F->nsparse and its column. */
static xp_status sparse_pivot(xp__elim *E, xp_sldl *F, int64_t v,
                              int64_t max_fill, int with_heap, xp_err *e)
{
    compact_row(E, v);
    int64_t t = F->nsparse, d = E->len[v];
    XP_CALL(reserve(F, d, max_fill, e));
    F->order[t] = v;
    E->gone[v] = 1;
    F->nsparse++;
    F->cptr[F->nsparse] = F->nent;
    if (!set_pivot(F, t, E->diag[v]))
        return XP_OK;
    xp_sldl_ent *col = F->ent + F->nent;
    double lmax = 0, amax = 0;
    for (int64_t i = 0; i < d; i++) {
        col[i] = (xp_sldl_ent){E->row[v][i].j, E->row[v][i].v / F->d[t]};
        lmax = fmax(lmax, fabs(col[i].v));
        amax = fmax(amax, fabs(E->row[v][i].v));
    }
    /* Every update below is l_u a_vw: the entries grow by at most this. */
    F->growth = fmax(F->growth, lmax * amax);
    for (int64_t i = 0; i < d; i++) {
        int64_t u = col[i].j;
        E->diag[u] -= col[i].v * E->row[v][i].v;
        if (fabs(E->diag[u]) > F->growth)
            F->growth = fabs(E->diag[u]);
        /* A leaf changes only its neighbour's diagonal: its entry there
         * is dropped later, so eliminating the leaves of a star costs
         * their number, not their number squared. */
        if (d == 1)
            E->live[u]--;
        else if (merge_row(E, u, v, -col[i].v) != 0)
            return xp_err_set(e, XP_NOMEM, "out of memory in a sparse "
                              "factorisation");
        if (with_heap && heap_push(E, E->live[u], u) != 0)
            return xp_err_set(e, XP_NOMEM, "out of memory in a sparse "
                              "factorisation");
    }
    F->nent += d;
    F->cptr[F->nsparse] = F->nent;
    return XP_OK;
}

/* y[0..n) -= a x[0..n): one pivot's update of one column. Where the
 * compiler can, an AVX2 copy of it is picked at load time (four doubles a
 * step instead of SSE2's two): the dense tail was a tenth of
 * rita-72h-rotated's clustering (perf), and with it the stage at 1 rank took
 * 1.47-1.53 s against 1.58 (4 interleaved runs; one base run, 1.79 s, fell
 * in a slow spell). AVX2 brings no fused multiply-add (that is FMA, not
 * asked for), so every entry is the same multiply and subtract, rounded the
 * same: the same bits on any machine. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define XP__AXPY_CLONES __attribute__((target_clones("avx2", "default"), noinline))
#else
#define XP__AXPY_CLONES
#endif

XP__AXPY_CLONES static void dense_axpy(double *restrict y, const double *restrict x, double a,
                                       int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        y[i] -= x[i] * a;
}

/* Scale column t of the dense tail by its pivot, once every update that
 * needs it unscaled is made, and account for its growth. */
static void dense_scale(xp_sldl *F, int64_t t)
{
    int64_t r = F->r;
    double *ct = F->tail + (size_t)t * (size_t)r, piv = ct[t], lmax = 0;
    for (int64_t i = t + 1; i < r; i++) {
        ct[i] /= piv;
        lmax = fmax(lmax, fabs(ct[i]));
    }
    F->growth = fmax(F->growth, fabs(piv) * lmax * lmax);
}

/* Block of pivots in dense_loop: the trailing columns are updated by a
 * block of this many pivot columns at a time, each staying in cache. */
#define XP__DENSE_BLOCK 16

/*
 * LDL^T of the dense tail in place (its lower triangle, column-major;
 * right-looking, no pivoting). Blocked: the pivots of a block update the
 * block's own columns one by one, then every later column j takes the
 * block's updates in pivot order, c_j -= l_jt c_t for t ascending, while
 * c_j is in cache; then the block's columns are scaled. Every entry gets
 * the same updates in the same order, from the same unscaled values, as
 * one pivot at a time: the same bits (xp_sldl_refactor relies on it, and
 * tests/cluster/test_fiedler.c compares them). A zero or non-finite pivot
 * stops it (F->bad; the rest of the tail is then of no use).
 */
static void dense_loop(xp_sldl *F)
{
    int64_t r = F->r, base = F->nsparse;
    double *tail = F->tail;
    for (int64_t t0 = 0; t0 < r; t0 += XP__DENSE_BLOCK) {
        int64_t t1 = t0 + XP__DENSE_BLOCK < r ? t0 + XP__DENSE_BLOCK : r;
        for (int64_t t = t0; t < t1; t++) {
            const double *ct = tail + (size_t)t * (size_t)r;
            if (!set_pivot(F, base + t, ct[t])) {
                for (int64_t q = t0; q < t; q++)
                    dense_scale(F, q);
                return;
            }
            for (int64_t j = t + 1; j < t1; j++)
                dense_axpy(tail + (size_t)j * (size_t)r + j, ct + j, ct[j] / ct[t], r - j);
        }
        for (int64_t j = t1; j < r; j++) {
            double *cj = tail + (size_t)j * (size_t)r;
            for (int64_t t = t0; t < t1; t++) {
                const double *ct = tail + (size_t)t * (size_t)r;
                dense_axpy(cj + j, ct + j, ct[j] / ct[t], r - j);
            }
        }
        for (int64_t t = t0; t < t1; t++)
            dense_scale(F, t);
    }
}

/* Factor the r nodes left, F->order[nsparse..n), as one dense block
 * (right-looking LDL^T, no pivoting; inner loops over contiguous columns). */
static xp_status dense_tail(xp__elim *E, xp_sldl *F, int64_t max_fill,
                            xp_err *e)
{
    int64_t r = F->n - F->nsparse, base = F->nsparse;
    if (F->nent + r * (r - 1) / 2 > max_fill)
        return xp_err_set(e, XP_BUDGET, "sparse factor: more than %lld "
                          "entries (a dense block of %lld)",
                          (long long)max_fill, (long long)r);
    F->r = r;
    F->tail = calloc((size_t)r * (size_t)r + 1, sizeof *F->tail);
    F->z = malloc(((size_t)r + 1) * sizeof *F->z);
    int64_t *at = malloc(((size_t)E->n + 1) * sizeof *at);
    if (!F->tail || !F->z || !at) {
        free(at);
        return xp_err_set(e, XP_NOMEM, "out of memory for a dense block of "
                          "%lld nodes", (long long)r);
    }
    for (int64_t p = 0; p < r; p++)
        at[F->order[base + p]] = p;
    for (int64_t p = 0; p < r; p++) {
        int64_t v = F->order[base + p];
        double *c = F->tail + (size_t)p * (size_t)r;
        c[p] = E->diag[v];
        for (int64_t k = 0; k < E->len[v]; k++)
            if (!E->gone[E->row[v][k].j])
                c[at[E->row[v][k].j]] = E->row[v][k].v;
    }
    free(at);
    dense_loop(F);
    return XP_OK;
}

/* Pivots by minimum degree until the complement is dense; then the rest,
 * ascending, become the dense tail. */
static xp_status min_degree(xp__elim *E, xp_sldl *F, int64_t max_fill,
                            xp_err *e)
{
    for (int64_t i = 0; i < F->n; i++)
        if (heap_push(E, E->live[i], i) != 0)
            return xp_err_set(e, XP_NOMEM, "out of memory in a sparse "
                              "factorisation");
    while (F->nsparse < F->n && !F->bad) {
        int64_t v = heap_next(E), left = F->n - F->nsparse;
        if (v < 0)
            return xp_err_set(e, XP_INTERNAL, "sparse factor: no pivot "
                              "%lld", (long long)F->nsparse);
        if ((double)E->live[v] >= XP__DENSE_FRAC * (double)(left - 1))
            break;
        XP_CALL(sparse_pivot(E, F, v, max_fill, 1, e));
    }
    for (int64_t i = 0, t = F->nsparse; i < F->n && !F->bad; i++)
        if (!E->gone[i])
            F->order[t++] = i;
    return XP_OK;
}

xp_status xp_sldl_factor(const xp_lapgraph *g, double sigma,
                         const int64_t *order, int64_t nsparse,
                         int64_t max_fill, xp_sldl *F, xp_err *e)
{
    int64_t n = g->n;
    memset(F, 0, sizeof *F);
    F->n = n;
    F->order = malloc(((size_t)n + 1) * sizeof *F->order);
    F->d = malloc(((size_t)n + 1) * sizeof *F->d);
    F->cptr = calloc((size_t)n + 2, sizeof *F->cptr);
    if (!F->order || !F->d || !F->cptr) {
        xp_sldl_free(F);
        return xp_err_set(e, XP_NOMEM, "out of memory for a %lld-node "
                          "sparse factor", (long long)n);
    }
    xp__elim E;
    xp_status s = elim_init(&E, g, sigma, e);
    for (int64_t i = 0; s == XP_OK && i < n; i++)
        F->growth = fmax(F->growth, fabs(E.diag[i])); /* >= every |a_ij| */
    if (s == XP_OK && order == NULL) {
        s = min_degree(&E, F, max_fill, e);
    } else if (s == XP_OK) {
        memcpy(F->order, order, (size_t)n * sizeof *order);
        for (int64_t t = 0; s == XP_OK && t < nsparse && !F->bad; t++)
            s = sparse_pivot(&E, F, order[t], max_fill, 0, e);
    }
    if (s == XP_OK && !F->bad)
        s = dense_tail(&E, F, max_fill, e);
    elim_free(&E);
    if (s != XP_OK)
        xp_sldl_free(F);
    return s;
}

/* The entry of node q in sparse column t, looked for from *p on (rows
 * ascending; *p starts at F->cptr[t] and moves past the rows below q, so
 * rows asked for in order cost one walk of the column), or NULL. */
static double *row_from(xp_sldl *F, int64_t t, int64_t *p, int64_t q)
{
    while (*p < F->cptr[t + 1] && F->ent[*p].j < q)
        (*p)++;
    return *p < F->cptr[t + 1] && F->ent[*p].j == q ? &F->ent[*p].v : NULL;
}

/* The entry (u, w), u != w, of the dense tail (both eliminated there);
 * entries of the sparse columns are found with row_from. */
static double *tail_at(xp_sldl *F, const int64_t *pinv, int64_t u, int64_t w)
{
    int64_t tp = pinv[u] < pinv[w] ? pinv[u] : pinv[w];
    int64_t tq = pinv[u] < pinv[w] ? pinv[w] : pinv[u];
    return F->tail + (size_t)(tq - F->nsparse) + (size_t)(tp - F->nsparse) * (size_t)F->r;
}

static xp_status refactor_alloc(const xp_sldl *P, xp_sldl *F, xp_err *e)
{
    int64_t n = P->n, r = P->r;
    memset(F, 0, sizeof *F);
    F->n = n;
    F->nsparse = P->nsparse;
    F->r = r;
    F->nent = F->capent = P->nent;
    F->order = malloc(((size_t)n + 1) * sizeof *F->order);
    F->d = malloc(((size_t)n + 1) * sizeof *F->d);
    F->cptr = malloc(((size_t)P->nsparse + 2) * sizeof *F->cptr);
    F->ent = malloc(((size_t)P->nent + 1) * sizeof *F->ent);
    F->tail = calloc((size_t)r * (size_t)r + 1, sizeof *F->tail);
    F->z = malloc(((size_t)r + 1) * sizeof *F->z);
    if (!F->order || !F->d || !F->cptr || !F->ent || !F->tail || !F->z) {
        xp_sldl_free(F);
        return xp_err_set(e, XP_NOMEM, "out of memory for a %lld-node "
                          "sparse factor", (long long)n);
    }
    memcpy(F->order, P->order, (size_t)n * sizeof *F->order);
    memcpy(F->cptr, P->cptr, ((size_t)P->nsparse + 1) * sizeof *F->cptr);
    for (int64_t q = 0; q < P->nent; q++)
        F->ent[q] = (xp_sldl_ent){P->ent[q].j, 0};
    return XP_OK;
}

/* Sparse pivot t of a refactorisation: the pattern is known, so every
 * update goes straight to its place. Each pair (i < j) of the column
 * updates one entry once, so the pairs may go in any order: those whose
 * entry lies in col[i]'s sparse column (eliminated first) with i outer,
 * those in col[j]'s with j outer. Either way the rows of that column come
 * in order, found by one pointer that only moves on instead of a binary
 * search each (that search was about a tenth of rita-72h-rotated's clustering,
 * perf; with the fill of xp_sldl_refactor done the same way, that stage at
 * 1 rank took 1.50-1.52 s against 1.58-1.61, 4 interleaved runs). The same
 * entries, the same arithmetic. */
static int refactor_pivot(xp_sldl *F, const int64_t *pinv, double *diag,
                          int64_t t)
{
    int64_t v = F->order[t], b = F->cptr[t], d = F->cptr[t + 1] - b, ns = F->nsparse;
    xp_sldl_ent *col = F->ent + b;
    if (!set_pivot(F, t, diag[v]))
        return 0;
    double piv = F->d[t], lmax = 0, amax = 0;
    for (int64_t i = 0; i < d; i++) {
        double a = col[i].v, l = a / piv;
        lmax = fmax(lmax, fabs(l));
        amax = fmax(amax, fabs(a));
        diag[col[i].j] -= l * a;
        /* Entries in col[i]'s column, or in the dense tail. */
        int64_t tu = pinv[col[i].j], p = tu < ns ? F->cptr[tu] : 0;
        for (int64_t j = i + 1; j < d; j++) {
            int64_t w = col[j].j, tw = pinv[w];
            double *x;
            if (tw < tu && tw < ns)
                continue; /* in col[j]'s column: below */
            if (tu < ns)
                x = row_from(F, tu, &p, w);
            else
                x = tail_at(F, pinv, col[i].j, w);
            if (x == NULL)
                return 0; /* not the pattern of this graph: our bug */
            /* l of the node eliminated first, as xp_sldl_factor updates
             * that node's row: the same bits. */
            if (tu < tw)
                *x -= l * col[j].v;
            else
                *x -= col[j].v / piv * a;
        }
    }
    /* Entries in col[j]'s column, col[i] eliminated after it. */
    for (int64_t j = 1; j < d; j++) {
        int64_t tw = pinv[col[j].j];
        if (tw >= ns)
            continue;
        int64_t p = F->cptr[tw];
        for (int64_t i = 0; i < j; i++) {
            if (!(tw < pinv[col[i].j]))
                continue;
            double *x = row_from(F, tw, &p, col[i].j);
            if (x == NULL)
                return 0;
            *x -= col[j].v / piv * col[i].v;
        }
    }
    for (int64_t i = 0; i < d; i++)
        col[i].v /= piv;
    F->growth = fmax(F->growth, lmax * amax);
    return 1;
}

xp_status xp_sldl_refactor(const xp_sldl *P, const xp_lapgraph *g,
                           double sigma, xp_sldl *F, xp_err *e)
{
    int64_t n = P->n;
    if (P->bad || n != g->n)
        return xp_err_set(e, XP_INTERNAL, "sparse refactorisation of a "
                          "failed factor or another graph");
    XP_CALL(refactor_alloc(P, F, e));
    int64_t *pinv = malloc(((size_t)n + 1) * sizeof *pinv);
    double *diag = malloc(((size_t)n + 1) * sizeof *diag);
    if (!pinv || !diag) {
        free(pinv);
        free(diag);
        xp_sldl_free(F);
        return xp_err_set(e, XP_NOMEM, "out of memory for a refactorisation");
    }
    for (int64_t t = 0; t < n; t++)
        pinv[F->order[t]] = t;
    int ok = 1;
    for (int64_t u = 0; u < n && ok; u++) {
        double deg = 0;
        /* u's sparse column by a pointer that moves on while the
         * neighbours ascend (back to the start if they do not). */
        int64_t tu = pinv[u], p = tu < F->nsparse ? F->cptr[tu] : 0, prev = -1;
        for (int64_t k = g->rowptr[u]; k < g->rowptr[u + 1]; k++) {
            int64_t w = g->col[k];
            deg += g->val[k];
            if (pinv[w] > tu) { /* each edge once, from its first end */
                double *x;
                if (tu < F->nsparse) {
                    p = w < prev ? F->cptr[tu] : p;
                    prev = w;
                    x = row_from(F, tu, &p, w);
                } else {
                    x = tail_at(F, pinv, u, w);
                }
                ok = x != NULL;
                if (ok)
                    *x = -g->val[k];
            }
        }
        diag[u] = (g->diag ? g->diag[u] : deg) - sigma;
        F->growth = fmax(F->growth, fabs(diag[u]));
    }
    for (int64_t t = 0; t < F->nsparse && ok && !F->bad; t++)
        ok = refactor_pivot(F, pinv, diag, t) || F->bad;
    for (int64_t p = 0; p < F->r && ok && !F->bad; p++)
        F->tail[p + (size_t)p * (size_t)F->r] = diag[F->order[F->nsparse + p]];
    if (ok && !F->bad)
        dense_loop(F);
    free(pinv);
    free(diag);
    if (!ok) {
        xp_sldl_free(F);
        return xp_err_set(e, XP_INTERNAL, "sparse refactorisation: an entry "
                          "outside the factor's pattern");
    }
    return XP_OK;
}

void xp_sldl_solve(xp_sldl *F, double *y)
{
    int64_t ns = F->nsparse, r = F->r;
    for (int64_t t = 0; t < ns; t++) {
        double yv = y[F->order[t]];
        for (int64_t q = F->cptr[t]; q < F->cptr[t + 1]; q++)
            y[F->ent[q].j] -= F->ent[q].v * yv;
    }
    double *z = F->z;
    for (int64_t p = 0; p < r; p++)
        z[p] = y[F->order[ns + p]];
    for (int64_t p = 0; p < r; p++) {
        const double *c = F->tail + (size_t)p * (size_t)r;
        for (int64_t q = p + 1; q < r; q++)
            z[q] -= c[q] * z[p];
    }
    for (int64_t t = 0; t < ns; t++)
        y[F->order[t]] /= F->d[t];
    for (int64_t p = 0; p < r; p++)
        z[p] /= F->d[ns + p];
    for (int64_t p = r - 1; p >= 0; p--) {
        const double *c = F->tail + (size_t)p * (size_t)r;
        double s = z[p];
        for (int64_t q = p + 1; q < r; q++)
            s -= c[q] * z[q];
        z[p] = s;
    }
    for (int64_t p = 0; p < r; p++)
        y[F->order[ns + p]] = z[p];
    for (int64_t t = ns - 1; t >= 0; t--) {
        double s = y[F->order[t]];
        for (int64_t q = F->cptr[t]; q < F->cptr[t + 1]; q++)
            s -= F->ent[q].v * y[F->ent[q].j];
        y[F->order[t]] = s;
    }
}

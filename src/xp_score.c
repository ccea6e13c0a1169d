/* xp_score.c - eq. (2), the paper's filters, and the default mode's
 * hypergeometric test with false-discovery-rate control. */
#include "xp_score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xp_mem.h"
#include "xp_sort.h"

void xp_rules_free(xp_rules *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

/*
 * ln n! = lgamma(n + 1), from a table for n below its size n (the same
 * values: the table holds lgamma's own results). lgamma was 3 % of a whole run on 1000
 * clients x 7 h, six calls per test; the window counts of a trace are few
 * enough to tabulate once per scoring (25,202 of them there).
 */
typedef struct xp__lnfact {
    const double *v;
    int64_t n;
} xp__lnfact;

static double xp__lnf(xp__lnfact f, int64_t n)
{
    return n < f.n ? f.v[n] : lgamma((double)n + 1);
}

static double xp__lnchoose(xp__lnfact f, int64_t n, int64_t k)
{
    return xp__lnf(f, n) - xp__lnf(f, k) - xp__lnf(f, n - k);
}

static double xp__lnsf(xp__lnfact f, int64_t k, int64_t N, int64_t K, int64_t n)
{
    int64_t lo = n + K - N > 0 ? n + K - N : 0, hi = K < n ? K : n;
    if (k <= lo)
        return 0.0;
    if (k > hi)
        return -INFINITY;
    double lt = xp__lnchoose(f, K, k) + xp__lnchoose(f, N - K, n - k) - xp__lnchoose(f, N, n);
    /* Sum the tail term by term relative to its first term: the terms fall
     * geometrically past the mode, which lies below k when we are called. */
    double sum = 1.0, term = 1.0;
    for (int64_t i = k; i < hi; i++) {
        term *= (double)(K - i) * (double)(n - i) / ((double)(i + 1) * (double)(N - K - n + i + 1));
        sum += term;
        if (term < sum * 1e-17)
            break;
    }
    double r = lt + log(sum);
    return r > 0 ? 0 : r;
}

double xp_hypergeom_lnsf(int64_t k, int64_t N, int64_t K, int64_t n)
{
    return xp__lnsf((xp__lnfact){NULL, 0}, k, N, K, n);
}

/*
 * Eq. (2): P(X and Y) ln(P(Y|X) / P(Y)) = p_ab ln x, x = p_ab / (p_a p_b).
 * xp__eq2 gives p_ab and x (x = 1 when a count is 0: the score is 0), the
 * score is p_ab log(x), and a bound at or above it without the log is
 * p_ab (x - 1) when x > 1, else 0 (ln x <= x - 1; the factor covers the
 * log's rounding). For most candidates (p_ab small, lift near 1) the bound
 * alone shows that they cannot pass --alpha, and their log is never taken:
 * on 1000 clients x 7 h, 4,548 of the first 400,000 needed it.
 */
typedef struct xp__eq2 {
    double pab, x;
} xp__eq2;

static xp__eq2 xp__eq2_of(const xp_rule *r)
{
    if (r->n_ab <= 0 || r->n_a <= 0 || r->n_b <= 0)
        return (xp__eq2){0.0, 1.0};
    double N = (double)r->nwin, pab = (double)r->n_ab / N;
    return (xp__eq2){pab, pab * N * N / ((double)r->n_a * (double)r->n_b)};
}

static double xp__eq2_score(xp__eq2 q)
{
    return q.pab * log(q.x);
}

static double xp__eq2_bound(xp__eq2 q)
{
    return q.x > 1 ? q.pab * (q.x - 1) * (1 + 1e-9) : 0.0;
}

static int64_t xp__col_count(const xp_meta *m, uint32_t c, int act, int cw)
{
    if (cw)
        return act == XP_NEW ? m->cw_new[c] : m->cw_present[c];
    return act == XP_NEW ? m->n_new[c] : m->n_present[c];
}

/* Fill one rule (lhs a, rhs b) from pair i, combination (aa, ab). */
static void xp__fill(const xp_meta *m, const xp_pairs *p, int64_t i, int tpl, uint32_t a,
                     uint32_t b, int aa, int ab, int combo, xp_rule *r)
{
    memset(r, 0, sizeof *r);
    r->a = a;
    r->b = b;
    r->act_a = (uint8_t)aa;
    r->act_b = (uint8_t)ab;
    r->tpl = (uint8_t)tpl;
    r->pair = (int64_t)p->key[i];
    r->nwin = m->nwindows;
    r->n_a = xp__col_count(m, a, aa, 0);
    r->n_b = xp__col_count(m, b, ab, 0);
    r->n_ab = p->c[4 * i + combo];
    r->ncw = m->client_windows;
    r->cw_a = xp__col_count(m, a, aa, tpl == XP_TPL_GG);
    r->cw_b = xp__col_count(m, b, ab, tpl == XP_TPL_GG);
    r->cw_ab = p->cw[4 * i + combo];
    r->score = 0; /* eq. (2) is computed by the caller, only where it matters */
    r->support = tpl == XP_TPL_FF ? -1 : 0;
}

static int xp__ratio_ok(const xp_rule *r, double R)
{
    if (r->act_a != XP_PRESENT || r->act_b != XP_PRESENT)
        return 1;
    double q = (double)r->n_a / (double)r->n_b;
    return q >= 1.0 / R && q <= R;
}

/* The counts of one view: client-windows (cw) or windows. */
typedef struct xp__view {
    int64_t N, na, nb, k;
} xp__view;

static xp__view xp__view_of(const xp_rule *r, int cw)
{
    return cw ? (xp__view){r->ncw, r->cw_a, r->cw_b, r->cw_ab}
              : (xp__view){r->nwin, r->n_a, r->n_b, r->n_ab};
}

/* The default mode's view: windows, or client-windows for generic pairs. */
static void xp__test(xp_rule *r, unsigned ablate, xp__lnfact f)
{
    xp__view v = xp__view_of(r, r->tpl == XP_TPL_GG && !(ablate & XP_ABL_CWTEST));
    int64_t N = v.N, na = v.na, nb = v.nb, k = v.k;
    if (N <= 0 || na <= 0 || nb <= 0) {
        r->lift = 0;
        r->lnp = 0;
        return;
    }
    r->lift = (double)k * (double)N / ((double)na * (double)nb);
    double expect = (double)na * (double)nb / (double)N;
    r->lnp = (double)k > expect ? xp__lnsf(f, k, N, na, nb) : 0.0;
}

double xp_rule_weight(const xp_rule *r)
{
    if (r->score > 0)
        return r->score;
    xp__view v = xp__view_of(r, r->tpl == XP_TPL_GG && r->ncw > 0);
    if (v.N <= 0 || v.na <= 0 || v.nb <= 0 || v.k <= 0)
        return 0;
    double lift = (double)v.k * (double)v.N / ((double)v.na * (double)v.nb);
    return lift > 1 ? (double)v.k / (double)v.N * log(lift) : 0;
}

/* Benjamini-Hochberg over all m tested candidates, in the log domain. */
static xp_status xp__bh(xp_rule *v, int64_t n, int64_t m, xp_err *e)
{
    /* The p-values beside their rules' indices, sorted with the comparison
     * inlined (xp_sort_dkeys): qsort_r through an index array, each
     * comparison loading two rules, made xp_score_finish 11.7 M
     * instructions on every rank, now 9.0 M (callgrind, 1000 clients x 7 h,
     * which keeps 27,694 rules). Ties in the rules' order. */
    xp_dkey *ord = malloc((size_t)(n ? n : 1) * sizeof *ord);
    XP_ALLOC_CHECK(e, ord, "the q-value order");
    for (int64_t i = 0; i < n; i++)
        ord[i] = (xp_dkey){v[i].lnp, i};
    xp_sort_dkeys(ord, n);
    /* The kept candidates have the n smallest p-values of all m, so their
     * ranks among the kept ones are their ranks among all. */
    double run = 0.0, lnm = log((double)(m > 0 ? m : 1));
    for (int64_t r = n - 1; r >= 0; r--) {
        double q = ord[r].v + lnm - log((double)(r + 1));
        run = q < run ? q : run;
        v[ord[r].i].lnq = run;
    }
    free(ord);
    return XP_OK;
}

/* Default mode: a present=>present rule stands only when the same pair has
 * a passing rule with a new side (docs/statistics.md, long sessions). */
static void xp__present_needs_new(xp_rule *v, int64_t n, uint8_t *keep)
{
    for (int64_t i = 0; i < n;) {
        int64_t j = i, has_new = 0;
        while (j < n && v[j].pair == v[i].pair) {
            if (keep[j] && (v[j].act_a == XP_NEW || v[j].act_b == XP_NEW))
                has_new = 1;
            j++;
        }
        for (int64_t k = i; k < j; k++)
            if (v[k].act_a == XP_PRESENT && v[k].act_b == XP_PRESENT && !has_new)
                keep[k] = 0;
        i = j;
    }
}

/* Would the test's p-value certainly exceed q_max? k at most one standard
 * deviation above its expectation leaves p > 0.1 for the hypergeometric
 * (and the Poisson and normal shapes it takes), so the exact tail need not
 * be computed; only used when q_max < 0.05. */
static int xp__hopeless(const xp_rule *r, double qmax, unsigned ablate)
{
    int cw = r->tpl == XP_TPL_GG && !(ablate & XP_ABL_CWTEST);
    double N = (double)(cw ? r->ncw : r->nwin), na = (double)(cw ? r->cw_a : r->n_a);
    double nb = (double)(cw ? r->cw_b : r->n_b), k = (double)(cw ? r->cw_ab : r->n_ab);
    if (qmax >= 0.05 || N <= 1)
        return 0;
    double mu = na * nb / N;
    double var = mu * (1 - na / N) * (N - nb) / (N - 1);
    return k <= mu + sqrt(var > 0 ? var : 0);
}

/* Append r to acc, growing it. */
static int xp__push(xp_rules *acc, int64_t *cap, const xp_rule *r)
{
    if (acc->n == *cap) {
        int64_t c = *cap ? *cap * 2 : 4096;
        xp_rule *v = xp_mem_realloc(acc->v, (size_t)acc->n * sizeof *v, (size_t)c * sizeof *v);
        if (v == NULL)
            return -1;
        acc->v = v;
        *cap = c;
    }
    acc->v[acc->n++] = *r;
    return 0;
}

xp_status xp_score_pairs(const xp_meta *m, const xp_colinfo *ci, const xp_pairs *p,
                         int64_t lo, int64_t hi, const xp_score_opts *o, xp_rules *acc,
                         xp_err *e)
{
    /* Only candidates that can pass are kept. Paper: score > alpha. Default:
     * score > alpha (the paper's evidence, which short dense traces need) or
     * p <= q_max. The q-values of the latter are exact: a q-value is never
     * below its p-value, so every candidate left out has p > q_max and the
     * kept ones with p <= q_max hold the same ranks as among all candidates.
     * A rule kept by its score alone with p > q_max gets an upper bound. */
    double lnqmax = log(o->q_max);
    int64_t cap = acc->n;
    xp__lnfact f = {NULL, 0};
    double *tab = NULL;
    if (!o->paper && hi > lo) {
        /* Up to the window count, but no more entries than the tests could
         * look up (six per test, four tests a pair) and at most 2^20 (8 MiB,
         * 12 days of 1 s windows): for zeek-ipv6's 1.69 M windows and
         * 4,370 candidates the whole table was most of its 9 ms scoring
         * (2^20 lgamma calls take 10.8 ms in a loop here).
         * Past the table, lgamma itself (the same values). */
        f.n = m->nwindows + 1;
        f.n = f.n < 24 * (hi - lo) ? f.n : 24 * (hi - lo);
        f.n = f.n < ((int64_t)1 << 20) ? f.n : (int64_t)1 << 20;
        tab = malloc((size_t)f.n * sizeof *tab);
        XP_ALLOC_CHECK(e, tab, "the log-factorial table");
        for (int64_t n = 0; n < f.n; n++)
            tab[n] = lgamma((double)n + 1);
        f.v = tab;
    }
    for (int64_t i = lo; i < hi; i++) {
        uint32_t a = (uint32_t)(p->key[i] >> 32), b = (uint32_t)p->key[i];
        int tpl = xp_template(ci, a, b);
        for (int aa = 0; aa < 2; aa++)
            for (int ab = 0; ab < 2; ab++) {
                int combo = XP_COMBO(aa, ab);
                if (p->c[4 * i + combo] == 0)
                    continue;
                xp_rule r;
                xp__fill(m, p, i, tpl, a, b, aa, ab, combo, &r);
                acc->candidates++;
                xp__eq2 q = xp__eq2_of(&r);
                int scored = xp__eq2_bound(q) > o->alpha;
                if (scored)
                    r.score = xp__eq2_score(q);
                r.by_score = scored && r.score > o->alpha;
                int pass = r.by_score;
                int fdr = !o->paper && !(o->ablate & XP_ABL_FDR);
                if (fdr && !pass && !xp__hopeless(&r, o->q_max, o->ablate)) {
                    xp__test(&r, o->ablate, f);
                    pass = r.lnp <= lnqmax && r.lift > 1.0;
                } else if (!o->paper && pass) {
                    xp__test(&r, o->ablate, f); /* lift and q for the output */
                }
                if (pass && !scored) /* kept by the test: its score for the output */
                    r.score = xp__eq2_score(q);
                if (pass && xp__ratio_ok(&r, o->ratio) && xp__push(acc, &cap, &r) != 0) {
                    free(tab);
                    return xp_err_set(e, XP_NOMEM, "out of memory for %lld candidate rules",
                                      (long long)acc->n);
                }
            }
    }
    free(tab);
    return XP_OK;
}

xp_status xp_score_finish(xp_rules *acc, const xp_score_opts *o, xp_rules *out, xp_err *e)
{
    memset(out, 0, sizeof *out);
    uint8_t *keep = calloc((size_t)(acc->n ? acc->n : 1), 1);
    XP_ALLOC_CHECK(e, keep, "the rule filter");
    if (!o->paper) {
        xp_status s = xp__bh(acc->v, acc->n, acc->candidates, e);
        if (s != XP_OK) {
            free(keep);
            return s;
        }
    }
    double lnqmax = log(o->q_max);
    int64_t nk = 0;
    for (int64_t i = 0; i < acc->n; i++) {
        keep[i] = (uint8_t)(o->paper || acc->v[i].by_score ||
                            (!(o->ablate & XP_ABL_FDR) && acc->v[i].lnq <= lnqmax));
    }
    if (!o->paper && !(o->ablate & XP_ABL_PPNEW))
        xp__present_needs_new(acc->v, acc->n, keep);
    /* The kept rules to the front, then each doubled from the back, in
     * acc's own block (grown in place when its pages allow, xp_mem.h): a
     * fresh 3.8 MB block for 27,694 rules was 4.8 ms of page faults on a rank
     * at 2 ranks (bench/README.md). out takes the block. */
    for (int64_t i = 0; i < acc->n; i++)
        if (keep[i])
            acc->v[nk++] = acc->v[i];
    free(keep);
    acc->n = nk;
    xp_rule *v =
        xp_mem_realloc(acc->v, (size_t)nk * sizeof *v, (size_t)(nk ? nk : 1) * 2 * sizeof *v);
    if (v == NULL)
        return xp_err_set(e, XP_NOMEM, "out of memory for %lld rules", (long long)nk);
    /* Eq. (2) is symmetric in X and Y, so each surviving pair gives both
     * directions with the same score. From the back: rule i goes to 2i and
     * 2i + 1, never over a rule not yet moved. */
    for (int64_t i = nk - 1; i >= 0; i--) {
        xp_rule f = v[i], r = f;
        r.a = f.b;
        r.b = f.a;
        r.act_a = f.act_b;
        r.act_b = f.act_a;
        r.n_a = f.n_b;
        r.n_b = f.n_a;
        r.cw_a = f.cw_b;
        r.cw_b = f.cw_a;
        v[2 * i] = f;
        v[2 * i + 1] = r;
    }
    out->v = v;
    out->n = 2 * nk;
    out->candidates = 2 * acc->candidates;
    acc->v = NULL;
    acc->n = 0;
    return XP_OK;
}

void xp_score_support_filter(xp_rules *r, int64_t beta)
{
    int64_t j = 0;
    for (int64_t i = 0; i < r->n; i++)
        if (r->v[i].tpl == XP_TPL_FF || r->v[i].support > beta)
            r->v[j++] = r->v[i];
    r->n = j;
}

/*
 * test_score.c - xp_score_pairs and xp_score_finish (src/xp_score.h).
 *
 * test_exact: every kept rule's score is eq. (2) computed directly (the
 * scoring takes the log only where a bound says it may pass) and its
 * p-value is xp_hypergeom_lnsf's, bit for bit (the scoring takes ln n!
 * from a table up to the window count, lgamma past it: generic pairs'
 * client-window counts go past it here).
 *
 * test_parts: pairs scored in parts, as the ranks score theirs (mpi/xp_comm.h): the
 * parts' rules, concatenated in either order, must give the rules one part
 * holding every pair gives. In particular the default mode's "a present=>present
 * rule stands only when its pair has a passing rule with a new side" must
 * look at the pair's own rules: a rule's pair is its key, not its index in
 * the part it was scored in, which is 0 for the first pair of every part.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xp_count.h"
#include "xp_score.h"
#include "xp_test.h"

enum { NCOL = 4, W = 1000 };

/* Four flows that share host 0 (flow-flow template for every pair), each
 * present in 200 windows and new in 100. */
static void make_meta(xp_meta *m, xp_colinfo *ci, int64_t *cnt)
{
    memset(m, 0, sizeof *m);
    m->nwindows = W;
    m->client_windows = W;
    m->ncols = NCOL;
    m->n_present = cnt;
    m->n_new = cnt + NCOL;
    m->cw_present = cnt;
    m->cw_new = cnt + NCOL;
    for (int c = 0; c < NCOL; c++) {
        cnt[c] = 200;
        cnt[NCOL + c] = 100;
        ci[c] = (xp_colinfo){0, (uint32_t)c + 1, -1, 0};
    }
}

/* Pairs (0, 1), with strong new=>new and present=>present counts, and
 * (2, 3), with only present=>present: first..last of them. */
static void make_pairs(xp_pairs *p, int first, int last, uint64_t *key, int64_t *c)
{
    static const uint64_t keys[2] = {(uint64_t)0 << 32 | 1, (uint64_t)2 << 32 | 3};
    static const int64_t counts[2][4] = {{90, 0, 0, 190}, {0, 0, 0, 190}};
    p->n = last - first + 1;
    p->key = key;
    p->c = c;
    p->cw = c; /* flow-flow: the client-window counts are the window counts */
    for (int i = first; i <= last; i++) {
        key[i - first] = keys[i];
        memcpy(c + 4 * (i - first), counts[i], sizeof counts[i]);
    }
}

/* Rules of out between columns x and y (either direction), and of those
 * the present=>present ones. */
static void count_rules(const xp_rules *out, uint32_t x, uint32_t y, int64_t *all, int64_t *pp)
{
    *all = *pp = 0;
    for (int64_t i = 0; i < out->n; i++) {
        const xp_rule *r = &out->v[i];
        if ((r->a == x && r->b == y) || (r->a == y && r->b == x)) {
            (*all)++;
            *pp += r->act_a == XP_PRESENT && r->act_b == XP_PRESENT;
        }
    }
}

/* The rules of the parts scored in turn (as gathered from the ranks, one
 * part after the other), then finished; second may be NULL. */
static void score_parts(const xp_meta *m, const xp_colinfo *ci, const xp_score_opts *so,
                        const xp_pairs *first, const xp_pairs *second, xp_rules *out)
{
    xp_err e;
    xp_err_clear(&e);
    xp_rules acc = {0};
    XP_CHECK_INT(xp_score_pairs(m, ci, first, 0, first->n, so, &acc, &e), XP_OK);
    if (second != NULL)
        XP_CHECK_INT(xp_score_pairs(m, ci, second, 0, second->n, so, &acc, &e), XP_OK);
    XP_CHECK_INT(xp_score_finish(&acc, so, out, &e), XP_OK);
    xp_rules_free(&acc);
}

/* The same rule: sides, activities, score and q-value. */
static int same_rule(const xp_rule *x, const xp_rule *y)
{
    return x->a == y->a && x->b == y->b && x->act_a == y->act_a && x->act_b == y->act_b &&
           x->score == y->score && x->lnq == y->lnq;
}

static void test_parts(void)
{
    xp_meta m;
    xp_colinfo ci[NCOL];
    int64_t cnt[2 * NCOL];
    make_meta(&m, ci, cnt);
    const xp_score_opts so = {0.01, 3.0, 0.001, 3, 0, 0};

    /* One part holding both pairs. */
    uint64_t key[2];
    int64_t c[8];
    xp_pairs p;
    make_pairs(&p, 0, 1, key, c);
    xp_rules whole = {0};
    score_parts(&m, ci, &so, &p, NULL, &whole);

    /* Two parts of one pair each, as two ranks score them: each pair is
     * the first (index 0) of its part. */
    uint64_t key0[1], key1[1];
    int64_t c0[4], c1[4];
    xp_pairs p0, p1;
    make_pairs(&p0, 0, 0, key0, c0);
    make_pairs(&p1, 1, 1, key1, c1);
    xp_rules split = {0};
    score_parts(&m, ci, &so, &p0, &p1, &split);

    /* (0, 1): new=>new and present=>present, each both ways. (2, 3): its
     * present=>present rule passes the score but has no new side. */
    const xp_rules *res[2] = {&whole, &split};
    for (int k = 0; k < 2; k++) {
        int64_t all, pp;
        count_rules(res[k], 0, 1, &all, &pp);
        XP_CHECK_INT(all, 4);
        XP_CHECK_INT(pp, 2);
        count_rules(res[k], 2, 3, &all, &pp);
        XP_CHECK_INT(all, 0);
    }
    XP_CHECK_INT(split.n, whole.n);
    int64_t same = 0;
    for (int64_t i = 0; i < whole.n && i < split.n; i++)
        same += same_rule(&whole.v[i], &split.v[i]);
    XP_CHECK_INT(same, whole.n);
    /* The parts the other way round (ranks take turns over the pairs): the
     * same rules, in another order. */
    xp_rules rsplit = {0};
    score_parts(&m, ci, &so, &p1, &p0, &rsplit);
    XP_CHECK_INT(rsplit.n, whole.n);
    int64_t found = 0;
    for (int64_t i = 0; i < whole.n; i++)
        for (int64_t j = 0; j < rsplit.n; j++)
            if (same_rule(&whole.v[i], &rsplit.v[j])) {
                found++;
                break;
            }
    XP_CHECK_INT(found, whole.n);
    xp_rules_free(&rsplit);
    xp_rules_free(&whole);
    xp_rules_free(&split);
}

/* Eq. (2) as the paper writes it, for the check. */
static double eq2(int64_t nab, int64_t na, int64_t nb, int64_t N)
{
    double pab = (double)nab / (double)N;
    return pab * log(pab * (double)N * (double)N / ((double)na * (double)nb));
}

static void test_exact(void)
{
    enum { NC = 8, NP = 28 }; /* every pair of 8 columns; 6 and 7 generics */
    const int64_t win = 1000, cwin = 5000;
    int64_t cnt[4 * NC];
    xp_colinfo ci[NC];
    xp_meta m;
    memset(&m, 0, sizeof m);
    m.nwindows = win;
    m.client_windows = cwin;
    m.ncols = NC;
    m.n_present = cnt;
    m.n_new = cnt + NC;
    m.cw_present = cnt + 2 * NC;
    m.cw_new = cnt + 3 * NC;
    for (int c = 0; c < NC; c++) {
        int gen = c >= 6;
        cnt[c] = 40 + 37 * c;            /* present windows */
        cnt[NC + c] = 20 + 11 * c;       /* new windows */
        cnt[2 * NC + c] = 300 + 290 * c; /* client-windows, past the window count */
        cnt[3 * NC + c] = 150 + 100 * c;
        ci[c] = gen ? (xp_colinfo){(uint32_t)c, UINT32_MAX, -1, 1}
                    : (xp_colinfo){0, (uint32_t)c + 1, -1, 0};
    }
    uint64_t key[NP];
    int64_t c[4 * NP], cw[4 * NP];
    int64_t n = 0;
    uint64_t seed = 12345;
    for (uint32_t a = 0; a < NC; a++)
        for (uint32_t b = a + 1; b < NC; b++, n++) {
            key[n] = (uint64_t)a << 32 | b;
            for (int combo = 0; combo < 4; combo++) {
                int aa = combo >> 1, ab = combo & 1; /* XP_COMBO: new = 0, present = 1 */
                int64_t na = aa ? cnt[a] : cnt[NC + a], nb = ab ? cnt[b] : cnt[NC + b];
                int64_t ka = aa ? cnt[2 * NC + a] : cnt[3 * NC + a];
                int64_t kb = ab ? cnt[2 * NC + b] : cnt[3 * NC + b];
                int64_t lo = na < nb ? na : nb, klo = ka < kb ? ka : kb;
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                /* From none to all of the smaller side: some pass, some do not. */
                c[4 * n + combo] = (int64_t)((seed >> 33) % (uint64_t)(lo + 1));
                cw[4 * n + combo] = (int64_t)((seed >> 13) % (uint64_t)(klo + 1));
            }
        }
    xp_pairs p = {n, key, c, cw};
    /* cw is read for generic-generic pairs only; the others use c. */
    for (int64_t i = 0; i < n; i++)
        if (!(ci[key[i] >> 32].generic && ci[(uint32_t)key[i]].generic))
            memcpy(cw + 4 * i, c + 4 * i, 4 * sizeof *c);
    /* A high alpha, so that the test alone keeps some rules. */
    const xp_score_opts so = {0.05, 3.0, 0.01, 3, 0, 0};
    xp_rules out = {0};
    score_parts(&m, ci, &so, &p, NULL, &out);
    XP_CHECK(out.n > 0);
    int64_t by_test = 0, gg = 0;
    for (int64_t i = 0; i < out.n; i++) {
        const xp_rule *r = &out.v[i];
        XP_CHECK(r->score == eq2(r->n_ab, r->n_a, r->n_b, r->nwin));
        XP_CHECK_INT(r->by_score, r->score > so.alpha);
        int cwv = r->tpl == XP_TPL_GG;
        int64_t N = cwv ? r->ncw : r->nwin, na = cwv ? r->cw_a : r->n_a;
        int64_t nb = cwv ? r->cw_b : r->n_b, k = cwv ? r->cw_ab : r->n_ab;
        if (r->a > r->b) { /* the reverse rule carries its pair's p-value */
            int64_t t = na;
            na = nb;
            nb = t;
        }
        double lnp =
            (double)k > (double)na * (double)nb / (double)N ? xp_hypergeom_lnsf(k, N, na, nb) : 0.0;
        XP_CHECK(r->lnp == lnp);
        by_test += !r->by_score;
        gg += cwv;
    }
    /* Both paths and both views were taken. */
    XP_CHECK(by_test > 0);
    XP_CHECK(by_test < out.n);
    XP_CHECK(gg > 0);
    xp_rules_free(&out);
}

int main(void)
{
    test_exact();
    test_parts();
    XP_TEST_END();
}

/*
 * test_score.c - xp_score_pairs and xp_score_finish (src/xp_score.h) on
 * pairs scored in parts, as the ranks score theirs (mpi/xp_comm.h): the
 * parts' rules, concatenated in either order, must give the rules one part
 * holding every pair gives. In particular the default mode's "a present=>present
 * rule stands only when its pair has a passing rule with a new side" must
 * look at the pair's own rules: a rule's pair is its key, not its index in
 * the part it was scored in, which is 0 for the first pair of every part.
 */
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

int main(void)
{
    test_parts();
    XP_TEST_END();
}

/*
 * The counting kernel against the naive O(W K^2) counter on many random
 * small activity matrices (differential), and hand-checked tiny cases.
 */
#include <stdlib.h>

#include <math.h>

#include "xp_count.h"
#include "xp_hash.h"
#include "xp_score.h"
#include "xp_test.h"

/* Random columns over few hosts; generics have relax links. */
static void make_cols(uint64_t *seed, xp_colinfo *ci, int ncols, int nhosts)
{
    for (int c = 0; c < ncols; c++) {
        ci[c].generic = (uint8_t)(xp_splitmix64(seed) % 3 == 0);
        ci[c].h0 = (uint32_t)(xp_splitmix64(seed) % (uint64_t)nhosts);
        ci[c].h1 = ci[c].generic ? XP_HOST_ANY : (uint32_t)(xp_splitmix64(seed) % (uint64_t)nhosts);
        ci[c].relax = -1;
    }
    for (int c = 0; c < ncols; c++)
        if (!ci[c].generic)
            for (int g = 0; g < ncols; g++)
                if (ci[g].generic && ci[g].h0 == ci[c].h1 && xp_splitmix64(seed) % 2 == 0) {
                    ci[c].relax = g;
                    break;
                }
}

/* Random sorted entries: flows once per window, generics once per client. */
static void make_actmat(uint64_t *seed, const xp_colinfo *ci, int ncols, int W, int nhosts,
                        xp_actmat *a)
{
    int cap = W * ncols * nhosts + 1;
    a->w0 = 5;
    a->w1 = 5 + W;
    a->wptr = malloc((size_t)(W + 1) * sizeof *a->wptr);
    a->col = malloc((size_t)cap * sizeof *a->col);
    a->client = malloc((size_t)cap * sizeof *a->client);
    a->isnew = malloc((size_t)cap);
    int n = 0;
    for (int w = 0; w < W; w++) {
        a->wptr[w] = n;
        for (int c = 0; c < ncols; c++) {
            if (xp_splitmix64(seed) % 3 != 0)
                continue;
            if (!ci[c].generic) {
                a->col[n] = (uint32_t)c;
                a->client[n] = XP_HOST_ANY;
                a->isnew[n++] = (uint8_t)(xp_splitmix64(seed) % 2);
                continue;
            }
            for (int h = 0; h < nhosts; h++)
                if (xp_splitmix64(seed) % 2 == 0) {
                    a->col[n] = (uint32_t)c;
                    a->client[n] = (uint32_t)h;
                    a->isnew[n++] = (uint8_t)(xp_splitmix64(seed) % 2);
                }
        }
    }
    a->wptr[W] = n;
    a->nent = n;
}

static int same_pairs(const xp_pairs *x, const xp_pairs *y)
{
    if (x->n != y->n)
        return 0;
    for (int64_t i = 0; i < x->n; i++) {
        if (x->key[i] != y->key[i])
            return 0;
        for (int k = 0; k < 4; k++)
            if (x->c[4 * i + k] != y->c[4 * i + k] || x->cw[4 * i + k] != y->cw[4 * i + k])
                return 0;
    }
    return 1;
}

static void differential(void)
{
    uint64_t seed = 42;
    int agree = 0, trials = 300, nonempty = 0;
    for (int t = 0; t < trials; t++) {
        int ncols = 2 + (int)(xp_splitmix64(&seed) % 14),
            nhosts = 1 + (int)(xp_splitmix64(&seed) % 6);
        int W = 1 + (int)(xp_splitmix64(&seed) % 12);
        xp_colinfo ci[16];
        xp_actmat a = {0};
        make_cols(&seed, ci, ncols, nhosts);
        make_actmat(&seed, ci, ncols, W, nhosts, &a);
        xp_pairs fast = {0}, slow = {0}, merged = {0};
        xp_err e;
        xp_err_clear(&e);
        /* Fast counter in 1 pass, and in 3 passes merged, must equal naive. */
        xp_counter *k = NULL;
        xp_counter_create(ci, ncols, nhosts, 0, 1, &k, &e);
        xp_counter_add(k, &a, &e);
        xp_counter_finish(&k, &fast, &e);
        xp_count_naive(ci, ncols, &a, &slow, &e);
        int64_t total = 0;
        for (int pass = 0; pass < 3; pass++) {
            xp_pairs p = {0};
            xp_counter_create(ci, ncols, nhosts, pass, 3, &k, &e);
            xp_counter_add(k, &a, &e);
            xp_counter_finish(&k, &p, &e);
            total += p.n;
            xp_pairs_free(&p);
        }
        agree += same_pairs(&fast, &slow) && total == fast.n;
        nonempty += fast.n > 0;
        xp_pairs_free(&fast);
        xp_pairs_free(&slow);
        xp_pairs_free(&merged);
        xp_actmat_free(&a);
    }
    XP_CHECK_INT(agree, trials);
    XP_CHECK(nonempty > trials / 2);
}

/* Two flows sharing host 1 and a generic on host 1 with two clients. */
static void hand_case(void)
{
    xp_colinfo ci[3] = {
        {.h0 = 0, .h1 = 1, .relax = -1, .generic = 0}, /* 0: h0 -> h1 */
        {.h0 = 2, .h1 = 1, .relax = 2, .generic = 0},  /* 1: h2 -> h1, relaxes to 2 */
        {.h0 = 1, .h1 = XP_HOST_ANY, .relax = -1, .generic = 1}, /* 2: *.* -> h1 */
    };
    /* window 0: flows 0 (new) and 1, generic 2 from client 2 (new);
     * window 1: flow 0 only; window 2: flow 1 and generic 2 from client 2. */
    int64_t wptr[] = {0, 3, 4, 6};
    uint32_t col[] = {0, 1, 2, 0, 1, 2};
    uint32_t cli[] = {XP_HOST_ANY, XP_HOST_ANY, 2, XP_HOST_ANY, XP_HOST_ANY, 2};
    uint8_t isnew[] = {1, 0, 1, 0, 0, 0};
    xp_actmat a = {0, 3, wptr, col, cli, isnew, 6};
    XP_CHECK_INT(xp_template(ci, 0, 1), XP_TPL_FF);
    XP_CHECK_INT(xp_template(ci, 0, 2), XP_TPL_FG);
    XP_CHECK_INT(xp_template(ci, 1, 2), XP_TPL_NONE); /* its own generic */
    xp_err e;
    xp_err_clear(&e);
    xp_counter *k = NULL;
    xp_pairs p = {0};
    XP_CHECK_INT(xp_counter_create(ci, 3, 3, 0, 1, &k, &e), XP_OK);
    XP_CHECK_INT(xp_counter_add(k, &a, &e), XP_OK);
    XP_CHECK_INT(xp_counter_finish(&k, &p, &e), XP_OK);
    XP_CHECK_INT(p.n, 2);
    XP_CHECK(p.key[0] == ((uint64_t)0 << 32 | 1));
    XP_CHECK_INT(p.c[XP_COMBO(XP_PRESENT, XP_PRESENT)], 1);
    XP_CHECK_INT(p.c[XP_COMBO(XP_NEW, XP_PRESENT)], 1);
    XP_CHECK_INT(p.c[XP_COMBO(XP_PRESENT, XP_NEW)], 0);
    XP_CHECK(p.key[1] == ((uint64_t)0 << 32 | 2));
    XP_CHECK_INT(p.c[4 + XP_COMBO(XP_PRESENT, XP_PRESENT)], 1);
    XP_CHECK_INT(p.c[4 + XP_COMBO(XP_NEW, XP_NEW)], 1);
    xp_pairs_free(&p);
}

/* The rule graph's weights (xp_rule_weight): eq. (2) when positive; a
 * generic pair kept by its client-level test with eq. (2) <= 0 over windows
 * weighs eq. (2) over client-windows (the 1000-client trace's DNS => web
 * rule, hand-computed: 2563/716555 * ln(2563 * 716555 / (108265 * 4233))
 * = 0.0049652 nats); anything else 0. */
static void rule_weight(void)
{
    xp_rule r = {.tpl = XP_TPL_GG, .n_a = 7108, .n_b = 1112, .n_ab = 694, .nwin = 7201,
                 .cw_a = 108265, .cw_b = 4233, .cw_ab = 2563, .ncw = 716555,
                 .score = -0.04419229167};
    double want = 2563.0 / 716555.0 * log(2563.0 * 716555.0 / (108265.0 * 4233.0));
    XP_CHECK(fabs(xp_rule_weight(&r) - want) < 1e-15);
    XP_CHECK(fabs(want - 0.0049652) < 1e-6);
    r.cw_ab = 600; /* lift 0.94 over client-windows: no weight */
    XP_CHECK(xp_rule_weight(&r) == 0);
    r.tpl = XP_TPL_FF; /* a flow pair: its view is the windows, lift <= 1 */
    r.cw_ab = 2563;
    XP_CHECK(xp_rule_weight(&r) == 0);
    r.score = 0.25;
    XP_CHECK(xp_rule_weight(&r) == 0.25);
}

int main(void)
{
    differential();
    hand_case();
    rule_weight();
    XP_TEST_END();
}

/*
 * test_io_rulesort.c - xp_out_sort_rules (io/xp_out.h), which compares the
 * rules' texts "A => B" from each node's id made once, against the plain
 * way: every rule's text written out, a stable sort by score (highest
 * first), then strcmp. Random rules over few hosts and ports, scores from a
 * handful of values, so that most comparisons are ties settled by text,
 * many with the same left side, ids that share long prefixes (port 80 and
 * 8080, 10.0.0.1 and 10.0.0.10), IPv6 sides and wildcards.
 */
#include <stdlib.h>
#include <string.h>

#include "xp_out.h"
#include "xp_test.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    return xp_test_xorshift(&rng);
}

typedef struct ref {
    double score;
    char text[2 * XP_SIDE_ID_MAX + 8];
    xp_rule r;
} ref;

static int cmp_ref(const void *x, const void *y)
{
    const ref *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return strcmp(a->text, b->text);
}

/* Stable: insertion sort (the plain way keeps input order on equal texts). */
static void sort_ref(ref *v, int64_t n)
{
    for (int64_t i = 1; i < n; i++) {
        ref t = v[i];
        int64_t j = i;
        for (; j > 0 && cmp_ref(&v[j - 1], &t) > 0; j--)
            v[j] = v[j - 1];
        v[j] = t;
    }
}

static void one(int64_t ncols, int64_t nrules)
{
    static const char *addrs[] = {"10.0.0.1",    "10.0.0.10", "10.0.0.100", "10.0.1.1",
                                  "192.168.1.2", "fe80::1",   "fe80::10",   "2001:db8::1"};
    static const int32_t ports[] = {80, 8080, 808, 53, 5353, 443, XP_PORT_ANY};
    enum { NADDR = sizeof addrs / sizeof *addrs, NPORT = sizeof ports / sizeof *ports };
    xp_meta m;
    memset(&m, 0, sizeof m);
    m.nhosts = NADDR;
    m.hosts = calloc(NADDR, sizeof *m.hosts);
    for (int i = 0; i < NADDR; i++)
        XP_CHECK_INT(xp_addr_parse(&m.hosts[i], addrs[i], strlen(addrs[i])), 0);
    m.ncols = ncols;
    m.cols = calloc((size_t)ncols, sizeof *m.cols);
    for (int64_t c = 0; c < ncols; c++) {
        xp_objkey *k = &m.cols[c];
        k->generic = next() % 3 == 0;
        k->src = k->generic ? XP_HOST_ANY : (uint32_t)(next() % NADDR);
        k->dst = (uint32_t)(next() % NADDR);
        k->sport = k->generic ? XP_PORT_ANY : ports[next() % NPORT];
        k->dport = ports[next() % (NPORT - 1)];
        k->proto = next() % 4 ? 6 : 17;
    }
    static const double scores[] = {0.5, 0.25, 0.25 + 1e-12, 0.125, 0.01};
    xp_rules r = {calloc((size_t)nrules, sizeof(xp_rule)), nrules, 0};
    ref *want = calloc((size_t)nrules, sizeof *want);
    for (int64_t i = 0; i < nrules; i++) {
        xp_rule *x = &r.v[i];
        /* Pairs may repeat with other activities: equal left sides. */
        x->a = (uint32_t)(next() % (uint64_t)ncols);
        x->b = (uint32_t)(next() % (uint64_t)ncols);
        x->act_a = next() & 1 ? XP_NEW : XP_PRESENT;
        x->act_b = next() & 1 ? XP_NEW : XP_PRESENT;
        x->score = scores[next() % (sizeof scores / sizeof *scores)];
        x->pair = i; /* tells the rules apart after the sort */
        char a[XP_SIDE_ID_MAX], b[XP_SIDE_ID_MAX];
        xp_side_id(&m, x->a, x->act_a, a, sizeof a);
        xp_side_id(&m, x->b, x->act_b, b, sizeof b);
        want[i].score = x->score;
        snprintf(want[i].text, sizeof want[i].text, "%s => %s", a, b);
        want[i].r = *x;
    }
    sort_ref(want, nrules);
    xp_err e;
    xp_err_clear(&e);
    XP_CHECK_INT(xp_out_sort_rules(&m, &r, &e), XP_OK);
    int64_t bad = 0;
    for (int64_t i = 0; i < nrules; i++)
        bad += r.v[i].pair != want[i].r.pair;
    XP_CHECK_INT(bad, 0);
    free(want);
    free(r.v);
    free(m.cols);
    free(m.hosts);
}

int main(void)
{
    for (int rep = 0; rep < 20; rep++)
        one(1 + (int64_t)(next() % 40), (int64_t)(next() % 600));
    one(3, 2000); /* few nodes: many rules with equal texts' sides */
    one(1, 4);    /* one column: rules repeat, equal texts keep input order */
    XP_TEST_END();
}

/*
 * test_cluster.c - serial rule clustering (§3.1): closure, Procedure 2, the
 * tightness test, eigenspace ties, cluster order, errors. No MPI.
 */
#include <math.h>
#include <string.h>

#include "cluster_graphs.h"
#include "xp_cluster.h"
#include "xp_test.h"

static xp_status run(const tg_graph *t, const xp_cluster_opts *o,
                     xp_clustering *c, xp_err *e)
{
    xp_rulegraph g = tg_view(t);
    xp_err_clear(e);
    return xp_cluster_run(&g, o, c, e);
}

static int64_t find_edge(const tg_graph *t, int64_t s, int64_t d)
{
    for (int64_t i = 0; i < t->nedges; i++)
        if (t->src[i] == s && t->dst[i] == d)
            return i;
    return -1;
}

/* Two 12-cliques joined by one weak rule: two clusters, the rule cut. */
static void two_cliques(void)
{
    tg_graph t = {0};
    xp_cluster_opts o;
    xp_clustering c;
    xp_err e;
    xp_cluster_opts_default(&o);
    tg_two_cliques(&t, 0.05);
    tg_edge(&t, 3, 2, 0.5); /* reverse direction: max keeps 1.0 */
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK_INT(c.nclusters, 2);
    for (int64_t i = 0; i < 24; i++)
        XP_CHECK_INT(c.node_cluster[i], i < 12 ? 0 : 1);
    int64_t weak = find_edge(&t, 5, 17), ncut = 0;
    for (int64_t i = 0; i < t.nedges; i++)
        ncut += c.edge_cut[i];
    XP_CHECK_INT(ncut, 1);
    XP_CHECK_INT(c.edge_cut[weak], 1);
    XP_CHECK_INT(c.edge_cluster[weak], 0);
    XP_CHECK_INT(c.cluster_spectral[0], 1);
    XP_CHECK_INT(c.cluster_spectral[1], 1);
    XP_CHECK_NEAR(c.cluster_score[0], 66.5, 1e-12); /* 66 rules + 3=>2 */
    XP_CHECK_NEAR(c.cluster_score[1], 66.0, 1e-12);
    xp_clustering_free(&c);
    tg_free(&t);
}

/* A 15-clique is tight: one cluster, from closure alone. */
static void clique_whole(void)
{
    tg_graph t = {0};
    xp_cluster_opts o;
    xp_clustering c;
    xp_err e;
    xp_cluster_opts_default(&o);
    t.nnodes = 15;
    tg_clique(&t, 0, 15, 2.0);
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK_INT(c.nclusters, 1);
    XP_CHECK_INT(c.cluster_spectral[0], 0);
    for (int64_t i = 0; i < t.nedges; i++)
        XP_CHECK_INT(c.edge_cut[i], 0);
    xp_clustering_free(&c);
    /* The same clique with tight above n/(n-1) must be split. */
    o.tight = 1.2;
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK(c.nclusters >= 2);
    xp_clustering_free(&c);
    tg_free(&t);
}

/* A 20-node path splits in the middle (then each half again). */
static void path20(void)
{
    tg_graph t = {0};
    xp_cluster_opts o;
    xp_clustering c;
    xp_err e;
    xp_cluster_opts_default(&o);
    t.nnodes = 20;
    tg_path(&t, 0, 20, 1.0);
    o.min_split = 11; /* one split only: halves of 10 stay */
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK_INT(c.nclusters, 2);
    for (int64_t i = 0; i < 20; i++)
        XP_CHECK_INT(c.node_cluster[i], c.node_cluster[0] + (i >= 10));
    XP_CHECK_INT(c.edge_cut[9], 1);
    xp_clustering_free(&c);
    o.min_split = 10; /* 20 -> 10 + 10 -> 5 + 5 + 5 + 5 */
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK_INT(c.nclusters, 4);
    for (int64_t i = 0; i < 20; i++)
        XP_CHECK_INT(c.node_cluster[i], c.node_cluster[i - i % 5]);
    for (int64_t i = 0; i < 19; i++)
        XP_CHECK_INT(c.edge_cut[i], (i % 5) == 4);
    xp_clustering_free(&c);
    tg_free(&t);
}

/* Disconnected parts: closure alone, ids by score then smallest node. */
static void closure_and_order(void)
{
    tg_graph t = {0};
    xp_cluster_opts o;
    xp_clustering c;
    xp_err e;
    xp_cluster_opts_default(&o);
    t.nnodes = 14;
    tg_clique(&t, 0, 4, 1.0);  /* score 6 */
    tg_path(&t, 4, 3, 5.0);    /* score 10 */
    tg_clique(&t, 7, 4, 1.0);  /* score 6, tie: after nodes 0..3 */
    tg_edge(&t, 11, 12, 20.0); /* score 20 */
    /* node 13 has no rule: its own cluster, score 0 */
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK_INT(c.nclusters, 5);
    int64_t want[14] = {2, 2, 2, 2, 1, 1, 1, 3, 3, 3, 3, 0, 0, 4};
    for (int64_t i = 0; i < 14; i++)
        XP_CHECK_INT(c.node_cluster[i], want[i]);
    double ws[5] = {20, 10, 6, 6, 0};
    for (int64_t k = 0; k < 5; k++) {
        XP_CHECK_NEAR(c.cluster_score[k], ws[k], 1e-12);
        XP_CHECK_INT(c.cluster_spectral[k], 0);
    }
    for (int64_t i = 0; i < t.nedges; i++) {
        XP_CHECK_INT(c.edge_cut[i], 0);
        XP_CHECK_INT(c.edge_cluster[i], want[t.src[i]]);
    }
    xp_clustering_free(&c);
    tg_free(&t);
}

/* A clique joined to a path by a weak rule: spectral 1 only where split. */
static void spectral_flag(void)
{
    tg_graph t = {0};
    xp_cluster_opts o;
    xp_clustering c;
    xp_err e;
    xp_cluster_opts_default(&o);
    t.nnodes = 30;
    tg_clique(&t, 0, 10, 1.0);
    tg_clique(&t, 10, 10, 1.0);
    tg_edge(&t, 0, 10, 0.01);
    tg_clique(&t, 20, 10, 3.0); /* its own closure component */
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK_INT(c.nclusters, 3);
    XP_CHECK_INT(c.node_cluster[20], 0); /* score 135 */
    XP_CHECK_INT(c.cluster_spectral[0], 0);
    XP_CHECK_INT(c.node_cluster[0], 1);
    XP_CHECK_INT(c.node_cluster[10], 2);
    XP_CHECK_INT(c.cluster_spectral[1], 1);
    XP_CHECK_INT(c.cluster_spectral[2], 1);
    xp_clustering_free(&c);
    tg_free(&t);
}

/*
 * Repeated lambda2: on a cycle of 24 the Fiedler space is 2-D. Whatever
 * basis a solver returns (here: rotations and sign flips of the exact one),
 * the split is the same, and it cuts the cycle into two arcs of 12.
 */
static void eigenspace_rotation(void)
{
    enum { N = 24 };
    tg_graph t = {0};
    xp_cluster_opts o;
    xp__cstate st;
    xp_err e;
    xp_cluster_opts_default(&o);
    t.nnodes = N;
    tg_path(&t, 0, N, 1.0);
    tg_edge(&t, N - 1, 0, 1.0);
    xp_rulegraph g = tg_view(&t);
    xp_err_clear(&e);
    XP_CHECK_INT(xp__cstate_init(&st, &g, &o, &e), XP_OK);
    XP_CHECK_INT(st.nparts, 1);
    const double pi = acos(-1.0);
    double w[4] = {0, 2 - 2 * cos(2 * pi / N), 2 - 2 * cos(2 * pi / N),
                   2 - 2 * cos(4 * pi / N)};
    uint8_t first[N];
    for (int trial = 0; trial < 6; trial++) {
        double th = 0.37 + 1.1 * trial, Z[4 * N];
        double sg = trial % 2 ? -1 : 1;
        for (int i = 0; i < N; i++) {
            double c1 = cos(2 * pi * i / N) * sqrt(2.0 / N);
            double s1 = sin(2 * pi * i / N) * sqrt(2.0 / N);
            Z[i] = 1 / sqrt((double)N);
            Z[N + i] = sg * (cos(th) * c1 - sin(th) * s1);
            Z[2 * N + i] = sin(th) * c1 + cos(th) * s1;
            Z[3 * N + i] = cos(4 * pi * i / N) * sqrt(2.0 / N);
        }
        int verdict = 0;
        XP_CHECK_INT(xp__cstate_decide(&st, 0, 4, w, Z, &o, &verdict, &e),
                     XP_OK);
        XP_CHECK_INT(verdict, XP__SPLIT);
        if (trial == 0)
            memcpy(first, st.side, N);
        else
            XP_CHECK(memcmp(first, st.side, N) == 0);
    }
    int changes = 0, npos = 0;
    for (int i = 0; i < N; i++) {
        changes += first[i] != first[(i + 1) % N];
        npos += first[i];
    }
    XP_CHECK_INT(changes, 2);
    XP_CHECK_INT(npos, 12);
    /* Only pairs 1..3 given and lambda3 == lambda2: ask for more. */
    double Z3[3 * N];
    for (int i = 0; i < N; i++) {
        Z3[i] = 1 / sqrt((double)N);
        Z3[N + i] = cos(2 * pi * i / N) * sqrt(2.0 / N);
        Z3[2 * N + i] = sin(2 * pi * i / N) * sqrt(2.0 / N);
    }
    int verdict = 0;
    XP_CHECK_INT(xp__cstate_decide(&st, 0, 3, w, Z3, &o, &verdict, &e), XP_OK);
    XP_CHECK_INT(verdict, XP__MORE);
    /* A wrong eigenpair is caught by its residual. */
    Z3[N + 1] += 0.1;
    XP_CHECK_INT(xp__cstate_decide(&st, 0, 3, w, Z3, &o, &verdict, &e),
                 XP_LAPACK);
    xp__cstate_free(&st);
    tg_free(&t);
}

/* The full run on the cycle and on a star (lambda2 repeated n-2 times). */
static void repeated_runs(void)
{
    tg_graph t = {0};
    xp_cluster_opts o;
    xp_clustering c, c2;
    xp_err e;
    xp_cluster_opts_default(&o);
    o.min_split = 10; /* the paper's floor: parts of 6 stay whole */
    t.nnodes = 24;
    tg_path(&t, 0, 24, 1.0);
    tg_edge(&t, 23, 0, 1.0);
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK_INT(c.nclusters, 4); /* 24 -> 12 + 12 -> 6 x 4 */
    int changes = 0;
    for (int i = 0; i < 24; i++)
        changes += c.node_cluster[i] != c.node_cluster[(i + 1) % 24];
    XP_CHECK_INT(changes, 4);
    xp_clustering_free(&c);
    tg_free(&t);
    memset(&t, 0, sizeof t);
    t.nnodes = 16;
    for (int i = 1; i < 16; i++)
        tg_edge(&t, 0, i, 1.0);
    o.tight = 0.9; /* lambda2 / mean degree = 16/30 < 0.9: split */
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK_INT(run(&t, &o, &c2, &e), XP_OK);
    XP_CHECK(c.nclusters >= 2);
    XP_CHECK_INT(c.nclusters, c2.nclusters);
    XP_CHECK(memcmp(c.node_cluster, c2.node_cluster, 16 * sizeof(int64_t)) == 0);
    xp_clustering_free(&c);
    xp_clustering_free(&c2);
    tg_free(&t);
}

/* Planted clusters come back exactly (no weak rule kept inside). */
static void planted(void)
{
    tg_graph t = {0};
    xp_cluster_opts o;
    xp_clustering c;
    xp_err e;
    xp_cluster_opts_default(&o);
    tg_planted(&t, 300, 30, 0.8, 0.05, 7);
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    int64_t bad = 0;
    for (int64_t i = 0; i < t.nedges; i++)
        bad += (t.w[i] < 0.5) != c.edge_cut[i];
    XP_CHECK_INT(bad, 0);
    for (int64_t k = 1; k < c.nclusters; k++)
        XP_CHECK(c.cluster_score[k - 1] >= c.cluster_score[k]);
    xp_clustering_free(&c);
    tg_free(&t);
}

/* --sweep-cut: a hub with leaves of unequal scores is not tight
 * (lambda2 / dbar < 0.5), and the sign split peels leaves off it; every
 * sweep cut along the Fiedler vector has conductance 1, so with the sweep
 * it stays whole. Two cliques joined by one weak rule still split there
 * (conductance 0.05 / 132.05). */
static void sweep_cut(void)
{
    tg_graph t = {0};
    xp_cluster_opts o;
    xp_clustering c;
    xp_err e;
    xp_cluster_opts_default(&o);
    t.nnodes = 21;
    for (int i = 1; i < 21; i++)
        tg_edge(&t, 0, i, 1.0 + 0.05 * i);
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK(c.nclusters > 1); /* the sign split peels */
    xp_clustering_free(&c);
    o.sweep = 1;
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK_INT(c.nclusters, 1);
    XP_CHECK_INT(c.cluster_spectral[0], 0);
    xp_clustering_free(&c);
    o.max_cut = 1.5; /* every cut is weak enough, */
    o.tight = 1.5;   /* and the star (lambda2 of N = 1) not tight: split */
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK(c.nclusters > 1);
    xp_clustering_free(&c);
    tg_free(&t);
    memset(&t, 0, sizeof t);
    o.max_cut = 0.25;
    o.tight = 0.5;
    tg_two_cliques(&t, 0.05);
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK_INT(c.nclusters, 2);
    for (int i = 0; i < 24; i++)
        XP_CHECK_INT(c.node_cluster[i] == c.node_cluster[0], i < 12);
    XP_CHECK_INT(c.edge_cut[t.nedges - 1], 1);
    xp_clustering_free(&c);
    tg_free(&t);
    /* A clique stays whole (lambda2 of N = n/(n-1) >= 0.5, tight). */
    memset(&t, 0, sizeof t);
    t.nnodes = 15;
    tg_clique(&t, 0, 15, 2.0);
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK_INT(c.nclusters, 1);
    XP_CHECK_INT(c.cluster_spectral[0], 0);
    xp_clustering_free(&c);
    tg_free(&t);
    /* A path of 20 splits in the middle (conductance 1/19), each half of
     * 10 in its middle (1/9); a path of 5 stays: its best cut, 2 + 3, has
     * conductance 1/3 >= 0.25. */
    memset(&t, 0, sizeof t);
    t.nnodes = 20;
    tg_path(&t, 0, 20, 1.0);
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    int changes = 0;
    for (int i = 0; i + 1 < 20; i++)
        changes += c.node_cluster[i] != c.node_cluster[i + 1];
    XP_CHECK_INT(changes, c.nclusters - 1); /* contiguous runs */
    XP_CHECK(c.node_cluster[9] != c.node_cluster[10]); /* the middle */
    XP_CHECK(c.node_cluster[4] != c.node_cluster[5]);
    XP_CHECK_INT(c.nclusters, 4);
    xp_clustering_free(&c);
    tg_free(&t);
}

/* Rules of score 0 (eq. (2) <= 0, kept by the client-level test) join
 * nodes in the closure only: Procedure 2 splits along them without an
 * eigen-solve (a fault is injected into the first one), and a part that
 * positive rules hold together stays whole. */
static void zero_score_rules(void)
{
    tg_graph t = {0};
    xp_cluster_opts o;
    xp_clustering c;
    xp_err e;
    xp_cluster_opts_default(&o);
    o.min_split = 13; /* each clique alone is too small to enter Procedure 2 */
    o.fault_rank = 0;
    t.nnodes = 25;
    tg_two_cliques(&t, 0);
    int64_t z = t.nedges;
    tg_edge(&t, 3, 20, 0.0);
    tg_edge(&t, 20, 3, 0.0);
    tg_edge(&t, 24, 7, 0.0); /* node 24: only a rule of score 0 */
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK_INT(c.nclusters, 3);
    XP_CHECK(c.node_cluster[0] != c.node_cluster[12]);
    XP_CHECK(c.node_cluster[24] != c.node_cluster[7]);
    XP_CHECK(c.node_cluster[24] != c.node_cluster[20]);
    for (int64_t i = 0; i < t.nedges; i++)
        XP_CHECK_INT(c.edge_cut[i], i >= z);
    for (int64_t k = 0; k < c.nclusters; k++)
        XP_CHECK_INT(c.cluster_spectral[k], 1);
    XP_CHECK_INT(c.node_cluster[24], 2); /* total score 0: last */
    xp_clustering_free(&c);
    /* A zero rule inside a clique the positive rules hold together. */
    tg_free(&t);
    memset(&t, 0, sizeof t);
    t.nnodes = 15;
    tg_clique(&t, 0, 15, 2.0);
    t.w[0] = 0;
    o.min_split = 4;
    o.fault_rank = -1;
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK_INT(c.nclusters, 1);
    XP_CHECK_INT(c.cluster_spectral[0], 0);
    xp_clustering_free(&c);
    tg_free(&t);
}

static void errors(void)
{
    tg_graph t = {0};
    xp_cluster_opts o;
    xp_clustering c;
    xp_err e;
    xp_cluster_opts_default(&o);
    tg_two_cliques(&t, 0.05);
    o.fault_rank = 0;
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_LAPACK);
    XP_CHECK(strstr(e.msg, "dsyevr: info = 1") != NULL);
    XP_CHECK(c.node_cluster == NULL);
    o.fault_rank = -1;
    t.w[3] = -1;
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_ARG);
    XP_CHECK(strstr(e.msg, "rule 3 has score -1") != NULL);
    t.w[3] = 1;
    t.dst[4] = 24;
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_ARG);
    t.dst[4] = 5;
    o.min_split = 1;
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_ARG);
    tg_free(&t);
    memset(&t, 0, sizeof t); /* the empty graph */
    xp_cluster_opts_default(&o);
    XP_CHECK_INT(run(&t, &o, &c, &e), XP_OK);
    XP_CHECK_INT(c.nclusters, 0);
    xp_clustering_free(&c);
}

int main(void)
{
    two_cliques();
    clique_whole();
    path20();
    closure_and_order();
    spectral_flag();
    eigenspace_rotation();
    repeated_runs();
    planted();
    zero_score_rules();
    sweep_cut();
    errors();
    XP_TEST_END();
}

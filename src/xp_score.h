/*
 * xp_score.h - scoring and filtering candidate rules (paper §2.2, §2.3.2),
 * and the default mode's trace-length-independent significance test
 * (docs/statistics.md). Pure C; results depend only on integer counts, so
 * they are the same whatever the number of ranks that counted them.
 */
#ifndef XP_SCORE_H
#define XP_SCORE_H

#include "xp_count.h"
#include "xp_error.h"
#include "xp_trace.h"

typedef struct xp_score_opts {
    double alpha, ratio, q_max;
    int64_t beta;
    int paper;
    unsigned ablate; /* XP_ABL_* bits (xp_trace.h) */
} xp_score_opts;

/* One directed rule X => Y between two column activities. */
typedef struct xp_rule {
    uint32_t a, b;        /* lhs and rhs columns */
    uint8_t act_a, act_b; /* XP_NEW or XP_PRESENT */
    uint8_t tpl;          /* XP_TPL_* */
    uint8_t pad_;
    int64_t pair;                 /* its pair's key, a << 32 | b: the same on every rank */
    int64_t n_a, n_b, n_ab, nwin; /* window counts behind the score */
    int64_t cw_a, cw_b, cw_ab, ncw; /* client-window counts (generic-generic) */
    double score;         /* eq. (2), nats */
    double lift;          /* P(X and Y) / (P(X) P(Y)) in the test's view */
    double lnp;           /* ln p-value of the one-sided test (0 when not run) */
    double lnq;           /* ln q-value (Benjamini-Hochberg) */
    int64_t support;      /* distinct clients, -1 for flow-flow rules */
    uint8_t by_score;     /* passes the paper's alpha */
} xp_rule;

typedef struct xp_rules {
    xp_rule *v;
    int64_t n;
    int64_t candidates; /* directed candidate rules scored */
} xp_rules;

void xp_rules_free(xp_rules *r);

/*
 * A rule's weight in the rule graph (§3.1): its eq. (2) score when > 0.
 * A generic-generic rule kept by its client-level test while eq. (2) over
 * windows is <= 0 (a hub such as the DNS server is in nearly every window)
 * weighs eq. (2) in the view it was kept in: P(X and Y) ln(lift) over
 * client-windows, > 0 since its lift is. Otherwise 0: an edge of the
 * transitive closure that weighs nothing in Procedure 2.
 */
double xp_rule_weight(const xp_rule *r);

/*
 * Score the counted pairs [lo, hi) of p (one counting pass; ranks may split
 * the range) and append to *acc the
 * candidates (a => b direction, a < b) that can still pass; acc->candidates
 * counts every candidate scored. Paper mode: eq. (2) > alpha, and for
 * present=>present rules 1/R <= P(X)/P(Y) <= R. Default mode: eq. (2) > alpha
 * or the one-sided hypergeometric test (generic-generic rules in the
 * client-window view) with p <= q_max; and the ratio test.
 */
xp_status xp_score_pairs(const xp_meta *m, const xp_colinfo *ci, const xp_pairs *p,
                         int64_t lo, int64_t hi, const xp_score_opts *o, xp_rules *acc,
                         xp_err *e);

/*
 * After all passes: default mode computes Benjamini-Hochberg q-values over
 * all acc->candidates, keeps score > alpha or q <= q_max, and keeps a present=>present rule
 * only when its pair also has a passing rule with a new side. Every kept
 * pair gives both directions in *out. Support (> beta) is applied later by
 * xp_score_support_filter once supports are known. On success *out takes
 * acc's block (acc is left empty); on failure acc may hold only the kept
 * rules. Free acc as before either way.
 */
xp_status xp_score_finish(xp_rules *acc, const xp_score_opts *o, xp_rules *out, xp_err *e);

/* ln P(X >= k) for X ~ Hypergeometric(N population, K successes, n draws). */
double xp_hypergeom_lnsf(int64_t k, int64_t N, int64_t K, int64_t n);

/* Drop rules with a generic side whose support is <= beta. */
void xp_score_support_filter(xp_rules *r, int64_t beta);

#endif

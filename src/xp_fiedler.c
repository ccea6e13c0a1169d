/*
 * xp_fiedler.c - sparse eigen-solver for Procedure 2 (paper §3.1): the k
 * smallest eigenpairs of a graph Laplacian by shift-invert block Davidson
 * with a sparse LDL^T, and an inertia certificate. xp_fiedler.h gives the
 * method; docs/clustering.md the reasons and the measurements.
 */
#include "xp_fiedler.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* LAPACK (Fortran, LP64); the trailing size_t are the hidden string lengths. */
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a,
            const int *lda, double *w, double *work, const int *lwork,
            int *info, size_t ljobz, size_t luplo);

/* A new basis direction shorter than this after orthogonalisation (times
 * its length before) is round-off, not a direction. */
#define XP__DROP 1e-10
/* The preconditioner is (L + XP__SHIFT ||L|| I)^-1 on the complement of
 * the constant vector: close to L^+ for every eigenvalue well above it. */
#define XP__SHIFT 1e-10
/* Times the inertia certificate may ask for one more start vector. */
#define XP__MAX_INJECT 16
/* Ritz pairs followed beyond the wanted ones and the block, at most. */
#define XP__MAX_EXTRA 32
/* Iterations between moves of the shift towards the wanted eigenvalues;
 * not when the factor has a dense tail larger than XP__RESHIFT_TAIL (each
 * move refactors it, O(tail^3)). */
#define XP__RESHIFT 8
#define XP__RESHIFT_TAIL 256
/* Give up after this many iterations without halving the worst residual. */
#define XP__STALL 300

void xp_fiedler_opts_default(xp_fiedler_opts *o, int64_t n)
{
    o->tol = 1e-12;
    /* At most a quarter of a dense matrix's entries (the dense solve would
     * need them all), and 2^24 (a factor of 128-256 MiB). */
    int64_t cap = n / 2 * (n / 2) < (1 << 24) ? n / 2 * (n / 2) : (1 << 24);
    o->max_fill = cap > (1 << 20) ? cap : (1 << 20);
    o->maxit = 1000;
    o->method = XP_FIEDLER_AUTO;
    o->slice_fill = 8;
}

/* ------------------------------------------------------------------------
 * Block Davidson on the complement of the constant vector.
 */
typedef struct xp__dav {
    const xp_lapgraph *g;
    const double *deg;
    xp_sldl F;
    int64_t n;
    int nw, b, mmax, m, nr, lwork, nsolve;
    int extra;   /* Ritz pairs followed beyond nw + b (after injections) */
    int64_t missing; /* eigenvalues the last certificate found missing */
    int kcert;       /* pairs certified (lambda_0 and Ritz pairs 0..) */
    double mu; /* the factor is of L - mu I */
    double *V, *LV;  /* n x mmax: orthonormal basis, L times it */
    double *H, *Hc;  /* mmax x mmax: V' L V and the copy dsyev overwrites */
    double *th;      /* mmax Ritz values */
    double *X, *LX;  /* n x mmax: Ritz vectors, L times them */
    double *rn, *h;  /* mmax: residual norms; scratch */
    double *t, *work;
    uint64_t seed;
} xp__dav;

/* Four partial sums in a fixed order: as deterministic as one, and four
 * times fewer dependent additions. */
static double dot(const double *x, const double *y, int64_t n)
{
    double d0 = 0, d1 = 0, d2 = 0, d3 = 0;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        d0 += x[i] * y[i];
        d1 += x[i + 1] * y[i + 1];
        d2 += x[i + 2] * y[i + 2];
        d3 += x[i + 3] * y[i + 3];
    }
    for (; i < n; i++)
        d0 += x[i] * y[i];
    return (d0 + d1) + (d2 + d3);
}

static void lap_mv(const xp_lapgraph *g, const double *deg,
                   const double *x, double *y)
{
    for (int64_t i = 0; i < g->n; i++) {
        double acc = deg[i] * x[i];
        for (int64_t k = g->rowptr[i]; k < g->rowptr[i + 1]; k++)
            acc -= g->val[k] * x[g->col[k]];
        y[i] = acc;
    }
}

/* x := x minus its component along the null vector z (unit; NULL: the
 * constant vector, whose component is the mean). */
static void remove_null(double *x, int64_t n, const double *z)
{
    if (z != NULL) {
        double d = 0;
        for (int64_t i = 0; i < n; i++)
            d += z[i] * x[i];
        for (int64_t i = 0; i < n; i++)
            x[i] -= d * z[i];
        return;
    }
    double mean = 0;
    for (int64_t i = 0; i < n; i++)
        mean += x[i];
    mean /= (double)n;
    for (int64_t i = 0; i < n; i++)
        x[i] -= mean;
}

/* x := (L - mu I)^-1 x on the complement of the constant vector. */
static void apply_pinv(xp__dav *D, double *x)
{
    D->nsolve++;
    remove_null(x, D->n, D->g->null);
    xp_sldl_solve(&D->F, x);
    remove_null(x, D->n, D->g->null);
}

/* A fixed, index-based pseudo-random vector (splitmix64), in [-1, 1). */
static double fixed_entry(int64_t i, uint64_t seed)
{
    uint64_t z = (uint64_t)i * 0x9E3779B97F4A7C15ull + seed;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-52 - 1.0;
}

/* Orthogonalise D->t against 1 and the basis (classical Gram-Schmidt,
 * twice) and append it with L t and its column of H. 1 if appended. */
static int dav_append(xp__dav *D)
{
    int64_t n = D->n;
    double *t = D->t, before = sqrt(dot(t, t, n));
    if (!(before > 0) || D->m >= D->mmax)
        return 0;
    /* Classical Gram-Schmidt, again while the length falls by more than
     * 1/sqrt(2) ("twice is enough", Kahan-Parlett). */
    double after = before;
    for (int pass = 0; pass < 3; pass++) {
        double len = after;
        remove_null(t, n, D->g->null);
        for (int j = 0; j < D->m; j++)
            D->h[j] = dot(D->V + (size_t)j * (size_t)n, t, n);
        for (int j = 0; j < D->m; j++) {
            const double *q = D->V + (size_t)j * (size_t)n;
            for (int64_t i = 0; i < n; i++)
                t[i] -= D->h[j] * q[i];
        }
        after = sqrt(dot(t, t, n));
        if (after > len * M_SQRT1_2)
            break;
    }
    if (!(after > XP__DROP * before))
        return 0;
    int m = D->m;
    double *q = D->V + (size_t)m * (size_t)n;
    double *lq = D->LV + (size_t)m * (size_t)n;
    for (int64_t i = 0; i < n; i++)
        q[i] = t[i] / after;
    lap_mv(D->g, D->deg, q, lq);
    for (int j = 0; j <= m; j++) {
        double hj = dot(D->V + (size_t)j * (size_t)n, lq, n);
        D->H[j + (size_t)m * (size_t)D->mmax] = hj;
        D->H[m + (size_t)j * (size_t)D->mmax] = hj;
    }
    D->m++;
    return 1;
}

/* Append L^+ f for the next fixed start vector f. */
static int dav_append_fixed(xp__dav *D)
{
    uint64_t seed = D->seed++;
    for (int64_t i = 0; i < D->n; i++)
        D->t[i] = fixed_entry(i, seed);
    apply_pinv(D, D->t);
    return dav_append(D);
}

/* Rayleigh-Ritz: the nr lowest Ritz pairs (th, X), L X and residuals. */
static xp_status dav_ritz(xp__dav *D, xp_err *e)
{
    int m = D->m, info = 0;
    int64_t n = D->n;
    for (int j = 0; j < m; j++)
        memcpy(D->Hc + (size_t)j * (size_t)m,
               D->H + (size_t)j * (size_t)D->mmax, (size_t)m * sizeof *D->Hc);
    dsyev_("V", "U", &m, D->Hc, &m, D->th, D->work, &D->lwork, &info, 1, 1);
    if (info != 0)
        return xp_err_set(e, info < 0 ? XP_INTERNAL : XP_LAPACK,
                          "dsyev: info = %d on a %d x %d Rayleigh-Ritz "
                          "problem", info, m, m);
    D->nr = D->nw + D->b + D->extra < m ? D->nw + D->b + D->extra : m;
    for (int c = 0; c < D->nr; c++) {
        double *x = D->X + (size_t)c * (size_t)n;
        double *lx = D->LX + (size_t)c * (size_t)n;
        const double *y = D->Hc + (size_t)c * (size_t)m;
        memset(x, 0, (size_t)n * sizeof *x);
        memset(lx, 0, (size_t)n * sizeof *lx);
        for (int j = 0; j < m; j++) {
            const double *q = D->V + (size_t)j * (size_t)n;
            const double *lq = D->LV + (size_t)j * (size_t)n;
            for (int64_t i = 0; i < n; i++) {
                x[i] += y[j] * q[i];
                lx[i] += y[j] * lq[i];
            }
        }
        double r = 0;
        for (int64_t i = 0; i < n; i++) {
            double d = lx[i] - D->th[c] * x[i];
            r += d * d;
        }
        D->rn[c] = sqrt(r);
    }
    return XP_OK;
}

/* Thick restart: the basis becomes the nr lowest Ritz vectors. */
static void dav_restart(xp__dav *D)
{
    size_t nq = (size_t)D->n * (size_t)D->nr;
    memcpy(D->V, D->X, nq * sizeof *D->V);
    memcpy(D->LV, D->LX, nq * sizeof *D->LV);
    memset(D->H, 0, (size_t)D->mmax * (size_t)D->mmax * sizeof *D->H);
    for (int j = 0; j < D->nr; j++)
        D->H[j + (size_t)j * (size_t)D->mmax] = D->th[j];
    D->m = D->nr;
}

/* Grow by L^+ r for the b lowest unconverged Ritz pairs. */
static int dav_expand(xp__dav *D, double tol)
{
    int added = 0;
    for (int c = 0; c < D->nr && added < D->b; c++) {
        if (D->rn[c] <= tol)
            continue;
        const double *x = D->X + (size_t)c * (size_t)D->n;
        const double *lx = D->LX + (size_t)c * (size_t)D->n;
        for (int64_t i = 0; i < D->n; i++)
            D->t[i] = lx[i] - D->th[c] * x[i];
        apply_pinv(D, D->t);
        added += dav_append(D);
    }
    return added;
}

/* Forget the basis and results (keep the factor at the first shift). */
static void dav_reset(xp__dav *D)
{
    free(D->V);
    free(D->LV);
    free(D->H);
    free(D->Hc);
    free(D->th);
    free(D->X);
    free(D->LX);
    free(D->rn);
    free(D->h);
    free(D->t);
    free(D->work);
    D->V = D->LV = D->H = D->Hc = D->th = D->X = D->LX = D->rn = D->h =
        D->t = D->work = NULL;
    D->m = D->nr = D->extra = D->kcert = 0;
    D->missing = 0;
    D->seed = 1;
}

static void dav_free(xp__dav *D)
{
    xp_sldl_free(&D->F);
    dav_reset(D);
}

static xp_status dav_alloc(xp__dav *D, xp_err *e)
{
    size_t nm = (size_t)D->n * (size_t)D->mmax;
    size_t mm = (size_t)D->mmax * (size_t)D->mmax;
    int info = 0, lw = -1, mx = D->mmax;
    double q = 0;
    dsyev_("V", "U", &mx, D->H, &mx, D->th, &q, &lw, &info, 1, 1);
    D->lwork = (int)q > 3 * mx ? (int)q : 3 * mx;
    D->V = malloc(nm * sizeof *D->V);
    D->LV = malloc(nm * sizeof *D->LV);
    D->X = malloc(nm * sizeof *D->X);
    D->LX = malloc(nm * sizeof *D->LX);
    D->H = calloc(mm, sizeof *D->H);
    D->Hc = malloc(mm * sizeof *D->Hc);
    D->th = malloc((size_t)mx * sizeof *D->th);
    D->rn = malloc((size_t)mx * sizeof *D->rn);
    D->h = malloc((size_t)mx * sizeof *D->h);
    D->t = malloc((size_t)D->n * sizeof *D->t);
    D->work = malloc((size_t)D->lwork * sizeof *D->work);
    if (!D->V || !D->LV || !D->X || !D->LX || !D->H || !D->Hc || !D->th ||
        !D->rn || !D->h || !D->t || !D->work)
        return xp_err_set(e, XP_NOMEM, "out of memory for a sparse "
                          "eigen-solve (%lld nodes, %d basis vectors)",
                          (long long)D->n, D->mmax);
    return XP_OK;
}

/*
 * After convergence: find the first clear gap at or after the wanted pairs
 * (th[c] - rn[c] above th[c-1] + E, E = ||R|| of the pairs below, all
 * converged), count the eigenvalues below its middle, and say whether the
 * pairs below are certified (1), an eigenvalue was missed (-1: the caller
 * adds a start vector), or no decision is possible yet (0).
 */
static xp_status dav_certify(xp__dav *D, double tol, int *verdict,
                             xp_fiedler_info *info, xp_err *e)
{
    double r2 = 0;
    *verdict = 0;
    for (int c = 0; c < D->nr; c++) {
        if (!(D->rn[c] <= tol))
            return XP_OK; /* the pairs below c are not all converged */
        r2 += D->rn[c] * D->rn[c];
        if (c + 1 >= D->nr || c + 1 < D->nw)
            continue;
        double E = sqrt(r2), lo = D->th[c] + E;
        double hi = D->th[c + 1] - D->rn[c + 1];
        if (!(hi > lo))
            continue;
        double sigma = lo + (hi - lo) / 2, beta = 0;
        int64_t cnt = 0;
        xp_sldl G;
        xp_status s = xp_sldl_refactor(&D->F, D->g, sigma, &G, e);
        cnt = G.neg;
        beta = xp_sldl_beta(&G);
        xp_sldl_free(&G);
        if (s == XP_BUDGET) {
            xp_err_clear(e);
            *verdict = 2; /* unsure: no certificate */
            return XP_OK;
        }
        XP_CALL(s);
        if (!(sigma - beta > lo) || !(sigma + beta < hi)) {
            *verdict = 2;
        } else if (cnt == c + 2) { /* lambda_0 = 0 and the c + 1 pairs */
            *verdict = 1;
            D->kcert = c + 2;
            info->ebound = E;
            info->counted = cnt;
            info->next_lo = sigma - beta; /* of the first not returned */
        } else {
            *verdict = cnt > c + 2 ? -1 : 2;
            D->missing = cnt - (c + 2);
        }
        return XP_OK;
    }
    return XP_OK;
}

/*
 * Move the preconditioner's shift below the lowest Ritz value: mu =
 * theta_0 - 2 r_0 - (theta_1 - theta_0) / 4 (below lambda_1 when theta_0
 * belongs to it, but not so close that (L - mu I)^-1 sees nothing else), so
 * that the operator separates the wanted eigenvalues, even when they are
 * clustered (stars of equal rules) and a shift at 0 sees them as one. Only
 * the speed depends on the shift; a factor that fails is not used.
 */
static xp_status dav_reshift(xp__dav *D, xp_err *e)
{
    double gap = D->nr > 1 ? D->th[1] - D->th[0] : 0;
    double mu = D->th[0] - 2 * D->rn[0] - gap / 4;
    if (!(mu > D->mu) || !(D->rn[0] <= 1e-2 * D->th[0]) ||
        D->F.r > XP__RESHIFT_TAIL)
        return XP_OK;
    xp_sldl G;
    xp_status s = xp_sldl_refactor(&D->F, D->g, mu, &G, e);
    if (s == XP_BUDGET) {
        xp_err_clear(e);
        return XP_OK;
    }
    XP_CALL(s);
    if (G.bad || !(xp_sldl_beta(&G) < 1e-6 * D->th[0])) {
        xp_sldl_free(&G);
        return XP_OK;
    }
    xp_sldl_free(&D->F);
    D->F = G;
    D->mu = mu;
    return XP_OK;
}

/* Largest residual among the wanted pairs. */
static double dav_worst(const xp__dav *D)
{
    double r = 0;
    for (int c = 0; c < D->nw && c < D->nr; c++)
        r = fmax(r, D->rn[c]);
    return r;
}

static xp_status dav_run(xp__dav *D, const xp_fiedler_opts *o,
                         xp_fiedler_info *info, xp_err *e)
{
    double tol = o->tol * info->norm, best = INFINITY;
    int injected = 0, since = 0;
    for (int j = 0; j < D->b; j++)
        dav_append_fixed(D);
    for (info->iters = 0; info->iters < o->maxit; info->iters++) {
        XP_CALL(dav_ritz(D, e));
        int verdict = 0;
        if (D->nr > D->nw)
            XP_CALL(dav_certify(D, tol, &verdict, info, e));
        if (verdict == 1 || verdict == 2) {
            info->outcome = verdict == 1 ? XP_FIEDLER_OK : XP_FIEDLER_UNSURE;
            return XP_OK;
        }
        /* Stagnation: no halving of the worst residual in a while. */
        if (dav_worst(D) < best / 2) {
            best = dav_worst(D);
            since = 0;
        } else if (++since >= XP__STALL) {
            break;
        }
        if (info->iters % XP__RESHIFT == XP__RESHIFT - 1)
            XP_CALL(dav_reshift(D, e));
        if (D->m + D->b > D->mmax)
            dav_restart(D);
        int added = dav_expand(D, tol);
        if (added == 0 && D->extra + 2 > XP__MAX_EXTRA)
            break; /* following too many pairs: give up */
        if (added == 0 && verdict == -1) {
            /* Eigenvalues were missed (repeated ones, or start vectors
             * blind to them): a start vector for each, and two more Ritz
             * pairs followed, as a new direction's starts high. */
            for (int64_t j = 0; j < D->missing && injected < XP__MAX_INJECT &&
                                D->extra + 2 <= XP__MAX_EXTRA;
                 j++, injected++) {
                added += dav_append_fixed(D);
                D->extra += 2;
                best = INFINITY; /* new pairs: start the stall count again */
            }
        } else if (added == 0 && D->nr < D->m) {
            /* Every pair followed has converged, with no gap after them:
             * follow two more. */
            D->extra += 2;
            added = 1;
            best = INFINITY;
        } else if (added == 0 && injected++ < XP__MAX_INJECT) {
            added = dav_append_fixed(D);
            best = INFINITY;
        }
        if (added == 0) {
            /* Nothing new: the whole space, or stuck. */
            info->outcome = XP_FIEDLER_UNSURE;
            return XP_OK;
        }
    }
    info->outcome = XP_FIEDLER_NOCONV;
    return XP_OK;
}

/* ------------------------------------------------------------------------
 * Spectrum slicing, for graphs whose factor is cheap (nearly trees). The
 * count of eigenvalues below x (the inertia of L - x I, Sylvester) is exact
 * up to the factor's backward error, so bisection on it brackets every
 * wanted eigenvalue and its multiplicity, however clustered or repeated
 * they are (stars of rules with equal scores repeat one eigenvalue dozens
 * of times, which Krylov methods find one copy at a time). Each group of
 * close eigenvalues then gets its vectors by block inverse iteration with a
 * shift just below it, and one Rayleigh-Ritz with L over all groups gives
 * the pairs and their residuals.
 */
typedef struct xp__slice {
    xp__dav *D;
    int64_t max_fill;
    double btol;      /* bracket width */
    int64_t ns, cap;  /* samples */
    double *sx, *sb;  /* sample points, backward error of their counts */
    int64_t *sc;      /* eigenvalues counted below them */
    uint8_t *sge;     /* 1: at least sc below (an upper bound only) */
    int ncount;       /* factorisations made */
    double norm;
} xp__slice;

/* Iterations of block inverse iteration per group, at most. */
#define XP__INV_MAXIT 25
/* Factorisations for the brackets, at most. */
#define XP__SLICE_MAXCOUNT 2000
/* Steps of inverse iteration before the Ritz upper bounds. */
#define XP__UPPER_STEPS 4
/* Eigenvalues closer than this many bracket widths form one group. */
#define XP__GROUP_GAP 100.0

static xp_status slice_sample(xp__slice *S, double x, int64_t cnt,
                              double beta, xp_err *e)
{
    if (S->ns == S->cap) {
        int64_t cap = S->cap ? 2 * S->cap : 64;
        double *px = realloc(S->sx, (size_t)cap * sizeof *px);
        XP_ALLOC_CHECK(e, px, "the slicing samples");
        S->sx = px;
        px = realloc(S->sb, (size_t)cap * sizeof *px);
        XP_ALLOC_CHECK(e, px, "the slicing samples");
        S->sb = px;
        uint8_t *pg = realloc(S->sge, (size_t)cap);
        XP_ALLOC_CHECK(e, pg, "the slicing samples");
        S->sge = pg;
        int64_t *pc = realloc(S->sc, (size_t)cap * sizeof *pc);
        XP_ALLOC_CHECK(e, pc, "the slicing samples");
        S->sc = pc;
        S->cap = cap;
    }
    S->sx[S->ns] = x;
    S->sb[S->ns] = beta;
    S->sge[S->ns] = beta < 0;
    S->sc[S->ns++] = cnt;
    return XP_OK;
}

/*
 * *cnt = eigenvalues below x, or -1 after a zero pivot or past the fill
 * budget. The count is exact for L + E, ||E|| <= beta: so at least cnt
 * eigenvalues lie below x + beta, and at most cnt below x - beta.
 */
static xp_status slice_count(xp__slice *S, double x, int64_t *cnt, xp_err *e)
{
    xp_sldl G;
    S->ncount++;
    xp_status s = xp_sldl_refactor(&S->D->F, S->D->g, x, &G, e);
    if (s == XP_BUDGET) {
        xp_err_clear(e);
        *cnt = -1;
        return XP_OK;
    }
    XP_CALL(s);
    double beta = xp_sldl_beta(&G);
    *cnt = !G.bad && beta < INFINITY ? G.neg : -1;
    xp_sldl_free(&G);
    return *cnt >= 0 ? slice_sample(S, x, *cnt, beta, e) : XP_OK;
}

/*
 * Bracket eigenvalue j (1-based: lambda_1 = 0): lambda_j in [*lo, *hi),
 * hi - lo <= btol, taking every count as exact. Counts near an eigenvalue
 * may be off (tiny pivots); the brackets only guide the shifts and the
 * groups, and the result is certified at the end by a count far from any
 * eigenvalue (slice_certify). *ok = 0 when the counts contradict each
 * other.
 */
static xp_status slice_bracket(xp__slice *S, int64_t j, double *lo, double *hi,
                               int *ok, xp_err *e)
{
    *ok = 0;
    for (;;) {
        double a = -INFINITY, b = INFINITY;
        for (int64_t i = 0; i < S->ns; i++) {
            if (S->sc[i] < j && !S->sge[i] && S->sx[i] > a)
                a = S->sx[i];
            if (S->sc[i] >= j && S->sx[i] < b)
                b = S->sx[i];
        }
        if (!(a < b) || !isfinite(a) || !isfinite(b))
            return XP_OK; /* contradictory counts */
        *lo = a;
        *hi = b;
        if (b - a <= S->btol) {
            *ok = 1;
            return XP_OK;
        }
        if (S->ncount >= XP__SLICE_MAXCOUNT)
            return XP_OK;
        /* Geometric steps while the bracket spans orders of magnitude
         * (lambda_2 of a rule graph may be 1e-5 |L|), then halving. */
        double mid = a > 0 && b > 8 * a ? sqrt(a * b) : a + (b - a) / 2;
        int64_t cnt = -1;
        for (int t = 0; t < 3 && cnt < 0; t++) /* mid, then 1/3, 2/3 */
            XP_CALL(slice_count(S, t == 0   ? mid
                                   : t == 1 ? a + (b - a) / 3
                                            : a + (b - a) * 2 / 3,
                                &cnt, e));
        if (cnt < 0)
            return XP_OK;
    }
}

/* Orthonormalise x against 1 and the m columns of P, twice; 0 if nothing
 * is left of it. */
static int orth_against(double *x, const double *P, int m, int64_t n,
                        const double *z)
{
    double before = sqrt(dot(x, x, n));
    for (int pass = 0; pass < 2; pass++) {
        remove_null(x, n, z);
        for (int j = 0; j < m; j++) {
            const double *q = P + (size_t)j * (size_t)n;
            double d = dot(q, x, n);
            for (int64_t i = 0; i < n; i++)
                x[i] -= d * q[i];
        }
    }
    double after = sqrt(dot(x, x, n));
    if (!(after > XP__DROP * before) || !(after > 0))
        return 0;
    for (int64_t i = 0; i < n; i++)
        x[i] /= after;
    return 1;
}

/* ||L X - X (X' L X)||_F for the mg orthonormal columns of X. */
static double block_residual(const xp__dav *D, const double *X, int mg,
                             double *LX, double *Hg)
{
    int64_t n = D->n;
    for (int a = 0; a < mg; a++)
        lap_mv(D->g, D->deg, X + (size_t)a * (size_t)n,
               LX + (size_t)a * (size_t)n);
    for (int a = 0; a < mg; a++)
        for (int b = 0; b < mg; b++)
            Hg[a + (size_t)b * (size_t)mg] =
                dot(X + (size_t)a * (size_t)n, LX + (size_t)b * (size_t)n, n);
    double r2 = 0;
    for (int b = 0; b < mg; b++) {
        const double *lx = LX + (size_t)b * (size_t)n;
        for (int64_t i = 0; i < n; i++) {
            double v = lx[i];
            for (int a = 0; a < mg; a++)
                v -= X[i + (size_t)a * (size_t)n] * Hg[a + (size_t)b * (size_t)mg];
            r2 += v * v;
        }
    }
    return sqrt(r2);
}

/*
 * Vectors for a group of mg eigenvalues by block inverse iteration with the
 * shift mu (just below the group), orthogonal to the m columns of P already
 * found; appended to P. *ok = 0 when it failed.
 */
static xp_status slice_group(xp__slice *S, double mu, int mg, double *P,
                             int m, double tol, int *ok, xp_err *e)
{
    xp__dav *D = S->D;
    int64_t n = D->n;
    xp_sldl G;
    *ok = 0;
    xp_status s = xp_sldl_refactor(&D->F, D->g, mu, &G, e);
    if (s == XP_BUDGET) {
        xp_err_clear(e);
        return XP_OK;
    }
    XP_CALL(s);
    double *X = P + (size_t)m * (size_t)n;
    double *LX = malloc((size_t)n * (size_t)mg * sizeof *LX);
    double *Hg = malloc((size_t)mg * (size_t)mg * sizeof *Hg);
    if (!LX || !Hg || G.bad)
        s = !LX || !Hg ? xp_err_set(e, XP_NOMEM, "out of memory for inverse "
                                    "iteration") : XP_OK;
    for (int a2 = 0; s == XP_OK && !G.bad && a2 < mg; a2++) {
        double *x = X + (size_t)a2 * (size_t)n;
        uint64_t seed = D->seed++;
        for (int64_t i = 0; i < n; i++)
            x[i] = fixed_entry(i, seed);
    }
    double last = INFINITY, floor = 1e-3 * tol;
    for (int it = 0; s == XP_OK && !G.bad && it < XP__INV_MAXIT; it++) {
        int fine = 1;
        for (int a2 = 0; a2 < mg && fine; a2++) {
            double *x = X + (size_t)a2 * (size_t)n;
            if (it > 0) {
                remove_null(x, n, D->g->null);
                xp_sldl_solve(&G, x);
                D->nsolve++;
            }
            fine = orth_against(x, P, m + a2, n, D->g->null);
        }
        if (!fine)
            break;
        /* Past tol, on while it still halves: more accurate vectors
         * decide more splits without a dense solve. */
        double r = it > 0 ? block_residual(D, X, mg, LX, Hg) : INFINITY;
        *ok = r <= tol;
        if (r <= floor || (*ok && !(r < last / 2)))
            break;
        last = r;
    }
    free(LX);
    free(Hg);
    xp_sldl_free(&G);
    return s;
}

/* Are eigenvalues j and j + 1 in one group (close against their
 * brackets' widths)? */
static int same_group(const double *lo, const double *hi, int j, double btol)
{
    double w = fmax(btol, fmax(hi[j] - lo[j], hi[j + 1] - lo[j + 1]));
    return lo[j + 1] - hi[j] <= XP__GROUP_GAP * w;
}

/*
 * Upper bounds that shorten the bisections: the Ritz values of kb vectors
 * after a few steps of inverse iteration are upper bounds of lambda_2..
 * lambda_{kb+1} (Cauchy interlacing), recorded as samples "at least j + 2
 * eigenvalues below". X: room for n x kb.
 */
static xp_status slice_upper(xp__slice *S, int kb, double *X, xp_err *e)
{
    xp__dav *D = S->D;
    int64_t n = D->n;
    int info = 0, lw = 3 * kb + 8;
    double *LX = malloc((size_t)n * (size_t)kb * sizeof *LX);
    double *Hg = malloc((size_t)kb * (size_t)kb * sizeof *Hg);
    double *th = malloc((size_t)kb * sizeof *th);
    double *work = malloc((size_t)lw * sizeof *work);
    xp_status s = LX && Hg && th && work
                      ? XP_OK
                      : xp_err_set(e, XP_NOMEM, "out of memory for bounds");
    int fine = s == XP_OK;
    for (int a = 0; fine && a < kb; a++) {
        double *x = X + (size_t)a * (size_t)n;
        uint64_t seed = D->seed++;
        for (int64_t i = 0; i < n; i++)
            x[i] = fixed_entry(i, seed);
    }
    for (int it = 0; fine && it < XP__UPPER_STEPS; it++)
        for (int a = 0; fine && a < kb; a++) {
            double *x = X + (size_t)a * (size_t)n;
            apply_pinv(D, x);
            fine = orth_against(x, X, a, n, D->g->null);
        }
    if (fine) {
        block_residual(D, X, kb, LX, Hg);
        dsyev_("N", "U", &kb, Hg, &kb, th, work, &lw, &info, 1, 1);
    }
    for (int j = 0; fine && info == 0 && s == XP_OK && j < kb; j++)
        s = slice_sample(S, th[j] + 1e-12 * S->norm + S->btol, j + 2, -1, e);
    free(LX);
    free(Hg);
    free(th);
    free(work);
    return s;
}

/* Brackets of lambda_2..lambda_J, J the first index past k - 1 not in a
 * group with the one before; lo/hi hold J + 1 entries. */
static xp_status slice_brackets(xp__slice *S, int k, int kmax, double *lo,
                                double *hi, int *J, xp_err *e)
{
    *J = 0;
    for (int j = 2; j <= kmax; j++) {
        int ok = 0;
        XP_CALL(slice_bracket(S, j, &lo[j], &hi[j], &ok, e));
        if (!ok)
            return XP_OK;
        if (j > k && !same_group(lo, hi, j - 1, S->btol)) {
            *J = j;
            return XP_OK;
        }
    }
    return XP_OK;
}

/* The vectors of lambda_2..lambda_{J-1}, group by group, into P; *m
 * of them. *ok = 0 when a group failed. */
static xp_status slice_vectors(xp__slice *S, const double *lo,
                               const double *hi, int J, double tol, double *P,
                               int *m, int *ok, xp_err *e)
{
    xp_status s = XP_OK;
    *m = 0;
    *ok = 1;
    for (int j = 2; s == XP_OK && *ok && j < J;) {
        int j1 = j; /* the group: j..j1 */
        while (j1 + 1 < J && same_group(lo, hi, j1, S->btol))
            j1++;
        /* The shift: below the group by a tenth of its distance to the
         * nearest other eigenvalue, so that inverse iteration converges
         * fast and the factor stays away from singular. */
        double below = j == 2 ? lo[j] : lo[j] - hi[j - 1];
        double gap = fmin(below, lo[j1 + 1] - hi[j1]);
        s = slice_group(S, lo[j] - fmax(gap / 10, S->btol), j1 - j + 1, P,
                        *m, tol, ok, e);
        *m += j1 - j + 1;
        j = j1 + 1;
    }
    return s;
}

/*
 * Rayleigh-Ritz with L over the m vectors of P, then the certificate: a
 * count in the gap after the pairs (below lo_next), with its backward error
 * (away from eigenvalues, small), must see exactly them and lambda_1.
 */
static xp_status slice_finish(xp__dav *D, const double *P, int m,
                              double lo_next, double tol,
                              xp_fiedler_info *info, xp_err *e)
{
    int64_t n = D->n;
    int ok = 1;
    D->mmax = m + 1;
    D->nw = m;
    D->b = 0;
    XP_CALL(dav_alloc(D, e));
    for (int j = 0; ok && j < m; j++) {
        memcpy(D->t, P + (size_t)j * (size_t)n, (size_t)n * sizeof *D->t);
        ok = dav_append(D);
    }
    if (!ok || D->m != m)
        return XP_OK;
    XP_CALL(dav_ritz(D, e));
    double r2 = 0;
    for (int c = 0; c < m; c++)
        r2 += D->rn[c] * D->rn[c];
    double E = sqrt(r2), top = D->th[m - 1] + E;
    if (!(E <= 2 * tol * sqrt((double)m)) || !(top < lo_next))
        return XP_OK;
    /* Nine tenths of the way to the next bracket: next_lo bounds the
     * split's error (Davis-Kahan), the closer to the next eigenvalue the
     * better. */
    double sigma = top + 0.9 * (lo_next - top);
    xp_sldl G;
    XP_CALL(xp_sldl_refactor(&D->F, D->g, sigma, &G, e));
    int64_t cnt = G.bad ? -1 : G.neg;
    double beta = xp_sldl_beta(&G);
    xp_sldl_free(&G);
    if (cnt == m + 1 && sigma - beta > top) {
        info->outcome = XP_FIEDLER_OK;
        info->ebound = E;
        info->next_lo = sigma - beta;
        info->counted = cnt;
        D->kcert = m + 1;
    }
    return XP_OK;
}

static xp_status slice_run(xp__dav *D, const xp_fiedler_opts *o,
                           xp_fiedler_info *info, xp_err *e)
{
    int64_t n = D->n;
    double norm = info->norm, tol = o->tol * norm;
    int kmax = (int)((n - 8) / 4 < 128 ? (n - 8) / 4 : 128);
    xp__slice S = {D, o->max_fill, 0, 0, 0, NULL, NULL, NULL, NULL, 0, norm};
    S.btol = fmax(1e-12 * norm, 8 * xp_sldl_beta(&D->F));
    double *lo = malloc(((size_t)kmax + 2) * sizeof *lo);
    double *hi = malloc(((size_t)kmax + 2) * sizeof *hi);
    double *P = malloc((size_t)n * ((size_t)kmax + 1) * sizeof *P);
    xp_status s = lo && hi && P ? XP_OK
                                : xp_err_set(e, XP_NOMEM, "out of memory for "
                                             "spectrum slicing");
    int64_t c0 = -1;
    int J = 0, m = 0, ok = 0;
    info->outcome = XP_FIEDLER_UNSURE;
    /* lambda_1 = 0 alone below 1e-10 |L|; all n below |L| (+ a margin). */
    if (s == XP_OK)
        s = slice_count(&S, XP__SHIFT * norm, &c0, e);
    if (s == XP_OK && c0 == 1)
        s = slice_sample(&S, norm * (1 + 1e-9), n, 0, e);
    if (s == XP_OK && c0 == 1)
        s = slice_upper(&S, D->nw + 2 < kmax ? D->nw + 2 : kmax, P, e);
    if (s == XP_OK && c0 == 1)
        s = slice_brackets(&S, D->nw + 1, kmax, lo, hi, &J, e);
    if (s == XP_OK && J > 0)
        s = slice_vectors(&S, lo, hi, J, tol, P, &m, &ok, e);
    if (s == XP_OK && J > 0 && ok)
        s = slice_finish(D, P, m, lo[J], tol, info, e);
    info->iters = S.ncount;
    free(S.sx);
    free(S.sb);
    free(S.sge);
    free(S.sc);
    free(lo);
    free(hi);
    free(P);
    return s;
}

void xp_fiedler_pairs_free(xp_fiedler_pairs *p)
{
    free(p->w);
    free(p->Z);
    free(p->rn);
    memset(p, 0, sizeof *p);
}

/* The certified pairs of D (lambda_0 = 0 with the constant vector, then
 * Ritz pairs 0..kcert-2) into *out. */
static xp_status take_pairs(const xp__dav *D, xp_fiedler_pairs *out,
                            xp_err *e)
{
    int64_t n = D->n;
    int k = D->kcert;
    out->k = k;
    out->w = malloc((size_t)k * sizeof *out->w);
    out->rn = malloc((size_t)k * sizeof *out->rn);
    out->Z = malloc((size_t)n * (size_t)k * sizeof *out->Z);
    if (!out->w || !out->rn || !out->Z) {
        xp_fiedler_pairs_free(out);
        return xp_err_set(e, XP_NOMEM, "out of memory for %d eigenpairs", k);
    }
    out->w[0] = 0;
    out->rn[0] = 0;
    for (int64_t i = 0; i < n; i++)
        out->Z[i] = D->g->null ? D->g->null[i] : 1 / sqrt((double)n);
    for (int c = 0; c + 1 < k; c++) {
        out->w[1 + c] = D->th[c];
        out->rn[1 + c] = D->rn[c];
        memcpy(out->Z + (size_t)(1 + c) * (size_t)n,
               D->X + (size_t)c * (size_t)n, (size_t)n * sizeof *out->Z);
    }
    return XP_OK;
}

xp_status xp_fiedler_smallest(const xp_lapgraph *g, int k,
                              const xp_fiedler_opts *o, xp_fiedler_pairs *out,
                              xp_fiedler_info *info, xp_err *e)
{
    int64_t n = g->n;
    memset(info, 0, sizeof *info);
    memset(out, 0, sizeof *out);
    if (k < 2 || 4 * (int64_t)k + 8 > n)
        return xp_err_set(e, XP_ARG, "sparse eigen-solver: %d pairs of a "
                          "%lld-node graph, expected 2 <= k <= (n - 8) / 4",
                          k, (long long)n);
    xp__dav D;
    memset(&D, 0, sizeof D);
    double *deg = malloc((size_t)n * sizeof *deg);
    XP_ALLOC_CHECK(e, deg, "the degrees");
    for (int64_t i = 0; i < n; i++) {
        deg[i] = 0;
        for (int64_t q = g->rowptr[i]; q < g->rowptr[i + 1]; q++)
            deg[i] += g->val[q];
        if (g->diag != NULL)
            deg[i] = g->diag[i];
        info->norm = fmax(info->norm, 2 * deg[i]);
    }
    D.g = g;
    D.deg = deg;
    D.n = n;
    D.nw = k - 1;
    D.seed = 1;
    /* L + s I: positive definite, with 1/s bounding L^+'s amplification of
     * the constant direction and of near-zero modes (tiny rule scores). */
    D.mu = -XP__SHIFT * info->norm;
    xp_status s = xp_sldl_factor(g, D.mu, NULL, 0, o->max_fill, &D.F, e);
    info->fill = xp_sldl_fill(&D.F);
    int slicing = o->method == XP_FIEDLER_SLICING ||
                  (o->method == XP_FIEDLER_AUTO &&
                   (double)info->fill <= o->slice_fill * (double)n);
    int factored = s == XP_OK && !D.F.bad;
    if (s == XP_BUDGET || (s == XP_OK && D.F.bad)) {
        info->outcome = D.F.bad ? XP_FIEDLER_UNSURE : XP_FIEDLER_FILL;
        xp_err_clear(e);
        s = XP_OK;
    } else if (s == XP_OK && slicing) {
        info->method = XP_FIEDLER_SLICING;
        s = slice_run(&D, o, info, e);
    }
    /* Davidson: chosen, or (AUTO) when slicing could not decide. */
    if (s == XP_OK && factored && o->method != XP_FIEDLER_SLICING &&
        (!slicing || info->outcome != XP_FIEDLER_OK)) {
        dav_reset(&D);
        D.nw = k - 1;
        info->method = XP_FIEDLER_DAVIDSON;
        /* One new direction per iteration: measured as fast as blocks of
         * 2-4 (docs/clustering.md); a repeated eigenvalue that one Krylov
         * sequence cannot see is caught by the inertia count, which adds a
         * start vector. */
        D.b = 1;
        D.mmax = 2 * (D.nw + D.b) + 16 + XP__MAX_EXTRA;
        if (D.mmax > n - 1)
            D.mmax = (int)(n - 1);
        s = dav_alloc(&D, e);
        if (s == XP_OK)
            s = dav_run(&D, o, info, e);
    }
    info->nsolve = D.nsolve;
    if (s == XP_OK && info->outcome == XP_FIEDLER_OK)
        s = take_pairs(&D, out, e);
    dav_free(&D);
    free(deg);
    return s;
}

/* xp_out.c - rules.jsonl and the atomic output protocol. */
#define _GNU_SOURCE
#include "xp_out.h"

#include <errno.h>
#include <math.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xp_count.h"
#include "xp_mem.h"
#include "xp_sort.h"
#include "xp_str.h"

static void xp__host(const xp_meta *m, uint32_t h, char *buf, size_t size)
{
    if (h == XP_HOST_ANY) {
        snprintf(buf, size, "*");
        return;
    }
    xp_addr_format(&m->hosts[h], buf, size);
}

char *xp_side_id(const xp_meta *m, uint32_t col, int act, char *buf, size_t size)
{
    const xp_objkey *k = &m->cols[col];
    char s[64], d[64];
    xp_sb b;
    xp__host(m, k->src, s, sizeof s);
    xp__host(m, k->dst, d, sizeof d);
    xp_sb_init(&b, buf, size);
    xp_sb_side_id(&b, s, k->sport, d, k->dport, k->proto, act == XP_NEW);
    return buf;
}

static void xp__port(FILE *f, int32_t port)
{
    if (port == XP_PORT_ANY)
        fputs("\"*\"", f);
    else
        xp_fput_int(f, port);
}

static void xp__side_json(FILE *f, const xp_meta *m, uint32_t col, int act)
{
    const xp_objkey *k = &m->cols[col];
    char s[64], d[64];
    xp__host(m, k->src, s, sizeof s);
    xp__host(m, k->dst, d, sizeof d);
    /* Not fprintf, for every rule: src/xp_str.h says why. */
    fputs("{\"src\": \"", f);
    fputs(s, f);
    fputs("\", \"sport\": ", f);
    xp__port(f, k->sport);
    fputs(", \"dst\": \"", f);
    fputs(d, f);
    fputs("\", \"dport\": ", f);
    xp__port(f, k->dport);
    fputs(", \"proto\": ", f);
    if (xp_side_proto(k->proto)) {
        fputc('"', f);
        fputs(xp_side_proto(k->proto), f);
        fputc('"', f);
    } else {
        xp_fput_int(f, k->proto);
    }
    fputs(act == XP_NEW ? ", \"act\": \"new\"}" : ", \"act\": \"present\"}", f);
}

void xp_out_json_escaped(FILE *f, const char *s, int html)
{
    fputc('"', f);
    while (*s) {
        /* a run to copy as is */
        size_t n = strcspn(s, html ? "\"\\<>&" XP_OUT_CTL : "\"\\" XP_OUT_CTL);
        fwrite(s, 1, n, f);
        s += n;
        if (*s == 0)
            break;
        unsigned char c = (unsigned char)*s++;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (html && c == '\n')
            fputs("\\n", f);
        else
            fprintf(f, "\\u%04x", c);
    }
    fputc('"', f);
}

void xp_out_json_string(FILE *f, const char *s)
{
    xp_out_json_escaped(f, s, 0);
}

typedef struct xp__rkey {
    double score;
    uint32_t ra, rb;   /* the side ids' ranks in strcmp order (xp__ids) */
    const char *a, *b; /* the side ids */
    int64_t idx;
} xp__rkey;

/* strcmp of the rules' texts "A => B", without making them. */
static int xp__cmp_text(const xp__rkey *x, const xp__rkey *y)
{
    if (x->a == y->a) /* the same node: the texts differ after " => " */
        return strcmp(x->b, y->b);
    const char *px[3] = {x->a, " => ", x->b}, *py[3] = {y->a, " => ", y->b};
    const char *p = px[0], *q = py[0];
    for (int i = 0, j = 0;;) {
        while (*p == '\0' && i < 2)
            p = px[++i];
        while (*q == '\0' && j < 2)
            q = py[++j];
        unsigned char c = (unsigned char)*p++, d = (unsigned char)*q++;
        if (c != d || c == '\0')
            return (c > d) - (c < d);
    }
}

/* Score first (highest first), then the texts, then the rules' order. */
static int xp__cmp_rkey(const void *x, const void *y)
{
    const xp__rkey *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    int t = xp__cmp_text(a, b);
    return t != 0 ? t : (a->idx > b->idx) - (a->idx < b->idx);
}

/* The same order from the ranks, when no side id is a proper prefix of
 * another: then "A => B" against "A' => B'" is decided inside A and A'
 * (strcmp(A, A')) unless A is A', and then by strcmp(B, B'). */
static int xp__cmp_rkey_ranked(const void *x, const void *y)
{
    const xp__rkey *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->ra != b->ra)
        return a->ra < b->ra ? -1 : 1;
    if (a->rb != b->rb)
        return a->rb < b->rb ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Both inlined into a quicksort (xp_sort.h). Equal scores are common
 * (every rule's reverse has its score), and comparing their texts byte by
 * byte under glibc's qsort, which also mergesorted through a fresh 0.9 MB
 * array, made xp_out_sort_rules 57 M instructions for 27,694 rules, on
 * every rank (1000 clients x 7 h, callgrind); by the ranks, 16 M. */
#define XP__RKEY_LT(x, y) (xp__cmp_rkey(&(x), &(y)) < 0)
#define XP__RKEY_RANKED_LT(x, y) (xp__cmp_rkey_ranked(&(x), &(y)) < 0)
XP_QUICKSORT(xp__sort_rkeys, xp__rkey, XP__RKEY_LT, xp__cmp_rkey)
XP_QUICKSORT(xp__sort_rkeys_ranked, xp__rkey, XP__RKEY_RANKED_LT, xp__cmp_rkey_ranked)

/* Each node's id once (a node is in many rules): 2 ncols slots, filled for
 * the nodes the rules use, the texts in one arena; rank: each id's place
 * among them in strcmp order (equal texts, equal ranks); prefix: some id
 * is a proper prefix of another, when the ranks do not give the texts'
 * order and the texts are compared. The ids' form ("SRC:SPORT>DST:DPORT/
 * PROTO new|present", one '/', no space in PROTO) allows no prefix; the
 * check keeps the order exact should that form change. */
typedef struct xp__ids {
    const char **id;
    char *arena;
    uint32_t *rank;
    int prefix;
} xp__ids;

typedef struct xp__idref {
    const char *s;
    size_t slot;
} xp__idref;

static int xp__cmp_idref(const void *x, const void *y)
{
    return strcmp(((const xp__idref *)x)->s, ((const xp__idref *)y)->s);
}

static void xp__ids_free(xp__ids *t)
{
    free(t->id);
    free(t->arena);
    free(t->rank);
    memset(t, 0, sizeof *t);
}

/* t->rank and t->prefix from the ids made. */
static xp_status xp__ids_rank(xp__ids *t, size_t nn, size_t used)
{
    xp__idref *u = malloc((used ? used : 1) * sizeof *u);
    t->rank = calloc(nn, sizeof *t->rank);
    if (u == NULL || t->rank == NULL) {
        free(u);
        return XP_NOMEM;
    }
    size_t n = 0;
    for (size_t k = 0; k < nn; k++)
        if (t->id[k] != NULL)
            u[n++] = (xp__idref){t->id[k], k};
    qsort(u, n, sizeof *u, xp__cmp_idref);
    uint32_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(u[i - 1].s, u[i].s) != 0) {
            size_t len = strlen(u[i - 1].s);
            /* A prefix sorts just before the ids that extend it. */
            t->prefix |= strncmp(u[i - 1].s, u[i].s, len) == 0;
            r++;
        }
        t->rank[u[i].slot] = r;
    }
    free(u);
    return XP_OK;
}

static xp_status xp__ids_make(const xp_meta *m, const xp_rules *r, xp__ids *t, xp_err *e)
{
    size_t nn = 2 * (size_t)m->ncols + 1, used = 0;
    memset(t, 0, sizeof *t);
    t->id = calloc(nn, sizeof *t->id);
    for (int64_t i = 0; t->id && i < r->n; i++)
        for (int side = 0; side < 2; side++) {
            uint32_t col = side ? r->v[i].b : r->v[i].a;
            int act = side ? r->v[i].act_b : r->v[i].act_a;
            const char **slot = &t->id[2 * (size_t)col + (act != XP_NEW)];
            used += *slot == NULL;
            *slot = *slot ? *slot : "";
        }
    if (t->id && (t->arena = malloc(used * XP_SIDE_ID_MAX + 1)) != NULL) {
        char *p = t->arena;
        for (size_t k = 0; k + 1 < nn; k++)
            if (t->id[k] != NULL) {
                xp_side_id(m, (uint32_t)(k / 2), k % 2 ? XP_PRESENT : XP_NEW, p, XP_SIDE_ID_MAX);
                t->id[k] = p;
                p += strlen(p) + 1;
            }
    }
    if (t->id == NULL || t->arena == NULL || xp__ids_rank(t, nn, used) != XP_OK) {
        xp__ids_free(t);
        return xp_err_set(e, XP_NOMEM, "out of memory sorting %lld rules", (long long)r->n);
    }
    return XP_OK;
}

xp_status xp_out_sort_rules(const xp_meta *m, xp_rules *r, xp_err *e)
{
    xp__ids t;
    XP_CALL(xp__ids_make(m, r, &t, e));
    xp__rkey *k = xp_mem_malloc((size_t)(r->n ? r->n : 1) * sizeof *k);
    xp_status s = XP_OK;
    if (k == NULL)
        s = xp_err_set(e, XP_NOMEM, "out of memory sorting %lld rules", (long long)r->n);
    for (int64_t i = 0; s == XP_OK && i < r->n; i++) {
        const xp_rule *x = &r->v[i];
        size_t sa = 2 * (size_t)x->a + (x->act_a != XP_NEW);
        size_t sb = 2 * (size_t)x->b + (x->act_b != XP_NEW);
        k[i] = (xp__rkey){x->score, t.rank[sa], t.rank[sb], t.id[sa], t.id[sb], i};
    }
    if (s == XP_OK) {
        if (t.prefix)
            xp__sort_rkeys(k, r->n, xp_sort_depth(r->n));
        else
            xp__sort_rkeys_ranked(k, r->n, xp_sort_depth(r->n));
        /* Place i gets rule k[i].idx: moved in place along each cycle of the
         * permutation (k[j].idx = j marks j done), not through a copy of
         * all rules: a fresh 2.7 MB array was about 500 page faults, 6 ms,
         * on every rank (1000 clients x 7 h; bench/touch_bench). */
        for (int64_t i = 0; i < r->n; i++) {
            if (k[i].idx == i)
                continue;
            xp_rule first = r->v[i];
            int64_t j = i;
            while (k[j].idx != i) {
                int64_t from = k[j].idx;
                r->v[j] = r->v[from];
                k[j].idx = j;
                j = from;
            }
            r->v[j] = first;
            k[j].idx = j;
        }
    }
    free(k);
    xp__ids_free(&t);
    return s;
}

static const char *xp__tpl_name(int t)
{
    return t == XP_TPL_FF ? "flow-flow" : t == XP_TPL_FG ? "flow-generic" : "generic-generic";
}

void xp_out_json_num(FILE *f, double x)
{
    if (isfinite(x))
        xp_fput_dbl(f, "%.10g", x);
    else
        fputs("null", f);
}

void xp_out_json_count(FILE *f, int64_t v)
{
    if (v < 0)
        fputs("null", f);
    else
        xp_fput_int(f, v);
}

/* ", \"k0\": v0, \"k1\": v1, ..." */
static void xp__ints(FILE *f, const char *const *k, const int64_t *v, int n)
{
    for (int i = 0; i < n; i++) {
        fputs(", \"", f);
        fputs(k[i], f);
        fputs("\": ", f);
        xp_fput_int(f, v[i]);
    }
}

static void xp__rule_line(FILE *f, const xp_meta *m, const xp_rule *r, int64_t i,
                          const xp_rule_clusters *cl, int paper)
{
    char a[XP_SIDE_ID_MAX], b[XP_SIDE_ID_MAX];
    double W = (double)r->nwin;
    fputs("{\"lhs\": ", f);
    xp__side_json(f, m, r->a, r->act_a);
    fputs(", \"rhs\": ", f);
    xp__side_json(f, m, r->b, r->act_b);
    fputs(", \"score\": ", f);
    xp_out_json_num(f, r->score);
    fputs(", \"p_lhs\": ", f);
    xp_out_json_num(f, (double)r->n_a / W);
    fputs(", \"p_rhs\": ", f);
    xp_out_json_num(f, (double)r->n_b / W);
    fputs(", \"p_both\": ", f);
    xp_out_json_num(f, (double)r->n_ab / W);
    fputs(", \"support\": ", f);
    xp_out_json_count(f, r->support);
    fputs(", \"template\": \"", f);
    fputs(xp__tpl_name(r->tpl), f);
    fputs("\", \"cluster\": ", f);
    if (cl && cl->cluster) {
        xp_fput_int(f, cl->cluster[i]);
        fputs(cl->cut[i] ? ", \"cut\": true" : ", \"cut\": false", f);
    } else {
        fputs("null", f);
    }
    xp__ints(f, (const char *const[]){"n_lhs", "n_rhs", "n_both", "windows"},
             (const int64_t[]){r->n_a, r->n_b, r->n_ab, r->nwin}, 4);
    if (!paper) {
        fputs(", \"q_value\": ", f);
        xp_out_json_num(f, exp(r->lnq));
        fputs(", \"log10_q\": ", f);
        xp_out_json_num(f, r->lnq / log(10.0));
        fputs(", \"lift\": ", f);
        xp_out_json_num(f, r->lift);
        if (r->tpl == XP_TPL_GG)
            xp__ints(f, (const char *const[]){"cw_lhs", "cw_rhs", "cw_both", "client_windows"},
                     (const int64_t[]){r->cw_a, r->cw_b, r->cw_ab, r->ncw}, 4);
    }
    fputs(", \"lhs_id\": ", f);
    xp_out_json_string(f, xp_side_id(m, r->a, r->act_a, a, sizeof a));
    fputs(", \"rhs_id\": ", f);
    xp_out_json_string(f, xp_side_id(m, r->b, r->act_b, b, sizeof b));
    fputs("}\n", f);
}

FILE *xp_out_fopen(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f != NULL)
        __fsetlocking(f, FSETLOCKING_BYCALLER);
    return f;
}

xp_status xp_out_open(const char *dir, const char *name, FILE **f, xp_err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.tmp", dir, name);
    *f = xp_out_fopen(path);
    if (*f == NULL)
        return xp_err_set(e, XP_IO, "%s: cannot create: %s", path, strerror(errno));
    return XP_OK;
}

xp_status xp_out_close(FILE *f, const char *dir, const char *name, xp_err *e)
{
    int bad = ferror(f);
    int err = errno;
    if (fclose(f) != 0 || bad) {
        if (!bad)
            err = errno;
        /* A cut file is of no use to anyone (out of disk: tests/edge). */
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.tmp", dir, name);
        (void)unlink(path);
        return xp_err_set(e, XP_IO, "%s/%s.tmp: write failed: %s", dir, name, strerror(err));
    }
    return XP_OK;
}

void xp_out_rule_lines(FILE *f, const xp_meta *m, const xp_rules *r, int64_t lo, int64_t hi,
                       const xp_rule_clusters *cl, int paper)
{
    for (int64_t i = lo; i < hi; i++)
        xp__rule_line(f, m, &r->v[i], i, cl, paper);
}

xp_status xp_out_rules(const char *dir, const xp_meta *m, const xp_rules *r,
                       const xp_rule_clusters *cl, int paper, xp_err *e)
{
    FILE *f;
    XP_CALL(xp_out_open(dir, "rules.jsonl", &f, e));
    xp_out_rule_lines(f, m, r, 0, r->n, cl, paper);
    return xp_out_close(f, dir, "rules.jsonl", e);
}

static ssize_t xp__mem_write(void *cookie, const char *b, size_t n)
{
    xp_out_mem *m = cookie;
    if (n > m->cap - m->n) {
        size_t cap = m->cap * 2 > m->n + n ? m->cap * 2 : m->n + n;
        char *p = xp_mem_realloc(m->p, m->n, cap);
        if (p == NULL)
            return 0; /* stdio sets the stream's error flag */
        m->p = p;
        m->cap = cap;
    }
    memcpy(m->p + m->n, b, n);
    m->n += n;
    return (ssize_t)n;
}

FILE *xp_out_memfile(xp_out_mem *m, size_t reserve)
{
    static const cookie_io_functions_t io = {.write = xp__mem_write};
    m->n = 0;
    if (m->p == NULL || m->cap < reserve) { /* else m's block is used again */
        free(m->p);
        m->cap = reserve ? reserve : 1;
        m->p = xp_mem_malloc(m->cap);
    }
    FILE *f = m->p ? fopencookie(m, "w", io) : NULL;
    if (f == NULL) {
        free(m->p);
        m->p = NULL;
        m->cap = 0;
        return NULL;
    }
    __fsetlocking(f, FSETLOCKING_BYCALLER);
    return f;
}

xp_status xp_out_commit(const char *dir, const char *const *names, int n, xp_err *e)
{
    for (int i = 0; i < n; i++) {
        char a[4096], b[4096];
        snprintf(a, sizeof a, "%s/%s.tmp", dir, names[i]);
        snprintf(b, sizeof b, "%s/%s", dir, names[i]);
        if (rename(a, b) != 0)
            return xp_err_set(e, XP_IO, "%s: cannot rename to %s: %s", a, b, strerror(errno));
    }
    return XP_OK;
}

/*
 * test_keys.c - the small building blocks the activity and the outputs
 * rely on: packed object keys (src/xp_activity_int.h) sort exactly as
 * object keys do and unpack to the same key; the printf-free string builder
 * (src/xp_str.h) prints integers as %lld does and truncates as snprintf
 * does; IPv4 addresses print as inet_ntop prints them; the huge-page
 * allocations (src/xp_mem.h) behave as malloc, calloc and realloc.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "xp_activity_int.h"
#include "xp_mem.h"
#include "xp_sort.h"
#include "xp_hash.h"
#include "xp_str.h"
#include "xp_test.h"

/* Canonical object order (xp_activity.h): generic, proto, dst, dport, src, sport. */
static int cmp_objkey(const xp_objkey *x, const xp_objkey *y)
{
#define CMP(f)                                                                                     \
    if (x->f != y->f)                                                                              \
        return x->f < y->f ? -1 : 1;
    CMP(generic)
    CMP(proto) CMP(dst) CMP(dport) CMP(src) CMP(sport)
#undef CMP
        return 0;
}

static int cmp_okey(xp_okey a, xp_okey b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    return a.lo < b.lo ? -1 : a.lo > b.lo;
}

static xp_objkey random_key(uint64_t *s)
{
    static const uint32_t hosts[] = {0, 1, 2, 0x7fffffff, 0xfffffffe, XP_HOST_ANY};
    static const int32_t ports[] = {XP_PORT_ANY, 0, 1, 80, 1023, 65535};
    xp_objkey k;
    memset(&k, 0, sizeof k);
    k.generic = (uint8_t)(xp_splitmix64(s) & 1);
    k.proto = (uint8_t)(xp_splitmix64(s) % 3 == 0 ? 255 : xp_splitmix64(s) % 2 ? 6 : 17);
    k.src = hosts[xp_splitmix64(s) % 6];
    k.dst = hosts[xp_splitmix64(s) % 6];
    k.sport = ports[xp_splitmix64(s) % 6];
    k.dport = ports[xp_splitmix64(s) % 6];
    return k;
}

static void packed_keys(void)
{
    uint64_t s = 1;
    int bad_order = 0, bad_round = 0;
    for (int i = 0; i < 200000; i++) {
        xp_objkey a = random_key(&s), b = random_key(&s);
        xp_objkey ua = xp_okey_unpack(xp_okey_pack(&a));
        bad_round += memcmp(&ua, &a, sizeof a) != 0;
        bad_order += cmp_objkey(&a, &b) != cmp_okey(xp_okey_pack(&a), xp_okey_pack(&b));
    }
    XP_CHECK_INT(bad_round, 0);
    XP_CHECK_INT(bad_order, 0);
    /* sort_unique: sorted, no repeats, every key kept. */
    enum { N = 5000 };
    xp_okey *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++) {
        xp_objkey k = random_key(&s);
        v[i] = xp_okey_pack(&k);
    }
    int64_t n = xp_okey_sort_unique(v, N), bad = 0;
    for (int64_t i = 1; i < n; i++)
        bad += cmp_okey(v[i - 1], v[i]) >= 0;
    XP_CHECK_INT(bad, 0);
    XP_CHECK(n > 100 && n < N);
    free(v);
}

static void builder(void)
{
    static const long long vals[] = {0, 7, -7, 10, 65535, -65536, LLONG_MAX, LLONG_MIN};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        char a[32], b[32];
        xp_sb sb;
        xp_sb_init(&sb, a, sizeof a);
        xp_sb_int(&sb, vals[i]);
        snprintf(b, sizeof b, "%lld", vals[i]);
        XP_CHECK_STR(a, b);
    }
    /* Truncation as snprintf: at most size - 1 bytes, always terminated. */
    char t[6];
    xp_sb sb;
    xp_sb_init(&sb, t, sizeof t);
    xp_sb_str(&sb, "abc");
    xp_sb_int(&sb, 12345);
    xp_sb_str(&sb, "tail");
    XP_CHECK_STR(t, "abc12"); /* what snprintf(t, 6, "abc%dtail", 12345) gives */
    char h[40];
    xp_sb_init(&sb, h, sizeof h);
    xp_sb_hostport(&sb, "2001:db8::1", 80);
    XP_CHECK_STR(h, "[2001:db8::1]:80");
    xp_sb_init(&sb, h, sizeof h);
    xp_sb_hostport(&sb, "10.0.0.1", -1);
    XP_CHECK_STR(h, "10.0.0.1:*");
}

static void addresses(void)
{
    uint64_t s = 3;
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        xp_addr a;
        memset(&a, 0, sizeof a);
        a.b[10] = a.b[11] = 0xff;
        uint32_t v = i < 4 ? (uint32_t[]){0, 0xffffffffu, 0x0a000001u, 0x01020304u}[i]
                           : (uint32_t)xp_splitmix64(&s);
        for (int k = 0; k < 4; k++)
            a.b[12 + k] = (uint8_t)(v >> (24 - 8 * k));
        char mine[64], ref[64];
        xp_addr_format(&a, mine, sizeof mine);
        inet_ntop(AF_INET, a.b + 12, ref, sizeof ref);
        bad += strcmp(mine, ref) != 0;
    }
    XP_CHECK_INT(bad, 0);
}

static void memory(void)
{
    size_t big = (size_t)16 << 20;
    unsigned char *p = xp_mem_malloc(big);
    XP_CHECK(p != NULL);
    if (p) {
        memset(p, 7, big);
        p = xp_mem_realloc(p, big, 2 * big);
        XP_CHECK(p != NULL && p[big - 1] == 7);
    }
    if (p) {
        /* Only the first `keep` bytes are kept; small sizes as realloc. */
        memset(p, 9, 2 * big);
        p[0] = 1;
        p = xp_mem_realloc(p, 1, 3 * big);
        XP_CHECK(p != NULL && p[0] == 1);
    }
    if (p) {
        p = xp_mem_realloc(p, 1, 100);
        XP_CHECK(p != NULL && p[0] == 1);
        free(p);
    }
    int64_t *z = xp_mem_calloc(big / 8, 8);
    XP_CHECK(z != NULL);
    int64_t nz = 0;
    for (size_t i = 0; z && i < big / 8; i++)
        nz += z[i] != 0;
    XP_CHECK_INT(nz, 0);
    free(z);
    XP_CHECK(xp_mem_calloc(SIZE_MAX / 2, 4) == NULL); /* overflow, not a short block */
}

/* xp_sb_dbl writes what printf writes, digit for digit, on a million
 * values in each format the outputs use (and others that take strfromd). */
static void doubles(void)
{
    static const char *const fmts[] = {"%.10g", "%.3g",  "%.4g",  "%g",   "%.0f",
                                       "%.1f",  "%.15g", "%.17g", "%.2f", "%.6f"};
    static const double fixed[] = {
        0.0,       -0.0,        1.0,          0.5,      0.125,
        0.25,      2.5,         9.95,         99.95,    0.05,
        1e-5,      123456789.0, 1e15,         1e16,     1e21,
        1e22,      1e23,        5e-324,       1e-310,   1.7976931348623157e308,
        0.1 + 0.2, 100.0,       9.9999999995, 999999.5, 0.00009999999995};
    uint64_t x = 0x9e3779b97f4a7c15ull;
    int bad = 0, n = 0;
    for (int i = 0; i < 1000000; i++) {
        double d;
        if (i < (int)(sizeof fixed / sizeof fixed[0])) {
            d = fixed[i];
        } else {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
            if (i % 4 == 0) {
                memcpy(&d, &x, sizeof d); /* any double */
                if (!isfinite(d))
                    continue;
            } else { /* scores, probabilities, percentages, counts */
                d = (double)(x >> 11) / 9007199254740992.0 * pow(10, (int)(x % 24) - 12);
                if (i % 8 == 1)
                    d = floor(d * 1e6) / 1e6; /* short decimals: near ties */
                if (i % 8 == 3)
                    d = -d;
            }
        }
        for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
            if (fmts[f][strlen(fmts[f]) - 1] == 'f' && fabs(d) > 1e30)
                continue; /* long, and strfromd's anyway */
            char want[400], got[400];
            xp_sb b;
            snprintf(want, sizeof want, fmts[f], d);
            xp_sb_init(&b, got, sizeof got);
            xp_sb_str(&b, "<");
            xp_sb_dbl(&b, fmts[f], d);
            bad += strcmp(got + 1, want) != 0 || got[0] != '<';
            if (bad == 1 && (strcmp(got + 1, want) != 0))
                fprintf(stderr, "xp_sb_dbl(\"%s\", %.17g): %s, printf: %s\n", fmts[f], d, got + 1,
                        want);
            n++;
        }
    }
    /* Near the switch between fixed and exponent, and near a rounding up
     * to the next power of ten: 9...95 x 10^j and its neighbours. */
    for (int j = -330; j <= 300; j++)
        for (int nines = 0; nines < 17; nines++) {
            char t[64];
            int k = 0;
            for (int q = 0; q < nines; q++)
                t[k++] = '9';
            snprintf(t + k, sizeof t - (size_t)k, "5e%d", j);
            double c = strtod(t, NULL);
            const double near[3] = {nextafter(c, 0), c, nextafter(c, INFINITY)};
            for (int q = 0; q < 3; q++)
                for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
                    if (fmts[f][strlen(fmts[f]) - 1] == 'f' && near[q] > 1e30)
                        continue;
                    char want[400], got[400];
                    xp_sb b;
                    snprintf(want, sizeof want, fmts[f], near[q]);
                    xp_sb_init(&b, got, sizeof got);
                    xp_sb_dbl(&b, fmts[f], near[q]);
                    bad += strcmp(got, want) != 0;
                    n++;
                }
        }
    XP_CHECK(n > 9000000);
    XP_CHECK_INT(bad, 0);
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}
#define U64_LT(a, b) ((a) < (b))
XP_QUICKSORT(sort_u64_inline, uint64_t, U64_LT, cmp_u64)
XP_QUICKSELECT(select_u64, uint64_t, U64_LT, sort_u64_inline)

/* XP_QUICKSORT and XP_QUICKSELECT (src/xp_sort.h) against qsort on random
 * arrays with many and few repeats, sorted and reversed inputs, and with
 * no depth left (the fallback); xp_merge_runs_u64 and xp_unique_u64. */
static void sorts(void)
{
    uint64_t s = 7;
    const int64_t sizes[] = {0, 1, 2, 23, 24, 25, 100, 1000, 20000};
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++)
        for (int kind = 0; kind < 4; kind++)
            for (int depth = 0; depth < 2; depth++) {
                int64_t n = sizes[t];
                uint64_t *v = malloc((size_t)(n + 1) * sizeof *v);
                uint64_t *ref = malloc((size_t)(n + 1) * sizeof *ref);
                uint64_t *w = malloc((size_t)(n + 1) * sizeof *w);
                for (int64_t i = 0; i < n; i++) {
                    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                    v[i] = kind == 0   ? s >> 11
                           : kind == 1 ? (s >> 33) % 7 /* repeats */
                           : kind == 2 ? (uint64_t)i
                                       : (uint64_t)(n - i);
                }
                memcpy(ref, v, (size_t)n * sizeof *v);
                qsort(ref, (size_t)n, sizeof *ref, cmp_u64);
                memcpy(w, v, (size_t)n * sizeof *v);
                sort_u64_inline(w, n, depth ? xp_sort_depth(n) : 0);
                XP_CHECK(n == 0 || memcmp(w, ref, (size_t)n * sizeof *w) == 0);
                const int64_t ks[] = {0, 1, n / 3, n / 2, n - 1, n};
                for (int q = 0; q < 6; q++) {
                    int64_t k = ks[q] < 0 ? 0 : ks[q] > n ? n : ks[q];
                    memcpy(w, v, (size_t)n * sizeof *v);
                    select_u64(w, n, k, depth ? xp_sort_depth(n) : 0);
                    /* w[0..k) holds the k smallest: sorted, they are ref's first k */
                    qsort(w, (size_t)k, sizeof *w, cmp_u64);
                    XP_CHECK(k == 0 || memcmp(w, ref, (size_t)k * sizeof *w) == 0);
                    /* and the rest the others */
                    qsort(w + k, (size_t)(n - k), sizeof *w, cmp_u64);
                    XP_CHECK(n - k == 0 ||
                             memcmp(w + k, ref + k, (size_t)(n - k) * sizeof *w) == 0);
                }
                /* Two sorted runs (the halves) merged; repeats dropped. */
                memcpy(w, v, (size_t)n * sizeof *v);
                qsort(w, (size_t)(n / 2), sizeof *w, cmp_u64);
                qsort(w + n / 2, (size_t)(n - n / 2), sizeof *w, cmp_u64);
                XP_CHECK_INT(xp_merge_runs_u64(w, n), 0);
                XP_CHECK(n == 0 || memcmp(w, ref, (size_t)n * sizeof *w) == 0);
                int64_t u = xp_unique_u64(w, n), want = n > 0;
                for (int64_t i = 1; i < n; i++)
                    want += ref[i] != ref[i - 1];
                XP_CHECK_INT(u, want);
                for (int64_t i = 1; i < u; i++)
                    XP_CHECK(w[i - 1] < w[i]);
                free(v);
                free(ref);
                free(w);
            }
}

int main(void)
{
    packed_keys();
    builder();
    addresses();
    memory();
    doubles();
    sorts();
    XP_TEST_END();
}

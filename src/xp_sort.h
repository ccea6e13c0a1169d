/*
 * xp_sort.h - an inline quicksort for hot sorts of plain values, where
 * glibc's qsort calls its comparator through a pointer for each of the
 * ~n log n comparisons and mallocs a temporary array as big as the input
 * (faulted in 4 KiB pages each time on this VM).
 */
#ifndef XP_SORT_H
#define XP_SORT_H

#include <stdint.h>
#include <stdlib.h>

/* Median of three, Hoare partition of v[0..n): afterwards (i > j)
 * v[0..j] <= pivot <= v[i..n), and v[j+1..i) equal to the pivot. Shared by
 * XP_QUICKSORT and XP_QUICKSELECT. */
#define XP__PARTITION(T, LT, v, n, i, j)                                                           \
    do {                                                                                           \
        T a_ = (v)[0], b_ = (v)[(n) / 2], c_ = (v)[(n)-1];                                         \
        T piv_ = LT(a_, b_) ? (LT(b_, c_) ? b_ : (LT(a_, c_) ? c_ : a_))                           \
                            : (LT(a_, c_) ? a_ : (LT(b_, c_) ? c_ : b_));                          \
        (i) = 0;                                                                                   \
        (j) = (n)-1;                                                                               \
        while ((i) <= (j)) {                                                                       \
            while (LT((v)[i], piv_))                                                               \
                (i)++;                                                                             \
            while (LT(piv_, (v)[j]))                                                               \
                (j)--;                                                                             \
            if ((i) <= (j)) {                                                                      \
                T t_ = (v)[i];                                                                     \
                (v)[(i)++] = (v)[j];                                                               \
                (v)[(j)--] = t_;                                                                   \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* XP_QUICKSORT(name, T, LT, CMP): static void name(T *v, int64_t n, int
 * depth), quicksort with inline comparisons LT(a, b) (median of three,
 * Hoare partition, the smaller side first, insertion sort below 24),
 * falling back to qsort with CMP past `depth` levels, so never quadratic.
 * glibc's qsort calls the comparator through a pointer for each of the
 * ~5 n log n comparisons: it was 4 % of a whole run for the window entries
 * and, through an index, 7 % for the objects (perf, 1000 clients x 7 h). */
#define XP_QUICKSORT(name, T, LT, CMP)                                                             \
    static void name(T *v, int64_t n, int depth)                                                   \
    {                                                                                              \
        while (n > 24) {                                                                           \
            if (depth-- == 0) {                                                                    \
                qsort(v, (size_t)n, sizeof *v, CMP);                                               \
                return;                                                                            \
            }                                                                                      \
            int64_t i, j;                                                                          \
            XP__PARTITION(T, LT, v, n, i, j);                                                      \
            /* [0, j] <= piv <= [i, n) */                                                          \
            if (j + 1 < n - i) {                                                                   \
                name(v, j + 1, depth);                                                             \
                v += i;                                                                            \
                n -= i;                                                                            \
            } else {                                                                               \
                name(v + i, n - i, depth);                                                         \
                n = j + 1;                                                                         \
            }                                                                                      \
        }                                                                                          \
        for (int64_t i = 1; i < n; i++) {                                                          \
            T x = v[i];                                                                            \
            int64_t j = i;                                                                         \
            for (; j > 0 && LT(x, v[j - 1]); j--)                                                  \
                v[j] = v[j - 1];                                                                   \
            v[j] = x;                                                                              \
        }                                                                                          \
    }

/* XP_MERGE_RUNS(name, T, LT): static int name(T *v, int64_t n), which sorts
 * v, a concatenation of sorted runs (say one per rank), by merging
 * neighbouring runs until one is left: O(n log runs). -1: out of memory
 * (v unchanged). Needs xp_mem.h and string.h. */
#define XP_MERGE_RUNS(name, T, LT)                                                                 \
    static int name(T *v, int64_t n)                                                               \
    {                                                                                              \
        int64_t runs = 1;                                                                          \
        for (int64_t i = 1; i < n; i++)                                                            \
            runs += LT(v[i], v[i - 1]);                                                            \
        if (runs == 1)                                                                             \
            return 0;                                                                              \
        T *tmp = xp_mem_malloc((size_t)n * sizeof *tmp), *src = v, *dst = tmp;                     \
        if (tmp == NULL)                                                                           \
            return -1;                                                                             \
        for (; runs > 1; runs = (runs + 1) / 2) {                                                  \
            int64_t i = 0, o = 0;                                                                  \
            while (i < n) {                                                                        \
                int64_t a = i + 1;                                                                 \
                while (a < n && !LT(src[a], src[a - 1]))                                           \
                    a++;                                                                           \
                int64_t b = a < n ? a + 1 : a;                                                     \
                while (b < n && !LT(src[b], src[b - 1]))                                           \
                    b++;                                                                           \
                int64_t x = i, y = a;                                                              \
                while (x < a && y < b)                                                             \
                    dst[o++] = LT(src[y], src[x]) ? src[y++] : src[x++];                           \
                while (x < a)                                                                      \
                    dst[o++] = src[x++];                                                           \
                while (y < b)                                                                      \
                    dst[o++] = src[y++];                                                           \
                i = b;                                                                             \
            }                                                                                      \
            T *t = src;                                                                            \
            src = dst;                                                                             \
            dst = t;                                                                               \
        }                                                                                          \
        if (src != v)                                                                              \
            memcpy(v, src, (size_t)n * sizeof *v);                                                 \
        free(tmp);                                                                                 \
        return 0;                                                                                  \
    }

/* XP_QUICKSELECT(name, T, LT, SORT): static void name(T *v, int64_t n,
 * int64_t k, int depth), moving the k smallest of v (by LT) to v[0..k), in
 * no particular order, in O(n) expected (Hoare's selection with the
 * partition of XP_QUICKSORT); past `depth` levels the rest is sorted with
 * SORT (an XP_QUICKSORT of the same T), so never quadratic. For a top K
 * whose order does not matter. */
#define XP_QUICKSELECT(name, T, LT, SORT)                                                          \
    static void name(T *v, int64_t n, int64_t k, int depth)                                        \
    {                                                                                              \
        while (n > 24 && k > 0 && k < n) {                                                         \
            if (depth-- == 0) {                                                                    \
                SORT(v, n, xp_sort_depth(n));                                                      \
                return;                                                                            \
            }                                                                                      \
            int64_t i, j;                                                                          \
            XP__PARTITION(T, LT, v, n, i, j);                                                      \
            /* [0, j] <= piv <= [i, n); (j, i) == piv */                                           \
            if (k <= j + 1) {                                                                      \
                n = j + 1;                                                                         \
            } else if (k >= i) {                                                                   \
                v += i;                                                                            \
                n -= i;                                                                            \
                k -= i;                                                                            \
            } else {                                                                               \
                return;                                                                            \
            }                                                                                      \
        }                                                                                          \
        if (k > 0 && k < n)                                                                        \
            SORT(v, n, xp_sort_depth(n));                                                          \
    }

/* Ready-made for uint64_t keys (xp_sort.c): ascending sort; the merge of
 * sorted runs (-1: out of memory, v unchanged); repeats dropped from a
 * sorted v, returning the new length. */
void xp_sort_u64(uint64_t *v, int64_t n);
int xp_merge_runs_u64(uint64_t *v, int64_t n);
int64_t xp_unique_u64(uint64_t *v, int64_t n);
/* A value and its index: xp_sort_dkeys sorts ascending by value, ties by
 * index (a total order when the values are not NaN), with the comparison
 * inlined; xp_cmp_dkey is the same order for qsort. */
typedef struct xp_dkey {
    double v;
    int64_t i;
} xp_dkey;
int xp_cmp_dkey(const void *x, const void *y);
void xp_sort_dkeys(xp_dkey *v, int64_t n);
/* Ascending sort of a small v (a window's activity entries, ~100), through
 * tmp (room for n): sorting networks of eight, then merges, all without
 * data-dependent branches. On the 1000-client 7-hour trace's 25,201
 * windows (2.48 M entries) 31 ms against xp_sort_u64's 57 ms, whose
 * comparisons mispredict (bench/README.md). O(n log n) for any n. */
void xp_sort_u64_small(uint64_t *v, int64_t n, uint64_t *tmp);
/* The most entries the hot loops give xp_sort_u64_small scratch for; past
 * it (a huge window, from a long --window) xp_sort_u64_room sorts in place
 * with xp_sort_u64, so the scratch stays at most 512 KiB. */
#define XP_SORT_ROOM 65536
/* The scratch entries xp_sort_u64_room needs for n: min(n, XP_SORT_ROOM). */
static inline int64_t xp_sort_room(int64_t n)
{
    return n < XP_SORT_ROOM ? n : XP_SORT_ROOM;
}
/* v sorted ascending through tmp, which has room for xp_sort_room(n). */
static inline void xp_sort_u64_room(uint64_t *v, int64_t n, uint64_t *tmp)
{
    if (n <= XP_SORT_ROOM)
        xp_sort_u64_small(v, n, tmp);
    else
        xp_sort_u64(v, n);
}

/* The depth past which XP_QUICKSORT falls back to qsort: 2 log2 n. */
static inline int xp_sort_depth(int64_t n)
{
    int depth = 0;
    for (int64_t m = n; m > 1; m >>= 1)
        depth += 2;
    return depth;
}

#endif

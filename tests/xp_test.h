/*
 * xp_test.h - the smallest test harness: checks that print both values and
 * count failures; every test program ends with XP_TEST_END(), which prints
 * "N passed, N failed" and returns non-zero on any failure.
 */
#ifndef XP_TEST_H
#define XP_TEST_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int xp_test_pass_, xp_test_fail_;

#define XP_CHECK(cond)                                                         \
    do {                                                                       \
        if (cond) {                                                            \
            xp_test_pass_++;                                                   \
        } else {                                                               \
            xp_test_fail_++;                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
        }                                                                      \
    } while (0)

#define XP_CHECK_INT(a, b)                                                     \
    do {                                                                       \
        long long xa_ = (long long)(a), xb_ = (long long)(b);                  \
        if (xa_ == xb_) {                                                      \
            xp_test_pass_++;                                                   \
        } else {                                                               \
            xp_test_fail_++;                                                   \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n",          \
                    __FILE__, __LINE__, #a, #b, xa_, xb_);                     \
        }                                                                      \
    } while (0)

#define XP_CHECK_NEAR(a, b, tol)                                               \
    do {                                                                       \
        double xa_ = (double)(a), xb_ = (double)(b);                           \
        if (fabs(xa_ - xb_) <= (tol)) {                                        \
            xp_test_pass_++;                                                   \
        } else {                                                               \
            xp_test_fail_++;                                                   \
            fprintf(stderr, "%s:%d: %s ~ %s failed: %.17g != %.17g\n",         \
                    __FILE__, __LINE__, #a, #b, xa_, xb_);                     \
        }                                                                      \
    } while (0)

#define XP_CHECK_STR(a, b)                                                     \
    do {                                                                       \
        const char *xa_ = (a), *xb_ = (b);                                     \
        if (xa_ && xb_ && strcmp(xa_, xb_) == 0) {                             \
            xp_test_pass_++;                                                   \
        } else {                                                               \
            xp_test_fail_++;                                                   \
            fprintf(stderr, "%s:%d: %s == %s failed: '%s' != '%s'\n",          \
                    __FILE__, __LINE__, #a, #b, xa_ ? xa_ : "(null)",           \
                    xb_ ? xb_ : "(null)");                                     \
        }                                                                      \
    } while (0)

/* A test whose every check was skipped (its data absent) returns 77, which
 * ctest reports as skipped (SKIP_RETURN_CODE 77), never as passed. */
#define XP_TEST_SKIPPED 77
#define XP_TEST_END()                                                          \
    do {                                                                       \
        printf("%d passed, %d failed\n", xp_test_pass_, xp_test_fail_);        \
        if (xp_test_pass_ == 0 && xp_test_fail_ == 0)                          \
            return XP_TEST_SKIPPED;                                            \
        return xp_test_fail_ != 0;                                             \
    } while (0)

/* The end of an MPI test (under mpiexec; the caller includes mpi.h): the
 * failures summed over ranks, MPI_Finalize, rank 0 reports, and every rank
 * fails if any did. */
#define XP_TEST_MPI_END()                                                      \
    do {                                                                       \
        int xr_ = 0, xf_ = xp_test_fail_, xt_ = 0;                             \
        MPI_Comm_rank(MPI_COMM_WORLD, &xr_);                                   \
        MPI_Allreduce(&xf_, &xt_, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);        \
        MPI_Finalize();                                                        \
        if (xr_ != 0)                                                          \
            return xt_ != 0;                                                   \
        xp_test_fail_ = xt_;                                                   \
        XP_TEST_END();                                                         \
    } while (0)

/* xorshift64 (Marsaglia): a repeatable stream of test inputs; *s != 0. */
static inline uint64_t xp_test_xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

#endif

/* Progress lines: rate limits in log and tty mode, the text, quiet. The
 * clock is a variable the test advances, so the counts are exact. */
#define _GNU_SOURCE
#include <stdlib.h>

#include "xp_progress.h"
#include "xp_test.h"

static double now_s;
static double fake_clock(void) { return now_s; }

static int count_char(const char *s, char c)
{
    int n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

/* 60 s of reading 1 MiB every 10 ms: a line every 5 s, the first at 5 s. */
static void test_log(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    xp_progress p;
    now_s = 100;
    xp_progress_init(&p, f, XP_PROGRESS_LOG, 0, "expose-mpi: ");
    p.clock = fake_clock;
    p.t0 = 100;
    const int64_t mib = 1 << 20, steps = 6000;
    xp_progress_begin(&p, "read", NULL, steps * mib);
    for (int64_t i = 1; i <= steps; i++) {
        now_s = 100 + 0.01 * (double)i;
        xp_progress_update(&p, i * mib);
    }
    xp_progress_end(&p);
    fclose(f);
    XP_CHECK_INT(p.lines, 12);
    XP_CHECK_INT(count_char(buf, '\n'), 12);
    XP_CHECK(strchr(buf, '\r') == NULL && strchr(buf, '\033') == NULL);
    /* The first line, at 5 s: 500 MiB of 6000 MiB, 55 s left. */
    XP_CHECK(strncmp(buf, "expose-mpi: [   5.00s] read: 8% (500.0 MiB of 5.9 GiB), about 55s left\n",
                     strlen("expose-mpi: [   5.00s] read: 8% (500.0 MiB of 5.9 GiB), about 55s left\n")) == 0);
    if (strchr(buf, '\n'))
        fprintf(stderr, "first log line: %.*s", (int)(strchr(buf, '\n') - buf + 1), buf);
    free(buf);
}

/* 4 s of counting, an update every 1 ms: at most one redraw per 0.1 s. */
static void test_tty(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    xp_progress p;
    now_s = 0;
    xp_progress_init(&p, f, XP_PROGRESS_TTY, 0, "x: ");
    p.clock = fake_clock;
    xp_progress_begin(&p, "count", "shards", 4000);
    xp_progress_aside(&p, "windows", 4000000);
    for (int i = 1; i <= 4000; i++) {
        now_s = 0.001 * i;
        xp_progress_update2(&p, i, (int64_t)i * 1000);
    }
    xp_progress_end(&p);
    fclose(f);
    XP_CHECK(p.lines >= 38 && p.lines <= 40);
    XP_CHECK(strchr(buf, '\n') == NULL);
    /* One '\r' per redraw and one to erase at the end. */
    XP_CHECK_INT(count_char(buf, '\r'), p.lines + 1);
    /* Half way (t = 2 s, give or take a redraw): 2 s left. */
    XP_CHECK(strstr(buf, "\rx: count: 50% (2,0") != NULL);
    XP_CHECK(strstr(buf, " of 4,000 shards, 2,0") != NULL);
    XP_CHECK(strstr(buf, "000 of 4,000,000 windows), about 2s left\033[K") != NULL);
    /* No estimate in the first second: the first redraw (at 0.1 s) has none. */
    const char *second = strchr(buf + 1, '\r');
    const char *left = strstr(buf, "left");
    XP_CHECK(second != NULL && left != NULL && left > second);
    XP_CHECK(len >= 4 && strcmp(buf + len - 4, "\r\033[K") == 0);
    free(buf);
}

/* Quiet (or a stage that never began) prints nothing. */
static void test_off(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    xp_progress p;
    xp_progress_init(&p, f, xp_progress_mode_for(f, 1), 0, "");
    p.clock = fake_clock;
    now_s = 0;
    xp_progress_begin(&p, "read", NULL, 100);
    for (int i = 0; i < 100; i++) {
        now_s += 10;
        xp_progress_bytes_cb(&p, i, 100);
    }
    xp_progress_end(&p);
    fflush(f);
    XP_CHECK_INT(len, 0);
    XP_CHECK_INT(p.lines, 0);
    fclose(f);
    free(buf);
    /* A memory stream is not a terminal. */
    f = open_memstream(&buf, &len);
    XP_CHECK_INT(xp_progress_mode_for(f, 0), XP_PROGRESS_LOG);
    fclose(f);
    free(buf);
}

/* A reader of a share of the files reports its own total. */
static void test_share(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    xp_progress p;
    now_s = 0;
    xp_progress_init(&p, f, XP_PROGRESS_LOG, 1, "");
    p.clock = fake_clock;
    p.t0 = 0;
    xp_progress_begin(&p, "read", NULL, 4096);
    now_s = 1;
    xp_progress_bytes_cb(&p, 1024, 2048);
    xp_progress_end(&p);
    fclose(f);
    XP_CHECK_STR(buf, "[   1.00s] read: 50% (1.0 KiB of 2.0 KiB), about 1s left\n");
    free(buf);
}

int main(void)
{
    test_log();
    test_tty();
    test_off();
    test_share();
    XP_TEST_END();
}

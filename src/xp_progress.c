/* xp_progress.c - rate-limited progress lines (see xp_progress.h). */
#define _POSIX_C_SOURCE 200809L
#include "xp_progress.h"

#include <time.h>
#include <unistd.h>

static double xp__mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

xp_progress_mode xp_progress_mode_for(FILE *f, int quiet)
{
    if (quiet || f == NULL)
        return XP_PROGRESS_OFF;
    return isatty(fileno(f)) ? XP_PROGRESS_TTY : XP_PROGRESS_LOG;
}

void xp_progress_init(xp_progress *p, FILE *f, xp_progress_mode mode, double interval,
                      const char *prefix)
{
    *p = (xp_progress){0};
    p->f = f;
    p->mode = f ? mode : XP_PROGRESS_OFF;
    p->interval = interval > 0 ? interval
                  : mode == XP_PROGRESS_TTY ? XP_PROGRESS_TTY_INTERVAL
                                            : XP_PROGRESS_LOG_INTERVAL;
    p->clock = xp__mono;
    p->prefix = prefix ? prefix : "";
    p->t0 = p->clock();
}

void xp_progress_begin(xp_progress *p, const char *stage, const char *unit, int64_t total)
{
    if (p->mode == XP_PROGRESS_OFF)
        return;
    p->stage = stage;
    p->unit = unit;
    p->total = total;
    p->aside_unit = NULL;
    p->t_stage = p->t_last = p->clock();
}

void xp_progress_aside(xp_progress *p, const char *unit, int64_t total)
{
    p->aside_unit = unit;
    p->aside_total = total;
    p->aside_done = 0;
}

/* An amount: bytes as B/KiB/MiB/GiB/TiB, counts with thousands separators. */
static void xp__amount(const char *unit, int64_t n, char *buf, size_t size)
{
    if (unit == NULL) {
        static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = (double)n;
        int k = 0;
        while (v >= 1024 && k < 4) {
            v /= 1024;
            k++;
        }
        snprintf(buf, size, k ? "%.1f %s" : "%.0f %s", v, u[k]);
        return;
    }
    char digits[32], out[48];
    int len = snprintf(digits, sizeof digits, "%lld", (long long)(n < 0 ? -n : n)), o = 0;
    if (n < 0)
        out[o++] = '-';
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, size, "%s", out);
}

/* Seconds as "42s", "3m05s", "2h07m". */
static void xp__duration(double s, char *buf, size_t size)
{
    long long t = (long long)(s + 0.5);
    if (t < 60)
        snprintf(buf, size, "%llds", t);
    else if (t < 3600)
        snprintf(buf, size, "%lldm%02llds", t / 60, t % 60);
    else
        snprintf(buf, size, "%lldh%02lldm", t / 3600, t % 3600 / 60);
}

/* "A of B UNIT" (bytes without a unit name) into buf. */
static void xp__of(const char *unit, int64_t done, int64_t total, char *buf, size_t size)
{
    char a[48], b[48];
    xp__amount(unit, done, a, sizeof a);
    xp__amount(unit, total, b, sizeof b);
    snprintf(buf, size, "%s of %s%s%s", a, b, unit ? " " : "", unit ? unit : "");
}

/* "read: 30% (1.2 GiB of 4.0 GiB), about 2m10s left" into buf. */
static void xp__line(const xp_progress *p, int64_t done, double now, char *buf, size_t size)
{
    char first[128], aside[128] = "", left[64] = "";
    xp__of(p->unit, done, p->total, first, sizeof first);
    if (p->aside_unit) {
        aside[0] = ',';
        aside[1] = ' ';
        xp__of(p->aside_unit, p->aside_done, p->aside_total, aside + 2, sizeof aside - 2);
    }
    double el = now - p->t_stage;
    /* An estimate needs some work done and a second of history; under a
     * second left it says nothing new. */
    double est = done > 0 ? el * (double)(p->total - done) / (double)done : 0;
    if (done > 0 && done < p->total && el >= 1.0 && est >= 1.0) {
        char d[24];
        xp__duration(est, d, sizeof d);
        snprintf(left, sizeof left, ", about %s left", d);
    }
    double pct = p->total > 0 ? 100.0 * (double)done / (double)p->total : 100.0;
    snprintf(buf, size, "%s: %.0f%% (%s%s)%s", p->stage, pct, first, aside, left);
}

void xp_progress_update(xp_progress *p, int64_t done)
{
    if (p->mode == XP_PROGRESS_OFF || p->stage == NULL)
        return;
    double now = p->clock();
    if (now - p->t_last < p->interval)
        return;
    p->t_last = now;
    char line[512];
    xp__line(p, done, now, line, sizeof line);
    if (p->mode == XP_PROGRESS_TTY) {
        fprintf(p->f, "\r%s%s\033[K", p->prefix, line);
        p->on_screen = 1;
    } else {
        fprintf(p->f, "%s[%7.2fs] %s\n", p->prefix, now - p->t0, line);
    }
    fflush(p->f);
    p->lines++;
}

void xp_progress_update2(xp_progress *p, int64_t done, int64_t aside_done)
{
    p->aside_done = aside_done;
    xp_progress_update(p, done);
}

void xp_progress_bytes_cb(void *ctx, int64_t done, int64_t total)
{
    xp_progress *p = ctx;
    if (total > 0)
        p->total = total;
    xp_progress_update(p, done);
}

void xp_progress_clear(xp_progress *p)
{
    if (p->mode != XP_PROGRESS_TTY || !p->on_screen)
        return;
    fputs("\r\033[K", p->f);
    fflush(p->f);
    p->on_screen = 0;
}

void xp_progress_end(xp_progress *p)
{
    xp_progress_clear(p);
    p->stage = p->unit = p->aside_unit = NULL;
}

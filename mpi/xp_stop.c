/* xp_stop.c - SIGTERM/SIGINT and --time-limit as a status (xp_stop.h). */
#define _GNU_SOURCE
#include "xp_stop.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The one piece of process-wide state: a signal handler can only set a flag. */
static volatile sig_atomic_t xp__stop_sig;

static void xp__stop_on_signal(int sig)
{
    xp__stop_sig = sig;
}

void xp_stop_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = xp__stop_on_signal;
    sigemptyset(&sa.sa_mask);
    /* SA_RESTART: a slow read or write resumes; the flag is polled. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

int xp_stop_signal(void)
{
    return (int)xp__stop_sig;
}

xp_status xp_stop_check(double elapsed, double limit, const char *where, const char *out,
                        int shards_done, xp_err *e)
{
    char left[1200];
    if (shards_done && out == NULL)
        snprintf(left, sizeof left,
                 "the shards are complete: a re-run with the same inputs and options reuses "
                 "them");
    else if (shards_done)
        snprintf(left, sizeof left,
                 "the shards in %s/shards are complete: a re-run with the same inputs and "
                 "options reuses them",
                 out);
    else
        snprintf(left, sizeof left, "no shards were complete yet: a re-run reads the trace");
    int sig = xp_stop_signal();
    if (sig != 0)
        return xp_err_set(e, XP_INTERRUPTED, "stopped by signal %d (SIG%s) %s; %s", sig,
                          sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", where, left);
    if (limit > 0 && elapsed > limit)
        return xp_err_set(e, XP_TIMEOUT,
                          "time limit of %g s (--time-limit) reached %s, %.1f s "
                          "after the start; %s",
                          limit, where, elapsed, left);
    return XP_OK;
}

void xp_stop_pause(const char *stage)
{
    const char *p = getenv("XP_PAUSE");
    size_t n = strlen(stage);
    if (p == NULL || strncmp(p, stage, n) != 0 || (p[n] != '\0' && p[n] != ':'))
        return;
    double limit = p[n] == ':' ? atof(p + n + 1) : 120;
    fprintf(stderr, "expose-mpi: XP_PAUSE: pid %ld paused after stage %s\n", (long)getpid(), stage);
    fflush(stderr);
    /* usleep returns early when a signal arrives. */
    for (int i = 0; i < limit * 10 && xp_stop_signal() == 0; i++)
        usleep(100000);
}

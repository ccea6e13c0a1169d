/* xp_sink.c - warnings, the malformed-record policy, and progress. */
#include "xp_sink.h"

#include <stdarg.h>
#include <stdio.h>

static void xp__emit(const xp_sink *k, const char *msg)
{
    if (k->opts && k->opts->warn)
        k->opts->warn(k->opts->warn_ctx, msg);
    else
        fprintf(stderr, "warning: %s\n", msg);
}

void xp_sink_warn(const xp_sink *k, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    xp__emit(k, msg);
}

xp_status xp_sink_bad(const xp_sink *k, int cut, xp_status s, xp_err *e, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int64_t allowed = k->opts ? k->opts->skip_bad : 0;
    if (cut) {
        k->stats->skipped_cut++;
        xp_sink_warn(k, "%s (last line has no newline: the log was cut; skipped)", msg);
        return XP_OK;
    }
    if (k->stats->skipped_bad < allowed) {
        k->stats->skipped_bad++;
        xp_sink_warn(k, "%s (skipped: %lld of --skip-bad %lld)", msg,
                     (long long)k->stats->skipped_bad, (long long)allowed);
        return XP_OK;
    }
    if (allowed > 0)
        return xp_err_set(e, s, "%s (more than --skip-bad %lld malformed records)", msg,
                          (long long)allowed);
    return xp_err_set(e, s, "%s", msg);
}

void xp_sink_presize(const xp_sink *k, int64_t bytes, int64_t min_rec)
{
    if (bytes > 0 && min_rec > 0)
        (void)xp_recvec_reserve(k->out, bytes / min_rec + 1);
}

void xp_sink_progress(const xp_sink *k, int64_t raw_off)
{
    if (k->opts && k->opts->progress)
        k->opts->progress(k->opts->progress_ctx, k->bytes_base + raw_off, k->bytes_total);
}

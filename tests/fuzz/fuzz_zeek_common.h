/*
 * fuzz_zeek_common.h - the Zeek fuzz harness shared by the TSV and JSON
 * targets. Parses the input twice: whole, and fed in two chunks split at a
 * point chosen by the first byte (the streaming path with line carry-over).
 * Both must agree on the status and on every record, or the target aborts.
 */
#ifndef FUZZ_ZEEK_COMMON_H
#define FUZZ_ZEEK_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "xp_zeek.h"

static void fuzz__quiet(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
}

static xp_status fuzz__parse(const char *buf, size_t len, size_t split, int64_t skip_bad,
                             xp_recvec *v)
{
    xp_input_stats st;
    memset(&st, 0, sizeof st);
    xp_input_opts o;
    memset(&o, 0, sizeof o);
    o.skip_bad = skip_bad;
    o.warn = fuzz__quiet;
    xp_sink k = {v, &st, &o, 0, 0};
    xp_zeek_parser p;
    xp_zeek_init(&p, "fuzz.log", &k);
    xp_err e;
    xp_err_clear(&e);
    size_t used = 0;
    xp_status s = xp_zeek_feed(&p, buf, split, 0, &used, &e);
    if (s != XP_OK)
        return s;
    /* The unconsumed tail of the first chunk is carried into the second. */
    size_t rest = len - used, used2;
    char *tail = malloc(rest ? rest : 1);
    memcpy(tail, buf + used, rest);
    s = xp_zeek_feed(&p, tail, rest, 1, &used2, &e);
    if (s == XP_OK && used2 != rest)
        abort();
    free(tail);
    if (s != XP_OK && (e.msg[0] == '\0' || strchr(e.msg, '\n') != NULL))
        abort(); /* every failure carries a one-line message */
    return s;
}

static int fuzz_zeek_one(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int64_t skip_bad = data[0] & 3;
    size_t split = (size_t)data[1] * (size - 2) / 255;
    const char *buf = (const char *)data + 2;
    size_t len = size - 2;
    xp_recvec a = {0}, b = {0};
    xp_status sa = fuzz__parse(buf, len, len, skip_bad, &a);
    xp_status sb = fuzz__parse(buf, len, split, skip_bad, &b);
    if (sa != sb || (sa == XP_OK && (a.n != b.n || (a.n && memcmp(a.v, b.v, (size_t)a.n * sizeof *a.v)))))
        abort();
    for (int64_t i = 0; sa == XP_OK && i < a.n; i++)
        if (!(a.v[i].dur >= 0) || a.v[i].ts != a.v[i].ts || a.v[i].flags != XP_REC_START)
            abort();
    xp_recvec_free(&a);
    xp_recvec_free(&b);
    return 0;
}

#endif

/* xp_error.c - the error table's names and messages. */
#include "xp_error.h"

#include <stdio.h>
#include <string.h>

static const char *const xp__names[] = {
#define XP__NAME(name, msg) #name,
    XP_ERROR_TABLE(XP__NAME)
#undef XP__NAME
};

static const char *const xp__msgs[] = {
#define XP__MSG(name, msg) msg,
    XP_ERROR_TABLE(XP__MSG)
#undef XP__MSG
};

static int xp__index(xp_status s)
{
    int i = -s;
    return (i >= 0 && i < XP__NSTATUS) ? i : -XP_INTERNAL;
}

const char *xp_status_name(xp_status s) { return xp__names[xp__index(s)]; }

const char *xp_status_msg(xp_status s) { return xp__msgs[xp__index(s)]; }

void xp_err_clear(xp_err *e)
{
    if (e) {
        e->status = XP_OK;
        e->msg[0] = '\0';
    }
}

xp_status xp_err_set(xp_err *e, xp_status s, const char *fmt, ...)
{
    if (e == NULL || e->status != XP_OK)
        return s;
    e->status = s;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    /* Messages are one line: a stray newline from a parsed field is folded. */
    for (char *p = e->msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return s;
}

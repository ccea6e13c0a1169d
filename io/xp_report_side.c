/* xp_report_side.c - node ids and the paper's notation for rule sides. */
#include "xp_report_side.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xp_ports.h"
#include "xp_str.h"

const char *xp_report_proto_name(int proto)
{
    if (proto < 0 || proto > 255)
        return NULL;
    return xp_proto_name((uint8_t)proto);
}

char *xp_report_side_id(const xp_report_side *s, char *buf, size_t size)
{
    xp_sb b;
    xp_sb_init(&b, buf, size);
    xp_sb_side_id(&b, s->src, s->sport, s->dst, s->dport, s->proto, s->isnew);
    return buf;
}

/* Host part of an id at *p: "[v6]" or text up to ':'; advances past ':'. */
static int xp__parse_host(const char **p, char *out, size_t size)
{
    const char *s = *p, *end;
    if (*s == '[') {
        end = strchr(s, ']');
        if (end == NULL || end[1] != ':')
            return -1;
        s++;
    } else {
        end = strchr(s, ':');
        if (end == NULL)
            return -1;
    }
    size_t n = (size_t)(end - s);
    if (n == 0 || n >= size)
        return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    *p = end + (*end == ']' ? 2 : 1);
    return 0;
}

/* Port at *p up to the character stop; advances past it. */
static int xp__parse_port(const char **p, char stop, int32_t *port)
{
    const char *s = *p;
    if (s[0] == '*' && s[1] == stop) {
        *port = XP_REPORT_ANY;
        *p = s + 2;
        return 0;
    }
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end != stop || v < 0 || v > 65535 || s[0] == '-' || s[0] == '+')
        return -1;
    *port = (int32_t)v;
    *p = end + 1;
    return 0;
}

static int xp__parse_tail(const char *p, xp_report_side *s)
{
    const char *sp = strchr(p, ' ');
    if (sp == NULL || sp == p)
        return -1;
    s->proto = xp_proto_parse(p, (size_t)(sp - p));
    if (s->proto < 0)
        return -1;
    if (strcmp(sp + 1, "new") == 0)
        s->isnew = 1;
    else if (strcmp(sp + 1, "present") == 0)
        s->isnew = 0;
    else
        return -1;
    return 0;
}

xp_status xp_report_side_parse(const char *id, xp_report_side *s, const char *where,
                               xp_err *e)
{
    const char *p = id;
    memset(s, 0, sizeof *s);
    if (xp__parse_host(&p, s->src, sizeof s->src) != 0 || xp__parse_port(&p, '>', &s->sport) != 0 ||
        xp__parse_host(&p, s->dst, sizeof s->dst) != 0 || xp__parse_port(&p, '/', &s->dport) != 0 ||
        xp__parse_tail(p, s) != 0)
        return xp_err_set(e, XP_FORMAT,
                          "%s: node id '%.200s' is not of the form SRC:SPORT>DST:DPORT/PROTO ACT",
                          where, id);
    return XP_OK;
}

const char *xp_report_host(const char *addr, const xp_names *names)
{
    const char *n = strcmp(addr, "*") == 0 ? NULL : xp_names_lookup(names, addr);
    return n ? n : addr;
}

char *xp_report_port_text(int proto, int32_t port, char *buf, size_t size)
{
    const char *svc = NULL, *pn = xp_report_proto_name(proto);
    xp_sb b;
    xp_sb_init(&b, buf, size);
    if (port == XP_REPORT_ANY) {
        xp_sb_str(&b, "*");
        return buf;
    }
    if (proto >= 0 && proto <= 255)
        svc = xp_port_service((uint8_t)proto, port);
    xp_sb_int(&b, port);
    xp_sb_str(&b, svc || pn ? "/" : "/proto-");
    if (svc || pn)
        xp_sb_str(&b, svc ? svc : pn);
    else
        xp_sb_int(&b, proto);
    return buf;
}

char *xp_report_side_text(const xp_report_side *s, const xp_names *names, char *buf,
                          size_t size)
{
    char dp[48];
    xp_report_port_text(s->proto, s->dport, dp, sizeof dp);
    const char *a = xp_report_host(s->src, names), *d = xp_report_host(s->dst, names);
    /* An unnamed IPv6 address is bracketed so its last ':' is not misread. */
    int va = a == s->src && strchr(a, ':') != NULL, vd = d == s->dst && strchr(d, ':') != NULL;
    xp_sb b;
    xp_sb_init(&b, buf, size);
    xp_sb_str(&b, va ? "[" : "");
    xp_sb_str(&b, a);
    xp_sb_str(&b, va ? "]." : ".");
    /* The originator's port is '*' unless it is a well-known port; its
     * service name would be noise, so only the number is shown. */
    if (s->sport == XP_REPORT_ANY)
        xp_sb_str(&b, "*");
    else
        xp_sb_int(&b, s->sport);
    xp_sb_str(&b, vd ? " : [" : " : ");
    xp_sb_str(&b, d);
    xp_sb_str(&b, vd ? "]." : ".");
    xp_sb_str(&b, dp);
    return buf;
}

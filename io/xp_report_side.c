/* xp_report_side.c - node ids and the paper's notation for rule sides. */
#include "xp_report_side.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xp_ports.h"

const char *xp_report_proto_name(int proto)
{
    if (proto < 0 || proto > 255)
        return NULL;
    return xp_proto_name((uint8_t)proto);
}

/* The node id names only the three protocols xp_out.c names (not icmp6). */
static void xp__id_proto(int proto, char *buf, size_t size)
{
    const char *n = proto == 6 ? "tcp" : proto == 17 ? "udp" : proto == 1 ? "icmp" : NULL;
    if (n)
        snprintf(buf, size, "%s", n);
    else
        snprintf(buf, size, "%d", proto);
}

static void xp__id_port(int32_t port, char *buf, size_t size)
{
    if (port == XP_REPORT_ANY)
        snprintf(buf, size, "*");
    else
        snprintf(buf, size, "%d", (int)port);
}

char *xp_report_side_id(const xp_report_side *s, char *buf, size_t size)
{
    char sp[16], dp[16], pr[16];
    int v6s = strchr(s->src, ':') != NULL, v6d = strchr(s->dst, ':') != NULL;
    xp__id_port(s->sport, sp, sizeof sp);
    xp__id_port(s->dport, dp, sizeof dp);
    xp__id_proto(s->proto, pr, sizeof pr);
    snprintf(buf, size, "%s%s%s:%s>%s%s%s:%s/%s %s", v6s ? "[" : "", s->src, v6s ? "]" : "",
             sp, v6d ? "[" : "", s->dst, v6d ? "]" : "", dp, pr, s->isnew ? "new" : "present");
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
    if (port == XP_REPORT_ANY) {
        snprintf(buf, size, "*");
        return buf;
    }
    if (proto >= 0 && proto <= 255)
        svc = xp_port_service((uint8_t)proto, port);
    if (svc)
        snprintf(buf, size, "%d/%s", (int)port, svc);
    else if (pn)
        snprintf(buf, size, "%d/%s", (int)port, pn);
    else
        snprintf(buf, size, "%d/proto-%d", (int)port, proto);
    return buf;
}

char *xp_report_side_text(const xp_report_side *s, const xp_names *names, char *buf,
                          size_t size)
{
    char sp[48], dp[48];
    /* The originator's port is '*' unless it is a well-known port; its
     * service name would be noise, so only the number is shown. */
    if (s->sport == XP_REPORT_ANY)
        snprintf(sp, sizeof sp, "*");
    else
        snprintf(sp, sizeof sp, "%d", (int)s->sport);
    xp_report_port_text(s->proto, s->dport, dp, sizeof dp);
    const char *a = xp_report_host(s->src, names), *b = xp_report_host(s->dst, names);
    /* An unnamed IPv6 address is bracketed so its last ':' is not misread. */
    int va = a == s->src && strchr(a, ':') != NULL, vb = b == s->dst && strchr(b, ':') != NULL;
    snprintf(buf, size, "%s%s%s.%s : %s%s%s.%s", va ? "[" : "", a, va ? "]" : "", sp,
             vb ? "[" : "", b, vb ? "]" : "", dp);
    return buf;
}

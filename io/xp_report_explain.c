/* xp_report_explain.c - rules in the paper's notation and in plain words. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "xp_report_int.h"
#include "xp_str.h"

/* The texts here are built with xp_sb, not snprintf: they are made for
 * every rule of every report (src/xp_str.h says why printf is slow here). */

char *xp__report_count(int64_t n, char *buf, size_t size)
{
    char raw[32], out[48];
    xp_sb b;
    xp_sb_init(&b, raw, sizeof raw);
    xp_sb_int(&b, n < 0 ? -n : n);
    size_t len = strlen(raw), k = 0;
    if (n < 0)
        out[k++] = '-';
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = raw[i];
    }
    out[k] = '\0';
    xp_sb_init(&b, buf, size);
    xp_sb_str(&b, out);
    return buf;
}

char *xp__report_pct(double a, double b, char *buf, size_t size)
{
    double p = b > 0 ? 100.0 * a / b : 0;
    xp_sb sb;
    xp_sb_init(&sb, buf, size);
    xp_sb_dbl(&sb, p >= 9.95 || p == 0 ? "%.0f" : "%.1f", p);
    xp_sb_str(&sb, "%");
    return buf;
}

char *xp__report_rule_text(const xp_report *rep, const xp_report_rule *r, char *buf,
                           size_t size)
{
    char a[256], b[256];
    xp_report_side_text(&r->lhs, rep->names, a, sizeof a);
    xp_report_side_text(&r->rhs, rep->names, b, sizeof b);
    xp_sb sb;
    xp_sb_init(&sb, buf, size);
    xp_sb_str(&sb, a);
    xp_sb_str(&sb, r->lhs.isnew ? " (new) \u21d2 " : " (present) \u21d2 ");
    xp_sb_str(&sb, b);
    xp_sb_str(&sb, r->rhs.isnew ? " (new)" : " (present)");
    return buf;
}

/* "on port 80 (http)", "on port 49155/tcp", "on any port". */
static void xp__port_words(const xp_report_side *s, char *buf, size_t size)
{
    char p[48];
    xp_sb sb;
    xp_sb_init(&sb, buf, size);
    if (s->dport == XP_REPORT_ANY) {
        xp_sb_str(&sb, "on any port");
        return;
    }
    xp_report_port_text(s->proto, s->dport, p, sizeof p);
    char *slash = strchr(p, '/');
    const char *pn = xp_report_proto_name(s->proto);
    const char *kind = s->proto == 1 || s->proto == 58 ? "with ICMP type" : "on port";
    xp_sb_str(&sb, kind);
    xp_sb_str(&sb, " ");
    if (slash && pn && strcmp(slash + 1, pn) != 0) {
        *slash = '\0';
        xp_sb_str(&sb, p);
        xp_sb_str(&sb, " (");
        xp_sb_str(&sb, slash + 1);
        xp_sb_str(&sb, ")");
    } else {
        xp_sb_str(&sb, p);
    }
}

/* The activity of a side as a clause: "some client opened a connection to
 * Web1 on port 80 (http)"; subject overrides the originator when given. */
static void xp__clause(const xp_report *rep, const xp_report_side *s, const char *subject,
                       const char *also, char *buf, size_t size)
{
    char port[96], from[64] = "";
    const char *src = strcmp(s->src, "*") == 0 ? "some client" : xp_report_host(s->src, rep->names);
    const char *dst = strcmp(s->dst, "*") == 0 ? "some host" : xp_report_host(s->dst, rep->names);
    xp__port_words(s, port, sizeof port);
    xp_sb sb;
    if (s->sport != XP_REPORT_ANY) {
        xp_sb_init(&sb, from, sizeof from);
        xp_sb_str(&sb, " from port ");
        xp_sb_int(&sb, (int)s->sport);
    }
    const char *const parts[] = {subject ? subject : src,
                                 " ",
                                 s->isnew ? "" : "was ",
                                 also,
                                 s->isnew ? "opened a connection" : "talking",
                                 from,
                                 " to ",
                                 dst,
                                 " ",
                                 port};
    xp_sb_init(&sb, buf, size);
    xp_sb_strv(&sb, parts, sizeof parts / sizeof parts[0]);
}

/* Unit of n window counts: "seconds", "10-second windows", "windows"
 * (singular when n is 1). */
static void xp__unit(const xp_report *rep, int64_t n, char *buf, size_t size)
{
    xp_sb sb;
    xp_sb_init(&sb, buf, size);
    if (rep->window == 1) {
        xp_sb_str(&sb, "second");
    } else if (rep->window > 0) {
        xp_sb_dbl(&sb, "%g", rep->window);
        xp_sb_str(&sb, "-second window");
    } else {
        xp_sb_str(&sb, "window");
    }
    xp_sb_str(&sb, n == 1 ? "" : "s");
}

/* Subject of the right-hand side: generic-generic rules count windows in
 * which one client drove both sides. */
static const char *xp__rhs_subject(const xp_report *rep, const xp_report_rule *r)
{
    if (strcmp(r->rhs.src, "*") != 0)
        return NULL;
    if (strcmp(r->tpl, "generic-generic") == 0 && strcmp(r->lhs.src, "*") == 0)
        return "the same client";
    return "a client";
}

char *xp__report_explain(const xp_report *rep, const xp_report_rule *r, char *buf,
                         size_t size)
{
    char lhs[512], rhs[512], unit[48], unit1[48], c1[32], c2[32], pa[16], pb[16], sup[64] = ".";
    xp__unit(rep, 2, unit, sizeof unit);
    xp__clause(rep, &r->lhs, NULL, "", lhs, sizeof lhs);
    xp__clause(rep, &r->rhs, xp__rhs_subject(rep, r), "also ", rhs, sizeof rhs);
    xp_sb sb;
    if (r->support >= 0) {
        xp_sb_init(&sb, sup, sizeof sup);
        xp_sb_str(&sb, "; seen from ");
        xp_sb_str(&sb, xp__report_count(r->support, c1, sizeof c1));
        xp_sb_str(&sb, r->support == 1 ? " distinct client." : " distinct clients.");
    }
    xp_sb_init(&sb, buf, size);
    if (r->n_lhs > 0 && r->n_both >= 0 && r->n_rhs >= 0 && r->windows > 0) {
        xp__report_pct((double)r->n_both, (double)r->n_lhs, pa, sizeof pa);
        xp__report_pct((double)r->n_rhs, (double)r->windows, pb, sizeof pb);
        xp__unit(rep, r->n_lhs, unit1, sizeof unit1);
        const char *const parts[] = {"In ",        pa,
                                     " of the ",   xp__report_count(r->n_lhs, c1, sizeof c1),
                                     " ",          unit1,
                                     " in which ", lhs,
                                     ", ",         rhs,
                                     ", against ", pb,
                                     " of all ",   xp__report_count(r->windows, c2, sizeof c2),
                                     " ",          unit,
                                     sup};
        xp_sb_strv(&sb, parts, sizeof parts / sizeof parts[0]);
    } else if (r->p_lhs > 0 && !isnan(r->p_both) && !isnan(r->p_rhs)) {
        xp__report_pct(r->p_both, r->p_lhs, pa, sizeof pa);
        xp__report_pct(r->p_rhs, 1.0, pb, sizeof pb);
        const char *const parts[] = {"In ",      pa,   " of the ", unit,         " in which ",
                                     lhs,        ", ", rhs,        ", against ", pb,
                                     " of all ", unit, sup};
        xp_sb_strv(&sb, parts, sizeof parts / sizeof parts[0]);
    } else {
        const char *const parts[] = {"When ", lhs, ", ", rhs, " (no counts recorded)", sup};
        xp_sb_strv(&sb, parts, sizeof parts / sizeof parts[0]);
    }
    return buf;
}

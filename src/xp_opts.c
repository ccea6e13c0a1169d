/* xp_opts.c - the option table's parser, help and JSON. */
#include "xp_opts.h"

#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { XP__T_D, XP__T_I, XP__T_F, XP__T_S };

typedef struct xp__optdef {
    const char *lname;
    char sname;
    int type;
    const char *def;
    double lo, hi;
    const char *help;
    size_t offset;
} xp__optdef;

static const xp__optdef xp__defs[] = {
#define XP__DEF(f, l, s, t, d, lo, hi, h)                                      \
    {l, s, XP__T_##t, d, lo, hi, h, offsetof(xp_opts, f)},
    XP_OPTS_TABLE(XP__DEF)
#undef XP__DEF
};
#define XP__NDEFS ((int)(sizeof xp__defs / sizeof xp__defs[0]))

/* Parse text as option d's type into o; checks the bounds. */
static xp_status xp__set(xp_opts *o, const xp__optdef *d, const char *text,
                         xp_err *e)
{
    char *p = (char *)o + d->offset;
    char *end = NULL;
    errno = 0;
    switch (d->type) {
    case XP__T_S:
        *(const char **)p = text;
        return XP_OK;
    case XP__T_F:
        *(int *)p = 1;
        return XP_OK;
    case XP__T_D: {
        double v = strtod(text, &end);
        if (end == text || *end != '\0' || errno != 0 || !isfinite(v))
            return xp_err_set(e, XP_ARG, "option --%s: expected a number, found '%s'",
                              d->lname, text);
        if (v < d->lo || v > d->hi)
            return xp_err_set(e, XP_ARG, "option --%s: %s is outside [%g, %g]",
                              d->lname, text, d->lo, d->hi);
        *(double *)p = v;
        return XP_OK;
    }
    default: {
        long long v = strtoll(text, &end, 10);
        if (end == text || *end != '\0' || errno != 0)
            return xp_err_set(e, XP_ARG, "option --%s: expected an integer, found '%s'",
                              d->lname, text);
        if ((double)v < d->lo || (double)v > d->hi)
            return xp_err_set(e, XP_ARG, "option --%s: %s is outside [%.0f, %.0f]",
                              d->lname, text, d->lo, d->hi);
        *(int64_t *)p = v;
        return XP_OK;
    }
    }
}

void xp_opts_defaults(xp_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < XP__NDEFS; i++)
        if (xp__defs[i].type != XP__T_F || strcmp(xp__defs[i].def, "0") != 0)
            (void)xp__set(o, &xp__defs[i], xp__defs[i].def, NULL);
}

static const xp__optdef *xp__find_long(const char *name, size_t len)
{
    for (int i = 0; i < XP__NDEFS; i++)
        if (strlen(xp__defs[i].lname) == len && strncmp(xp__defs[i].lname, name, len) == 0)
            return &xp__defs[i];
    return NULL;
}

static const xp__optdef *xp__find_short(char c)
{
    for (int i = 0; i < XP__NDEFS; i++)
        if (xp__defs[i].sname == c)
            return &xp__defs[i];
    return NULL;
}

/* One option at argv[*i]; advances *i past its value. */
static xp_status xp__parse_one(xp_opts *o, int argc, char *const *argv, int *i,
                               xp_err *e)
{
    const char *a = argv[*i];
    const xp__optdef *d;
    const char *val = NULL;
    if (a[1] == '-') {
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        if (len == 4 && strncmp(name, "help", 4) == 0)
            return o->help = 1, XP_OK;
        if (len == 7 && strncmp(name, "version", 7) == 0)
            return o->version = 1, XP_OK;
        d = xp__find_long(name, len);
        if (d == NULL)
            return xp_err_set(e, XP_ARG, "unknown option '%s' (see --help)", a);
        if (eq)
            val = eq + 1;
        if (eq && d->type == XP__T_F)
            return xp_err_set(e, XP_ARG, "option --%s takes no value", d->lname);
    } else {
        if (a[1] == 'h' && a[2] == '\0')
            return o->help = 1, XP_OK;
        d = a[2] == '\0' ? xp__find_short(a[1]) : NULL;
        if (d == NULL)
            return xp_err_set(e, XP_ARG, "unknown option '%s' (see --help)", a);
    }
    if (d->type != XP__T_F && val == NULL) {
        if (*i + 1 >= argc)
            return xp_err_set(e, XP_ARG, "option --%s needs a value", d->lname);
        val = argv[++*i];
    }
    return xp__set(o, d, val ? val : "1", e);
}

xp_status xp_opts_parse(xp_opts *o, int argc, char *const *argv, xp_err *e)
{
    o->inputs = calloc((size_t)(argc > 0 ? argc : 1), sizeof *o->inputs);
    XP_ALLOC_CHECK(e, o->inputs, "the input list");
    o->ninputs = 0;
    int only_inputs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_inputs && strcmp(a, "--") == 0) {
            only_inputs = 1;
        } else if (!only_inputs && a[0] == '-' && a[1] != '\0') {
            XP_CALL(xp__parse_one(o, argc, argv, &i, e));
        } else {
            o->inputs[o->ninputs++] = a;
        }
    }
    if (!o->help && !o->version && o->ninputs == 0)
        return xp_err_set(e, XP_ARG, "no INPUT given (see --help)");
    if (o->out[0] == '\0')
        return xp_err_set(e, XP_ARG, "option --out: empty directory name");
    return XP_OK;
}

void xp_opts_release(xp_opts *o)
{
    free(o->inputs);
    o->inputs = NULL;
    o->ninputs = 0;
}

/* "default: ..." of option d (and its range for numbers) into buf. */
static void xp__help_default(const xp__optdef *d, char *buf, size_t size)
{
    if (d->type == XP__T_F)
        snprintf(buf, size, "default: %s", strcmp(d->def, "0") == 0 ? "off" : "on");
    else if (d->type == XP__T_S)
        snprintf(buf, size, "default: %s", d->def[0] ? d->def : "none");
    else if (d->type == XP__T_I)
        snprintf(buf, size, "default: %s; range %.0f..%.0f", d->def, d->lo, d->hi);
    else
        snprintf(buf, size, "default: %s; range %g..%g", d->def, d->lo, d->hi);
}

/* Characters (not bytes: the help has UTF-8 such as §) in s[0..n). */
static size_t xp__width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Print text word-wrapped to `width` columns, continuation lines indented
 * by `indent` spaces (the first line is already indented by the caller). */
static void xp__help_wrap(FILE *f, const char *text, int indent, size_t width)
{
    size_t col = 0;
    while (*text) {
        size_t n = strcspn(text, " ");
        size_t w = xp__width(text, n);
        if (col > 0 && col + 1 + w > width) {
            fprintf(f, "\n%*s", indent, "");
            col = 0;
        } else if (col > 0) {
            fputc(' ', f);
            col++;
        }
        fwrite(text, 1, n, f);
        col += w;
        text += n;
        text += strspn(text, " ");
    }
    fputc('\n', f);
}

void xp_opts_help(FILE *f, const char *prog)
{
    fprintf(f, "usage: %s [OPTIONS] INPUT...\n"
               "       srun -n N %s [OPTIONS] INPUT...\n"
               "       mpiexec -n N %s [OPTIONS] INPUT...\n\n"
               "Learns communication rules from pcap/pcapng files and Zeek conn.log\n"
               "files (TSV or JSON, plain or gzip) or directories of them.\n\n"
               "options:\n",
            prog, prog, prog);
    for (int i = 0; i < XP__NDEFS; i++) {
        const xp__optdef *d = &xp__defs[i];
        char head[64];
        snprintf(head, sizeof head, "%c%c%s--%s%s", d->sname ? '-' : ' ',
                 d->sname ? d->sname : ' ', d->sname ? ", " : "  ", d->lname,
                 d->type == XP__T_F ? "" : d->type == XP__T_S ? " TEXT"
                                          : d->type == XP__T_I ? " N" : " X");
        char text[512], def[128];
        xp__help_default(d, def, sizeof def);
        snprintf(text, sizeof text, "%s (%s)", d->help, def);
        fprintf(f, "  %-24s ", head);
        xp__help_wrap(f, text, 27, 79 - 27);
    }
    fprintf(f, "  %-24s %s\n  %-24s %s\n", "-h, --help", "this text", "    --version",
            "print the version");
    fprintf(f, "\nN is an integer, X a number. Exit status: 0 done; 1 failed (a one-line\n"
               "message names the file and place); 2 bad option; 3 rules.jsonl,\n"
               "clusters.json and summary.json written but not the reports.\n"
               "Output files and fields: docs/outputs.md.\n");
}

static void xp__json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void xp_opts_json(FILE *f, const xp_opts *o)
{
    for (int i = 0; i < XP__NDEFS; i++) {
        const xp__optdef *d = &xp__defs[i];
        const char *p = (const char *)o + d->offset;
        fprintf(f, "%s\"%s\": ", i ? ", " : "", d->lname);
        switch (d->type) {
        case XP__T_D: fprintf(f, "%.17g", *(const double *)p); break;
        case XP__T_I: fprintf(f, "%lld", (long long)*(const int64_t *)p); break;
        case XP__T_F: fprintf(f, "%s", *(const int *)p ? "true" : "false"); break;
        default: xp__json_string(f, *(const char *const *)p); break;
        }
    }
}

/* xp_report_write.c - xp_report_write_all: every report file, atomically. */
#define _GNU_SOURCE
#include "xp_report.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xp_out.h"
#include "xp_report_int.h"

typedef xp_status (*xp__writer)(FILE *f, const xp_report *rep, xp_err *e);

static const struct {
    const char *name;
    xp__writer write;
} xp__outputs[] = {
    {"report.txt", xp__report_txt},
    {"report.html", xp__report_html},
    {"graph.dot", xp__report_dot},
    {"graph.graphml", xp__report_graphml},
};
#define XP__NOUT (sizeof xp__outputs / sizeof xp__outputs[0])
_Static_assert(XP__NOUT == 4 && XP_REPORT_ALL == (1u << 4) - 1,
               "XP_REPORT_* bits follow xp__outputs");

static void xp__path(char *buf, size_t size, const char *dir, const char *name, int tmp)
{
    snprintf(buf, size, "%s/%s%s", dir, name, tmp ? ".tmp" : "");
}

static xp_status xp__write_one(const char *dir, size_t k, const xp_report *rep, xp_err *e)
{
    char path[4096];
    xp__path(path, sizeof path, dir, xp__outputs[k].name, 1);
    FILE *f = xp_out_fopen(path);
    if (f == NULL)
        return xp_err_set(e, XP_IO, "%s: cannot create: %s", path, strerror(errno));
    xp_status s = xp__outputs[k].write(f, rep, e);
    int bad = ferror(f), err = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    if (s == XP_OK && bad)
        s = xp_err_set(e, XP_IO, "%s: write failed: %s", path, strerror(err));
    return s;
}

/* Full path of `dot` when it is an executable on PATH, else "". */
static void xp__find_dot(char *out, size_t size)
{
    const char *path = getenv("PATH");
    out[0] = '\0';
    while (path && *path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        snprintf(out, size, "%.*s/dot", (int)n, n ? path : ".");
        if (access(out, X_OK) == 0)
            return;
        path = colon ? colon + 1 : NULL;
    }
    out[0] = '\0';
}

static void xp__warn(const xp_report_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void xp__warn(const xp_report_opts *o, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (o->warn)
        o->warn(o->warn_ctx, msg);
    else
        fprintf(stderr, "warning: %s\n", msg);
}

/* Run `dot -Tsvg -o out in`; returns its exit status (-1: killed), or
 * sets *err to posix_spawn's error. dot's own messages go to /dev/null. */
static int xp__run_dot(const char *dot, const char *in, const char *out, int *err)
{
    char *argv[] = {(char *)dot, "-Tsvg", "-o", (char *)out, (char *)in, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int st = 0;
    *err = posix_spawn(&pid, dot, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (*err != 0)
        return -1;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* graph.svg.tmp from graph.dot.tmp with `dot -Tsvg`. Optional: *made is 0
 * when dot is not installed (silently), or, with a warning, when the graph
 * is over the SVG limit or dot fails. Never an error. */
static void xp__write_svg(const char *dir, size_t nrules, const xp_report_opts *o, int *made)
{
    char dot[4096], in[4096], out[4096];
    int64_t max = o->svg_max_rules ? o->svg_max_rules : XP_REPORT_SVG_MAX_RULES;
    *made = 0;
    xp__find_dot(dot, sizeof dot);
    if (!dot[0] || max < 0)
        return;
    if ((int64_t)nrules > max) {
        xp__warn(o, "%s/graph.svg not drawn: %zu rules are more than %lld (Graphviz would "
                    "take minutes); graph.dot is written: `dot -Tsvg` or `sfdp -Tsvg` draws it",
                 dir, nrules, (long long)max);
        return;
    }
    xp__path(in, sizeof in, dir, "graph.dot", 1);
    xp__path(out, sizeof out, dir, "graph.svg", 1);
    int err = 0, rc = xp__run_dot(dot, in, out, &err);
    if (err != 0)
        xp__warn(o, "%s/graph.svg not drawn: cannot run %s: %s", dir, dot, strerror(err));
    else if (rc != 0)
        xp__warn(o, "%s/graph.svg not drawn: `%s -Tsvg` failed (status %d)", dir, dot, rc);
    else
        *made = 1;
    if (!*made)
        unlink(out); /* dot may leave a partial graph.svg.tmp */
}

static void xp__remove_tmps(const char *dir)
{
    char path[4096];
    for (size_t k = 0; k < XP__NOUT; k++) {
        xp__path(path, sizeof path, dir, xp__outputs[k].name, 1);
        unlink(path);
    }
    xp__path(path, sizeof path, dir, "graph.svg", 1);
    unlink(path);
}

static xp_status xp__commit(const char *dir, const char *name, xp_err *e)
{
    char a[4096], b[4096];
    xp__path(a, sizeof a, dir, name, 1);
    xp__path(b, sizeof b, dir, name, 0);
    if (rename(a, b) != 0)
        return xp_err_set(e, XP_IO, "%s: cannot rename to %s: %s", a, b, strerror(errno));
    return XP_OK;
}

xp_status xp_report_commit(const char *dir, xp_err *e)
{
    char path[4096];
    for (size_t k = 0; k < XP__NOUT; k++)
        XP_CALL(xp__commit(dir, xp__outputs[k].name, e));
    xp__path(path, sizeof path, dir, "graph.svg", 1);
    if (access(path, F_OK) == 0)
        return xp__commit(dir, "graph.svg", e);
    /* An older graph.svg would not show this graph. */
    xp__path(path, sizeof path, dir, "graph.svg", 0);
    unlink(path);
    return XP_OK;
}

void xp_report_abort(const char *dir)
{
    xp__remove_tmps(dir);
}

xp_status xp_report_write_tmp(const char *dir, const xp_report_opts *o, unsigned which, xp_err *e)
{
    static const xp_report_opts defaults;
    xp_names *names = NULL;
    xp_report rep;
    memset(&rep, 0, sizeof rep);
    if (o == NULL)
        o = &defaults;
    xp_status s = o->names_path ? xp_names_load(o->names_path, &names, e) : XP_OK;
    if (s == XP_OK)
        s = xp__report_load(dir, names, o->names_path, o, &rep, e);
    else
        s = xp__report_gather_failed(o, s, e);
    for (size_t k = 0; s == XP_OK && k < XP__NOUT; k++)
        if (which & (1u << k))
            s = xp__write_one(dir, k, &rep, e);
    if (s == XP_OK && (which & XP_REPORT_DOT)) {
        /* commit takes graph.svg.tmp as drawn now: none may be left over. */
        char path[4096];
        int svg = 0;
        xp__path(path, sizeof path, dir, "graph.svg", 1);
        unlink(path);
        xp__write_svg(dir, rep.nrules, o, &svg);
    }
    xp__report_free(&rep);
    xp_names_free(names);
    return s;
}

xp_status xp_report_write(const char *dir, const xp_report_opts *o, xp_err *e)
{
    xp_status s = xp_report_write_tmp(dir, o, XP_REPORT_ALL, e);
    if (s == XP_OK)
        s = xp_report_commit(dir, e);
    if (s != XP_OK)
        xp__remove_tmps(dir);
    return s;
}

xp_status xp_report_write_all(const char *dir, const char *names_path, xp_err *e)
{
    xp_report_opts o = {.names_path = names_path};
    return xp_report_write(dir, &o, e);
}

void xp_report_remove(const char *dir)
{
    char path[4096];
    xp__remove_tmps(dir);
    for (size_t k = 0; k < XP__NOUT; k++) {
        xp__path(path, sizeof path, dir, xp__outputs[k].name, 0);
        unlink(path);
    }
    xp__path(path, sizeof path, dir, "graph.svg", 0);
    unlink(path);
}

/* report_main.c - expose-report [--names FILE] DIR: the reports of an
 * expose-mpi output directory, from its rules.jsonl and clusters.json. */
#include <stdio.h>
#include <string.h>

#include "xp_report.h"

static int usage(FILE *f, const char *prog, int rc)
{
    fprintf(f, "usage: %s [--names FILE] DIR\n"
               "Reads DIR/rules.jsonl and DIR/clusters.json (and DIR/summary.json when present)\n"
               "and writes DIR/report.txt, report.html, graph.dot, graph.graphml, and graph.svg\n"
               "when Graphviz `dot` is on PATH (for at most %d rules). FILE names hosts:\n"
               "'ip name' per line (/etc/hosts format). See docs/outputs.md.\n",
            prog, XP_REPORT_SVG_MAX_RULES);
    return rc;
}

static void warn(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "expose-report: warning: %s\n", msg);
}

int main(int argc, char **argv)
{
    const char *names = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage(stdout, argv[0], 0);
        if (strcmp(argv[i], "--names") == 0 && i + 1 < argc)
            names = argv[++i];
        else if (strncmp(argv[i], "--names=", 8) == 0)
            names = argv[i] + 8;
        else if (argv[i][0] == '-' || dir != NULL)
            return usage(stderr, argv[0], 2);
        else
            dir = argv[i];
    }
    if (dir == NULL)
        return usage(stderr, argv[0], 2);
    xp_err e;
    xp_err_clear(&e);
    xp_report_opts o = {.names_path = names, .warn = warn};
    if (xp_report_write(dir, &o, &e) != XP_OK) {
        fprintf(stderr, "expose-report: %s\n", e.msg);
        return 1;
    }
    return 0;
}

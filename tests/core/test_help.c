/* --help documents every option of the table with its default (CONTRACT.md):
 * the option's block (its line and the indented lines under it) holds
 * "(default: VALUE" with the table's default, "-s, --long" for a short
 * name, and the lines fit 80 columns. */
#define _GNU_SOURCE
#include <stdlib.h>

#include "xp_opts.h"
#include "xp_test.h"

/* The block of option --name in help, with line breaks and indentation
 * folded to single spaces, into out; 0 when the option is missing. */
static int option_block(const char *help, const char *name, char *out, size_t size)
{
    char pat[64];
    snprintf(pat, sizeof pat, "--%s", name);
    const char *p = help;
    while ((p = strstr(p, pat)) != NULL) {
        char after = p[strlen(pat)];
        if ((after == ' ' || after == '\n') && p[-1] == ' ')
            break;
        p += strlen(pat);
    }
    if (p == NULL)
        return 0;
    size_t o = 0;
    for (const char *q = p; *q && o + 1 < size; q++) {
        if (*q == '\n') {
            /* The block goes on while the next line is a continuation. */
            if (strncmp(q + 1, "                           ", 27) != 0)
                break;
            q += 27;
            out[o++] = ' ';
            continue;
        }
        out[o++] = *q;
    }
    out[o] = '\0';
    return 1;
}

static void check_option(const char *help, const char *name, char sname, const char *type,
                         const char *def)
{
    char block[1024], want[160];
    if (!option_block(help, name, block, sizeof block)) {
        XP_CHECK(!"option missing from --help");
        fprintf(stderr, "  --%s is not in --help\n", name);
        return;
    }
    const char *shown = def;
    if (type[0] == 'F')
        shown = strcmp(def, "0") == 0 ? "off" : "on";
    else if (type[0] == 'S' && def[0] == '\0')
        shown = "none";
    snprintf(want, sizeof want, "(default: %s", shown);
    if (strstr(block, want) == NULL) {
        XP_CHECK(!"default missing from the option's help");
        fprintf(stderr, "  --%s: '%s' not in '%s'\n", name, want, block);
    } else {
        XP_CHECK(1);
    }
    if (sname) {
        char s[64];
        snprintf(s, sizeof s, "-%c, --%s", sname, name);
        XP_CHECK(strstr(help, s) != NULL);
    }
}

int main(void)
{
    char *help = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&help, &len);
    xp_opts_help(f, "expose-mpi");
    fclose(f);
    int n = 0;
#define CHECK_OPT(fld, l, s, t, d, lo, hi, h)                                  \
    check_option(help, l, s, #t, d);                                           \
    n++;
    XP_OPTS_TABLE(CHECK_OPT)
#undef CHECK_OPT
    XP_CHECK(n >= 20);
    XP_CHECK(strstr(help, "-h, --help") != NULL && strstr(help, "--version") != NULL);
    /* A bogus name is reported missing: the check can fail. */
    char block[64];
    XP_CHECK_INT(option_block(help, "no-such-option", block, sizeof block), 0);
    /* 80 columns (counting characters, not UTF-8 bytes). */
    int line = 1, col = 0, widest = 0;
    for (const char *p = help; *p; p++) {
        if (*p == '\n') {
            line++;
            col = 0;
        } else if (((unsigned char)*p & 0xC0) != 0x80 && ++col > widest) {
            widest = col;
        }
    }
    XP_CHECK(widest <= 80);
    fprintf(stderr, "%d options checked in %d lines of --help, widest %d columns\n", n, line,
            widest);
    free(help);
    XP_TEST_END();
}

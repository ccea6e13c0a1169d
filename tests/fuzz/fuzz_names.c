/*
 * fuzz_names.c - the `--names` hosts-file parser (io/xp_report_names.c):
 * xp_names_parse on the raw bytes, then xp_names_lookup of every first field
 * of every line (and of a few fixed strings).
 * Invariants: a failure has a one-line message naming the file; on success
 * every name found is non-empty and holds no space, tab or newline, and
 * looking an address up twice gives the same answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xp_report_names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz__check_name(const xp_names *t, const char *addr)
{
    const char *n = xp_names_lookup(t, addr);
    if (n == NULL)
        return;
    if (n[0] == '\0' || strpbrk(n, " \t\n") != NULL)
        abort();
    if (xp_names_lookup(t, addr) != n)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xp_names *t = NULL;
    xp_err e;
    xp_err_clear(&e);
    xp_status s = xp_names_parse((const char *)data, size, "hosts.txt", &t, &e);
    if (s != XP_OK) {
        if (e.msg[0] == '\0' || strchr(e.msg, '\n') != NULL ||
            strncmp(e.msg, "hosts.txt: line ", 16) != 0)
            abort();
        return 0;
    }
    /* Look up the first field of each line, NUL-terminated. */
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    for (char *line = copy; line != NULL;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *f = line + strspn(line, " \t\r");
        f[strcspn(f, " \t\r#")] = '\0';
        fuzz__check_name(t, f);
        line = next;
    }
    free(copy);
    static const char *const fixed[] = {"*", "", "[", "[]", "::", "0.0.0.0", "[::1]", "fe80::1%eth0"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        fuzz__check_name(t, fixed[i]);
    if (xp_names_count(t) > size)
        abort();
    xp_names_free(t);
    return 0;
}

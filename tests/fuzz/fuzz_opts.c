/*
 * fuzz_opts.c - xp_opts_parse on an argv made by splitting the input on NUL
 * bytes (argv[0] is "expose-mpi"). A failure must carry a one-line message.
 */
#include <stdlib.h>
#include <string.h>

#include "xp_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    int argc = 1;
    for (size_t i = 0; i < size; i++)
        argc += copy[i] == '\0';
    argc += 1;
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    argv[0] = (char *)"expose-mpi";
    int k = 1;
    argv[k++] = copy;
    for (size_t i = 0; i < size; i++)
        if (copy[i] == '\0')
            argv[k++] = copy + i + 1;
    xp_opts o;
    xp_opts_defaults(&o);
    xp_err e;
    xp_err_clear(&e);
    xp_status s = xp_opts_parse(&o, k, argv, &e);
    if (s != XP_OK && (e.msg[0] == '\0' || strchr(e.msg, '\n') != NULL))
        abort();
    xp_opts_release(&o);
    free(argv);
    free(copy);
    return 0;
}

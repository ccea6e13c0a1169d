/* gen_main.c - expose-gen: the synthetic trace generator (docs/generator.md). */
#include <stdio.h>

#include "xp_gen.h"

int main(int argc, char **argv)
{
    xp_gen_opts o;
    xp_gen_counts n;
    xp_err e;
    xp_err_clear(&e);
    xp_status st = xp_gen_opts_parse(&o, argc, argv, stdout, &e);
    if (st == 1)
        return 0;
    if (st == XP_OK)
        st = xp_gen_run(&o, &n, &e);
    if (st != XP_OK) {
        fprintf(stderr, "expose-gen: %s\n", e.msg[0] ? e.msg : xp_status_msg(st));
        return st == XP_ARG ? 2 : 1;
    }
    fprintf(stderr, "expose-gen: %s: %lld records, %lld packets, %lld planted pairs\n", o.outdir,
            (long long)n.records, (long long)n.packets, (long long)n.planted);
    return 0;
}

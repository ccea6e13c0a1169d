/* xp_driver.c - placeholder until the pipeline lands (see xp_driver.h). */
#include "xp_driver.h"

#include <mpi.h>
#include <stdio.h>

#include "xp_opts.h"

int xp_driver_main(int argc, char **argv)
{
    xp_opts o;
    xp_err e;
    xp_err_clear(&e);
    xp_opts_defaults(&o);
    if (xp_opts_parse(&o, argc, argv, &e) != XP_OK) {
        fprintf(stderr, "expose-mpi: %s\n", e.msg);
        xp_opts_release(&o);
        return 2;
    }
    if (o.help) {
        xp_opts_help(stdout, "expose-mpi");
        xp_opts_release(&o);
        return 0;
    }
    MPI_Init(&argc, &argv);
    MPI_Finalize();
    xp_opts_release(&o);
    return 0;
}

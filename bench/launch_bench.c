/*
 * launch_bench.c - the fixed cost of an MPI job on this machine: a program
 * linked like expose-mpi that only calls MPI_Init and MPI_Finalize, after
 * the same defaults (xp_mpi_defaults; XP_LAUNCH_RAW=1: without them).
 * bench/run-e2e.sh times it under the same launcher as the miner, so the
 * miner's wall time can be read net of starting MPI (bench/README.md).
 */
#include <mpi.h>
#include <stdlib.h>

#include "xp_comm.h"

int main(int argc, char **argv)
{
    if (getenv("XP_LAUNCH_RAW") == NULL)
        xp_mpi_defaults();
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS)
        return 1;
    return MPI_Finalize() != MPI_SUCCESS;
}

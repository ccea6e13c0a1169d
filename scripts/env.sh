# scripts/env.sh - sourced by the scripts: what Open MPI needs as root
# (TOOLCHAIN.md). Set here and in the tests, never inside the program.
export OMPI_ALLOW_RUN_AS_ROOT=1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Without it every MPI_Init stalls 2 s on a stale munge socket (TOOLCHAIN.md).
export PMIX_MCA_psec=native
# Two cores here; the tests start up to 4 ranks.
export OMPI_MCA_rmaps_base_oversubscribe=1

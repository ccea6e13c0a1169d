/*
 * test_mpi_defaults.c - xp_mpi_defaults (mpi/xp_comm.h) under the
 * environments of each launcher: which Open MPI settings it makes before
 * MPI_Init, and that it never overrides the user's own. No MPI call: it
 * runs as a plain program.
 */
#include <stdlib.h>

#include "xp_comm.h"
#include "xp_test.h"

static const char *const xp__vars[] = {"OMPI_COMM_WORLD_SIZE",
                                       "OMPI_COMM_WORLD_LOCAL_SIZE",
                                       "SLURM_STEP_NUM_NODES",
                                       "PMIX_RANK",
                                       "PMI_RANK",
                                       "PMI_FD",
                                       "OMPI_MCA_pml",
                                       "OMPI_MCA_ess_singleton_isolated"};

/* Clear every variable xp_mpi_defaults reads or sets, set "NAME=VALUE"
 * pairs (NULL-terminated), then run it. */
static void xp__env(const char *set[])
{
    for (size_t i = 0; i < sizeof xp__vars / sizeof *xp__vars; i++)
        unsetenv(xp__vars[i]);
    for (size_t i = 0; set[i] != NULL; i += 2)
        setenv(set[i], set[i + 1], 1);
    xp_mpi_defaults();
}

/* The value of name, "-" when unset. */
static const char *xp__get(const char *name)
{
    const char *v = getenv(name);
    return v ? v : "-";
}

#define XP__CASE(pml, isolated, ...)                                                               \
    do {                                                                                           \
        const char *set_[] = {__VA_ARGS__, NULL};                                                  \
        xp__env(set_);                                                                             \
        XP_CHECK_STR(xp__get("OMPI_MCA_pml"), pml);                                                \
        XP_CHECK_STR(xp__get("OMPI_MCA_ess_singleton_isolated"), isolated);                        \
    } while (0)

int main(void)
{
    /* No launcher: one process, alone: shared memory, and no daemon. */
    XP__CASE("ob1", "1", NULL);
    /* The user's choices stand. */
    XP__CASE("ucx", "1", "OMPI_MCA_pml", "ucx");
    XP__CASE("ob1", "0", "OMPI_MCA_ess_singleton_isolated", "0");
    /* mpiexec on one node, and on several. */
    XP__CASE("ob1", "-", "OMPI_COMM_WORLD_SIZE", "2", "OMPI_COMM_WORLD_LOCAL_SIZE", "2");
    XP__CASE("-", "-", "OMPI_COMM_WORLD_SIZE", "4", "OMPI_COMM_WORLD_LOCAL_SIZE", "2");
    XP__CASE("-", "-", "OMPI_COMM_WORLD_SIZE", "4");
    /* srun (PMIx) with one node and with two. */
    XP__CASE("ob1", "-", "SLURM_STEP_NUM_NODES", "1", "PMIX_RANK", "0");
    XP__CASE("-", "-", "SLURM_STEP_NUM_NODES", "2", "PMIX_RANK", "0");
    /* Another launcher that says neither where nor how many: unchanged. */
    XP__CASE("-", "-", "PMIX_RANK", "0");
    XP__CASE("-", "-", "PMI_RANK", "0");
    XP__CASE("-", "-", "PMI_FD", "5");
    XP_TEST_END();
}

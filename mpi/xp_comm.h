/*
 * xp_comm.h - checked MPI: one wrapper that turns an MPI failure into our
 * error code with MPI's own message, status agreement before collectives,
 * and the exact reductions of the miner (pair counts, support bitmaps).
 */
#ifndef XP_COMM_H
#define XP_COMM_H

#include <mpi.h>

#include "xp_count.h"
#include "xp_score.h"
#include "xp_error.h"

/*
 * Before MPI_Init: when every rank runs on this one node (mpiexec says so
 * in OMPI_COMM_WORLD_LOCAL_SIZE == OMPI_COMM_WORLD_SIZE, srun in
 * SLURM_STEP_NUM_NODES=1, and a run without a launcher is one process)
 * and the user chose no point-to-point layer, Open MPI's shared-memory
 * one (OMPI_MCA_pml=ob1) is asked for. Its default first probes UCX for
 * network devices, which took 0.2 s of every start on one node here and
 * brings nothing between processes of one node (MPI_Init + MPI_Finalize:
 * 0.44 -> 0.22 s at 2 ranks, bench/README.md). Every rank sees the same
 * environment, so all choose the same layer. Setting OMPI_MCA_pml (to
 * ucx, say) overrides this; on several nodes nothing is changed.
 *
 * Without a launcher (no mpiexec or srun variables: the one-rank laptop
 * run), Open MPI's singleton forks a daemon (orted) to serve it, which
 * only MPI_Comm_spawn and MPI_Comm_connect need and expose-mpi never
 * calls; OMPI_MCA_ess_singleton_isolated=1 (unless set) starts none.
 * launch_bench without a launcher: MPI_Init + MPI_Finalize 0.21 -> 0.05-0.06 s.
 */
void xp_mpi_defaults(void);

/* Turn an MPI return code into XP_OK or XP_MPI ("MPI_Allreduce: <MPI text>"). */
xp_status xp_mpi_check(int rc, const char *what, xp_err *e);
#define XP_MPI_CALL(e, call) XP_CALL(xp_mpi_check((call), #call, (e)))

/*
 * Collective on comm. Every rank passes its own status; all ranks return the
 * worst (most negative) one. The message of the lowest failing rank is
 * copied to every rank's *e, so rank 0 can print it. Call before every
 * collective that follows work which may fail on one rank only.
 */
xp_status xp_agree(MPI_Comm comm, xp_status s, xp_err *e);

/*
 * Collective. Sum n int64 values element-wise over all ranks in place, in
 * chunks that fit an MPI int count (Open MPI 4.1 has no large-count calls).
 */
xp_status xp_allreduce_i64(MPI_Comm comm, int64_t *v, int64_t n, MPI_Op op, xp_err *e);
/* Collective. Bitwise OR of n uint64 words over all ranks, in place. */
xp_status xp_allreduce_bor(MPI_Comm comm, uint64_t *v, int64_t n, xp_err *e);
/* Collective. Sum of non-negative counts v[0..n) over ranks, exact, in
 * place: sent as 32-bit integers (half the bytes, packed into v itself)
 * when no sum can exceed INT32_MAX (the sum over ranks of each rank's
 * largest count does not), else as 64-bit. XP_WIDE_COUNTS=1 in the
 * environment: 64 bits always (tests). On failure v is unspecified. */
xp_status xp_allreduce_counts(MPI_Comm comm, int64_t *v, int64_t n, xp_err *e);

/*
 * Collective. Every rank's n items of `size` bytes at mine, concatenated in
 * rank order into *all (malloc'd, owned by the caller), *nall items in all.
 * The status is agreed (XP_NOMEM; XP_BUDGET past INT_MAX items, the most
 * one MPI_Allgatherv can place: "WHAT: N items exceed one MPI exchange;
 * ADVICE").
 */
xp_status xp_allgather_items(MPI_Comm comm, const void *mine, int64_t n, size_t size, void **all,
                             int64_t *nall, const char *what, const char *advice, xp_err *e);

/*
 * Collective. Each rank sends count[q] items of `size` bytes to rank q, from
 * send + displ[q] items (displ NULL: packed in rank order); *recv (malloc'd,
 * owned by the caller) gets the items received, by source rank, *nrecv in
 * all, rcount[s] (may be NULL) from rank s. The status is agreed (XP_NOMEM;
 * XP_BUDGET past INT_MAX items per rank).
 */
xp_status xp_alltoall_items(MPI_Comm comm, const void *send, const int64_t *count,
                            const int64_t *displ, size_t size, void **recv, int64_t *nrecv,
                            int64_t *rcount, xp_err *e);

/*
 * Collective. The union of every rank's pairs with their counts summed,
 * each rank keeping its slice of them: keys are exchanged
 * (MPI_Allgatherv), merged into one sorted key list, and the counts
 * reduced with one MPI_Allreduce: the 4 window counts of every pair and
 * the 4 client-window counts of the generic-generic pairs only (templates
 * from ci; for the others cw is a copy of c, made again after), by
 * xp_allreduce_counts (32 bits when they fit). Integers only, so the
 * result does not depend on how the windows were split. *mine gets the
 * pairs this rank scores, in key order: those at positions j = r mod size
 * of the n sorted pairs for rank r (in turns, so that the ranks' work is
 * alike: xp_comm.c); together they are all pairs, each once. *local is
 * consumed (freed; at one rank it becomes *mine as it is, as one rank has
 * nothing to add). *mine is owned by the caller.
 */
xp_status xp_pairs_reduce(MPI_Comm comm, xp_pairs *local, const xp_colinfo *ci, xp_pairs *mine,
                          xp_err *e);

/*
 * Collective. Append every rank's rules in `part` (rank 0's first, then
 * rank 1's, ...) to *acc on every rank, and add the ranks' candidate
 * counts. The ranks take turns over the pairs (xp_pairs_reduce), so the
 * order depends on the rank count, but nothing that follows does: a pair's
 * rules stay together (xp_score_finish groups them by xp_rule.pair, its
 * key), tied p-values get equal q-values whatever their order, and the
 * rules are sorted for output by score and text (xp_out_sort_rules).
 * Merging them back into pair order cost a copy of all rules: +5 MiB of
 * peak memory at K = 10000.
 */
xp_status xp_rules_allgather(MPI_Comm comm, const xp_rules *part, xp_rules *acc, xp_err *e);

#endif

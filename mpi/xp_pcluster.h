/*
 * xp_pcluster.h - rule clustering (§3.1) over the ranks of a communicator:
 * the same result as xp_cluster_run, with large parts solved by ScaLAPACK
 * on a grid over all ranks and small parts spread across the ranks.
 */
#ifndef XP_PCLUSTER_H
#define XP_PCLUSTER_H

#include <mpi.h>

#include "xp_cluster.h"

/*
 * Collective on comm. Every rank passes the same graph and options and gets
 * the same clustering (identical bits), equal to xp_cluster_run's up to the
 * round-off of the eigen-solvers (docs/clustering.md). Parts with at least
 * o->scalapack_min nodes are solved with pdsyevx on a BLACS grid over every
 * rank of comm; smaller parts with serial LAPACK, each on one rank, shared
 * after each round. Errors are agreed: every rank returns the same status
 * and message (that of the lowest failing rank), *out then empty. Statuses
 * as xp_cluster_run, plus XP_MPI.
 */
xp_status xp_pcluster_run(MPI_Comm comm, const xp_rulegraph *g,
                          const xp_cluster_opts *o, xp_clustering *out,
                          xp_err *e);

#endif

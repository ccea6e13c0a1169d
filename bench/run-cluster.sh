#!/bin/sh
# Clustering bench (§3.1, docs/clustering.md), at 1, 2 and 4 ranks:
#  1. one eigen-solve of a planted graph's Laplacian (3 smallest pairs):
#     dense dsyevr vs ScaLAPACK pdsyevx (up to EIG_MAX nodes) vs the sparse
#     solver (EIG_SIZES);
#  2. the whole partitioning of planted graphs of SIZES nodes: dense
#     reference (serial, up to SERIAL_MAX nodes), sparse serial, sparse over
#     all ranks, dense with ScaLAPACK (up to SERIAL_MAX);
#  3. the same on the rule graphs in GRAPHS ("src dst score" files, e.g.
#     written by expose-mpi with XP_RULEGRAPH=PATH, or the largest component
#     of one by bench/rules_graph.py --largest).
# Usage: bench/run-cluster.sh [BUILD_DIR] [SIZES...]   (default sizes: 1000 5000 20000)
# On 2 cores with netlib BLAS one dense 5k eigen-solve takes minutes and a
# 20k one is estimated at over an hour: keep SERIAL_MAX small.
set -eu
build=${1:-build}
[ $# -gt 0 ] && shift
sizes=${*:-1000 5000 20000}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PMIX_MCA_psec=native
opts="--serial-max ${SERIAL_MAX:-1000} --scalapack-min ${SCALAPACK_MIN:-2000}"
for np in 1 2 4; do
  mpiexec --oversubscribe -n "$np" "$build/bench/cluster_bench" --serial-max "${EIG_MAX:-2000}" \
    --eig ${EIG_SIZES:-500 1000 2000}
  mpiexec --oversubscribe -n "$np" "$build/bench/cluster_bench" $opts $sizes
  for g in ${GRAPHS:-}; do
    echo "graph $g"
    mpiexec --oversubscribe -n "$np" "$build/bench/cluster_bench" $opts --graph "$g" 0
  done
done

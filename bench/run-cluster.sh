#!/bin/sh
# Clustering bench (§3.1): one eigen-solve dsyevr vs pdsyevx, then the whole
# partitioning (serial / ScaLAPACK / serial spread over ranks) at 1, 2, 4 ranks.
# Usage: bench/run-cluster.sh [BUILD_DIR] [SIZES...]   (default sizes: 1000 5000 20000)
# Serial runs above SERIAL_MAX nodes (default 5000) are skipped; on 2 cores with
# netlib BLAS one dense 20k eigen-solve is estimated at over an hour.
set -eu
build=${1:-build}
[ $# -gt 0 ] && shift
sizes=${*:-1000 5000 20000}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PMIX_MCA_psec=native
for np in 1 2 4; do
  mpiexec --oversubscribe -n "$np" "$build/bench/cluster_bench" --eig 500 1000 2000
  mpiexec --oversubscribe -n "$np" "$build/bench/cluster_bench" \
    --serial-max "${SERIAL_MAX:-5000}" --scalapack-min "${SCALAPACK_MIN:-2000}" $sizes
done

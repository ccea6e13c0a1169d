#!/bin/sh
# scripts/valgrind-e2e.sh - one end-to-end run of expose-mpi under valgrind
# memcheck (docs/hardening.md): a small generated trace, 2 ranks under
# mpiexec, both ranks under valgrind. Fails on any memcheck error or any
# definitely/indirectly lost block not covered by tests/valgrind-mpi.supp
# (Open MPI, PMIx, hwloc, HDF5, ScaLAPACK internals only; each entry needs
# such a library at the top of the stack).
# Usage: scripts/valgrind-e2e.sh [BUILD-DIR]   (default build/, built first)
#   XP_VALGRIND_NP   ranks (default 2)
#   XP_VALGRIND_NOBUILD=1  use BUILD-DIR as it is (the ctest valgrind/e2e)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
np=${XP_VALGRIND_NP:-2}
if [ -z "${XP_VALGRIND_NOBUILD:-}" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j"${XP_JOBS:-2}" --target expose-mpi expose-gen >/dev/null
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PMIX_MCA_psec=native
export OMPI_MCA_rmaps_base_oversubscribe=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/io/expose-gen" -o "$tmp/g" --clients 40 --hours 0.2 --seed 3 >/dev/null
start=$(date +%s)
rc=0
mpiexec -n "$np" valgrind --tool=memcheck --error-exitcode=99 --keep-debuginfo=yes --leak-check=full \
    --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --suppressions="$root/tests/valgrind-mpi.supp" --num-callers=30 \
    --log-file="$tmp/vg.%q{OMPI_COMM_WORLD_RANK}.log" \
    "$build/mpi/expose-mpi" -q -o "$tmp/out" "$tmp/g/conn.log" || rc=$?
for f in "$tmp"/vg.*.log; do
  echo "== $f"
  grep -E "ERROR SUMMARY|definitely lost|indirectly lost|suppressed:" "$f" || true
done
# Print the first unsuppressed error of each rank, if any.
for f in "$tmp"/vg.*.log; do
  if ! grep -q "ERROR SUMMARY: 0 errors" "$f"; then
    sed -n '/^==[0-9]*== [A-Z].*\(Invalid\|uninitialised\|Mismatched\|definitely\|indirectly\|overlap\|Syscall\)/,/^==[0-9]*== $/p' "$f" | head -60
    rc=1
  fi
done
[ -s "$tmp/out/summary.json" ] || { echo "valgrind-e2e: no summary.json"; rc=1; }
echo "valgrind-e2e: $np ranks, $(( $(date +%s) - start ))s, status $rc"
exit $rc

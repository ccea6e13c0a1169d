#!/bin/sh
# scripts/test-asan.sh - configure build-asan with AddressSanitizer +
# UndefinedBehaviorSanitizer (cmake -DXP_SANITIZE=ON), build it, and run the
# test suite there (docs/hardening.md).
# Usage: scripts/test-asan.sh [CTEST-ARGS...]
#   XP_ASAN_FULL=1   run every test (default: the CI subset: everything but
#                    the labels in XP_ASAN_EXCLUDE and the tests named in
#                    XP_ASAN_EXCLUDE_TESTS, which CI's 90 minutes cannot
#                    afford under ASan; docs/hardening.md has the times)
#   XP_ASAN_EXCLUDE  ctest -LE regex (default "slurm|slow|quality")
#   XP_ASAN_EXCLUDE_TESTS  ctest -E regex
#                    (default "mpi/ranks_identical|e2e/progress|cluster/test_pcluster_np4")
# Leaks: LeakSanitizer is on, with tests/lsan-mpi.supp for Open MPI, PMIx,
# hwloc, HDF5 and ScaLAPACK internals. For those suppressions to match, the
# leaked blocks' stacks must be symbolised: Open MPI and PMIx are told not to
# dlclose their plugins (else the frames are "<unknown module>"), and malloc
# stacks are unwound the slow way (the libraries have no frame pointers).
# Any ASan or UBSan report fails the test that produced it (halt_on_error,
# -fno-sanitize-recover).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${XP_ASAN_BUILD:-$root/build-asan}
cmake -S "$root" -B "$build" -DXP_SANITIZE=ON -DXP_BUILD_TESTS=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"${XP_JOBS:-2}" >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PMIX_MCA_psec=native
export OMPI_MCA_mca_base_component_disable_dlclose=1 PMIX_MCA_mca_base_component_disable_dlclose=1
export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=0:check_initialization_order=1:strict_string_checks=1${XP_ASAN_EXTRA:+:$XP_ASAN_EXTRA}"
export LSAN_OPTIONS="suppressions=$root/tests/lsan-mpi.supp:print_suppressions=0"
# LeakSanitizer's exit scan makes each rank's exit take seconds: the signal
# tests allow 20 s instead of 5 (tests/mpi/signal.sh).
export XP_SIGNAL_LIMIT=20
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
exclude=${XP_ASAN_EXCLUDE:-slurm|slow|quality}
exclude_tests=${XP_ASAN_EXCLUDE_TESTS:-mpi/ranks_identical|e2e/progress|cluster/test_pcluster_np4}
set -- --test-dir "$build" --output-on-failure -j2 --timeout 1800 "$@"
[ -z "${XP_ASAN_FULL:-}" ] && set -- "$@" -LE "$exclude" -E "$exclude_tests"
start=$(date +%s)
rc=0
ctest "$@" 2>&1 | tee "$build/ctest-asan.log" || rc=1
grep -q "tests passed, 0 tests failed" "$build/ctest-asan.log" || rc=1
echo "asan: $(( $(date +%s) - start ))s, status $rc (log: $build/ctest-asan.log)"
exit $rc

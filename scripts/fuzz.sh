#!/bin/bash
# fuzz.sh - build the libFuzzer targets with clang and run each for N seconds.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (default 60 s, every target)
# Targets run one after another, one process each, so SECONDS of wall time is
# about SECONDS of CPU time per target; the CPU time actually used (user +
# system, from /usr/bin/time or bash's `times`) is printed for docs/fuzzing.md.
# New crashes land in build-fuzz/crashes/<target>/; copy each into
# tests/fuzz/corpus/<target>/ once fixed, so the replay test keeps it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
all="fuzz_pcap_decode fuzz_pcap_file fuzz_zeek_tsv fuzz_zeek_json fuzz_gzip fuzz_opts fuzz_names fuzz_shard fuzz_report_json"
targets=${*:-$all}
build=${XP_FUZZ_BUILD:-$root/build-fuzz}
CC=clang cmake -S "$root" -B "$build" -DXP_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
for t in $targets; do
  cmake --build "$build" -j2 --target "$t" >/dev/null
done
status=0
for t in $targets; do
  work=$build/corpus/$t
  crashes=$build/crashes/$t
  mkdir -p "$work" "$crashes"
  echo "== $t: ${secs}s"
  # The seed corpus is read-only input; new finds go to the work corpus.
  # fuzz_shard writes its HDF5 files under TMPDIR: keep them in memory.
  t0=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  # Leaks inside HDF5 when it fails to open a damaged file are HDF5's, not
  # ours: the same suppressions as the ASan test run (docs/hardening.md).
  if ! TMPDIR=${XP_FUZZ_TMP:-/dev/shm} LSAN_OPTIONS="suppressions=$root/tests/lsan-mpi.supp:print_suppressions=0" \
       "$build/tests/fuzz/$t" -max_total_time="$secs" \
       -max_len=65536 -rss_limit_mb=2048 -artifact_prefix="$crashes/" -print_final_stats=1 \
       "$work" "$root/tests/fuzz/corpus/$t" 2>"$build/$t.log"; then
    echo "   FAILED: see $build/$t.log and $crashes/"
    status=1
  fi
  t1=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  hz=$(getconf CLK_TCK)
  echo "   cpu: $(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN{printf "%.2f min", (b - a) / hz / 60}')"
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/$t.log" | sed 's/^/   /'
  grep -E "^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)" "$build/$t.log" | tail -1 | sed 's/^/   /'
done
exit $status

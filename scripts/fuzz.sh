#!/bin/sh
# fuzz.sh - build the libFuzzer targets with clang and run each for N seconds.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (default 60 s, every target)
# New crashes land in build-fuzz/crashes/<target>/; copy each into
# tests/fuzz/corpus/<target>/ once fixed, so the replay test keeps it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"fuzz_pcap_decode fuzz_zeek_tsv fuzz_zeek_json fuzz_gzip fuzz_opts"}
build=$root/build-fuzz
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
  if ! "$build/tests/fuzz/$t" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
       -artifact_prefix="$crashes/" -print_final_stats=1 \
       "$work" "$root/tests/fuzz/corpus/$t" 2>"$build/$t.log"; then
    echo "   FAILED: see $build/$t.log and $crashes/"
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|cov:" "$build/$t.log" | tail -3 | sed 's/^/   /'
done
exit $status

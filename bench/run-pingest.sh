#!/bin/bash
# run-pingest.sh - parallel ingest speed-up over rank 0 alone (bench/README.md,
# "Parallel ingest"). Times xp_pingest_read (bench/pingest_bench.c) at each rank
# count and checks that every rank count ends with the same records.
#
#   bench/run-pingest.sh [BUILD_DIR] [INPUT...]
#
# Without INPUT, generates 24 hourly conn.log files of 1000 clients
# (expose-gen --clients 1000 --hours 24 --seed 1 --rotate-hourly: 25 files,
# 436 MB, 3.46 M records) in a temporary folder, removed afterwards.
# Environment: RANKS (default "1 2 4"), REPEATS (3; the best run is kept),
# LAUNCHER (default "mpiexec --oversubscribe -n"), CSV (default
# bench/results/pingest.csv).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
[ $# -gt 0 ] && shift
ranks=${RANKS:-1 2 4}
repeats=${REPEATS:-3}
launcher=${LAUNCHER:-mpiexec --oversubscribe -n}
csv=${CSV:-$root/bench/results/pingest.csv}
[ -f "$root/scripts/env.sh" ] && . "$root/scripts/env.sh"
bench=$build/bench/pingest_bench
[ -x "$bench" ] || cmake --build "$build" -j2 --target pingest_bench expose-gen
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ $# -eq 0 ]; then
    "$build/io/expose-gen" -o "$tmp/g" --clients 1000 --hours 24 --seed 1 --rotate-hourly >/dev/null
    set -- "$tmp/g"
fi
mkdir -p "$(dirname "$csv")"
echo "ranks,files,bytes,records,out_of_order,seconds,parse_s,exchange_s,merge_s,mb_per_s,records_hash,speedup" > "$csv"
base= hash0=
for r in $ranks; do
    # shellcheck disable=SC2086
    line=$($launcher "$r" "$bench" "$repeats" "$@")
    secs=$(echo "$line" | cut -d, -f6)
    hash=$(echo "$line" | cut -d, -f11)
    [ -n "$base" ] || { base=$secs; hash0=$hash; }
    [ "$hash" = "$hash0" ] || { echo "run-pingest: records differ at $r ranks" >&2; exit 1; }
    echo "$line,$(awk -v a="$base" -v b="$secs" 'BEGIN { printf "%.2f", a / b }')" | tee -a "$csv"
done
echo "wrote $csv (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"

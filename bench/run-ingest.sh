#!/bin/sh
# run-ingest.sh - reader throughput (bench/README.md, "Ingest").
# Usage: bench/run-ingest.sh [BUILD_DIR] [SHARED_TRACES_DIR]
# Makes two ~100 MB inputs in a temporary directory from the shared traces
# (the M57 pcap's records and the M57 conn.log's body, each repeated), runs
# ingest_bench on them and on the real files, and removes them afterwards.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
traces=${2:-$root/../shared/traces}
pcap=$traces/m57-day1118-pcap10k/2009-M57-day11-18-10k.pcap
conn=$traces/m57-day1118/conn.log
bench=$build/bench/ingest_bench
[ -x "$bench" ] || cmake --build "$build" -j2 --target ingest_bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# pcap: the 24-byte file header once, then the records 36 times (~100 MB).
head -c 24 "$pcap" > "$tmp/big.pcap"
tail -c +25 "$pcap" > "$tmp/body"
for i in $(seq 36); do cat "$tmp/body"; done >> "$tmp/big.pcap"
# conn.log: the header once, then the body lines 72 times (~100 MB).
grep '^#' "$conn" | grep -v '^#close' > "$tmp/big.log"
grep -v '^#' "$conn" > "$tmp/body"
for i in $(seq 72); do cat "$tmp/body"; done >> "$tmp/big.log"
echo "## real traces"
"$bench" "$pcap" "$conn" 5
echo "## ~100 MB inputs"
"$bench" "$tmp/big.pcap" "$tmp/big.log" 3

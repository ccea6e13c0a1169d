#!/bin/bash
# Usage: edge.sh EXPOSE GEN MPIEXEC CASE...
# Edges of the range (issue 7, docs/hardening.md). Each case either works,
# and the test checks that the output makes sense (counts of records,
# windows, columns, rules), or stops with a clear one-line error, and the
# test checks which. Inputs are made by mkedge.py in a temporary directory.
# Cases: small (the quick ones), manyfiles, bigfile (a 2 GiB+ sparse pcap).
set -u
exe=$1 gen=$2 mpiexec=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
mk="python3 $here/mkedge.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; fail=$((fail + 1)); fi; }
# j DIR KEY: a top-level value of DIR/summary.json.
j() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1/summary.json" "$2" 2>/dev/null; }

# ok NAME [OPTIONS] INPUT...: a run that must succeed (one rank, -q).
ok() {
  local name=$1; shift
  out=$tmp/o-$name
  timeout 300 "$exe" -q -o "$out" "$@" 2> "$tmp/err-$name"
  rc=$?
  check "$name: exit status 0 (got $rc: $(head -c 300 "$tmp/err-$name"))" '[ $rc -eq 0 ]'
  check "$name: summary.json and rules.jsonl written" '[ -s "$out/summary.json" ] && [ -e "$out/rules.jsonl" ]'
}
# bad NAME PATTERN [OPTIONS] INPUT...: a run that must stop with exit 1 and
# exactly one line on stderr, "expose-mpi: error: ..." matching PATTERN, and
# leave no rules.jsonl or summary.json.
bad() {
  local name=$1 pat=$2; shift 2
  out=$tmp/o-$name
  timeout 300 "$exe" -q -o "$out" "$@" 2> "$tmp/err-$name"
  rc=$?
  check "$name: exit status 1 (got $rc)" '[ $rc -eq 1 ]'
  check "$name: one line on stderr (got $(wc -l < "$tmp/err-$name"))" '[ "$(wc -l < "$tmp/err-$name")" -eq 1 ]'
  check "$name: message matches '$pat' (got: $(head -c 300 "$tmp/err-$name"))" \
        'grep -Eq "^expose-mpi: error: .*$pat" "$tmp/err-$name"'
  check "$name: no rules.jsonl, no summary.json" '[ ! -e "$out/rules.jsonl" ] && [ ! -e "$out/summary.json" ]'
}
# eq NAME KEY VALUE: summary.json of the last run has KEY = VALUE.
eq() { _k=$2 _v=$3; check "$1: $2 = $3 (got $(j "$out" "$2"))" '[ "$(j "$out" "$_k")" = "$_v" ]'; }

small() {
  # A trace of one packet: one window, no rules (nothing to correlate).
  $mk pcap "$tmp/one.pcap" 1 1
  ok one-packet "$tmp/one.pcap"
  eq one-packet records 1; eq one-packet windows 1; eq one-packet rules 0
  # The same at 2 ranks: one shard, so one rank has no shard at all.
  timeout 120 "$mpiexec" -n 2 "$exe" -q -o "$tmp/o-one2" "$tmp/one.pcap" 2> "$tmp/err-one2"
  rc=$?
  check "one-packet, 2 ranks: exit 0 (got $rc)" '[ $rc -eq 0 ]'
  check "one-packet, 2 ranks: same summary counts" \
        '[ "$(j "$tmp/o-one2" records)/$(j "$tmp/o-one2" windows)" = 1/1 ]'

  # Every packet in one window: 100 packets 1 ms apart.
  $mk pcap "$tmp/onewin.pcap" 100 0.001
  ok one-window "$tmp/onewin.pcap"
  eq one-window records 100; eq one-window windows 1; eq one-window rules 0

  # A trace spanning three years: 1-minute windows (94.6 M 1-s windows work
  # too, in about 35 s and 1.5 GB: docs/hardening.md).
  $mk pcap "$tmp/years.pcap" 4 31536000
  ok years --window 60 "$tmp/years.pcap"
  eq years records 4; eq years windows $((3 * 31536000 / 60 + 1))
  # Past 2^31 windows: a clear error naming the limit and the way out.
  $mk conn "$tmp/span.log" '1700000000 10.0.0.1 40000 10.0.0.2 80 tcp 0.1' \
                           '1e11 10.0.0.1 40001 10.0.0.2 80 tcp 0.1'
  bad too-many-windows "at most 2147483648 windows are supported \(use a larger --window\)" "$tmp/span.log"
  ok too-many-windows-wider --window 86400 "$tmp/span.log"
  eq too-many-windows-wider records 2

  # Timestamps before 1970 work (negative epoch seconds; windows from t0).
  $mk conn "$tmp/neg.log" '-86400.5 10.0.0.1 40000 10.0.0.2 80 tcp 0.1' \
      '-86300.5 10.0.0.1 40001 10.0.0.2 80 tcp 0.1' '-86200 10.0.0.3 40001 10.0.0.2 443 tcp 0.1'
  ok before-1970 "$tmp/neg.log"
  eq before-1970 records 3; eq before-1970 trace_start -86400.5; eq before-1970 windows 202
  # Far in the future (year 5138) works; infinity and 1e300 apart do not.
  $mk conn "$tmp/fut.log" '1e11 10.0.0.1 40000 10.0.0.2 80 tcp 0.1' \
      '100000000010 10.0.0.1 40001 10.0.0.2 80 tcp 0.1'
  ok far-future "$tmp/fut.log"
  eq far-future records 2; eq far-future windows 11; eq far-future trace_start 100000000000.0
  $mk conn "$tmp/inf.log" 'inf 10.0.0.1 40000 10.0.0.2 80 tcp 0.1'
  bad infinite-ts "inf.log: line 3 \(byte 86\): ts is not a finite number: 'inf'" "$tmp/inf.log"
  $mk conn "$tmp/huge.log" '-1e300 10.0.0.1 40000 10.0.0.2 80 tcp 0.1' '1e300 10.0.0.1 40001 10.0.0.2 80 tcp 0.1'
  bad huge-span "the trace spans 2e\+300 s" "$tmp/huge.log"

  # Windows of 1 ms and of 1 hour, K = 1 and K above the number of columns,
  # on a generated trace of 12 minutes (2042 records).
  "$gen" -o "$tmp/g" --clients 40 --hours 0.2 --seed 3 > /dev/null || { echo "FAIL: expose-gen"; exit 1; }
  ok default "$tmp/g/conn.log"
  local recs cols flows gens
  recs=$(j "$out" records); cols=$(j "$out" columns); flows=$(j "$out" flows); gens=$(j "$out" generics)
  check "default: some rules" '[ "$(j "$out" rules)" -gt 0 ]'
  ok window-1ms --window 0.001 "$tmp/g/conn.log"
  eq window-1ms records "$recs"
  check "window-1ms: ~720000 windows (got $(j "$out" windows))" \
        '[ "$(j "$out" windows)" -gt 700000 ] && [ "$(j "$out" windows)" -le 721000 ]'
  ok window-1h --window 3600 "$tmp/g/conn.log"
  eq window-1h records "$recs"; eq window-1h windows 1
  ok top-k-1 --top-k 1 "$tmp/g/conn.log"
  eq top-k-1 columns 1; eq top-k-1 rules 0
  ok top-k-huge --top-k 100000000 "$tmp/g/conn.log"
  # K above the number of objects keeps them all: as many columns as with
  # the default K (which already exceeds them here), no more than exist.
  eq top-k-huge columns "$cols"
  check "top-k-huge: columns <= flows + generics" '[ "$cols" -le $((flows + gens)) ]'
  check "top-k-huge: same rules as the default K" 'cmp -s "$tmp/o-default/rules.jsonl" "$out/rules.jsonl"'

  # Every flow present in every window: each is dropped by the presence rule
  # (§2.2 b), so no rules; with --max-presence 1 they stay, still no rules.
  $mk everywindow "$tmp/ew.log" 3 50
  ok every-window "$tmp/ew.log"
  eq every-window records 150; eq every-window windows 50; eq every-window flows 3
  eq every-window dominant 3; eq every-window rules 0
  ok every-window-kept --max-presence 1 "$tmp/ew.log"
  eq every-window-kept dominant 0; eq every-window-kept rules 0

  # IPv6 link-local addresses with scope ids: the scope id is dropped
  # (docs/inputs.md), so fe80::1%eth0 and fe80::1%eth1 are one host.
  $mk conn "$tmp/ll.log" '1700000000 fe80::1%eth0 40000 fe80::2%eth0 53 udp 0.1' \
      '1700000001 fe80::1%eth1 40001 fe80::2 53 udp 0.1'
  ok link-local "$tmp/ll.log"
  eq link-local records 2; eq link-local hosts 2; eq link-local flows 1

  # Ports 0 and 65535: a flow to port 0 and one to port 65535 of the same
  # client, together in every third of 200 windows, give flow-flow rules
  # that name both ports (65535 is well known: 67 connections >= 20).
  local args=() i t
  for i in $(seq 0 199); do
    t=$((1700000000 + i))
    if [ $((i % 3)) -eq 0 ]; then
      args+=("$t.1 10.0.0.1 0 10.0.0.2 0 udp 0.1" "$t.2 10.0.0.1 65535 10.0.0.4 65535 tcp 0.1")
    else
      args+=("$t.5 10.0.0.1 40000 10.0.0.6 80 tcp 0.1")
    fi
  done
  $mk conn "$tmp/ports.log" "${args[@]}"
  ok ports "$tmp/ports.log"
  eq ports records 267
  check "ports: a rule 65535 => 0 seen together in 67 windows" \
        'grep -q "\"dport\": 65535, \"proto\": \"tcp\".*\"sport\": 0, \"dst\": \"10.0.0.2\", \"dport\": 0, \"proto\": \"udp\".*\"n_both\": 67" "$out/rules.jsonl"'
}

manyfiles() {
  # A directory of ten thousand small files (in 100 subdirectories).
  $mk manyfiles "$tmp/many" 10000
  ok many-files "$tmp/many"
  eq many-files input_files 10000; eq many-files records 10000
  eq many-files windows 10001
  # The fingerprint of 10000 files outgrew an HDF5 attribute once: the
  # second run must find the shards reusable.
  ok many-files "$tmp/many"
  eq many-files shards_reused True
}

bigfile() {
  # A 2 GiB+ classic pcap, sparse (33 MB on disk): 8233 records of 256 KiB.
  local n
  n=$($mk bigpcap "$tmp/big.pcap" 2.01)
  check "bigfile: file over 2^31 bytes" '[ "$(stat -c %s "$tmp/big.pcap")" -gt 2147483648 ]'
  ok big-file "$tmp/big.pcap"
  eq big-file records "$n"; eq big-file windows "$n"
  rm -f "$tmp/big.pcap"
  # Its last record cut short: the error names the record and its offset
  # past 2^31 (64-bit offsets all the way).
  $mk bigpcap "$tmp/bigcut.pcap" 2.01 cut > /dev/null
  bad big-file-cut "bigcut.pcap: record $((n + 1)) at offset 2158363304: record cut short" "$tmp/bigcut.pcap"
  rm -f "$tmp/bigcut.pcap"
}

for c in "$@"; do "$c"; done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

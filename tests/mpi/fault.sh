#!/bin/bash
# Usage: fault.sh EXPOSE GEN MPIEXEC
# Rank 2 of 4 fails at a chosen stage (XP_FAULT=RANK:STAGE): every rank must
# exit non-zero within seconds, rank 0 must print rank 2's message, and no
# rules.jsonl or summary.json may be left. Shards that were complete stay
# usable: a rerun without the fault reuses them and succeeds.
set -u
exe=$1 gen=$2 mpiexec=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; fail=$((fail + 1)); fi; }
"$gen" -o "$tmp/g" --clients 40 --hours 0.2 --seed 3 >/dev/null || exit 1
for stage in count score support cluster; do
  out="$tmp/o-$stage"
  start=$(date +%s)
  XP_FAULT=2:$stage timeout 60 "$mpiexec" -n 4 "$exe" -q -o "$out" "$tmp/g/conn.log" 2> "$tmp/err"
  rc=$?
  took=$(( $(date +%s) - start ))
  check "$stage: exit status non-zero (got $rc)" '[ $rc -ne 0 ] && [ $rc -ne 124 ]'
  check "$stage: finished in ${took}s (< 30)" '[ $took -lt 30 ]'
  check "$stage: message names rank 2 and the fault" 'grep -q "rank 2: injected fault at stage $stage" "$tmp/err"'
  check "$stage: no rules.jsonl" '[ ! -e "$out/rules.jsonl" ]'
  check "$stage: no summary.json" '[ ! -e "$out/summary.json" ]'
  check "$stage: shards kept" '[ -e "$out/shards/meta.h5" ]'
done
# The shards of the failed run are reused by the next run, which succeeds.
timeout 120 "$mpiexec" -n 2 "$exe" -o "$tmp/o-count" "$tmp/g/conn.log" 2> "$tmp/err2"
check "rerun succeeds" '[ $? -eq 0 ]'
check "rerun reuses the shards" 'grep -q "\"shards_reused\": true" "$tmp/o-count/summary.json"'
# A fault during ingest on rank 0 leaves no meta.h5 that looks complete.
XP_FAULT=0:read timeout 60 "$mpiexec" -n 2 "$exe" -q -o "$tmp/o-read" "$tmp/g/conn.log" 2> "$tmp/err3"
check "ingest fault: non-zero" '[ $? -ne 0 ]'
check "ingest fault: no meta.h5" '[ ! -e "$tmp/o-read/shards/meta.h5" ]'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/bash
# Usage: fault.sh EXPOSE GEN MPIEXEC
# One rank of 4 fails at a chosen stage (XP_FAULT=RANK:STAGE, every stage
# that all ranks run; the write on rank 0 and on another): every rank must exit non-zero
# within seconds, rank 0 must print the failing rank's message, and no
# rules.jsonl or summary.json (nor their .tmp) may be left. Shards that were complete stay
# usable: a rerun without the fault reuses them and succeeds.
set -u
exe=$1 gen=$2 mpiexec=$3
tmp=$(mktemp -d)
export XP_RANKS=$tmp/ranks
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; fail=$((fail + 1)); fi; }
"$gen" -o "$tmp/g" --clients 40 --hours 0.2 --seed 3 >/dev/null || exit 1
# mpiexec is told not to kill the other ranks when one exits non-zero, so
# that each rank's own exit status is seen (recorded by a wrapper): every
# rank must stop by itself. It then exits 0 itself, so only the ranks count.
# Connection logs are mined into shards by every rank (mpi/xp_pactivity.h),
# so stage shards is one that all ranks run; activity is below.
for fault in 3:shards 2:count 2:score 2:support 2:cluster 1:meta 3:reduce 0:write 2:write; do
  rank=${fault%%:*} stage=${fault#*:}
  out="$tmp/o-$stage"
  rm -f "$tmp/ranks"
  start=$(date +%s)
  OMPI_MCA_orte_abort_on_non_zero_status=0 XP_FAULT=$fault timeout 60 "$mpiexec" -n 4 \
      sh -c '"$0" "$@"; rc=$?; echo "$OMPI_COMM_WORLD_RANK $rc" >> "$XP_RANKS"; exit $rc' \
      "$exe" -q -o "$out" "$tmp/g/conn.log" 2> "$tmp/err"
  rc=$?
  took=$(( $(date +%s) - start ))
  check "$fault: no hang (got $rc from timeout/mpiexec)" '[ $rc -ne 124 ]'
  check "$fault: every rank exits 1 (got: $(sort "$tmp/ranks" 2>/dev/null | tr '\n' ' '))" \
        '[ "$(sort "$tmp/ranks" 2>/dev/null | tr "\n" " ")" = "0 1 1 1 2 1 3 1 " ]'
  check "$fault: finished in ${took}s (< 30)" '[ $took -lt 30 ]'
  want="injected fault at stage $stage"
  [ "$rank" -ne 0 ] && want="rank $rank: $want"
  check "$fault: message names rank $rank and the fault" 'grep -q "error: $want" "$tmp/err"'
  check "$fault: no rules.jsonl" '[ ! -e "$out/rules.jsonl" ] && [ ! -e "$out/rules.jsonl.tmp" ]'
  check "$fault: no summary.json" '[ ! -e "$out/summary.json" ] && [ ! -e "$out/summary.json.tmp" ]'
  check "$fault: shards kept" '[ -e "$out/shards/meta.h5" ]'
done
# The shards of the failed run are reused by the next run, which succeeds.
timeout 120 "$mpiexec" -n 2 "$exe" -o "$tmp/o-count" "$tmp/g/conn.log" 2> "$tmp/err2"
check "rerun succeeds" '[ $? -eq 0 ]'
check "rerun reuses the shards" 'grep -q "\"shards_reused\": true" "$tmp/o-count/summary.json"'
# A fault during ingest on rank 0 leaves no meta.h5 that looks complete.
XP_FAULT=0:read timeout 60 "$mpiexec" -n 2 "$exe" -q -o "$tmp/o-read" "$tmp/g/conn.log" 2> "$tmp/err3"
check "ingest fault: non-zero" '[ $? -ne 0 ]'
check "ingest fault: no meta.h5" '[ ! -e "$tmp/o-read/shards/meta.h5" ]'
# Parallel ingest (mpi/xp_pingest.c): every rank records its own exit
# status (mpiexec kills no rank), each must stop by itself with status 1.
each_rank() {
  rm -f "$tmp/ranks-pi"
  XP_RANKS=$tmp/ranks-pi OMPI_MCA_orte_abort_on_non_zero_status=0 timeout 60 "$mpiexec" -n "$1" \
      sh -c '"$0" "$@"; rc=$?; echo "$OMPI_COMM_WORLD_RANK $rc" >> "$XP_RANKS"; exit $rc' "${@:2}"
}
ranks_exit() { sort "$tmp/ranks-pi" 2>/dev/null | tr '\n' ' '; }
# A fault injected on rank 2 while the ranks read stops all of them with
# rank 2's message.
XP_FAULT=2:read each_rank 4 "$exe" -q -o "$tmp/o-read2" "$tmp/g/conn.log" 2> "$tmp/err4"
check "read fault on rank 2: every rank exits 1 (got: $(ranks_exit))" '[ "$(ranks_exit)" = "0 1 1 1 2 1 3 1 " ]'
check "read fault on rank 2: its message" 'grep -q "rank 2: injected fault at stage read" "$tmp/err4"'
check "read fault on rank 2: no meta.h5" '[ ! -e "$tmp/o-read2/shards/meta.h5" ]'
# A fault on rank 1 while all ranks build the activity: every rank stops
# with its message, and no meta.h5 looks complete.
XP_FAULT=1:activity each_rank 4 "$exe" -q -o "$tmp/o-act" "$tmp/g/conn.log" 2> "$tmp/err5"
check "activity fault on rank 1: every rank exits 1 (got: $(ranks_exit))" '[ "$(ranks_exit)" = "0 1 1 1 2 1 3 1 " ]'
check "activity fault on rank 1: its message" 'grep -q "rank 1: injected fault at stage activity" "$tmp/err5"'
check "activity fault on rank 1: no meta.h5" '[ ! -e "$tmp/o-act/shards/meta.h5" ]'
# A malformed line in the file rank 1 reads (the second largest of four):
# the one-line error of a single reader, naming the file and the line, and
# every rank stops.
mkdir "$tmp/multi"
awk -v dir="$tmp/multi" '
  /^#/ && !body { if ($1 != "#close") hdr = hdr $0 "\n"; next }
  /^#/ { next }
  { body = 1; line[++n] = $0 }
  END {
    split("0.4 0.7 0.9 1.0", f, " ")
    k = 1
    for (p = 1; p <= 4; p++) {
      file = sprintf("%s/part-%02d.log", dir, p - 1)
      printf "%s", hdr > file
      for (; k <= n && k <= f[p] * n; k++) print line[k] > file
      close(file)
    }
  }' "$tmp/g/conn.log"
sed -i '20s/^[0-9]*\.[0-9]*/abc/' "$tmp/multi/part-01.log"
for n in 1 4; do
  start=$(date +%s)
  each_rank $n "$exe" -q -o "$tmp/o-bad$n" "$tmp/multi" 2> "$tmp/err-bad$n"
  took=$(( $(date +%s) - start ))
  want="0 1 "
  [ $n -eq 4 ] && want="0 1 1 1 2 1 3 1 "
  check "bad line, $n ranks: every rank exits 1 (got: $(ranks_exit))" '[ "$(ranks_exit)" = "$want" ]'
  check "bad line, $n ranks: finished in ${took}s (< 30)" '[ $took -lt 30 ]'
  check "bad line, $n ranks: one error line naming the file and line" \
        '[ "$(grep -c "error: .*part-01.log: line 20 (byte [0-9]*): ts is not a finite number" "$tmp/err-bad$n")" -eq 1 ]'
  check "bad line, $n ranks: no summary.json" '[ ! -e "$tmp/o-bad$n/summary.json" ]'
done
check "bad line: the same message at 1 and 4 ranks" \
      'cmp -s <(grep error: "$tmp/err-bad1") <(grep error: "$tmp/err-bad4")'
# A fault on rank 1 while the ranks gather the reports' rules (each parses a
# part of rules.jsonl): every rank stops with status 3 (the mined result is
# complete, the reports are not) and rank 1's message; no report file or
# .tmp is left.
XP_FAULT=1:reports each_rank 3 "$exe" -q -o "$tmp/o-rep" "$tmp/g/conn.log" 2> "$tmp/err6"
check "reports fault on rank 1: every rank exits 3 (got: $(ranks_exit))" '[ "$(ranks_exit)" = "0 3 1 3 2 3 " ]'
check "reports fault on rank 1: its message" \
      'grep -q "error: reports not written: rank 1: injected fault at the reports" "$tmp/err6"'
check "reports fault on rank 1: the mined result complete" \
      '[ -s "$tmp/o-rep/rules.jsonl" ] && [ -s "$tmp/o-rep/summary.json" ]'
check "reports fault on rank 1: no report file or .tmp" \
      '! ls "$tmp/o-rep" | grep -q -e "^report" -e "^graph" -e "\.tmp$"'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

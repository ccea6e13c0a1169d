#!/bin/bash
# Usage: resources.sh EXPOSE GEN MPIEXEC
# Out of memory and out of disk give a clear one-line error, exit 1 on every
# rank, and leave no complete-looking rules.jsonl / summary.json (nor .tmp).
#  - a --mem-per-rank budget too small for the pair counts (2 ranks);
#  - an allocation that fails (ulimit -v, one rank; skipped under ASan,
#    which needs terabytes of address space);
#  - a file-size limit (ulimit -f: SIGXFSZ is ignored, so writes fail with
#    EFBIG) hit while writing shards, and while writing rules.jsonl; PMIx is
#    told to keep its data in memory (gds=hash), since its shared-memory
#    files obey the limit too;
#  - a full filesystem (a 256 KiB tmpfs; only where mount works, e.g. root).
set -u
exe=$1 gen=$2 mpiexec=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'umount "$tmp/small" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0 pass=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; fail=$((fail + 1)); fi; }
"$gen" -o "$tmp/g" --clients 40 --hours 0.2 --seed 3 > /dev/null || exit 1

# expect NAME PATTERN: the last run failed cleanly with PATTERN.
expect() {
  local name=$1 pat=$2
  check "$name: exit status non-zero and not a signal (got $rc)" '[ $rc -eq 1 ]'
  check "$name: one error line matching '$pat' (got: $(grep -v '^--\|^ \|^$\|^Primary\|^a non-zero\|^mpiexec\|^the job\|^  ' "$tmp/err" | head -c 400))" \
        '[ "$(grep -c "^expose-mpi: error: " "$tmp/err")" -eq 1 ] && grep -Eq "^expose-mpi: error: .*$pat" "$tmp/err"'
  check "$name: no rules.jsonl / summary.json" \
        '[ -z "$(ls "$out" 2>/dev/null | grep -E "^(rules.jsonl|summary.json)")" ]'
}

# Per-rank budget for the pair counts too small: clear error naming it.
out=$tmp/o-mem
timeout 120 "$mpiexec" -n 2 "$exe" -q --mem-per-rank 1 -o "$out" "$tmp/g/conn.log" 2> "$tmp/err"
rc=$?
expect mem-budget "pair counts need more than the budget of 1 MiB"
timeout 120 "$mpiexec" -n 2 "$exe" -q --mem-per-rank 64 -o "$out" "$tmp/g/conn.log" 2> "$tmp/err"
check "mem-budget: 64 MiB is enough (got $?)" '[ -s "$out/summary.json" ]'

# An allocation that fails: 630 M windows of 1 s (20 years) under 3 GB of
# address space.
if ldd "$exe" | grep -q libasan; then
  echo "SKIP: ulimit -v under AddressSanitizer"
else
  python3 "$here/../edge/mkedge.py" pcap "$tmp/y20.pcap" 3 315360000
  out=$tmp/o-vm
  (ulimit -v 3000000; timeout 120 "$exe" -q -o "$out" "$tmp/y20.pcap" 2> "$tmp/err")
  rc=$?
  expect alloc "out of memory for 630720001 windows"
fi

# File-size limits: 20 KiB stops the shards, 200 KiB stops rules.jsonl.
for lim in 20:shards 200:rules; do
  out=$tmp/o-fsize-${lim#*:}
  (ulimit -f "${lim%%:*}"; PMIX_MCA_gds=hash timeout 120 "$mpiexec" -n 2 "$exe" -q -o "$out" "$tmp/g/conn.log" 2> "$tmp/err")
  rc=$?
  if [ "${lim#*:}" = shards ]; then pat="shards/.*\.tmp: write failed: File too large"; else pat="rules.jsonl.tmp: write failed: File too large"; fi
  expect "file-size-${lim#*:}" "$pat"
  check "file-size-${lim#*:}: no .tmp left" '[ -z "$(ls "$out" "$out/shards" | grep "\.tmp$")" ]'
  # Shards that could not all be written have no meta.h5 (not reusable);
  # shards written before rules.jsonl failed are complete and kept.
  if [ "${lim#*:}" = shards ]; then
    check "file-size-shards: no meta.h5" '[ ! -e "$out/shards/meta.h5" ]'
  else
    check "file-size-rules: shards kept" '[ -e "$out/shards/meta.h5" ]'
  fi
done

# A full filesystem.
mkdir -p "$tmp/small"
if mount -t tmpfs -o size=256k tmpfs "$tmp/small" 2>/dev/null; then
  out=$tmp/small/o
  timeout 120 "$mpiexec" -n 2 "$exe" -q -o "$out" "$tmp/g/conn.log" 2> "$tmp/err"
  rc=$?
  expect disk-full "write failed: No space left on device"
  umount "$tmp/small"
else
  echo "SKIP: cannot mount a tmpfs here (not root?)"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

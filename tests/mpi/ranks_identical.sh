#!/bin/bash
# Usage: ranks_identical.sh EXPOSE GEN MPIEXEC SHARED "1 2 3 4"
# Mines the same inputs at every rank count (default and --paper) and
# requires rules.jsonl, clusters.json, the reports and the shards to be
# byte-identical (the shards as h5dump prints them). One input is
# the generated conn.log split into 7 files of uneven sizes (one gzip), read
# by all ranks in parallel (mpi/xp_pingest.c): its rules must also equal
# those of the unsplit conn.log. From 3 ranks on, rules.jsonl is gathered
# in rounds of 5 rules (XP_ROUND_RULES); at 4 the counts are reduced in 64
# bits (XP_WIDE_COUNTS).
set -u
exe=$1 gen=$2 mpiexec=$3 shared=$4 ranks=$5
# The shards' contents as text (h5dump prints the data, not the write times;
# run in the folder so the file names printed are the same).
shard_text() { (cd "$1/shards" && for f in meta.h5 shard-*.h5; do h5dump "$f"; done); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
"$gen" -o "$tmp/g" --clients 80 --hours 0.5 --seed 7 >/dev/null || exit 1
# The split: the header on every piece, the records cut at uneven fractions.
mkdir "$tmp/split"
awk -v dir="$tmp/split" '
  /^#/ && !body { if ($1 != "#close") hdr = hdr $0 "\n"; next }
  /^#/ { next }
  { body = 1; line[++n] = $0 }
  END {
    split("0.05 0.2 0.3 0.5 0.55 0.8 1.0", f, " ")
    k = 1
    for (p = 1; p <= 7; p++) {
      file = sprintf("%s/part-%02d.log", dir, p - 1)
      printf "%s", hdr > file
      for (; k <= n && k <= f[p] * n; k++) print line[k] > file
      close(file)
    }
  }' "$tmp/g/conn.log" || exit 1
gzip "$tmp/split/part-03.log" || exit 1
[ "$(ls "$tmp/split" | wc -l)" -eq 7 ] || { echo "FAIL: the split made no 7 files"; exit 1; }
inputs=("$tmp/g/conn.log" "$tmp/split")
[ -d "$shared/traces" ] && inputs+=("$shared/traces/m57-day1118/conn.log" "$shared/traces/afs-pcap/afs.pcap")
[ -d "$shared/traces" ] || echo "note: $shared/traces absent: only the generated trace is checked"
for input in "${inputs[@]}"; do
  for mode in "" "--paper"; do
    ref=""
    for n in $ranks; do
      out="$tmp/out-$n"
      rm -rf "$out"
      # From 3 ranks on, rules.jsonl is gathered in rounds of 5 rules (the
      # default is 65536): many rounds, some with fewer rules than ranks.
      # At 4 ranks the counts (pairs, activity) are reduced in 64 bits (else
      # in 32 bits when they fit, as here; xp_allreduce_counts).
      round=; [ "$n" -ge 3 ] && round=5
      wide=; [ "$n" -ge 4 ] && wide=1
      if ! XP_ROUND_RULES=$round XP_WIDE_COUNTS=$wide timeout 300 "$mpiexec" -n "$n" "$exe" -q $mode -o "$out" "$input"; then
        echo "FAIL: $input $mode at $n ranks: exit status $?"; fail=$((fail + 1)); continue
      fi
      grep -q "\"ranks\": $n," "$out/summary.json" || { echo "FAIL: summary.json does not say ranks $n"; fail=$((fail + 1)); }
      if [ -z "$ref" ]; then
        ref="$tmp/ref"; rm -rf "$ref"; cp -r "$out" "$ref"
        [ "$input" = "$tmp/g/conn.log" ] && cp "$ref/rules.jsonl" "$tmp/first-unsplit${mode}.jsonl"
        [ "$input" = "$tmp/split" ] && cp "$ref/rules.jsonl" "$tmp/first-split${mode}.jsonl"
        [ -s "$ref/rules.jsonl" ] || { echo "FAIL: $input $mode: no rules at all"; fail=$((fail + 1)); }
        continue
      fi
      # The reports too: at 2 ranks and more they are written by two ranks.
      for f in rules.jsonl clusters.json report.txt report.html graph.dot graph.graphml; do
        if cmp -s "$ref/$f" "$out/$f"; then pass=$((pass + 1))
        else echo "FAIL: $input $mode: $f differs between $(echo $ranks | cut -d' ' -f1) and $n ranks"; fail=$((fail + 1)); fi
      done
      # The shards too: connection logs are mined into shards by all ranks
      # (mpi/xp_pactivity.c), packets by rank 0.
      if command -v h5dump >/dev/null; then
        if [ "$(shard_text "$ref" | md5sum)" = "$(shard_text "$out" | md5sum)" ]; then pass=$((pass + 1))
        else echo "FAIL: $input $mode: the shards differ between $(echo $ranks | cut -d' ' -f1) and $n ranks"; fail=$((fail + 1)); fi
      fi
    done
    echo "$(basename "$input") ${mode:-default}: $(wc -l < "$ref/rules.jsonl") rules identical at ranks: $ranks"
  done
done
for mode in "" "--paper"; do
  if cmp -s "$tmp/first-unsplit${mode}.jsonl" "$tmp/first-split${mode}.jsonl"; then
    pass=$((pass + 1)); echo "split conn.log ${mode:-default}: same rules as the unsplit file"
  else echo "FAIL: split conn.log ${mode:-default}: rules differ from the unsplit file"; fail=$((fail + 1)); fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]

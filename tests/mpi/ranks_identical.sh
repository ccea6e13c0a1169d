#!/bin/bash
# Usage: ranks_identical.sh EXPOSE GEN MPIEXEC SHARED "1 2 3 4"
# Mines the same inputs at every rank count (default and --paper) and
# requires rules.jsonl and clusters.json to be byte-identical.
set -u
exe=$1 gen=$2 mpiexec=$3 shared=$4 ranks=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
"$gen" -o "$tmp/g" --clients 80 --hours 0.5 --seed 7 >/dev/null || exit 1
inputs=("$tmp/g/conn.log")
[ -d "$shared/traces" ] && inputs+=("$shared/traces/m57-day1118/conn.log" "$shared/traces/afs-pcap/afs.pcap")
[ -d "$shared/traces" ] || echo "note: $shared/traces absent: only the generated trace is checked"
for input in "${inputs[@]}"; do
  for mode in "" "--paper"; do
    ref=""
    for n in $ranks; do
      out="$tmp/out-$n"
      rm -rf "$out"
      if ! timeout 300 "$mpiexec" -n "$n" "$exe" -q $mode -o "$out" "$input"; then
        echo "FAIL: $input $mode at $n ranks: exit status $?"; fail=$((fail + 1)); continue
      fi
      grep -q "\"ranks\": $n," "$out/summary.json" || { echo "FAIL: summary.json does not say ranks $n"; fail=$((fail + 1)); }
      if [ -z "$ref" ]; then
        ref="$tmp/ref"; rm -rf "$ref"; cp -r "$out" "$ref"
        [ -s "$ref/rules.jsonl" ] || { echo "FAIL: $input $mode: no rules at all"; fail=$((fail + 1)); }
        continue
      fi
      for f in rules.jsonl clusters.json; do
        if cmp -s "$ref/$f" "$out/$f"; then pass=$((pass + 1))
        else echo "FAIL: $input $mode: $f differs between $(echo $ranks | cut -d' ' -f1) and $n ranks"; fail=$((fail + 1)); fi
      done
    done
    echo "$(basename "$input") ${mode:-default}: $(wc -l < "$ref/rules.jsonl") rules identical at ranks: $ranks"
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]

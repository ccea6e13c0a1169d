#!/bin/sh
# scripts/demo.sh - set up, then mine a generated sample: 200 clients, 2 hours
# of campus-like traffic with planted dependencies (docs/generator.md), on
# 2 ranks. Prints the summary, precision/recall against the planted list and
# the top of report.txt. Output in demo-out/.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/setup.sh" "$here/build"
. "$here/scripts/env.sh"
out=$here/demo-out
mkdir -p "$out"
"$here/build/io/expose-gen" -o "$out/trace" --clients 200 --hours 2 --seed 1
mpiexec -n 2 "$here/build/mpi/expose-mpi" -o "$out/result" "$out/trace/conn.log"
python3 "$here/scripts/eval_planted.py" "$out/trace/planted.tsv" "$out/result/rules.jsonl"
echo "--- $out/result/summary.json"
cat "$out/result/summary.json"; echo
if [ -f "$out/result/report.txt" ]; then
    echo "--- head of $out/result/report.txt (open report.html in a browser)"
    head -n 30 "$out/result/report.txt"
fi

#!/bin/sh
# reports.sh EXPOSE REPORT SHARED - expose-mpi writes the reports at the end
# of a run, on the real AFS capture (shared/traces/afs-pcap/afs.pcap; skipped
# with status 77 when absent), with --names:
#   1. the output directory holds every file of docs/outputs.md (graph.svg
#      when Graphviz is installed) and no leftover .tmp;
#   2. graph.graphml parses as XML and has one edge per line of rules.jsonl;
#      graph.dot has one edge per rule too;
#   3. the host names are used in report.txt;
#   4. expose-report on a copy of rules.jsonl + clusters.json + summary.json
#      remakes every report file byte for byte; from rules.jsonl +
#      clusters.json alone (no window width) the graphs and the rule lines
#      of report.txt are the same;
#   5. a bad --names file fails at once (status 2) naming the file and line,
#      before any output is written;
#   6. a dot that fails leaves a warning and no graph.svg or .tmp behind;
#   7. --no-reports writes the mined result only and removes the reports of
#      an earlier run in that directory; expose-report then makes the same
#      reports as a run with them.
set -eu
exe=$1 report=$2 shared=$3
pcap=$shared/traces/afs-pcap/afs.pcap
[ -r "$pcap" ] || { echo "SKIP: $pcap not found (a clone without ../shared)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
printf '# AFS hosts\n131.151.32.21 afs-client\n131.151.1.59 vlserver # volume location\n' >"$tmp/names"
"$exe" -q --names "$tmp/names" -o "$out" "$pcap"
files="rules.jsonl clusters.json summary.json report.txt report.html graph.dot graph.graphml"
command -v dot >/dev/null && files="$files graph.svg"
for f in $files; do
  [ -s "$out/$f" ] || { echo "FAIL: $f missing or empty" >&2; exit 1; }
done
[ -d "$out/shards" ] || { echo "FAIL: shards/ missing" >&2; exit 1; }
if ls "$out" | grep -q '\.tmp$'; then echo "FAIL: .tmp left: $(ls "$out")" >&2; exit 1; fi
echo "files: $files shards/"

nrules=$(wc -l <"$out/rules.jsonl")
[ "$nrules" -gt 0 ] || { echo "FAIL: no rules" >&2; exit 1; }
python3 - "$out/graph.graphml" "$nrules" <<'PY'
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
n = len(doc.getElementsByTagName("edge"))
assert n == int(sys.argv[2]), "graph.graphml: %d edges, rules.jsonl: %s lines" % (n, sys.argv[2])
print("graph.graphml: %d edges == %s rules" % (n, sys.argv[2]))
PY
ndot=$(grep -c -- ' -> ' "$out/graph.dot")
[ "$ndot" = "$nrules" ] || { echo "FAIL: graph.dot has $ndot edges for $nrules rules" >&2; exit 1; }
grep -q 'afs-client' "$out/report.txt" || { echo "FAIL: --names not used in report.txt" >&2; exit 1; }
grep -q 'vlserver' "$out/report.html" || { echo "FAIL: --names not used in report.html" >&2; exit 1; }

mkdir "$tmp/re" "$tmp/re2"
cp "$out/rules.jsonl" "$out/clusters.json" "$out/summary.json" "$tmp/re/"
"$report" --names "$tmp/names" "$tmp/re" 2>/dev/null
for f in report.txt report.html graph.dot graph.graphml; do
  cmp "$out/$f" "$tmp/re/$f" || { echo "FAIL: expose-report made a different $f" >&2; exit 1; }
done
cp "$out/rules.jsonl" "$out/clusters.json" "$tmp/re2/"
"$report" --names "$tmp/names" "$tmp/re2" 2>/dev/null
for f in graph.dot graph.graphml; do
  cmp "$out/$f" "$tmp/re2/$f" || { echo "FAIL: $f differs without summary.json" >&2; exit 1; }
done
grep '^  #' "$out/report.txt" >"$tmp/a"
grep '^  #' "$tmp/re2/report.txt" >"$tmp/b"
[ -s "$tmp/a" ] && cmp "$tmp/a" "$tmp/b" || { echo "FAIL: rule lines differ without summary.json" >&2; exit 1; }
echo "expose-report remakes the same reports ($nrules rules)"

printf '131.151.32.21 ok\n131.151.1.300 bad\n' >"$tmp/bad"
set +e
"$exe" -q --names "$tmp/bad" -o "$tmp/out2" "$pcap" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" = 2 ] || { echo "FAIL: bad --names: exit status $rc, expected 2" >&2; exit 1; }
[ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "$tmp/bad: line 2" "$tmp/err" ||
  { echo "FAIL: bad --names message:" >&2; cat "$tmp/err" >&2; exit 1; }
[ ! -e "$tmp/out2" ] || { echo "FAIL: output written despite a bad --names" >&2; exit 1; }
echo "bad --names: $(cat "$tmp/err")"

# 6. A dot that fails half way (as Graphviz does on some cluster graphs):
#    a warning, no graph.svg and no graph.svg.tmp left, the rest complete.
mkdir "$tmp/bin" "$tmp/re3"
printf '#!/bin/sh\necho partial >"$3"\necho "trouble in init_rank" >&2\nexit 1\n' >"$tmp/bin/dot"
chmod +x "$tmp/bin/dot"
cp "$out/rules.jsonl" "$out/clusters.json" "$out/summary.json" "$tmp/re3/"
PATH="$tmp/bin:$PATH" "$report" "$tmp/re3" 2>"$tmp/err3"
grep -q 'graph.svg not drawn' "$tmp/err3" || { echo "FAIL: no warning for a failing dot" >&2; exit 1; }
if ls "$tmp/re3" | grep -q -e '\.tmp$' -e '^graph\.svg$'; then
  echo "FAIL: failing dot left: $(ls "$tmp/re3")" >&2; exit 1
fi
[ -s "$tmp/re3/report.html" ] || { echo "FAIL: report.html missing after a failing dot" >&2; exit 1; }
echo "failing dot: $(cat "$tmp/err3")"

# 7. --no-reports, over the first run's directory: the mined result, the
#    same rules; no report file left; expose-report then makes the same ones.
cp -r "$out" "$tmp/nr"
"$exe" -q --no-reports --names "$tmp/names" -o "$tmp/nr" "$pcap"
cmp "$out/rules.jsonl" "$tmp/nr/rules.jsonl" || { echo "FAIL: --no-reports changed rules.jsonl" >&2; exit 1; }
grep -q '"no-reports": true' "$tmp/nr/summary.json" || { echo "FAIL: summary.json lacks no-reports" >&2; exit 1; }
if ls "$tmp/nr" | grep -q -e '^report\.' -e '^graph\.' -e '\.tmp$'; then
  echo "FAIL: --no-reports left: $(ls "$tmp/nr")" >&2; exit 1
fi
"$report" --names "$tmp/names" "$tmp/nr" 2>/dev/null
for f in report.txt report.html graph.dot graph.graphml; do
  cmp "$out/$f" "$tmp/nr/$f" || { echo "FAIL: --no-reports then expose-report: $f differs" >&2; exit 1; }
done
echo "--no-reports: rules.jsonl, clusters.json, summary.json only; expose-report makes the same reports"

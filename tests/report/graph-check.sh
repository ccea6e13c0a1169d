#!/bin/sh
# graph-check.sh WHAT BIN - checks of the graph files on the enterprise case:
#   dot:     graph.dot renders with `dot -Tsvg`, and expose-report made graph.svg
#   graphml: graph.graphml parses as XML; edges == rules, nodes == distinct sides
# Exits 77 (CTest: skipped) when the checker program is not installed.
set -eu
what=$1 bin=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here"/data/enterprise/* "$work"/
"$bin" --names "$work/names.txt" "$work"
nrules=$(grep -c . "$work/rules.jsonl")
case $what in
dot)
  command -v dot >/dev/null || { echo "SKIP: Graphviz dot is not installed (apt-get install graphviz)"; exit 77; }
  dot -Tsvg "$work/graph.dot" -o "$work/check.svg"
  grep -q '<svg' "$work/check.svg"
  [ -s "$work/graph.svg" ] || { echo "graph.svg was not written although dot is on PATH" >&2; exit 1; }
  n=$(grep -c '^  subgraph cluster_' "$work/graph.dot")
  [ "$n" = 3 ] || { echo "expected 3 cluster subgraphs, found $n" >&2; exit 1; }
  echo "graph.dot renders; $n cluster subgraphs" ;;
graphml)
  command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
  python3 - "$work/graph.graphml" "$nrules" <<'PY'
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
edges = doc.getElementsByTagName("edge")
nodes = doc.getElementsByTagName("node")
want = int(sys.argv[2])
assert len(edges) == want, "%d edges, %d rules" % (len(edges), want)
ids = {n.getAttribute("id") for n in nodes}
assert len(ids) == len(nodes) == 12, "%d nodes" % len(nodes)
for e in edges:
    assert e.getAttribute("source") in ids and e.getAttribute("target") in ids
    keys = {d.getAttribute("key") for d in e.getElementsByTagName("data")}
    assert {"score", "template"} <= keys, keys
assert "*:*>10.0.0.53:53/udp new" in ids
print("graph.graphml: %d nodes, %d edges == %d rules" % (len(nodes), len(edges), want))
PY
  ;;
esac

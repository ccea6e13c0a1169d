#!/bin/sh
# html-check.sh WHAT BIN HAVE_LIB OUTDIR - checks of report.html:
#   offline   no external reference (src/href/url to http(s)://, <link>, <script src>)
#   chromium  the enterprise case in headless chromium with networking blocked:
#             the page's #selftest hook counts graph nodes/edges and cluster rows,
#             clicks the first cluster and a node, and writes JSON into the DOM;
#             saves OUTDIR/report-enterprise.png
#   large     the same on 3,000 generated rules (gen-large.py); prints the
#             render timings; saves OUTDIR/report-large.png. First, with or
#             without chromium: report.txt's counts with thousands separators
# Exits 77 (CTest: skipped) when chromium or the bundled graph library is missing.
set -eu
what=$1 bin=$2 havelib=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
case $what in
  large) python3 "$here/gen-large.py" 3000 "$work"; "$bin" "$work" ;;
  *) cp "$here"/data/enterprise/* "$work"/; "$bin" --names "$work/names.txt" "$work" ;;
esac
html=$work/report.html
if [ "$what" = large ]; then
  head=$(sed -n 4p "$work/report.txt")
  case $head in
    "3,000 rules (0 flow-flow, 0 flow-generic, 3,000 generic-generic) between "*) ;;
    *) echo "report.txt: counts not written with separators: $head" >&2; exit 1 ;;
  esac
fi
if [ "$what" = offline ]; then
  bad=$(grep -Eio "(src|href|action)[[:space:]]*=[[:space:]]*[\"']?(https?:)?//|<link[[:space:]]|<script[^>]*[[:space:]]src[[:space:]]*=|url\([\"']?https?:|@import" "$html" || true)
  [ -z "$bad" ] || { echo "report.html refers to outside resources: $bad" >&2; exit 1; }
  grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$html"
  n=$(grep -c '<script type="application/json" id="xp-data">' "$html")
  [ "$n" = 1 ] || { echo "expected one data blob, found $n" >&2; exit 1; }
  echo "report.html: self-contained ($(wc -c <"$html") bytes)"
  exit 0
fi
[ "$havelib" = ON ] || { echo "SKIP: node_modules/cytoscape was not installed at configure time (npm ci)"; exit 77; }
chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || { echo "SKIP: chromium is not installed (apt-get install -y chromium)"; exit 77; }
# Networking blocked: a private network namespace when we may make one
# (root), and in any case a dead proxy and no name resolution.
ns=""
if unshare -n true 2>/dev/null; then ns="unshare -n"; fi
run() {
  # shellcheck disable=SC2086
  timeout 120 $ns "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --proxy-server=http://127.0.0.1:9 --host-resolver-rules="MAP * ~NOTFOUND" \
    --user-data-dir="$(mktemp -d -p "$work")" --window-size=1400,900 "$@" 2>>"$work/chromium.log"
}
t0=$(date +%s.%N)
run --virtual-time-budget=20000 --dump-dom "file://$html#selftest" >"$work/dom.html"
t1=$(date +%s.%N)
run --virtual-time-budget=20000 --screenshot="$out/report-$what.png" "file://$html" >/dev/null
echo "screenshot: $out/report-$what.png; chromium wall time for the self-test: $(echo "$t1 - $t0" | bc) s (network namespace: ${ns:-no})"
python3 - "$work/dom.html" "$what" <<'PY'
import html, json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<pre id="selftest"[^>]*>(.*?)</pre>', dom, re.S)
assert m and m.group(1).strip(), "the page's self-test wrote nothing"
r = json.loads(html.unescape(m.group(1)))
print(json.dumps(r))
exp = r["expected"]
assert r["lib"], "cytoscape did not load"
assert r["clusterRows"] == exp["clusters"], r
assert r["graph"]["edges"] == exp["rules"], r
assert r["graph"]["nodes"] == exp["nodes"], r
assert r["graph"]["parents"] == exp["clusters"], r
assert r["clickCluster"]["panelRules"] == r["clickCluster"]["expectedRules"] > 0, r
assert r["tapNode"]["panelRules"] == r["tapNode"]["expectedRules"] > 0, r
if sys.argv[2] == "chromium":
    assert exp == {"rules": 13, "nodes": 12, "clusters": 3}, exp
    assert r["collapsed"]["nodes"] == 10 and r["collapsed"]["edges"] == 7, r["collapsed"]
    assert r["clickCluster"]["id"] == 1 and r["clickCluster"]["panelCliques"] == 1, r
else:
    print("time to render %d rules: tables %d ms, graph built %d ms, first frame %s ms after script start"
          % (exp["rules"], r["timings"]["tablesMs"], r["timings"]["graphBuildMs"],
             r["timings"].get("firstRenderMs")))
PY
[ -s "$out/report-$what.png" ] || { echo "no screenshot" >&2; exit 1; }

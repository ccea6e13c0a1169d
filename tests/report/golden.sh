#!/bin/sh
# golden.sh MODE BIN NAME - run expose-report on tests/report/data/NAME and
# compare report.txt byte for byte with tests/report/golden/NAME.txt
# (MODE=check), or overwrite the golden file (MODE=regen; see regen-golden.sh).
# The case table: NAME -> data folder and options.
set -eu
mode=$1 bin=$2 name=$3
here=$(cd "$(dirname "$0")" && pwd)
work=${XP_REPORT_WORK:-$(mktemp -d)}/golden-$name
rm -rf "$work" && mkdir -p "$work"
names=""
case $name in
  enterprise) cp "$here"/data/enterprise/* "$work"/; names="--names $work/names.txt" ;;
  hotspot) cp "$here"/data/hotspot/* "$work"/ ;;
  hotspot-noclusters) cp "$here"/data/hotspot/rules.jsonl "$work"/ ;;
  empty) cp "$here"/data/empty/* "$work"/ ;;
  *) echo "golden.sh: unknown case $name" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086
"$bin" $names "$work"
for f in report.txt report.html graph.dot graph.graphml; do
  [ -s "$work/$f" ] || { echo "golden.sh: $work/$f missing or empty" >&2; exit 1; }
  [ ! -e "$work/$f.tmp" ] || { echo "golden.sh: $work/$f.tmp left behind" >&2; exit 1; }
done
if [ "$mode" = regen ]; then
  cp "$work/report.txt" "$here/golden/$name.txt"
  echo "wrote tests/report/golden/$name.txt: read the diff before committing it"
  exit 0
fi
if ! cmp -s "$here/golden/$name.txt" "$work/report.txt"; then
  diff -u "$here/golden/$name.txt" "$work/report.txt" | head -60 >&2
  echo "golden.sh: $name: report.txt differs from tests/report/golden/$name.txt" >&2
  exit 1
fi
echo "golden $name: report.txt identical"

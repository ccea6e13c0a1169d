#!/bin/sh
# run-ablation.sh - what each of the default mode's changes to the paper is
# worth (docs/statistics.md): precision and recall against the generator's
# planted list with all of them, with each one turned off (XP_ABLATE, see
# xp_trace.h), and with --paper.
#
# Usage: bench/run-ablation.sh [BUILD_DIR] [CASE...]
# CASE: 200c2h, 1000c7h (default: both), 150c2d. 2 ranks. Clustering is
# closure only (--min-split 1e9): it does not change which rules are found.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
[ $# -gt 0 ] && shift
cases=${*:-200c2h 1000c7h}
. "$root/scripts/env.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for case in $cases; do
    case $case in
      200c2h)  gopt="--clients 200 --hours 2";  in=$tmp/$case/conn.log ;;
      1000c7h) gopt="--clients 1000 --hours 7"; in=$tmp/$case/conn.log ;;
      150c2d)  gopt="--clients 150 --days 2 --rotate-hourly"; in=$tmp/$case ;;
      *) echo "unknown case $case" >&2; exit 2 ;;
    esac
    "$build/io/expose-gen" -o "$tmp/$case" $gopt --seed 1 >/dev/null
    for abl in none cwdom ranknew hub fdr ppnew cwtest paper; do
        opt= env=
        case $abl in none) ;; paper) opt=--paper ;; *) env=$abl ;; esac
        XP_ABLATE=$env mpiexec -n 2 "$build/mpi/expose-mpi" -q --rebuild --min-split 1000000000 \
            $opt -o "$tmp/out" "$in"
        python3 "$root/scripts/eval_planted.py" "$tmp/$case/planted.tsv" "$tmp/out/rules.jsonl" \
            --label "$case $abl: "
    done
done

#!/bin/sh
# progress.sh EXPOSE GEN [SHARED] - rank 0's progress when stderr is a file (a Slurm
# job's output), on a generated half-hour trace cut into 1000 shards so that
# writing the shards takes a while and makes 1000 progress updates:
#   1. progress lines appear (XP_PROGRESS_INTERVAL=0.05 instead of 5 s);
#   2. they are rate-limited: two lines of the same stage are at least the
#      interval apart (stamps have 0.01 s resolution), and there are no more
#      than wall time / interval + 1 of them;
#   3. they are whole lines: no carriage return or escape (those are for a
#      terminal), each "STAGE: N% (...)";
#   4. --quiet writes nothing at all on stderr;
#   5. with SHARED (../shared), on rita-72h-rotated, whose clustering takes
#      about a second: "cluster: N% (D of T nodes)" lines, D never falling,
#      one T, D <= T.
set -eu
exe=$1 gen=$2 shared=${3:-}
iv=0.05
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gen" -o "$tmp/g" --clients 80 --hours 0.5 --seed 7 >/dev/null
t0=$(date +%s.%N)
XP_PROGRESS_INTERVAL=$iv "$exe" --shards 1000 -o "$tmp/out" "$tmp/g/conn.log" 2>"$tmp/err"
t1=$(date +%s.%N)
wall=$(echo "$t1 - $t0" | bc)
grep -E '^expose-mpi: \[ *[0-9.]+s\] [a-z]+: [0-9]+% \(' "$tmp/err" >"$tmp/progress" || true
n=$(wc -l <"$tmp/progress")
echo "$n progress lines in $wall s (interval $iv s):"
head -3 "$tmp/progress"
[ "$n" -ge 1 ] || { echo "FAIL: no progress line" >&2; cat "$tmp/err" >&2; exit 1; }
max=$(echo "$wall / $iv + 1" | bc)
[ "$n" -le "$max" ] || { echo "FAIL: $n lines is more than $max" >&2; exit 1; }
if grep -q "$(printf '[\r\033]')" "$tmp/err"; then
  echo "FAIL: terminal control characters in a file" >&2; exit 1
fi
# Same-stage spacing, from "expose-mpi: [  12.34s] stage: ...".
awk -v iv=$iv '
  { s = $0; sub(/^[^[]*\[ */, "", s)
    t = s; sub(/s\].*/, "", t)
    st = s; sub(/^[^]]*\] /, "", st); sub(/:.*/, "", st)
    if (st == last && t - prev < iv - 0.011) { printf "FAIL: %s lines %.2f s apart\n", st, t - prev; bad = 1 }
    last = st; prev = t }
  END { exit bad }' "$tmp/progress"
echo "same-stage lines are at least $iv s apart"
# The run's own result is complete.
[ -s "$tmp/out/summary.json" ] && [ -s "$tmp/out/report.txt" ]
# --quiet: nothing on stderr.
XP_PROGRESS_INTERVAL=$iv "$exe" --quiet --shards 1000 --rebuild -o "$tmp/out" "$tmp/g/conn.log" 2>"$tmp/err.q"
[ ! -s "$tmp/err.q" ] || { echo "FAIL: --quiet wrote to stderr:" >&2; head -5 "$tmp/err.q" >&2; exit 1; }
echo "--quiet: stderr empty"
rita=$shared/traces/rita-72h-rotated
if [ -z "$shared" ] || [ ! -d "$rita" ]; then
  echo "clustering progress: not checked (no $rita)"
  exit 0
fi
XP_PROGRESS_INTERVAL=$iv "$exe" --no-reports -o "$tmp/rita" "$rita" 2>"$tmp/err.r"
grep -E '^expose-mpi: \[ *[0-9.]+s\] cluster: [0-9]+% \(' "$tmp/err.r" >"$tmp/cl" || true
n=$(wc -l <"$tmp/cl")
echo "$n clustering progress lines; first and last:"
head -1 "$tmp/cl"
tail -1 "$tmp/cl"
[ "$n" -ge 1 ] || { echo "FAIL: no clustering progress line" >&2; cat "$tmp/err.r" >&2; exit 1; }
sed -e 's/.*(//' -e 's/ nodes).*//' -e 's/,//g' "$tmp/cl" | awk '
  { d = $1; t = $3
    if (NR > 1 && (d < last || t != tot)) { print "FAIL: " $0 " after " last " of " tot; bad = 1 }
    if (d > t) { print "FAIL: " d " of " t; bad = 1 }
    last = d; tot = t }
  END { exit bad }'
echo "clustering progress: nodes placed never fall"

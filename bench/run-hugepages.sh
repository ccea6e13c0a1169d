#!/bin/sh
# run-hugepages.sh - does advising huge pages pay on this machine? (bench/README.md,
# "Huge pages"; src/xp_mem.h). expose-mpi on a generated trace at 1 and 2 ranks,
# with XP_HUGEPAGES=1 (big blocks advised, MADV_HUGEPAGE) and without (the
# default), runs interleaved so that drift falls on both; PAUSE seconds before each
# launch (a guest that hands freed memory back to its host does so about 2 s after
# it is freed: with a pause, each run meets memory as a run started after a while
# does). Prints the median of each stage and of summary.json's total_seconds, the
# minimum total, and peak RSS; then bench/touch_bench on 64 MiB with the same pause.
#
# Usage: bench/run-hugepages.sh [BUILD_DIR] [REPEATS] [PAUSE] [CLIENTS] [HOURS]
# Defaults: build/, 6, 3, 1000 clients, 7 hours (about a million records).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
reps=${2:-6}
pause=${3:-3}
clients=${4:-1000}
hours=${5:-7}
. "$root/scripts/env.sh"
exe=$build/mpi/expose-mpi
[ -x "$build/bench/touch_bench" ] || cmake --build "$build" -j2 --target touch_bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$build/io/expose-gen" -o "$tmp/g" --clients "$clients" --hours "$hours" --seed 1 >/dev/null
echo "input: $clients clients, $hours h: $(wc -c < "$tmp/g/conn.log") bytes; $reps rounds, ${pause} s pause"
for i in $(seq "$reps"); do
    for n in 1 2; do
        for huge in 0 1; do
            sleep "$pause"
            XP_HUGEPAGES=$huge mpiexec -n "$n" "$exe" -q --rebuild --no-reports \
                -o "$tmp/o" "$tmp/g/conn.log"
            echo "$n $huge $(cat "$tmp/o/summary.json" | tr -d '\n')" >> "$tmp/runs"
        done
    done
done
python3 - "$tmp/runs" <<'EOF'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    n, huge, js = line.split(' ', 2)
    runs.setdefault((int(n), int(huge)), []).append(json.loads(js))
for (n, huge), rs in sorted(runs.items()):
    med = lambda f: statistics.median(f(r) for r in rs)
    stages = ' '.join('%s %.3f' % (k, med(lambda r: r['stage_seconds'][k]))
                      for k in rs[0]['stage_seconds'] if k != 'meta')
    print('%d rank%s XP_HUGEPAGES=%d: total median %.3f min %.3f s, peak RSS %d MiB' %
          (n, 's' if n > 1 else ' ', huge, med(lambda r: r['total_seconds']),
           min(r['total_seconds'] for r in rs), med(lambda r: r['peak_rss_bytes']) / 2**20))
    print('    stages (median): ' + stages)
EOF
"$build/bench/touch_bench" 64 "$reps" "$pause"

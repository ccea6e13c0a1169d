#!/bin/sh
# run-e2e.sh - end to end on a generated campus-scale trace (bench/README.md,
# "End to end"): expose-mpi at 1 and 2 ranks, K = 5000 and 10000, with and
# without the reports (--no-reports), against the peer (pandas + scipy,
# ../shared/peer) on the same input in the same run, and the counting kernel
# against the naive O(W K^2) baseline (count_bench).
#
# RANKS 0 below is one rank without a launcher (the MPI singleton: the
# laptop default), timed beside `mpiexec -n 1`.
#
# Usage: bench/run-e2e.sh [BUILD_DIR] [CLIENTS] [HOURS] [REPEATS]
# Defaults: build/, 1000 clients, 7 hours (about a million records), 3.
# Times are the minimum over REPEATS rounds (the peer: one run unless PEER_REPS).
# Set NO_PEER=1 to skip the peer. Every run rebuilds its shards (--rebuild).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
clients=${2:-1000}
hours=${3:-7}
reps=${4:-3}
. "$root/scripts/env.sh"
exe=$build/mpi/expose-mpi
[ -x "$build/bench/count_bench" ] && [ -x "$build/bench/launch_bench" ] ||
    cmake --build "$build" -j2 --target count_bench launch_bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$build/io/expose-gen" -o "$tmp/g" --clients "$clients" --hours "$hours" --seed 1 >/dev/null
in=$tmp/g/conn.log
echo "input: $clients clients, $hours h: $(wc -c < "$in") bytes"

# field NAME FILE: a top-level number of summary.json
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[2]))[sys.argv[1]])" "$1" "$2"; }
calc() { awk "BEGIN { printf \"%.2f\", $* }"; }
minof() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
stages() { python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['stage_seconds']; print(' '.join('%s %.2f' % kv for kv in d.items()))" "$1"; }

# at_ranks N PROG ARGS...: PROG under `mpiexec -n N`, or alone when N is 0.
at_ranks() {
    n=$1; shift
    if [ "$n" = 0 ]; then "$@"; else mpiexec -n "$n" "$@"; fi
}

# once NAME RANKS ARGS...: one launch; keeps its summary when it is NAME's fastest so far.
once() {
    name=$1 n=$2; shift 2
    t0=$(date +%s.%N)
    at_ranks "$n" "$exe" -q --rebuild -o "$tmp/$name" "$@" "$in"
    t=$(calc "$(date +%s.%N) - $t0")
    eval "prev=\${wall_$name:-}"
    if [ "$(minof "$prev" "$t")" = "$t" ]; then
        cp "$tmp/$name/summary.json" "$tmp/$name.best.json"
        eval "wall_$name=$t"
    fi
}

# report NAME RANKS: the fastest launch's wall time and summary.
report() {
    name=$1 n=$2
    cp "$tmp/$name.best.json" "$tmp/$name/summary.json"
    eval "best=\$wall_$name"
    printf '%-16s ranks %s  wall %6.2f s  total_seconds %s  peak_rss %s MiB  rules %s\n' \
        "$name" "$([ "$n" = 0 ] && echo '1 (no launcher)' || echo "$n")" "$best" "$(field total_seconds "$tmp/$name/summary.json")" \
        "$(( $(field peak_rss_bytes "$tmp/$name/summary.json") / 1048576 ))" \
        "$(field rules "$tmp/$name/summary.json")"
    echo "    stages: $(stages "$tmp/$name/summary.json")"
}

# launch N: min wall seconds of MPI_Init + MPI_Finalize alone at N ranks.
launch() {
    best=
    for i in $(seq "$reps"); do
        t0=$(date +%s.%N)
        at_ranks "$1" "$build/bench/launch_bench"
        best=$(minof "$best" "$(calc "$(date +%s.%N) - $t0")")
    done
    echo "$best"
}

# Round by round, each configuration once per round, so that a slow spell of
# the machine falls on all of them rather than on one (this VM's speed drifts
# by 30 % over minutes: bench/README.md).
for i in $(seq "$reps"); do
    once r1 1
    once r1solo 0
    once r2 2
    once r2k10000 2 --top-k 10000
    once r2paper 2 --paper
    once r1nr 1 --no-reports
    once r2nr 2 --no-reports
done
report r1 1
report r1solo 0
report r2 2
report r2k10000 2
report r2paper 2
report r1nr 1
report r2nr 2
l0=$(launch 0) l1=$(launch 1) l2=$(launch 2)
raw2=$(export XP_LAUNCH_RAW=1; launch 2)
# What mpiexec itself costs with the launcher-side settings of README.md
# ("Launching"), which the runs above do not use.
tuned2=$(export PMIX_MCA_gds=hash HWLOC_COMPONENTS=-linuxio \
    HWLOC_PLUGINS_BLACKLIST=hwloc_gl,hwloc_opencl,hwloc_pci,hwloc_xml_libxml; launch 2)
echo "speed-up 1 -> 2 ranks: $(calc "$wall_r1 / $wall_r2")x (wall)"
echo "    MPI_Init + MPI_Finalize alone: $l1 s at 1 rank, $l2 s at 2 ranks" \
     "($raw2 s at 2 without xp_mpi_defaults, $tuned2 s at 2 with README's launcher settings," \
     "$l0 s without a launcher); net of it: $(calc "($wall_r1 - $l1) / ($wall_r2 - $l2)")x"
echo "    from 1 rank without a launcher: $(calc "$wall_r1solo / $wall_r2")x (wall)"
echo "    ingest to rules.jsonl (summary total_seconds):" \
     "$(calc "$(field total_seconds "$tmp/r1/summary.json") / $(field total_seconds "$tmp/r2/summary.json")")x"
echo "    without the reports (--no-reports): $(calc "$wall_r1nr / $wall_r2nr")x (wall)"
cmp -s "$tmp/r1/rules.jsonl" "$tmp/r2/rules.jsonl" && cmp -s "$tmp/r1/rules.jsonl" "$tmp/r1solo/rules.jsonl" &&
    echo "rules.jsonl 1 rank (both launches) == 2 ranks: yes" || echo "rules.jsonl 1 rank == 2 ranks: NO"
k5=$(field peak_rss_bytes "$tmp/r2/summary.json")
k10=$(field peak_rss_bytes "$tmp/r2k10000/summary.json")
echo "peak memory K=10000 vs K=5000: +$(calc "100 * ($k10 - $k5) / $k5")% (paper: +368%)"

echo "## counting kernel vs naive O(W K^2), same activity matrix"
"$build/bench/count_bench" "$tmp/r2" 2000 3

if [ "${NO_PEER:-0}" != 1 ]; then
    best=
    for i in $(seq "${PEER_REPS:-1}"); do
        t0=$(date +%s.%N)
        /usr/bin/python3 "$root/../shared/peer/peer_scipy.py" -o "$tmp/peer" "$in" 2>"$tmp/peer.err"
        best=$(minof "$best" "$(calc "$(date +%s.%N) - $t0")")
    done
    echo "peer (pandas+scipy, 1 process): wall $best s; $(grep -i 'peak' "$tmp/peer.err" | tail -1)"
    echo "expose-mpi 2 ranks vs peer: $(calc "$best / $wall_r2")x faster;" \
         "with --no-reports (rules.jsonl, clusters.json and the shards, as the peer writes" \
         "rules.jsonl only): $(calc "$best / $wall_r2nr")x"
fi

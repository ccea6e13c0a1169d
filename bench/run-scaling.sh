#!/bin/bash
# run-scaling.sh - strong and weak scaling of expose-mpi (bench/README.md,
# "Scaling"): the wall time and summary.json's stage_seconds at each rank
# count, to a CSV, then a plot of time and parallel efficiency per stage
# (bench/plot-scaling.py).
#
#   bench/run-scaling.sh [strong|weak|both]
#
# strong  the same trace at every rank count: INPUT, or without it a
#         generated one (expose-gen --clients $STRONG_CLIENTS --hours
#         $STRONG_HOURS --seed 1). Efficiency E(R) = T(1) / (R T(R)).
# weak    the trace grows with the ranks: R ranks mine expose-gen --clients
#         $WEAK_CLIENTS --hours R*$WEAK_HOURS --seed 1 (the same network,
#         R times as many windows). Efficiency E(R) = T(1) / T(R).
# Default: strong when INPUT is set (as slurm/scaling.sbatch calls it), else both.
#
# Environment (slurm/scaling.sbatch sets the first five):
#   EXPOSE_BIN     expose-mpi (default $BUILD/mpi/expose-mpi, BUILD default build/)
#   INPUT          strong scaling's input: files and folders, space-separated
#   OUT            runs go to OUT/MODE/ranks-R (default bench/out/scaling)
#   SCALING_RANKS  rank counts (default "1 2 4")
#   LAUNCHER       R ranks start as "$LAUNCHER R expose-mpi ..." (default
#                  "mpiexec --oversubscribe -n"; on Slurm "srun --mpi=pmix -n")
#   EXPOSE_GEN     expose-gen (default: ../io/expose-gen beside EXPOSE_BIN, or PATH)
#   EXPOSE_ARGS    more options for expose-mpi
#   REPEATS        runs per rank count, the fastest kept (default 1)
#   RESULTS        where scaling-MODE.csv and .png/.svg go (default OUT)
#   STRONG_CLIENTS, STRONG_HOURS (200, 2), WEAK_CLIENTS, WEAK_HOURS (200, 0.5)
#   PYTHON         default /usr/bin/python3 (Debian's python3-matplotlib is
#                  installed for it, not for a python3 earlier on PATH)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-}
[ -n "$mode" ] || { [ -n "${INPUT:-}" ] && mode=strong || mode=both; }
case $mode in strong|weak|both) ;; *) echo "usage: $0 [strong|weak|both]" >&2; exit 2 ;; esac
build=${BUILD:-$root/build}
bin=${EXPOSE_BIN:-$build/mpi/expose-mpi}
gen=${EXPOSE_GEN:-$(dirname "$(command -v "$bin" || echo "$bin")")/../io/expose-gen}
[ -x "$gen" ] || gen=$(command -v expose-gen || true)
out=${OUT:-$root/bench/out/scaling}
results=${RESULTS:-$out}
ranks=${SCALING_RANKS:-1 2 4}
launcher=${LAUNCHER:-mpiexec --oversubscribe -n}
repeats=${REPEATS:-1}
read -r -a extra <<<"${EXPOSE_ARGS:-}"
py=${PYTHON:-python3}
[ -n "${PYTHON:-}" ] || [ ! -x /usr/bin/python3 ] || py=/usr/bin/python3
[ -f "$root/scripts/env.sh" ] && . "$root/scripts/env.sh"
command -v "$bin" >/dev/null || { echo "run-scaling: EXPOSE_BIN '$bin' not found" >&2; exit 2; }
mkdir -p "$out" "$results"

# One CSV line from a run's summary.json: records, windows, rules, total and
# every stage's seconds (header when $2 is "header").
summary_fields() {
    "$py" - "$1" "$2" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
st = s["stage_seconds"]
if sys.argv[2] == "header":
    print(",".join(["records", "windows", "rules", "total_s"] + [k + "_s" for k in st]))
else:
    print(",".join(str(v) for v in [s["records"], s["windows"], s["rules"], s["total_seconds"]]
                   + list(st.values())))
EOF
}

# run MODE R HOURS INPUT...: the fastest of REPEATS runs at R ranks -> one CSV line.
run() {
    local m=$1 r=$2 hours=$3; shift 3
    local dir=$out/$m/ranks-$r best= bestdir=
    for ((i = 0; i < repeats; i++)); do
        rm -rf "$dir.try"
        local t0 t1 secs
        t0=$(date +%s.%N)
        # shellcheck disable=SC2086
        $launcher "$r" "$bin" -q -o "$dir.try" "${extra[@]}" "$@" ||
            { echo "run-scaling: $m at $r ranks failed" >&2; return 1; }
        t1=$(date +%s.%N)
        secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
        if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$secs
            rm -rf "$dir"
            mv "$dir.try" "$dir"
        fi
    done
    rm -rf "$dir.try"
    local same=-
    if [ "$m" = strong ] && [ "$r" != "$first_r" ]; then
        cmp -s "$out/$m/ranks-$first_r/rules.jsonl" "$dir/rules.jsonl" && same=yes || same=no
    fi
    echo "$m,$r,$hours,$best,$(summary_fields "$dir/summary.json" line),$same"
}

scale() {
    local m=$1 csv=$results/scaling-$1.csv lines=() hours
    header= first_r=${ranks%% *}
    mkdir -p "$out/$m"
    for r in $ranks; do
        if [ "$m" = strong ] && [ -n "${INPUT:-}" ]; then
            read -r -a in <<<"$INPUT"
            hours=-
        elif [ "$m" = strong ]; then
            hours=${STRONG_HOURS:-2}
            in=("$out/strong/trace/conn.log")
            [ -f "${in[0]}" ] || "$gen" -o "$out/strong/trace" --clients "${STRONG_CLIENTS:-200}" \
                --hours "$hours" --seed 1 >/dev/null
        else
            hours=$(awk -v r="$r" -v h="${WEAK_HOURS:-0.5}" 'BEGIN { print r * h }')
            in=("$out/weak/trace-$r/conn.log")
            [ -f "${in[0]}" ] || "$gen" -o "$out/weak/trace-$r" --clients "${WEAK_CLIENTS:-200}" \
                --hours "$hours" --seed 1 >/dev/null
        fi
        lines+=("$(run "$m" "$r" "$hours" "${in[@]}")")
        echo "${lines[-1]}"
        [ -n "$header" ] || header="mode,ranks,hours,wall_s,$(summary_fields "$out/$m/ranks-$r/summary.json" header),same_rules"
    done
    { echo "$header"; printf '%s\n' "${lines[@]}"; } > "$csv"
    echo "run-scaling: wrote $csv (load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores)"
    "$py" "$root/bench/plot-scaling.py" "$csv" || echo "run-scaling: no plot (see above)" >&2
}

[ "$mode" = weak ] || scale strong
[ "$mode" = strong ] || scale weak

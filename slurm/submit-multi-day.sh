#!/bin/bash
# submit-multi-day.sh - submit the per-day array and, after it, the whole-span job.
#
#   slurm/submit-multi-day.sh ROOT [SBATCH_OPTION...]
#
# Counts the day folders under ROOT, submits slurm/multi-day.sbatch with --array=0-(N-1),
# then slurm/multi-day-all.sbatch with --dependency=afterok:<array job> and
# --kill-on-invalid-dep=yes (if a day fails, the span job is cancelled instead of pending
# forever). SBATCH_OPTIONs go to both submissions (e.g. --partition=short); --quiet
# is ignored, because the job ids come from sbatch's --parsable output.
# Prints "array=<id>" and "span=<id>", one line each. With WAIT=1 it waits for the span job
# (sbatch --wait) and exits 0 only if every day and the span succeeded. sbatch --wait alone
# is not enough: it returns 0 for a job cancelled before it ran (a day failed, so afterok can
# never be met), so the jobs' states are read back with scontrol, and where Slurm has
# forgotten them already (MinJobAge) OUT/all/summary.json must be newer than the submission.
#
# Environment: EXPOSE_BIN, OUT, EXPOSE_ARGS, EXPOSE_SRUN_MPI reach the jobs (sbatch exports
# the submitting environment); EXPOSE_BIN and OUT are made absolute here so the jobs do not
# depend on their working directory.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=${1:?usage: submit-multi-day.sh ROOT [SBATCH_OPTION...]}
shift
[ -d "$root" ] || { echo "submit-multi-day: $root is not a directory" >&2; exit 2; }
root=$(cd "$root" && pwd)
n=$(find "$root" -mindepth 1 -maxdepth 1 -type d | wc -l)
[ "$n" -gt 0 ] || { echo "submit-multi-day: no day folders under $root" >&2; exit 2; }

if [ -n "${EXPOSE_BIN:-}" ]; then
    case $EXPOSE_BIN in */*) EXPOSE_BIN=$(cd "$(dirname "$EXPOSE_BIN")" && pwd)/$(basename "$EXPOSE_BIN") ;; esac
    export EXPOSE_BIN
fi
out=${OUT:-expose-out}
mkdir -p "$out"
OUT=$(cd "$out" && pwd)
export OUT

# The job ids are read from sbatch --parsable, which prints nothing under --quiet: drop it.
opts=()
for o in "$@"; do
    case $o in -Q | --quiet) ;; *) opts+=("$o") ;; esac
done
isnum() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }

stamp=$(mktemp "$OUT/.submitted.XXXXXX")
trap 'rm -f "$stamp"' EXIT

array=$(sbatch --parsable --array="0-$((n - 1))" ${opts[@]+"${opts[@]}"} "$here/multi-day.sbatch" "$root")
array=${array%%;*}
isnum "$array" || { echo "submit-multi-day: no job id from sbatch for the day array (got '$array')" >&2; exit 1; }
echo "array=$array"

# afterok on the array's job id waits for every task of the array and holds only if all of
# them exit 0. The span is submitted right after the array, while Slurm still knows it:
# Slurm 22.05 takes a dependency on a job id it has already forgotten (MinJobAge) as met,
# so a span submitted late would run even if a day had failed. An empty id
# ("--dependency=afterok:") is refused with "Job dependency problem"; that is what a
# --quiet passed through to sbatch --parsable used to cause. If a day fails,
# --kill-on-invalid-dep=yes cancels the span rather than leaving it pending.
wait_opt=()
[ "${WAIT:-0}" = 1 ] && wait_opt=(--wait)
set +e
span=$(sbatch --parsable ${wait_opt[@]+"${wait_opt[@]}"} --dependency="afterok:$array" \
    --kill-on-invalid-dep=yes ${opts[@]+"${opts[@]}"} "$here/multi-day-all.sbatch" "$root")
rc=$?
set -e
span=${span%%;*}
isnum "$span" || { echo "submit-multi-day: no job id from sbatch for the span job (got '$span')" >&2; exit 1; }
echo "span=$span"
[ "${WAIT:-0}" = 1 ] || exit $rc

# Prints "id state reason" for every job (array tasks included) that did not complete.
not_completed() {
    scontrol -o show job "$1" 2>/dev/null | awk '{
        id = st = why = "";
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^JobId=/) id = substr($i, 7);
            if ($i ~ /^ArrayTaskId=/) id = id "(task " substr($i, 13) ")";
            if ($i ~ /^JobState=/) st = substr($i, 10);
            if ($i ~ /^Reason=/) why = substr($i, 8);
        }
        if (st != "COMPLETED") print id, st, why;
    }'
}
if scontrol -o show job "$span" >/dev/null 2>&1; then
    bad=$( (not_completed "$array"; not_completed "$span") | sed 's/^/  /')
    if [ -n "$bad" ]; then
        echo "submit-multi-day: jobs that did not complete (job, state, reason):" >&2
        echo "$bad" >&2
        [ "$rc" != 0 ] || rc=1
    fi
elif [ "$rc" = 0 ] && [ ! "$OUT/all/summary.json" -nt "$stamp" ]; then
    echo "submit-multi-day: span job $span is gone from Slurm and wrote no $OUT/all/summary.json" >&2
    rc=1
fi
exit $rc

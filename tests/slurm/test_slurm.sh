#!/bin/bash
# test_slurm.sh - the job scripts of slurm/ on a real one-node Slurm cluster.
#
#   tests/slurm/test_slurm.sh EXPOSE_BIN EXPOSE_GEN [MPIEXEC]
#
# Brings a cluster up in a temporary state dir (scripts/slurm-up.sh, free ports), always
# brings it down on exit (scripts/slurm-down.sh, from an EXIT trap, so also on failure or
# interruption), and checks, each step able to fail:
#   1. srun -n 2 and -n 4 start an MPI program built here; sbatch --wait returns a job's
#      exit code (a job that exits 3 gives 3);
#   2. slurm/one-node.sbatch with sbatch --wait: exit 0, rules.jsonl + summary.json with
#      ranks = 2; the same script on a missing input: non-zero; slurm/multi-node.sbatch with
#      --nodes=1 --ntasks-per-node=2 and slurm/scaling.sbatch at 1 and 2 ranks: exit 0, the
#      same rules;
#   3. slurm/submit-multi-day.sh: the day array (one task per day folder, OUT/day-<date>/)
#      and the whole-span job after it (afterok): exit 0, every output there, the span job
#      started after the last day ended, and the days' records add up to the span's;
#   4. srun -n 2 expose-mpi vs mpiexec -n 2 expose-mpi on the same input: rules.jsonl
#      byte-identical, summary.json equal except the fields that name times, memory or
#      paths (stage_seconds, total_seconds, peak_rss_bytes, params.out);
#   5. a one-node job cancelled (scancel: SIGTERM, as at a time limit) while mining stops with
#      a message and keeps its shards; submitted again, it reuses them without reading the
#      trace, and its rules equal mpiexec's;
#   6. no slurmctld, slurmd or munged of this test is left running afterwards.
# Input: a small trace from EXPOSE_GEN spanning midnight UTC, rotated hourly (two day
# folders), so the whole test takes well under a minute of expose-mpi time.
#
# Exit 77 (skip) unless root with slurm-wlm and munge installed (Debian packages; this test
# installs nothing). XP_SLURM_TEST_ARGS: more options for every expose-mpi run (default none).
set -u

bin=${1:?usage: test_slurm.sh EXPOSE_BIN EXPOSE_GEN [MPIEXEC]}
gen=${2:?usage: test_slurm.sh EXPOSE_BIN EXPOSE_GEN [MPIEXEC]}
mpiexec=${3:-mpiexec}
src=$(cd "$(dirname "$0")/../.." && pwd)
args=${XP_SLURM_TEST_ARGS:-}

skip() { echo "SKIP: $*"; exit 77; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
show() { for f in "$@"; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done; }

[ "$(id -u)" = 0 ] || skip "not root (the test starts munged, slurmctld and slurmd)"
for prog in sbatch srun sinfo scontrol squeue slurmctld slurmd munged munge ss runuser mpicc python3; do
    command -v "$prog" >/dev/null 2>&1 ||
        skip "$prog not found (Debian packages: slurm-wlm munge openmpi-bin libopenmpi-dev)"
done
[ -x "$bin" ] || { echo "FAIL: expose-mpi not found at $bin"; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

# A clean environment for Slurm and Open MPI: nothing from a surrounding allocation; the two
# root variables for mpiexec; PMIx without munge (a stale munge socket stalls MPI_Init).
for v in $(env | sed -n 's/^\(SLURM_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PMIX_MCA_psec=native
export OMPI_MCA_rmaps_base_oversubscribe=1

work=$(mktemp -d "${TMPDIR:-/tmp}/expose-slurm-test.XXXXXX")
state=$work/cluster
port=6917
while ss -Hltn | awk '{ print $4 }' | grep -Eq ":($port|$((port + 1)))\$"; do port=$((port + 2)); done
cleanup() {
    XP_SLURM_PORT=$port "$src/scripts/slurm-down.sh" "$state" >/dev/null 2>&1
    if [ "$failures" -eq 0 ]; then rm -rf "$work"; else echo "kept $work for inspection"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$SECONDS
if ! up=$(XP_SLURM_PORT=$port "$src/scripts/slurm-up.sh" "$state" 2>&1); then
    echo "$up"
    fail "slurm-up.sh"
    exit 1
fi
export SLURM_CONF=$state/slurm.conf
ok "cluster up in $((SECONDS - t0)) s: $(sinfo -h -o '%P %D %c %T')"

# --- 1. srun and sbatch themselves -------------------------------------------------------
cat >"$work/hello.c" <<'EOF'
#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv) {
  int rank, size;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  printf("rank %d of %d\n", rank, size);
  MPI_Finalize();
  return 0;
}
EOF
mpicc -o "$work/hello" "$work/hello.c" || { fail "mpicc hello.c"; exit 1; }
for n in 2 4; do
    got=$(timeout 60 srun -n "$n" "$work/hello" 2>&1 | sort)
    want=$(for ((r = 0; r < n; r++)); do echo "rank $r of $n"; done)
    [ "$got" = "$want" ] && ok "srun -n $n: $n ranks of one MPI job" || fail "srun -n $n gave: $got"
done
printf '#!/bin/sh\nexit 3\n' >"$work/exit3.sh"
timeout 120 sbatch --wait --quiet --chdir="$work" -o "$work/exit3.out" "$work/exit3.sh"
rc=$?
[ $rc = 3 ] && ok "sbatch --wait returns the job's exit code (3)" || fail "sbatch --wait on exit 3 gave $rc"
timeout 60 srun -n 1 "$bin" --help >"$work/help.txt" 2>&1 && grep -q -- '--out' "$work/help.txt" &&
    ok "srun -n 1 expose-mpi --help" || { fail "srun -n 1 expose-mpi --help"; show "$work/help.txt"; }

# --- input --------------------------------------------------------------------------------
# 30 min of traffic from 40 clients, 15 min on each side of midnight UTC, rotated hourly:
# two day folders of one file each (about 4,800 records; a run takes about a second).
"$gen" -o "$work/gen" --clients 40 --hours 0.5 --rotate-hourly --start $((1700006400 - 900)) \
    >/dev/null || { fail "expose-gen"; exit 1; }
mkdir -p "$work/days-in"
mv "$work/gen"/20*-*-* "$work/days-in/"
root=$work/days-in
ndays=$(find "$root" -mindepth 1 -maxdepth 1 -type d | wc -l)
echo "input: $root ($ndays day folders), options: $args"
export EXPOSE_BIN=$bin EXPOSE_ARGS=$args

# Value of a key of a summary.json, or "" (python3 json).
jget() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else v)' "$1" "$2" 2>/dev/null; }

# --- 2. one node ----------------------------------------------------------------------------
t0=$SECONDS
OUT=$work/one timeout 300 sbatch --wait --quiet --chdir="$work" -o "$work/one.out" \
    "$src/slurm/one-node.sbatch" "$root"
rc=$?
if [ $rc = 0 ] && [ -s "$work/one/summary.json" ] && [ -f "$work/one/rules.jsonl" ]; then
    ok "one-node.sbatch: exit 0, $(wc -l <"$work/one/rules.jsonl") rules, $((SECONDS - t0)) s"
    [ "$(jget "$work/one/summary.json" ranks)" = 2 ] && ok "one-node: summary says 2 ranks" ||
        fail "one-node: summary.json ranks = '$(jget "$work/one/summary.json" ranks)', want 2"
else
    fail "one-node.sbatch: exit $rc, outputs: $(ls "$work/one" 2>&1 | tr '\n' ' ')"
    show "$work/one.out"
fi
OUT=$work/bad timeout 120 sbatch --wait --quiet --chdir="$work" -o "$work/bad.out" \
    "$src/slurm/one-node.sbatch" "$work/no-such-input"
rc=$?
[ $rc != 0 ] && ok "one-node.sbatch on a missing input fails (exit $rc)" ||
    fail "one-node.sbatch on a missing input exited 0"

# multi-node.sbatch on the one node there is, and scaling.sbatch at 1 and 2 ranks (its own
# loop: EXPOSE_SRC points where there is no bench/run-scaling.sh).
OUT=$work/mn timeout 120 sbatch --wait --quiet --chdir="$work" -o "$work/mn.out" --nodes=1 \
    --ntasks-per-node=2 "$src/slurm/multi-node.sbatch" "$root"
rc=$?
[ $rc = 0 ] && cmp -s "$work/mn/rules.jsonl" "$work/one/rules.jsonl" &&
    ok "multi-node.sbatch --nodes=1 --ntasks-per-node=2: exit 0, rules equal one-node's" ||
    { fail "multi-node.sbatch: exit $rc or rules differ from one-node's"; show "$work/mn.out"; }
OUT=$work/sc EXPOSE_SRC=$work timeout 120 sbatch --wait --quiet --chdir="$work" -o "$work/sc.out" \
    --ntasks=2 "$src/slurm/scaling.sbatch" "$root"
rc=$?
sc=$(cut -f 1,3,4 "$work/sc/scaling.tsv" 2>/dev/null | tail -n +2 | tr '\t\n' ', ')
[ $rc = 0 ] && [ "$sc" = "1,0,- 2,0,yes " ] &&
    ok "scaling.sbatch --ntasks=2: runs at 1 and 2 ranks, same rules" ||
    { fail "scaling.sbatch: exit $rc, scaling.tsv rows '$sc'"; show "$work/sc.out"; }

# --- 3. multi-day array, then the span ------------------------------------------------------
t0=$SECONDS
ids=$(OUT=$work/days WAIT=1 timeout 400 "$src/slurm/submit-multi-day.sh" "$root" --chdir="$work" --quiet)
rc=$?
array=$(sed -n 's/^array=//p' <<<"$ids")
span=$(sed -n 's/^span=//p' <<<"$ids")
if [ $rc = 0 ]; then
    ok "multi-day array $array + span $span: exit 0 in $((SECONDS - t0)) s"
else
    fail "submit-multi-day.sh: exit $rc ($ids)"
    show "$work"/expose-day-*.out "$work"/expose-span-*.out
fi
sum=0
for d in "$root"/*/; do
    day=$(basename "$d")
    s=$work/days/day-$day/summary.json
    if [ -s "$s" ] && [ -f "$work/days/day-$day/rules.jsonl" ]; then
        n=$(jget "$s" records)
        sum=$((sum + ${n:-0}))
    else
        fail "multi-day: no output in days/day-$day"
    fi
done
if [ -s "$work/days/all/summary.json" ] && [ -f "$work/days/all/rules.jsonl" ]; then
    all=$(jget "$work/days/all/summary.json" records)
    [ "$sum" = "$all" ] && ok "multi-day: the days' records ($sum) add up to the span's" ||
        fail "multi-day: days' records $sum, span's $all"
else
    fail "multi-day: no output in days/all"
fi
# One array task per day folder: each task writes expose-day-<array>_<index>.out.
ntask=$(find "$work" -maxdepth 1 -name "expose-day-${array:-none}_*.out" | wc -l)
[ "$ntask" = "$ndays" ] && ok "multi-day: $ntask array tasks for $ndays day folders" ||
    fail "multi-day: $ntask array tasks for $ndays day folders"
# afterok: the span job started only after the last day had written its summary.json (read
# from the files, not from scontrol, which forgets jobs MinJobAge seconds after they end).
span_start=$(sed -n 's/.* started at \([0-9.]*\):.*/\1/p' "$work/expose-span-${span:-none}.out" 2>/dev/null)
last_end=$(find "$work/days" -path '*/day-*/summary.json' -printf '%T@\n' 2>/dev/null | sort -n | tail -n 1)
if [ -n "$span_start" ] && [ -n "$last_end" ] &&
    awk -v s="$span_start" -v e="$last_end" 'BEGIN { exit !(s >= e) }'; then
    ok "multi-day: span started at $span_start, after the last day ended at $last_end"
else
    fail "multi-day: span start '$span_start' vs last day end '$last_end'"
fi

# A day that fails (a folder with no trace in it): the submission fails, and the span job is
# cancelled by its afterok dependency instead of running or pending forever.
bad=$work/days-bad
mkdir -p "$bad/2000-01-01"
cp -r "$root"/* "$bad/"
echo "not a trace" >"$bad/2000-01-01/README"
t0=$SECONDS
ids=$(OUT=$work/days-bad-out WAIT=1 timeout 120 "$src/slurm/submit-multi-day.sh" "$bad" --chdir="$work" 2>"$work/days-bad.err")
rc=$?
if [ $rc != 0 ] && [ $rc != 124 ] && [ ! -e "$work/days-bad-out/all/summary.json" ]; then
    ok "multi-day with a failing day: exit $rc in $((SECONDS - t0)) s, no span output"
else
    fail "multi-day with a failing day: exit $rc, span output: $(ls "$work/days-bad-out/all" 2>&1)"
    show "$work/days-bad.err"
fi
[ -s "$work/days-bad-out/day-2023-11-15/summary.json" ] &&
    ok "multi-day with a failing day: the good days still have their results" ||
    fail "multi-day with a failing day: no days-bad-out/day-2023-11-15/summary.json"

# --- 4. srun vs mpiexec ---------------------------------------------------------------------
read -r -a extra <<<"$args"
t0=$SECONDS
timeout 300 srun -n 2 "$bin" -q -o "$work/srun" "${extra[@]}" "$root" >"$work/srun.log" 2>&1
rc1=$?
t1=$SECONDS
timeout 300 "$mpiexec" -n 2 "$bin" -q -o "$work/mpiexec" "${extra[@]}" "$root" >"$work/mpiexec.log" 2>&1
rc2=$?
echo "srun -n 2: exit $rc1 in $((t1 - t0)) s; mpiexec -n 2: exit $rc2 in $((SECONDS - t1)) s"
[ $rc1 = 0 ] || { fail "srun -n 2 expose-mpi: exit $rc1"; show "$work/srun.log"; }
[ $rc2 = 0 ] || { fail "mpiexec -n 2 expose-mpi: exit $rc2"; show "$work/mpiexec.log"; }
if [ -f "$work/srun/rules.jsonl" ] && [ -f "$work/mpiexec/rules.jsonl" ] &&
    cmp "$work/srun/rules.jsonl" "$work/mpiexec/rules.jsonl"; then
    ok "rules.jsonl byte-identical under srun and mpiexec ($(wc -l <"$work/srun/rules.jsonl") rules)"
else
    fail "rules.jsonl differ or missing (srun vs mpiexec)"
fi
if python3 - "$work/srun/summary.json" "$work/mpiexec/summary.json" <<'EOF'; then
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
# Times, memory and the output path differ between any two runs; everything else must not.
for s in (a, b):
    for k in ("stage_seconds", "total_seconds", "peak_rss_bytes"):
        s.pop(k, None)
    s.get("params", {}).pop("out", None)
diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
for k in diff:
    print(f"  {k}: srun {a.get(k)!r} mpiexec {b.get(k)!r}")
sys.exit(1 if diff or not a else 0)
EOF
    ok "summary.json equal under srun and mpiexec (but times, peak memory, output path)"
else
    fail "summary.json differ or missing (srun vs mpiexec)"
fi

[ "$(jget "$work/srun/summary.json" ranks)" = 2 ] && ok "srun -n 2: summary says 2 ranks" ||
    fail "srun -n 2: summary.json ranks = '$(jget "$work/srun/summary.json" ranks)', want 2"
cmp -s "$work/one/rules.jsonl" "$work/mpiexec/rules.jsonl" &&
    ok "one-node.sbatch's rules.jsonl equals mpiexec's" ||
    fail "one-node.sbatch's rules.jsonl differs from mpiexec's"

# --- 5. a job cancelled while mining, as at its time limit, then submitted again ---------
# XP_PAUSE=count holds every rank at the end of stage count; scancel then does what Slurm does
# at a time limit: SIGTERM to every task, SIGKILL KillWait seconds later.
cut=$work/cut
jid=$(OUT=$cut XP_PAUSE=count sbatch --parsable --chdir="$work" -o "$work/cut.out" \
    "$src/slurm/one-node.sbatch" "$root")
i=0
while [ "$(grep -c 'XP_PAUSE: pid' "$work/cut.out" 2>/dev/null)" != 2 ] && [ $i -lt 600 ]; do
    sleep 0.1
    i=$((i + 1))
done
scancel "$jid"
i=0
while squeue -h -j "$jid" -o %T 2>/dev/null | grep -q . && [ $i -lt 300 ]; do
    sleep 0.1
    i=$((i + 1))
done
if grep -q "error: stopped by signal 15 (SIGTERM) after stage count; the shards in $cut/shards are complete" "$work/cut.out" &&
    [ ! -e "$cut/rules.jsonl" ] && [ ! -e "$cut/summary.json" ] && [ -s "$cut/shards/meta.h5" ]; then
    ok "scancel while mining: SIGTERM reported, no result files, meta.h5 kept"
    grep -q "tasks 0-1: Exited with exit code 1" "$work/cut.out" &&
        ok "scancel while mining: srun says both tasks exited with status 1" ||
        { fail "scancel while mining: srun does not say both tasks exited 1"; show "$work/cut.out"; }
else
    fail "scancel while mining: message, result files or meta.h5 not as expected"
    show "$work/cut.out"
fi
OUT=$cut timeout 120 sbatch --wait --quiet --chdir="$work" -o "$work/cut2.out" \
    "$src/slurm/one-node.sbatch" "$root"
rc=$?
if [ $rc = 0 ] && grep -q "reusing the shards in $cut/shards" "$work/cut2.out" &&
    ! grep -q "read [0-9]* records" "$work/cut2.out" &&
    [ "$(jget "$cut/summary.json" shards_reused)" = True ] &&
    cmp -s "$cut/rules.jsonl" "$work/mpiexec/rules.jsonl"; then
    ok "re-submitted: reused the shards without reading the trace, rules equal mpiexec's"
else
    fail "re-submitted after scancel: exit $rc, reuse or rules not as expected"
    show "$work/cut2.out"
fi

# --- 6. the cluster goes down, and none of its daemons stays -------------------------------
pids=$(cat "$state"/slurmctld.pid "$state"/slurmd.pid "$state"/munged.pid 2>/dev/null)
"$src/scripts/slurm-down.sh" "$state" >/dev/null 2>&1
left=
for p in $pids; do
    st=$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null) || continue
    [ "$st" = Z ] || left="$left $p($(cat "/proc/$p/comm" 2>/dev/null))"
done
[ -n "$pids" ] && [ -z "$left" ] && ok "slurm-down.sh: no daemon left (pids $(echo $pids))" ||
    fail "slurm-down.sh: daemons still running:${left:- (no pid files)}"

echo "$failures failure(s)"
[ $failures -eq 0 ]

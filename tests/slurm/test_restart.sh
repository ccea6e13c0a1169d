#!/bin/bash
# test_restart.sh - restart from shards, and the time and signal budgets, under mpiexec -n 2.
#
#   tests/slurm/test_restart.sh EXPOSE_BIN EXPOSE_GEN [MPIEXEC]
#
# The shards are a checkpoint (docs/slurm.md, "Restart"): a run records what they were made
# from (every input's path, size and modification time, and the options that shape them); a
# later run with the same inputs and options reuses them without reading the trace, and a
# run with a changed input or option rebuilds them. Checked, each step able to fail:
#   1. a run stopped by SIGTERM while mining (XP_PAUSE=count holds every rank at the end of
#      stage count until the signal, as Slurm's time limit or scancel would find it), and one
#      killed by SIGKILL there: every rank exits non-zero (SIGTERM: with a message naming the
#      signal); no rules.jsonl or summary.json; meta.h5 there;
#   2. the re-run completes without reading the trace: the input's records were overwritten
#      (same size, same mtime, so a reader would fail on them) and the re-run still
#      succeeds; the log says "reusing the shards" and has no "read ... records" line;
#      summary.json says shards_reused: true; rules.jsonl is byte-identical to an
#      uninterrupted run's, summary.json equal but for times, memory, path and reuse;
#   3. touching the input (new mtime), changing it, or changing --window rebuilds the shards
#      (the log says "read", shards_reused: false);
#   4. --time-limit: reached after the shards are complete, every rank exits non-zero with
#      "time limit", no result files, and the shards are reused by the next run; reached
#      before, no meta.h5 is left; a signal during the read stage: likewise. --mem-per-rank 1
#      (too small even in the most passes): every rank exits non-zero with a message saying
#      which option to raise, the shards are reused by the next run.
set -u
bin=${1:?usage: test_restart.sh EXPOSE_BIN EXPOSE_GEN [MPIEXEC]}
gen=${2:?usage: test_restart.sh EXPOSE_BIN EXPOSE_GEN [MPIEXEC]}
mpiexec=${3:-mpiexec}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PMIX_MCA_psec=native
export OMPI_MCA_rmaps_base_oversubscribe=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/expose-restart.XXXXXX")
bg=
trap '[ -n "$bg" ] && kill "$bg" 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; fail=$((fail + 1)); fi; }
show() { for f in "$@"; do [ -f "$f" ] && { echo "--- $f"; tail -n 15 "$f"; }; done; }

# 12 min of 40 clients: about 2,000 records, a run takes well under a second.
"$gen" -o "$tmp/g" --clients 40 --hours 0.2 --seed 3 >/dev/null || { echo "FAIL: expose-gen"; exit 1; }
in=$tmp/in/conn.log
mkdir -p "$tmp/in"
cp -p "$tmp/g/conn.log" "$in"

# run OUT [OPTION...]: expose-mpi at 2 ranks; its stderr in OUT.log; each rank's exit status
# in OUT.ranks ("rank R exit S"; mpiexec is told not to kill the other ranks when one exits
# non-zero, so that every rank's own status is seen).
run() {
    local out=$1
    shift
    rm -f "$out.ranks"
    timeout 120 "$mpiexec" --mca orte_abort_on_non_zero_status 0 -n 2 sh -c \
        '"$0" "$@"; echo "rank $OMPI_COMM_WORLD_RANK exit $?" >>"'"$out"'.ranks"' \
        "$bin" -o "$out" "$@" 2>"$out.log"
}
# every_rank_failed OUT: both ranks reported a non-zero exit status.
every_rank_failed() {
    [ "$(grep -c 'exit [1-9]' "$1.ranks" 2>/dev/null)" = 2 ]
}
# stopped OUT SIGNAL STAGE [OPTION...]: a run held at the end of STAGE (XP_PAUSE), then
# SIGNAL sent to every expose-mpi process, as Slurm sends it to every task.
stopped() {
    local out=$1 sig=$2 stage=$3
    shift 3
    XP_PAUSE=$stage run "$out" "$@" "$in" &
    bg=$!
    local i=0
    while [ "$(grep -c 'XP_PAUSE: pid' "$out.log" 2>/dev/null)" != 2 ] && [ $i -lt 600 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    local pids
    pids=$(sed -n 's/.*XP_PAUSE: pid \([0-9]*\) .*/\1/p' "$out.log")
    # shellcheck disable=SC2086 # one argument per pid
    [ -n "$pids" ] && kill -"$sig" $pids
    wait "$bg"
    bg=
}
jget() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); [v := v[k] for k in sys.argv[2:]]; print(json.dumps(v))' "$@" 2>/dev/null; }
# same_result OUT: rules.jsonl byte-identical to the reference run's, summary.json equal
# but for times, peak memory, the output path and shards_reused.
same_result() {
    cmp -s "$tmp/ref/rules.jsonl" "$1/rules.jsonl" &&
        python3 - "$tmp/ref/summary.json" "$1/summary.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for s in (a, b):
    for k in ("stage_seconds", "total_seconds", "peak_rss_bytes", "shards_reused"):
        s.pop(k, None)
    s["params"].pop("out", None)
diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
for k in diff:
    print(f"  {k}: reference {a.get(k)!r}, re-run {b.get(k)!r}")
sys.exit(1 if diff else 0)
EOF
}
no_result() { [ ! -e "$1/rules.jsonl" ] && [ ! -e "$1/summary.json" ]; }

# --- the uninterrupted reference ----------------------------------------------------------
run "$tmp/ref" "$in"
check "reference run succeeds" '[ -s "$tmp/ref/rules.jsonl" ] && [ -s "$tmp/ref/summary.json" ]'
check "reference run read the trace" 'grep -q "read [0-9]* records" "$tmp/ref.log"'
check "reference run built its shards" '[ "$(jget "$tmp/ref/summary.json" shards_reused)" = false ]'

# --- 1. stopped while mining ----------------------------------------------------------------
o=$tmp/term
stopped "$o" TERM count
check "SIGTERM at count: every rank exits non-zero ($(tr '\n' ' ' <"$o.ranks" 2>/dev/null))" 'every_rank_failed "$o"'
check "SIGTERM at count: message names the signal and says the shards are complete" \
    'grep -q "error: stopped by signal 15 (SIGTERM) after stage count; the shards in .* are complete" "$o.log"'
check "SIGTERM at count: no rules.jsonl or summary.json" 'no_result "$o"'
check "SIGTERM at count: meta.h5 kept" '[ -s "$o/shards/meta.h5" ]'
[ $fail = 0 ] || show "$o.log"
k=$tmp/kill
stopped "$k" KILL count
check "SIGKILL at count: every rank killed, none exits 0" '! grep -q "exit 0" "$k.ranks" 2>/dev/null'
check "SIGKILL at count: no rules.jsonl or summary.json" 'no_result "$k"'
check "SIGKILL at count: meta.h5 kept" '[ -s "$k/shards/meta.h5" ]'

# --- 2. the re-runs do not read the trace -------------------------------------------------
# Overwrite 4000 bytes from the start of the middle line with 'x' (same size), then give
# the file back its modification time: a run that read it would fail on a malformed record.
cp -p "$in" "$tmp/pristine.log"
size=$(stat -c %s "$in")
mid=$(head -n $(($(wc -l <"$in") / 2)) "$in" | wc -c)
printf '%*s' 4000 '' | tr ' ' x | dd of="$in" bs=1 seek="$mid" conv=notrunc status=none
touch -r "$tmp/pristine.log" "$in"
check "the input was really spoiled" '! cmp -s "$in" "$tmp/pristine.log" && [ "$(stat -c %s%Y "$in")" = "$(stat -c %s%Y "$tmp/pristine.log")" ]'
for o in "$tmp/term" "$tmp/kill"; do
    n=$(basename "$o")
    run "$o" "$in"
    check "$n re-run: succeeds on every rank" '[ "$(grep -c "exit 0" "$o.ranks")" = 2 ]'
    check "$n re-run: log says the shards are reused" 'grep -q "reusing the shards in $o/shards" "$o.log"'
    check "$n re-run: log has no read line" '! grep -q "read [0-9]* records" "$o.log"'
    check "$n re-run: summary.json shards_reused true" '[ "$(jget "$o/summary.json" shards_reused)" = true ]'
    check "$n re-run: summary.json read stage 0 s" '[ "$(jget "$o/summary.json" stage_seconds read)" = 0.0 ]'
    check "$n re-run: same rules.jsonl and summary.json as the uninterrupted run" 'same_result "$o"'
    [ $fail = 0 ] || show "$o.log"
done
# A control: a run forced to read the spoiled input (--rebuild) fails on it.
run "$tmp/spoiled" --rebuild "$in"
check "control: reading the spoiled input fails" \
    'every_rank_failed "$tmp/spoiled" && no_result "$tmp/spoiled" && grep -q "line starts .xxxx" "$tmp/spoiled.log"'

# --- 3. what rebuilds --------------------------------------------------------------------
cp "$tmp/pristine.log" "$in" # the original bytes, with a new modification time
o=$tmp/term
run "$o" "$in"
check "touched input: rebuilt (read line, shards_reused false)" \
    'grep -q "read [0-9]* records" "$o.log" && [ "$(jget "$o/summary.json" shards_reused)" = false ]'
check "touched input: same rules as the reference" 'same_result "$o"'
run "$o" "$in"
check "unchanged since: reused" '[ "$(jget "$o/summary.json" shards_reused)" = true ]'
head -c $((size * 3 / 4)) "$tmp/pristine.log" | sed '$d' >"$in" # fewer records
run "$o" "$in"
check "changed input: rebuilt with fewer records" \
    '[ "$(jget "$o/summary.json" shards_reused)" = false ] && [ "$(jget "$o/summary.json" records)" -lt "$(jget "$tmp/ref/summary.json" records)" ]'
cp -p "$tmp/pristine.log" "$in"
run "$o" --window 2 "$in"
check "changed --window: rebuilt" \
    '[ "$(jget "$o/summary.json" shards_reused)" = false ] && grep -q "read [0-9]* records" "$o.log"'

# --- 4. the time budget, and a signal before the shards exist ------------------------------
o=$tmp/budget
run "$o" "$in"
run "$o" --time-limit 0.000001 "$in"
check "time limit after the shards: every rank exits non-zero" 'every_rank_failed "$o"'
check "time limit after the shards: message" \
    'grep -q "error: time limit of 1e-06 s (--time-limit) reached after stage meta, .* the shards in .* are complete" "$o.log"'
check "time limit after the shards: no result files" 'no_result "$o"'
run "$o" "$in"
check "time limit after the shards: the next run reuses them, same result" \
    '[ "$(jget "$o/summary.json" shards_reused)" = true ] && same_result "$o"'
run "$o" --mem-per-rank 1 "$in"
check "memory budget: every rank exits non-zero, says which option to raise" \
    'every_rank_failed "$o" && grep -q "error: pair counts need more than the budget of 1 MiB.*raise --mem-per-rank; the shards in .* are complete" "$o.log"'
check "memory budget: no result files, meta.h5 kept" 'no_result "$o" && [ -s "$o/shards/meta.h5" ]'
run "$o" "$in"
check "memory budget: the next run reuses the shards, same result" \
    '[ "$(jget "$o/summary.json" shards_reused)" = true ] && same_result "$o"'
o=$tmp/budget0
run "$o" --time-limit 0.000001 "$in"
check "time limit before the shards: every rank exits non-zero, says no shards" \
    'every_rank_failed "$o" && grep -q "after stage read, .* no shards were complete yet" "$o.log"'
check "time limit before the shards: no meta.h5, no result" '[ ! -e "$o/shards/meta.h5" ] && no_result "$o"'
o=$tmp/readsig
stopped "$o" TERM read
check "SIGTERM after read: every rank exits non-zero, no meta.h5" \
    'every_rank_failed "$o" && [ ! -e "$o/shards/meta.h5" ] && no_result "$o"'
check "SIGTERM after read: message" 'grep -q "stopped by signal 15 (SIGTERM) after stage read; no shards" "$o.log"'
run "$o" "$in"
check "SIGTERM after read: the next run builds the shards, same result" \
    '[ "$(jget "$o/summary.json" shards_reused)" = false ] && same_result "$o"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

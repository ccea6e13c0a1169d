#!/bin/sh
# slurm-down.sh - stop the one-node Slurm cluster that scripts/slurm-up.sh started.
#
# Usage: scripts/slurm-down.sh [STATE_DIR]     (default as in slurm-up.sh)
#
# Order matters (TOOLCHAIN.md): job steps outlive slurmd, so every job is cancelled first and
# waited for; then slurmd and slurmctld are stopped by their pid files; then munged, by its
# pid, only if slurm-up.sh started it. A munge socket left behind is removed, because a stale
# one stalls every later MPI_Init by about 2 s (PMIx keeps retrying it).
#
# Idempotent: stopping a cluster that is not running, or half running, succeeds. The state
# dir keeps the logs; slurm-up.sh wipes the rest on its next start.
set -u

state=${1:-${XP_SLURM_DIR:-${TMPDIR:-/tmp}/expose-slurm}}
conf=$state/slurm.conf

# True when process $1 exists and is not a zombie (pid 1 here may reap exited daemons late).
running() {
    st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ]
}

# Prints the pid in file $1 if it is alive and its command is $2 (guards against reuse).
live_pid() {
    [ -s "$1" ] || return 1
    p=$(cat "$1")
    [ -r "/proc/$p/comm" ] && [ "$(cat "/proc/$p/comm")" = "$2" ] && running "$p" && echo "$p"
}

# Sends SIGTERM to pid $1, waits up to $2 seconds, then SIGKILL.
stop_pid() {
    kill -TERM "$1" 2>/dev/null || return 0
    i=0
    while running "$1"; do
        i=$((i + 1))
        if [ $i -ge $(($2 * 10)) ]; then
            kill -KILL "$1" 2>/dev/null
            break
        fi
        sleep 0.1
    done
}

[ -d "$state" ] || { echo "slurm-down: nothing at $state"; exit 0; }

ctld=$(live_pid "$state/slurmctld.pid" slurmctld) || ctld=
if [ -n "$ctld" ] && [ -f "$conf" ]; then
    export SLURM_CONF="$conf"
    jobs=$(squeue -h -o %A 2>/dev/null | sort -u)
    if [ -n "$jobs" ]; then
        # shellcheck disable=SC2086 # one argument per job id
        scancel $jobs 2>/dev/null
        # KillWait (5 s in our slurm.conf) plus a margin.
        i=0
        while squeue -h -t all -o %T 2>/dev/null | grep -qE 'RUNNING|COMPLETING|PENDING|CONFIGURING|SUSPENDED'; do
            i=$((i + 1))
            [ $i -lt 40 ] || { echo "slurm-down: jobs still active after 20 s" >&2; break; }
            sleep 0.5
        done
    fi
fi

d=$(live_pid "$state/slurmd.pid" slurmd) && stop_pid "$d" 10
[ -n "$ctld" ] && stop_pid "$ctld" 10
rm -f "$state/slurmd.pid" "$state/slurmctld.pid"

if m=$(live_pid "$state/munged.pid" munged); then
    stop_pid "$m" 5
fi
if [ -f "$state/munged.pid" ]; then
    rm -f "$state/munged.pid"
    # munged removes its socket on a clean exit; a killed one leaves it (and its lock).
    sock=/run/munge/munge.socket.2
    if [ -e "$sock" ] && ! ss -Hxl 2>/dev/null | grep -q "$sock"; then
        rm -f "$sock" "$sock.lock" /run/munge/munged.pid
    fi
fi
echo "slurm-down: stopped ($state)"

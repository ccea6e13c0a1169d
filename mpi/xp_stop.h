/*
 * xp_stop.h - stop requests from outside the computation: SIGTERM and SIGINT
 * (what Slurm sends every task at the job's time limit or on scancel, KillWait
 * seconds before SIGKILL; Ctrl-C), and the --time-limit budget.
 *
 * A signal only sets a flag. The driver polls xp_stop_check at the end of
 * every stage and between shards while counting, and agrees on the status
 * with the other ranks before the next collective, so a stop is never a
 * hang: every rank exits non-zero with the same message, and what the
 * interrupted run leaves is either complete shards (meta.h5 is written last)
 * or no meta.h5 at all, never a rules.jsonl or summary.json.
 */
#ifndef XP_STOP_H
#define XP_STOP_H

#include "xp_error.h"

/* Catch SIGTERM and SIGINT from now on (the handler sets a flag). Call
 * before MPI_Init. Not collective. */
void xp_stop_install(void);

/* The last signal caught, or 0. Async-signal-safe to read. */
int xp_stop_signal(void);

/*
 * XP_OK when no stop is asked for. Else XP_INTERRUPTED (a signal was caught)
 * or XP_TIMEOUT (limit > 0 and elapsed > limit, both in seconds) with a
 * message saying where the run stopped ("after stage count") and what is
 * left: with shards_done, the shards in OUT/shards are complete and a re-run
 * with the same inputs and options reuses them; without, a re-run reads the
 * trace again (out NULL: the message names no directory). Not collective.
 */
xp_status xp_stop_check(double elapsed, double limit, const char *where, const char *out,
                        int shards_done, xp_err *e);

/*
 * Tests only: when the environment has XP_PAUSE=STAGE[:SECONDS], every
 * process that reaches the end of that stage prints "expose-mpi: XP_PAUSE:
 * pid PID paused after stage STAGE" on stderr and waits for a signal, at most
 * SECONDS (default 120), so a test can kill or signal a run at a known point.
 * Not collective.
 */
void xp_stop_pause(const char *stage);

#endif

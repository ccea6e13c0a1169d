/*
 * xp_progress.h - progress of the long stages on one stream (rank 0's
 * stderr), e.g. "read: 30% (1.2 GiB of 4.0 GiB), about 2m10s left" or
 * "count: 25% (16 of 64 shards, 52,000 of 86,400 windows), about 12s left".
 *
 * Two ways to show it, chosen from the stream (xp_progress_mode_for):
 *   tty  one line that overwrites itself ('\r', erase to end of line), at
 *        most every 0.1 s; erased when the stage ends;
 *   log  (a file: a Slurm job's output) a whole line at most every 5 s, the
 *        first only once the stage has run 5 s, so short stages print
 *        nothing and a long one prints a line every 5 s, never a flood.
 * Updates between those moments cost one clock read and return.
 *
 * Not collective, no MPI: the driver calls it on rank 0 only. Not
 * thread-safe. Time comes from p->clock (monotonic seconds), which tests
 * may replace.
 */
#ifndef XP_PROGRESS_H
#define XP_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef enum xp_progress_mode {
    XP_PROGRESS_OFF = 0, /* --quiet, or a rank other than 0 */
    XP_PROGRESS_TTY,
    XP_PROGRESS_LOG,
} xp_progress_mode;

#define XP_PROGRESS_TTY_INTERVAL 0.1
#define XP_PROGRESS_LOG_INTERVAL 5.0

typedef struct xp_progress {
    FILE *f;                /* borrowed */
    xp_progress_mode mode;
    double interval;        /* seconds between two lines */
    double (*clock)(void);  /* monotonic seconds */
    const char *prefix;     /* before each log line, e.g. "expose-mpi: " */
    double t0;              /* xp_progress_init's time: log lines show [time since t0] */
    /* The current stage. */
    const char *stage, *unit; /* borrowed; unit NULL: bytes */
    int64_t total;
    const char *aside_unit;   /* a second count shown beside, NULL: none */
    int64_t aside_total, aside_done;
    double t_stage, t_last;
    int on_screen;          /* tty: a progress line is showing */
    int64_t lines;          /* lines (log) or redraws (tty) written, for tests */
} xp_progress;

/* TTY when f is a terminal, LOG otherwise, OFF when quiet. */
xp_progress_mode xp_progress_mode_for(FILE *f, int quiet);

/* Set up p writing to f in mode. interval 0 means the mode's default
 * (XP_PROGRESS_TTY_INTERVAL or XP_PROGRESS_LOG_INTERVAL). prefix is
 * borrowed (may be NULL). */
void xp_progress_init(xp_progress *p, FILE *f, xp_progress_mode mode, double interval,
                      const char *prefix);

/* A stage begins: total units of work (unit NULL: bytes, shown as KiB,
 * MiB, GiB; otherwise a count, e.g. "windows"). stage and unit are
 * borrowed until xp_progress_end. */
void xp_progress_begin(xp_progress *p, const char *stage, const char *unit, int64_t total);

/* Show a second count beside the first (e.g. windows beside shards); the
 * percentage and the time left come from the first. Call after begin. */
void xp_progress_aside(xp_progress *p, const char *unit, int64_t total);

/* done units of the stage's total are finished (and aside_done of the
 * second count, when there is one). Prints only when the
 * interval has passed since the last line (or, in log mode, since the
 * stage began). */
void xp_progress_update(xp_progress *p, int64_t done);
void xp_progress_update2(xp_progress *p, int64_t done, int64_t aside_done);

/* The same with the reader callback's signature (xp_input_opts.progress):
 * ctx is the xp_progress; a total > 0 replaces the one given at begin (a
 * reader of a share of the files reports its share). */
void xp_progress_bytes_cb(void *ctx, int64_t done, int64_t total);

/* Erase the tty line (before printing another message); no-op otherwise. */
void xp_progress_clear(xp_progress *p);

/* The stage ended: erases the tty line. */
void xp_progress_end(xp_progress *p);

#endif

/*
 * xp_pingest.h - parallel ingest: the files of one trace parsed by every rank
 * at once, the records gathered on rank 0 in the order a single reader gives
 * (paper §2.1 input side; issue 6, "Long traces").
 *
 * The result on rank 0 (records, their order, every counter) is the same as
 * xp_input_read_all on rank 0 alone, at any rank count, and so are the
 * warnings and the error message: rank 0 replays, in file order, the files
 * that warned or failed (docs/inputs.md, "Parallel ingest").
 */
#ifndef XP_PINGEST_H
#define XP_PINGEST_H

#include <mpi.h>

#include "xp_input.h"

typedef struct xp_pingest_opts {
    const xp_input_opts *io; /* reader options: skip_bad, warn, progress (may be NULL);
                                progress counts the calling rank's own files */
    int64_t chunk_bytes;     /* largest record message in bytes; 0: 1 GiB. Tests
                                use a few hundred bytes to exercise the chunking. */
    double *seconds;         /* may be NULL; else 3 values are added: parse (with
                                the per-file sort), exchange, merge on rank 0 */
    int64_t split_bytes;     /* a plain Zeek log of at least 2 x this many bytes is
                                parsed in pieces of at least this size by several
                                ranks; 0: 8 MiB; < 0: never split */
    int *pieces_kept;        /* may be NULL; else set to 1 when files were read in
                                pieces and the pieces stood (no re-read), else 0 */
    int *kept_local;         /* may be NULL; else, with more than one rank, when every
                                record read starts a connection (XP_REC_START: Zeek
                                conn logs), the records are not gathered: each rank's
                                *out holds those it parsed (its files in list order,
                                each sorted by time) and *kept_local is set to 1;
                                otherwise 0 and the records go to rank 0 as below */
} xp_pingest_opts;

/*
 * Not collective. The rank that reads each file: the list cut into nranks
 * contiguous runs of about equal bytes, each file to the run holding its
 * middle byte (an empty file counts as one), so the result depends only on
 * the list and nranks. owner has l->n entries.
 */
void xp_pingest_assign(const xp_input_list *l, int nranks, int *owner);

/*
 * Collective on comm. Rank 0 passes the list (xp_input_list_make); every
 * other rank passes an empty one and receives a copy (paths, formats, sizes,
 * times). Errors (XP_NOMEM, XP_MPI) are agreed: all ranks return the same.
 */
xp_status xp_pingest_bcast_list(MPI_Comm comm, xp_input_list *l, xp_err *e);

/*
 * Collective on comm; every rank passes the same list. Each rank parses the
 * files xp_pingest_assign gives it and sorts each by time; the records go
 * to rank 0 file by file, in list order, in messages of at most chunk_bytes;
 * rank 0 sorts them stably by time (ties keep input order). On rank 0 *out
 * then holds what xp_input_read_all would give; other ranks' *out stays
 * empty. *st: the counters of xp_input_read_all, added on every rank.
 * On one rank this is xp_input_read_all itself. With more ranks, a big plain
 * Zeek log is cut into pieces at line starts (split_bytes); when any piece
 * warns, fails or meets a header that changes the columns, the whole list is
 * read again without pieces, so messages and results stay the single
 * reader's.
 * Errors: every rank returns the same status; rank 0's *e holds the message
 * a single reader would give (file and place first), *out is then empty.
 */
xp_status xp_pingest_read(MPI_Comm comm, const xp_input_list *l, const xp_pingest_opts *o,
                          xp_recvec *out, xp_input_stats *st, xp_err *e);

#endif

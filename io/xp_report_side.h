/*
 * xp_report_side.h - one side of a rule as the report sees it (a flow or a
 * generic with its activity, read back from rules.jsonl), its canonical
 * node id, and its rendering in the paper's notation. Pure functions.
 */
#ifndef XP_REPORT_SIDE_H
#define XP_REPORT_SIDE_H

#include <stddef.h>
#include <stdint.h>

#include "xp_error.h"
#include "xp_report_names.h"

#define XP_REPORT_ANY (-1) /* a '*' port */

typedef struct xp_report_side {
    char src[48], dst[48]; /* "*" or an address as written (IPv6 without brackets) */
    int32_t sport, dport;  /* 0..65535 (ICMP: type) or XP_REPORT_ANY */
    int proto;             /* IP protocol number 0..255 */
    int isnew;             /* 1: "new", 0: "present" */
} xp_report_side;

/*
 * Canonical node id `SRC:SPORT>DST:DPORT/PROTO ACT` (the same text as
 * io/xp_out.c's xp_side_id writes into rules.jsonl as lhs_id/rhs_id):
 * '*' for wildcards, IPv6 addresses in brackets, proto "tcp"/"udp"/"icmp"
 * or its number, ACT "new"/"present". E.g. `*:*>10.0.0.53:53/udp new`.
 * Writes at most size bytes (always NUL-terminated); returns buf.
 */
char *xp_report_side_id(const xp_report_side *s, char *buf, size_t size);

/* Parse a canonical node id back (the inverse of xp_report_side_id).
 * Returns XP_FORMAT naming `where` when id is not in that form. */
xp_status xp_report_side_parse(const char *id, xp_report_side *s, const char *where,
                               xp_err *e);

/*
 * The side in the paper's notation `SRC.SPORT : DST.DPORT`, hosts by name
 * where names knows them (names may be NULL), '*' for wildcards, a known
 * port with its service ("80/http"), another port with its protocol
 * ("49155/tcp"); the activity is not shown. E.g. `*.* : Web1.80/http`.
 */
char *xp_report_side_text(const xp_report_side *s, const xp_names *names, char *buf,
                          size_t size);

/* Host display: its name, else the address, "*" stays "*". */
const char *xp_report_host(const char *addr, const xp_names *names);

/* Port display as in xp_report_side_text ("53/dns", "49155/udp", "*"). */
char *xp_report_port_text(int proto, int32_t port, char *buf, size_t size);

/* "tcp", "udp", "icmp", "icmp6", or NULL for other protocol numbers. */
const char *xp_report_proto_name(int proto);

#endif

/*
 * xp_planted.h - the planted dependencies of a generated trace
 * (DIR/planted.tsv, written by expose-gen) and the matcher that tells
 * whether a mined rule is one of them (docs/generator.md, "Matching").
 *
 * planted.tsv: a header line `group<TAB>kind<TAB>a<TAB>b<TAB>note`, then one
 * pattern pair per line. A side, in a pattern or in a rule, is written
 * `SRC:SPORT>DST:DPORT/PROTO`; any field may be `*`. SRC and DST are IPv4
 * dotted quads or IPv6 text (the last ':' of each half separates the port);
 * PROTO is tcp, udp, icmp, icmp6 or a protocol number. Lines whose note
 * starts with "cover:" are true by-products, listed so that a rule about them
 * is not a false positive; recall should be counted over the other lines.
 *
 * A rule (sides x, y) matches a line (a, b) when x matches a and y matches b,
 * or x matches b and y matches a. A side matches a pattern when every field
 * does: a pattern field `*` matches any value, `*` included; a concrete
 * pattern field matches only the same concrete value (addresses compared as
 * addresses, protocols as numbers). Not collective; no globals.
 */
#ifndef XP_PLANTED_H
#define XP_PLANTED_H

#include <stddef.h>
#include <stdint.h>

#include "xp_error.h"

typedef struct xp_planted xp_planted;

/*
 * Parse planted.tsv text (len bytes; `name` is used in messages) into a new
 * *out, owned by the caller (xp_planted_free). Returns XP_OK or XP_FORMAT
 * naming the line and the field ("planted.tsv: line 3: side b: ..."),
 * XP_NOMEM.
 */
xp_status xp_planted_parse(xp_planted **out, const char *text, size_t len, const char *name,
                           xp_err *e);

/* Read and parse the file at path (XP_IO when it cannot be read). */
xp_status xp_planted_load(xp_planted **out, const char *path, xp_err *e);

/* Release *p; *p is NULL afterwards. */
void xp_planted_free(xp_planted **p);

/* Number of pattern pairs (lines after the header). */
int64_t xp_planted_count(const xp_planted *p);

/* Group id of line i (0 <= i < count), or 0 when i is out of range. */
int xp_planted_group(const xp_planted *p, int64_t i);

/* Nonzero when line i is a cover line (its note starts with "cover:"). */
int xp_planted_is_cover(const xp_planted *p, int64_t i);

/*
 * The group id (> 0) of the first line the rule with sides side_a_text and
 * side_b_text matches, 0 when none does, XP_FORMAT (< 0) when a side text is
 * not a side.
 */
int xp_planted_match(const xp_planted *p, const char *side_a_text, const char *side_b_text);

/*
 * Like xp_planted_match, but gives the index of the first matching line at
 * or after `from` (>= 0), -1 when none matches, XP_FORMAT (< -1) for a bad
 * side. Loop with from = previous + 1 to mark every line a rule matches.
 */
int64_t xp_planted_match_line(const xp_planted *p, const char *side_a_text, const char *side_b_text,
                              int64_t from);

#endif

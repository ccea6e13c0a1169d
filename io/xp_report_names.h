/*
 * xp_report_names.h - host names for reports: a file of `ADDRESS NAME...`
 * lines in /etc/hosts format. '#' starts a comment (whole line or after the
 * names), blank lines are skipped, fields are separated by spaces or tabs,
 * the first name of a line is used and the others ignored, IPv4 and IPv6
 * addresses are accepted (compared in canonical form, so `fe80:0::1` names
 * `fe80::1`). When an address appears twice the first line wins, as in
 * /etc/hosts. Not thread-hostile: no state outside the table.
 */
#ifndef XP_REPORT_NAMES_H
#define XP_REPORT_NAMES_H

#include <stddef.h>

#include "xp_error.h"

typedef struct xp_names xp_names;

/*
 * Parse buf[0..len) (`where` names it in messages, e.g. the file path).
 * A line whose first field is not an IPv4/IPv6 address, or that has an
 * address but no name, fails with XP_FORMAT naming `where` and the line
 * number: "hosts.txt: line 3: '10.0.0.300' is not an IPv4 or IPv6 address".
 * On success *out is owned by the caller (xp_names_free).
 */
xp_status xp_names_parse(const char *buf, size_t len, const char *where, xp_names **out,
                         xp_err *e);

/* Read the file at path and parse it (XP_IO when it cannot be read). */
xp_status xp_names_load(const char *path, xp_names **out, xp_err *e);

/* Name of address text addr ("10.0.0.1", "fe80::1", "[fe80::1]"), or NULL
 * when unnamed or not an address (e.g. "*"). Names may be NULL. The string
 * belongs to the table. */
const char *xp_names_lookup(const xp_names *names, const char *addr);

/* Number of named addresses. */
size_t xp_names_count(const xp_names *names);

void xp_names_free(xp_names *names);

#endif

/*
 * xp_ports.h - the built-in table of well-known service ports and the names
 * of the IP protocols the readers decode. Pure data, no state: every call is
 * a lookup in a sorted constant table (a binary search of ~120 entries).
 * Used per record by the readers (orientation) and by the rule printer.
 */
#ifndef XP_PORTS_H
#define XP_PORTS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Service name of (proto, port), e.g. (6, 22) -> "ssh", or NULL when the
 * table does not know it. For ICMP (1) and ICMPv6 (58) the "port" is the
 * ICMP type, as in Zeek conn.log, and a few types are named ("echo").
 * Not thread-hostile: the returned string is constant.
 */
const char *xp_port_service(uint8_t proto, int32_t port);

/* Nonzero when (proto, port) is in the built-in table (see xp_port_service). */
int xp_port_builtin(uint8_t proto, int32_t port);

/* mark[port] = 1 for every port of proto in the built-in table (mark has
 * 65536 entries): xp_port_builtin for all ports at once, without 65536
 * searches. */
void xp_port_builtin_mark(uint8_t proto, uint8_t *mark);

/* "tcp", "udp", "icmp", "icmp6" for 6, 17, 1, 58; NULL for any other. */
const char *xp_proto_name(uint8_t proto);

/*
 * Parse a protocol name of len bytes (need not end in NUL): "tcp", "udp",
 * "icmp", "icmp6" (also "icmpv6", "ipv6-icmp"), Zeek's "unknown_transport"
 * (-> 0), or a decimal number 0..255. Case-insensitive. Returns the protocol
 * number, or -1 when the text is none of these.
 */
int xp_proto_parse(const char *s, size_t len);

/* Number of entries in the built-in table, and entry i (for tests and docs). */
size_t xp_port_table_size(void);
void xp_port_table_entry(size_t i, uint8_t *proto_mask, int32_t *port,
                         const char **name);

#endif

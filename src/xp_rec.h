/*
 * xp_rec.h - the one record type every reader produces (paper §2.1).
 *
 * A record is either one packet (pcap) or one connection (Zeek conn.log),
 * already oriented originator -> responder. Readers fill arrays of these;
 * the activity stage (xp_activity.h) turns them into flows and windows.
 */
#ifndef XP_REC_H
#define XP_REC_H

#include <stddef.h>
#include <stdint.h>

/* An IP address; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d). */
typedef struct xp_addr {
    uint8_t b[16];
} xp_addr;

enum {
    XP_REC_START = 1u << 0,  /* this record starts a connection: a TCP SYN
                                without ACK, or a conn.log record's ts */
    XP_REC_PACKET = 1u << 1, /* a packet (dur == 0), not a connection */
};

typedef struct xp_rec {
    double ts;       /* start, epoch seconds */
    double dur;      /* >= 0; 0 for a packet or an unset conn.log duration */
    xp_addr src;     /* originator */
    xp_addr dst;     /* responder */
    uint16_t sport;  /* originator port (0 for protocols without ports) */
    uint16_t dport;  /* responder port */
    uint8_t proto;   /* IP protocol number: 6 tcp, 17 udp, 1 icmp, 58 icmp6 */
    uint8_t flags;   /* XP_REC_* */
    uint16_t pad_;   /* zero */
} xp_rec;

/* Set a to the IPv4-mapped form of v4 (host byte order a.b.c.d = v4>>24..). */
void xp_addr_from_v4(xp_addr *a, uint32_t v4);
/* Nonzero when a is IPv4-mapped. */
int xp_addr_is_v4(const xp_addr *a);
/*
 * Parse text ("10.0.0.1", "fe80::1", "fe80::1%eth0": the scope id is
 * dropped, see docs/inputs.md) into *a. Returns 0 on success, -1 if the text
 * is not an address. len is the text's length (text need not end in NUL).
 */
int xp_addr_parse(xp_addr *a, const char *text, size_t len);
/* Format into buf (at least 46 bytes); returns buf. */
char *xp_addr_format(const xp_addr *a, char *buf, size_t size);

/* A growable array of records, owned by whoever created it. */
typedef struct xp_recvec {
    xp_rec *v;
    int64_t n, cap;
} xp_recvec;

/* Append one record; returns 0, or -1 when out of memory. */
int xp_recvec_push(xp_recvec *rv, const xp_rec *r);
/* Make room for `more` records; returns 0 or -1. */
int xp_recvec_reserve(xp_recvec *rv, int64_t more);
/* Release the array; *rv is empty afterwards. */
void xp_recvec_free(xp_recvec *rv);

#endif
